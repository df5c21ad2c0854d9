//! Reading elements of an incoming resource, shared by every resource's `*_from_fhir`.

use fhir_outcome::{Issue, IssueType};
use serde_json::Value;
use serde_json::{Map, json};

use crate::systems;

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
