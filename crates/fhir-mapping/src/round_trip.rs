//! Finding what a write would lose: elements of the client's resource that do not survive the
//! trip to row fields and back.

use chrono::DateTime;
use fhir_outcome::{Issue, IssueType};
use serde_json::Value;

/// Elements the server sets itself and never stores from the client.
const SERVER_OWNED: [&str; 4] = ["resourceType", "id", "meta", "text"];

/// One issue per element of `input` that `mapped_back` (the input mapped to rows and back)
/// does not carry, each naming the element by its FHIRPath.
pub fn unstored_elements(input: &Value, mapped_back: &Value, resource_type: &str) -> Vec<Issue> {
    let mut lost = Vec::new();
    if let (Value::Object(input), Value::Object(back)) = (input, mapped_back) {
        for (name, value) in input {
            if SERVER_OWNED.contains(&name.as_str()) {
                continue;
            }
            let path = format!("{resource_type}.{name}");
            match back.get(name) {
                Some(kept) => missing(value, kept, &path, &mut lost),
                None => lost.push(path),
            }
        }
    }
    lost.into_iter()
        .map(|path| {
            Issue::error(
                IssueType::NotSupported,
                format!("{path} cannot be stored by this server; see its profile for what is kept"),
            )
            .at(path)
        })
        .collect()
}

/// Collects the paths under `path` present in `input` but not in `kept`.
fn missing(input: &Value, kept: &Value, path: &str, lost: &mut Vec<String>) {
    match (input, kept) {
        (Value::Object(input), Value::Object(kept)) => {
            for (name, value) in input {
                let child = format!("{path}.{name}");
                match kept.get(name) {
                    Some(kept_value) => missing(value, kept_value, &child, lost),
                    None => lost.push(child),
                }
            }
        }
        (Value::Array(items), Value::Array(kept_items)) => {
            // Order may change (the server writes identifiers and names in a fixed order):
            // each input item is matched to the kept item that loses least of it.
            for (index, item) in items.iter().enumerate() {
                let child = format!("{path}[{index}]");
                let best = kept_items
                    .iter()
                    .map(|kept_item| {
                        let mut item_lost = Vec::new();
                        missing(item, kept_item, &child, &mut item_lost);
                        item_lost
                    })
                    .min_by_key(Vec::len);
                match best {
                    Some(item_lost) => lost.extend(item_lost),
                    None => lost.push(child),
                }
            }
        }
        (input, kept) if same_primitive(input, kept) => {}
        _ => lost.push(path.to_owned()),
    }
}

/// `resource` without the elements at `paths` (FHIRPaths as [`unstored_elements`] writes them);
/// objects and arrays left empty are removed too, as FHIR allows no empty elements.
pub fn without_elements(resource: &Value, paths: &[String]) -> Value {
    let mut reduced = resource.clone();
    for path in paths {
        // The first segment is the resource type.
        let steps: Vec<&str> = path.split('.').skip(1).collect();
        if let Some(target) = element_mut(&mut reduced, &steps) {
            *target = Value::Null;
        }
    }
    prune(&mut reduced);
    reduced
}

fn element_mut<'v>(value: &'v mut Value, steps: &[&str]) -> Option<&'v mut Value> {
    let Some((step, rest)) = steps.split_first() else { return Some(value) };
    let (name, index) = match step.split_once('[') {
        Some((name, index)) => (name, Some(index.trim_end_matches(']').parse::<usize>().ok()?)),
        None => (*step, None),
    };
    let child = value.get_mut(name)?;
    let child = match index {
        Some(index) => child.get_mut(index)?,
        None => child,
    };
    element_mut(child, rest)
}

/// Removes nulls, and the objects and arrays emptied by removing them.
fn prune(value: &mut Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(members) => {
            members.retain(|_, member| prune(member));
            !members.is_empty()
        }
        Value::Array(items) => {
            items.retain_mut(prune);
            !items.is_empty()
        }
        _ => true,
    }
}

/// Primitives compare by meaning: numbers by value, date-times by instant.
fn same_primitive(input: &Value, kept: &Value) -> bool {
    match (input, kept) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => {
            a == b
                || matches!(
                    (DateTime::parse_from_rfc3339(a), DateTime::parse_from_rfc3339(b)),
                    (Ok(a), Ok(b)) if a == b
                )
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(input: Value, back: Value) -> Vec<String> {
        unstored_elements(&input, &back, "Patient").into_iter().flat_map(|issue| issue.expression).collect()
    }

    #[test]
    fn kept_elements_in_any_order_pass() {
        let input =
            json!({"resourceType": "Patient", "id": "x", "identifier": [{"value": "b"}, {"value": "a"}]});
        let back = json!({"identifier": [{"value": "a", "system": "s"}, {"value": "b"}], "active": true});
        assert!(paths(input, back).is_empty());
    }

    #[test]
    fn lost_elements_are_named_deep_down() {
        let input = json!({"name": [{"family": "Doe", "given": ["Jane", "Q"]}], "photo": [{}]});
        let back = json!({"name": [{"family": "Doe", "given": ["Jane"]}]});
        assert_eq!(paths(input, back), vec!["Patient.name[0].given[1]", "Patient.photo"]);
    }

    #[test]
    fn dropping_elements_removes_what_they_leave_empty() {
        let input =
            json!({"resourceType": "Patient", "name": [{"family": "Doe", "suffix": ["Jr"]}], "photo": [{}]});
        let paths = vec!["Patient.name[0].suffix".to_owned(), "Patient.photo".to_owned()];
        assert_eq!(
            without_elements(&input, &paths),
            json!({"resourceType": "Patient", "name": [{"family": "Doe"}]})
        );
        let only = json!({"resourceType": "Patient", "name": [{"suffix": ["Jr"]}]});
        assert_eq!(
            without_elements(&only, &["Patient.name[0].suffix".to_owned()]),
            json!({"resourceType": "Patient"})
        );
    }

    #[test]
    fn date_times_compare_as_instants() {
        let input = json!({"deceasedDateTime": "2020-01-01T00:00:00Z"});
        let back = json!({"deceasedDateTime": "2020-01-01T07:00:00+07:00"});
        assert!(paths(input, back).is_empty());
        let changed = json!({"deceasedDateTime": "2020-01-01T08:00:00+07:00"});
        assert_eq!(
            paths(json!({"deceasedDateTime": "2020-01-01T00:00:00Z"}), changed),
            vec!["Patient.deceasedDateTime"]
        );
    }
}
