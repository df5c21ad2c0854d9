//! `_summary` and `_elements`: returning part of each resource, tagged SUBSETTED.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use fhir_outcome::{Issue, IssueType};
use serde_json::{Value, json};

use crate::ApiError;
use crate::format::query_value;

/// Elements every subset keeps.
const ALWAYS_KEPT: [&str; 3] = ["resourceType", "id", "meta"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subset {
    /// The whole resource.
    Full,
    /// `_summary=true`: the elements marked as summary.
    Summary,
    /// `_summary=data`: everything but the narrative.
    Data,
    /// `_summary=count` (search only): no resources, just the total.
    Count,
    /// `_elements=a,b`: the named top-level elements.
    Elements(Vec<String>),
}

impl Subset {
    pub fn of_request(request: &HttpRequest) -> Result<Subset, ApiError> {
        let summary = query_value(request, "_summary");
        let elements = query_value(request, "_elements");
        let subset = match (summary.as_deref(), elements) {
            (None | Some("false"), None) => Subset::Full,
            (None | Some("false"), Some(elements)) => Subset::Elements(
                elements.split(',').map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
            ),
            (Some("true"), None) => Subset::Summary,
            // This server keeps no narrative: text-only summaries are the mandatory elements,
            // which are in the summary too.
            (Some("text"), None) => Subset::Summary,
            (Some("data"), None) => Subset::Data,
            (Some("count"), None) => Subset::Count,
            (Some(_), Some(_)) => {
                return Err(invalid("_summary and _elements cannot be combined", "_elements"));
            }
            (Some(other), None) => {
                return Err(invalid(
                    &format!("_summary must be true, text, data, count or false, not '{other}'"),
                    "_summary",
                ));
            }
        };
        Ok(subset)
    }

    /// Reduces `resource` to this subset, tagging it SUBSETTED when anything was left out.
    pub fn apply(&self, mut resource: Value) -> Value {
        let resource_type = resource["resourceType"].as_str().unwrap_or_default().to_owned();
        let keep: Box<dyn Fn(&str) -> bool> = match self {
            Subset::Full | Subset::Count => return resource,
            Subset::Data => Box::new(|name| name != "text"),
            // The summary elements are those the base definition flags isSummary.
            Subset::Summary => Box::new(move |name| {
                fhir_conformance::base_element(&resource_type, name).is_some_and(|element| element.summary)
            }),
            Subset::Elements(names) => Box::new(move |name| names.iter().any(|n| n == name)),
        };
        let Value::Object(elements) = &mut resource else { return resource };
        let before = elements.len();
        elements.retain(|name, _| ALWAYS_KEPT.contains(&name.as_str()) || keep(name));
        if elements.len() < before {
            let meta = elements.entry("meta").or_insert_with(|| json!({}));
            let tags = meta.as_object_mut().map(|m| m.entry("tag").or_insert_with(|| json!([])));
            if let Some(Value::Array(tags)) = tags {
                tags.push(json!({
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                    "code": "SUBSETTED",
                    "display": "subsetted"
                }));
            }
        }
        resource
    }
}

fn invalid(diagnostics: &str, parameter: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, Issue::error(IssueType::Invalid, diagnostics).at(parameter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsets_keep_identity_and_are_tagged() {
        let patient = json!({"resourceType": "Patient", "id": "1", "meta": {"versionId": "1"},
            "extension": [], "gender": "male", "deceasedBoolean": false, "telecom": []});
        let summary = Subset::Summary.apply(patient.clone());
        assert!(summary.get("extension").is_none());
        assert_eq!(summary["deceasedBoolean"], false);
        assert_eq!(summary["meta"]["tag"][0]["code"], "SUBSETTED");
        let elements = Subset::Elements(vec!["gender".into()]).apply(patient.clone());
        assert_eq!(
            elements.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["resourceType", "id", "meta", "gender"]
        );
        assert_eq!(Subset::Full.apply(patient.clone()), patient);
    }
}
