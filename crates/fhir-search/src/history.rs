//! Query string of a history interaction -> [`HistoryRequest`].

use fhir_outcome::{Issue, IssueType};

use crate::request::{DEFAULT_COUNT, MAX_COUNT};
use crate::{DateValue, Prefix};

/// Parameters the server applies to every response, not history filters.
const SERVER_PARAMS: [&str; 2] = ["_format", "_pretty"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRequest {
    /// Versions created at or after this instant (`_since`).
    pub since: Option<DateValue>,
    /// Versions current at some time within this period (`_at`).
    pub at: Option<DateValue>,
    pub count: u32,
    /// Opaque position after which the page starts (from a `next` link).
    pub cursor: Option<String>,
}

impl HistoryRequest {
    /// The applied parameters as a query string (without the cursor), for links.
    pub fn query_string(&self, raw: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            if key == "_since" || key == "_at" {
                query.append_pair(&key, &value);
            }
        }
        query.append_pair("_count", &self.count.to_string());
        query.finish()
    }
}

/// Parses `_since`, `_at`, `_count` and the paging cursor; anything else is refused, naming it.
pub fn parse_history(query: &str) -> Result<HistoryRequest, Vec<Issue>> {
    let mut request = HistoryRequest { since: None, at: None, count: DEFAULT_COUNT, cursor: None };
    let mut issues = Vec::new();
    let invalid =
        |key: &str, diagnostics: String| Issue::error(IssueType::Invalid, diagnostics).at(key.to_owned());
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "_since" => match DateValue::parse(&value) {
                Some(date) if date.prefix == Prefix::Eq && date.offset.is_some() => {
                    request.since = Some(date)
                }
                _ => {
                    issues.push(invalid(&key, format!("_since '{value}' is not an instant with a time zone")))
                }
            },
            "_at" => match DateValue::parse(&value) {
                Some(date) if date.prefix == Prefix::Eq => request.at = Some(date),
                _ => issues.push(invalid(&key, format!("_at '{value}' is not a date or dateTime"))),
            },
            "_count" => match value.parse::<u32>() {
                Ok(count) => request.count = count.min(MAX_COUNT),
                Err(_) => issues.push(invalid(&key, "_count must be a non-negative integer".into())),
            },
            "_cursor" => request.cursor = Some(value.into_owned()),
            name if SERVER_PARAMS.contains(&name) => {}
            name => issues.push(
                Issue::error(IssueType::NotSupported, format!("'{name}' is not a history parameter"))
                    .at(name.to_owned()),
            ),
        }
    }
    if issues.is_empty() { Ok(request) } else { Err(issues) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_must_be_an_instant_and_unknown_parameters_are_named() {
        let request = parse_history("_since=2026-01-02T03:04:05Z&_count=5&_format=json").unwrap();
        assert_eq!(request.count, 5);
        assert!(request.since.is_some());
        assert_eq!(parse_history("_since=2026-01-02").unwrap_err()[0].expression, vec!["_since"]);
        assert_eq!(parse_history("_at=ge2026").unwrap_err()[0].expression, vec!["_at"]);
        assert_eq!(parse_history("family=x").unwrap_err()[0].expression, vec!["family"]);
        assert!(parse_history("_at=2026-01").unwrap().at.is_some());
    }
}
