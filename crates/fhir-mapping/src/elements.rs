//! Reading elements of an incoming resource, shared by every resource's `*_from_fhir`.

use chrono::NaiveDateTime;
use fhir_outcome::{Issue, IssueType};
use serde_json::Value;

use crate::MappingContext;

/// The array element `name` of `value`, empty when absent.
pub fn array<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    value[name].as_array().map_or(&[], Vec::as_slice)
}

/// A string element as an owned value.
pub fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_owned)
}

/// The row key of a `Type/[id]` reference; an issue at `path.reference` when it is not one.
pub fn read_reference(
    value: &Value,
    resource_type: &str,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<i64> {
    let id = value["reference"]
        .as_str()
        .and_then(|r| r.strip_prefix(resource_type))
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|id| id.parse::<i64>().ok());
    if id.is_none() {
        issues.push(
            Issue::error(IssueType::Value, format!("expected a reference of the form {resource_type}/[id]"))
                .at(format!("{path}.reference")),
        );
    }
    id
}

/// An issue for a required element the client left out.
pub fn missing(path: &str, why: &str) -> Issue {
    Issue::error(IssueType::Required, format!("{path} is required: {why}")).at(path)
}

/// The row key a required `Type/[id]` reference points at; an issue at `path` when absent.
pub fn required_reference(
    value: &Value,
    resource_type: &str,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<i64> {
    if value.is_null() {
        issues.push(missing(path, &format!("a reference to {resource_type}/[id]")));
        return None;
    }
    read_reference(value, resource_type, path, issues)
}

/// An optional `Type/[id]` reference.
pub fn optional_reference(
    value: &Value,
    resource_type: &str,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<i64> {
    if value.is_null() { None } else { read_reference(value, resource_type, path, issues) }
}

/// A dateTime/instant as clinic wall-clock time; an issue when present without a time and zone.
pub fn date_time(
    value: &Value,
    path: &str,
    ctx: &MappingContext,
    issues: &mut Vec<Issue>,
) -> Option<NaiveDateTime> {
    if value.is_null() {
        return None;
    }
    let local = value.as_str().and_then(|t| ctx.local_time(t));
    if local.is_none() {
        issues.push(Issue::error(IssueType::Value, "expected a date and time with a time zone").at(path));
    }
    local
}

/// A whole number that fits an `INTEGER` column; an issue when present and anything else.
pub fn whole_number(value: &Value, path: &str, issues: &mut Vec<Issue>) -> Option<i32> {
    if value.is_null() {
        return None;
    }
    let number = value
        .as_i64()
        .or_else(|| value.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64))
        .and_then(|n| i32::try_from(n).ok());
    if number.is_none() {
        issues.push(Issue::error(IssueType::Value, "expected a whole number").at(path));
    }
    number
}

/// The code of the first coding of `concept` (a CodeableConcept) from `system`.
pub fn coding_code<'a>(concept: &'a Value, system: &str) -> Option<&'a str> {
    array(concept, "coding").iter().find(|c| c["system"] == system).and_then(|c| c["code"].as_str())
}

/// The clinic code of a code element bound to a required value set. `codes` pairs each clinic
/// code with the FHIR code it reads as (the first pair wins when several share a FHIR code);
/// `value_set` lists every code of the binding, to tell a wrong code from one the clinic lacks.
pub fn clinic_code(
    value: &Value,
    codes: &[(&'static str, &'static str)],
    value_set: &[&str],
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<&'static str> {
    let Some(code) = value.as_str() else {
        issues.push(missing(path, &format!("one of {}", value_set.join(", "))));
        return None;
    };
    if let Some((clinic, _)) = codes.iter().find(|(_, fhir)| *fhir == code) {
        return Some(clinic);
    }
    let issue = if value_set.contains(&code) {
        Issue::error(IssueType::NotSupported, format!("the clinic cannot record '{code}'"))
    } else {
        Issue::error(
            IssueType::CodeInvalid,
            format!("'{code}' is not in the required value set ({})", value_set.join(", ")),
        )
    };
    issues.push(issue.at(path));
    None
}
