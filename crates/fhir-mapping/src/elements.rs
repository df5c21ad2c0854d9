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
