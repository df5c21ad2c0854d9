//! Reading and writing the elements every resource mapping shares.

use chrono::NaiveDateTime;
use fhir_outcome::{Issue, IssueType};
use serde_json::Value;
use serde_json::{Map, json};

use crate::{MappingContext, systems};

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

// Writing elements, shared by the `*_to_fhir` functions.

/// A CodeableConcept with one coding.
pub fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}]})
}

/// An official HumanName tagged with its language (`th` or `en`), the way Patient carries the
/// Thai and the English name side by side.
pub fn human_name(language: &str, family: Option<&str>, given: Option<&str>, prefix: Option<&str>) -> Value {
    let mut name = Map::new();
    name.insert("extension".into(), json!([{"url": systems::LANGUAGE_EXTENSION, "valueCode": language}]));
    name.insert("use".into(), json!("official"));
    if let Some(family) = family {
        name.insert("family".into(), json!(family));
    }
    if let Some(given) = given {
        name.insert("given".into(), json!([given]));
    }
    if let Some(prefix) = prefix {
        name.insert("prefix".into(), json!([prefix]));
    }
    Value::Object(name)
}

/// `telecom` from a phone number and an e-mail address; `None` when there is neither.
pub fn telecom(phone: Option<&str>, email: Option<&str>) -> Option<Value> {
    let points: Vec<Value> = [("phone", phone), ("email", email)]
        .into_iter()
        .filter_map(|(system, value)| value.map(|v| json!({"system": system, "value": v})))
        .collect();
    (!points.is_empty()).then_some(Value::Array(points))
}

/// The parts of a Thai address as the clinic keeps them.
pub struct ThaiAddress<'a> {
    /// House number, moo, soi, road.
    pub line: Option<&'a str>,
    /// Tambon / khwaeng, carried in `city`.
    pub sub_district: Option<&'a str>,
    /// Amphoe / khet.
    pub district: Option<&'a str>,
    /// Changwat, carried in `state`.
    pub province: Option<&'a str>,
    pub postal_code: Option<&'a str>,
}

/// An Address in Thailand with the given `use`, in the shape Patient uses; `None` when the
/// clinic knows no part of it.
pub fn thai_address(address_use: &str, parts: &ThaiAddress) -> Option<Value> {
    let elements = [
        ("city", parts.sub_district),
        ("district", parts.district),
        ("state", parts.province),
        ("postalCode", parts.postal_code),
    ];
    if parts.line.is_none() && elements.iter().all(|(_, v)| v.is_none()) {
        return None;
    }
    let mut address = Map::new();
    address.insert("use".into(), json!(address_use));
    if let Some(line) = parts.line {
        address.insert("line".into(), json!([line]));
    }
    for (element, value) in elements {
        if let Some(value) = value {
            address.insert(element.into(), json!(value));
        }
    }
    address.insert("country".into(), json!("TH"));
    Some(Value::Object(address))
}

/// The issue for a required element the client left out.
pub fn required(path: &str) -> Issue {
    missing(path, "this server needs it")
}

/// The entry of `table` whose FHIR code (as `fhir_code` reads it) is `code`; an issue at `path`
/// listing the codes the clinic keeps when there is none.
pub fn read_code<'t, T>(
    code: &str,
    table: &'t [T],
    fhir_code: impl Fn(&'t T) -> &'t str,
    path: &str,
    issues: &mut Vec<Issue>,
) -> Option<&'t T> {
    let entry = table.iter().find(|entry| fhir_code(entry) == code);
    if entry.is_none() {
        let kept: Vec<&str> = table.iter().map(fhir_code).collect();
        issues.push(
            Issue::error(
                IssueType::CodeInvalid,
                format!("code '{code}' is not one this server keeps ({})", kept.join(", ")),
            )
            .at(path),
        );
    }
    entry
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
