//! `GET Patient/[id]/$everything`: the patient and everything in their compartment the caller
//! may search, type after type, paged with one token across the types.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use api_keys::Permissions;
use fhir_outcome::{Issue, IssueType};
use fhir_search::{DateValue, Handling, ParamType};
use fhir_store::SearchPage;
use serde_json::{Value, json};

use crate::auth::{Need, caller, require};
use crate::handlers::{base_url, negotiated, respond};
use crate::search::{page_across_types, position_of, searchset};
use crate::subset::Subset;
use crate::{ApiError, AppState, page_token};

/// The date `start` and `end` restrict for each compartment type (its clinical date).
fn clinical_date(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        "Encounter" | "Observation" | "Appointment" | "DocumentReference" => Some("date"),
        "Condition" => Some("recorded-date"),
        "MedicationRequest" => Some("authoredon"),
        "Claim" => Some("created"),
        _ => None,
    }
}

/// Whether `resource_type` has a `patient` reference (a member of the patient compartment).
pub fn points_at_patients(resource_type: &str) -> bool {
    fhir_search::registry::find(resource_type, "patient").is_some_and(|p| p.kind == ParamType::Reference)
}

/// The patient compartment, but for the audit trail, which records who looked at the record
/// rather than being part of it.
fn compartment_types() -> Vec<&'static str> {
    fhir_store::resource_types().filter(|t| *t != "AuditEvent" && points_at_patients(t)).collect()
}

struct Everything {
    types: Vec<&'static str>,
    since: Option<String>,
    start: Option<String>,
    end: Option<String>,
    count: u32,
    cursor: Option<String>,
}

fn invalid(parameter: &str, diagnostics: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        Issue::error(IssueType::Invalid, diagnostics).at(parameter.to_owned()),
    )
}

/// The operation's parameters; the compartment types the caller may not search are left out,
/// unless `_type` names them (403).
fn parse(request: &HttpRequest, query: &str) -> Result<Everything, ApiError> {
    let access = caller(request)?;
    let compartment = compartment_types();
    let mut everything = Everything {
        types: compartment.iter().copied().filter(|t| access.scopes.allows(t, Permissions::SEARCH)).collect(),
        since: None,
        start: None,
        end: None,
        count: fhir_search::DEFAULT_COUNT,
        cursor: None,
    };
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "_type" => {
                let mut types = Vec::new();
                for name in value.split(',') {
                    let resource_type =
                        compartment.iter().copied().find(|t| *t == name).ok_or_else(|| {
                            invalid(
                                "_type",
                                format!("'{name}' is not a type of the patient compartment served here"),
                            )
                        })?;
                    require(request, resource_type, Need::Search, Some("_type"))?;
                    types.push(resource_type);
                }
                everything.types = types;
            }
            "_since" | "start" | "end" => {
                if DateValue::parse(&value).is_none_or(|date| date.prefix != fhir_search::Prefix::Eq) {
                    return Err(invalid(&name, format!("{name} '{value}' is not a date or dateTime")));
                }
                let slot = match &*name {
                    "_since" => &mut everything.since,
                    "start" => &mut everything.start,
                    _ => &mut everything.end,
                };
                *slot = Some(value.into_owned());
            }
            "_count" => {
                everything.count = value
                    .parse::<u32>()
                    .map_err(|_| invalid("_count", "_count must be a non-negative integer".into()))?
                    .clamp(1, fhir_search::MAX_COUNT)
            }
            "_cursor" => everything.cursor = Some(value.into_owned()),
            "_format" | "_pretty" => {}
            other => return Err(invalid(other, format!("'{other}' is not a parameter of $everything"))),
        }
    }
    Ok(everything)
}

impl Everything {
    /// The applied parameters as a query string (without the cursor), for links and tokens.
    fn query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("_type", &self.types.join(","));
        for (name, value) in [("_since", &self.since), ("start", &self.start), ("end", &self.end)] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.append_pair("_count", &self.count.to_string());
        query.finish()
    }

    /// The search of `resource_type` for `id`'s resources, `count` at most.
    fn search_of(
        &self,
        resource_type: &str,
        id: &str,
        count: usize,
    ) -> Result<fhir_search::SearchRequest, ApiError> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("patient", &format!("Patient/{id}"));
        if let Some(since) = &self.since {
            query.append_pair("_lastUpdated", &format!("ge{since}"));
        }
        if let Some(date) = clinical_date(resource_type) {
            for (bound, prefix) in [(&self.start, "ge"), (&self.end, "le")] {
                if let Some(bound) = bound {
                    query.append_pair(date, &format!("{prefix}{bound}"));
                }
            }
        }
        query.append_pair("_count", &count.to_string());
        query.append_pair("_total", "none");
        fhir_search::parse(resource_type, &query.finish(), Handling::Strict)
            .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))
    }
}

pub async fn everything(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let id = path.into_inner();
        require(&request, "Patient", Need::Read, None)?;
        let everything = parse(&request, request.query_string())?;
        let canonical = everything.query_string();
        // The first page starts with the patient, then the compartment types follow.
        let (start, with_patient) = match &everything.cursor {
            None => ((0, None), true),
            Some(token) => {
                let opened = page_token::open(&canonical, token).and_then(|inner| position_of(&inner));
                (opened.ok_or_else(|| invalid("_cursor", "_cursor is not a page of this operation".into()))?, false)
            }
        };
        let patient = state.store.read("Patient", &id).await?;
        let mut resources: Vec<Value> = Vec::new();
        if with_patient {
            resources.push(patient);
        }
        let wanted = (everything.count as usize).saturating_sub(resources.len());
        let (compartment, next) = page_across_types(&state, &everything.types, start, wanted, |resource_type, count| {
            everything.search_of(resource_type, &id, count)
        })
        .await?;
        resources.extend(compartment);
        let base = base_url(&request, &state);
        let first = format!("{base}/Patient/{id}/$everything?{canonical}");
        let with_token = |token: &str| {
            let pair = form_urlencoded::Serializer::new(String::new()).append_pair("_cursor", token).finish();
            format!("{first}&{pair}")
        };
        let mut links = vec![
            json!({"relation": "self", "url": everything.cursor.as_deref().map_or_else(|| first.clone(), with_token)}),
            json!({"relation": "first", "url": first}),
        ];
        if let Some(next) = next {
            links.push(json!({"relation": "next", "url": with_token(&page_token::seal(&canonical, &next))}));
        }
        let page = SearchPage { resources, total: None, next_cursor: None, previous_cursor: None, included: Vec::new() };
        respond(StatusCode::OK, &searchset(page, &Subset::Full, &base, links), format, &request)
    })
    .await
}
