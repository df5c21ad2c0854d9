//! Reading elements of an incoming resource, shared by every resource's `*_from_fhir`.

use fhir_outcome::{Issue, IssueType};
use serde_json::Value;

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
