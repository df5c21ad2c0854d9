//! Reading and writing the elements every resource mapping shares.

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

/// The issue for a required element the client left out.
pub fn required(path: &str) -> Issue {
    Issue::error(IssueType::Required, format!("{path} is required by this server")).at(path)
}

/// A `dateTime`/`instant` element as clinic wall-clock time, `None` when absent. A value without
/// a time or a zone gives an issue at `path`: a `TIMESTAMP` column needs both.
pub fn read_date_time(
    value: &Value,
    path: &str,
    ctx: &crate::MappingContext,
    issues: &mut Vec<Issue>,
) -> Option<chrono::NaiveDateTime> {
    if value.is_null() {
        return None;
    }
    let local = value.as_str().and_then(|date_time| ctx.local_time(date_time));
    if local.is_none() {
        issues
            .push(Issue::error(IssueType::Value, "expected a dateTime with a time and a time zone").at(path));
    }
    local
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
