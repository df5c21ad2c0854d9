//! The clinic profiles (`/StructureDefinition`) and `$validate` against them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use fhir_conformance::PROFILES;
use fhir_outcome::{Issue, IssueType};
use fhir_search::Handling;
use serde_json::{Value, json};

use crate::auth::{Need, require};
use crate::handlers::{base_url, body_of, handling, negotiated, respond, served_type};
use crate::{ApiError, AppState, Format};

/// The parameters a StructureDefinition search takes.
const SEARCH_PARAMS: [&str; 5] = ["_id", "url", "_count", "_format", "_pretty"];

pub async fn read(request: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let id = path.into_inner();
        let profile = PROFILES.iter().find(|spec| spec.id() == id).ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                Issue::error(IssueType::NotFound, format!("StructureDefinition/{id} is not known")),
            )
        })?;
        respond(StatusCode::OK, &fhir_conformance::structure_definition(profile), format, &request)
    })
    .await
}

/// Every clinic profile, or those with the `_id`s or `url`s asked for.
pub async fn search(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let mut ids: Vec<String> = Vec::new();
        let mut urls: Vec<String> = Vec::new();
        for (key, value) in form_urlencoded::parse(request.query_string().as_bytes()) {
            match &*key {
                "_id" => ids.extend(value.split(',').map(str::to_owned)),
                "url" => urls.extend(value.split(',').map(str::to_owned)),
                known if SEARCH_PARAMS.contains(&known) => {}
                _ if handling(&request, Handling::Lenient) == Handling::Lenient => {}
                unknown => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        Issue::error(
                            IssueType::NotSupported,
                            format!("unknown search parameter '{unknown}' for StructureDefinition"),
                        )
                        .at(unknown),
                    ));
                }
            }
        }
        let base = base_url(&request, &state);
        let entries: Vec<Value> = PROFILES
            .iter()
            .map(fhir_conformance::structure_definition)
            .filter(|profile| ids.is_empty() || ids.iter().any(|id| profile["id"] == **id))
            .filter(|profile| urls.is_empty() || urls.iter().any(|url| profile["url"] == **url))
            .map(|profile| {
                json!({
                    "fullUrl": format!("{base}/StructureDefinition/{}", profile["id"].as_str().unwrap_or_default()),
                    "resource": profile,
                    "search": {"mode": "match"},
                })
            })
            .collect();
        let mut bundle = json!({
            "resourceType": "Bundle",
            "type": "searchset",
            "total": entries.len(),
            "link": [{"relation": "self", "url": format!("{base}/StructureDefinition?{}", request.query_string())}],
        });
        if !entries.is_empty() {
            bundle["entry"] = Value::Array(entries);
        }
        respond(StatusCode::OK, &bundle, format, &request)
    })
    .await
}

/// `POST [type]/$validate` with the resource, or a Parameters holding it as `resource`: an
/// OperationOutcome (200) saying whether it conforms to the clinic profile and can be stored.
pub async fn validate(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let resource_type = served_type(&path)?;
        // Validation is the dry run of a write: either write right will do.
        require(&request, resource_type, Need::Update, None)
            .or_else(|_| require(&request, resource_type, Need::Create, None))?;
        let body = body_of(payload, &state).await?;
        let mut resource = Format::of_body(&request)?.read(&body)?;
        if resource["resourceType"] == "Parameters" {
            let parameters = resource["parameter"].as_array().cloned().unwrap_or_default();
            resource = parameters
                .into_iter()
                .find(|p| p["name"] == "resource")
                .map(|p| p["resource"].clone())
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        Issue::error(IssueType::Required, "the Parameters have no 'resource' parameter")
                            .at("Parameters.parameter"),
                    )
                })?;
        }
        if resource["resourceType"] != resource_type {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                Issue::error(
                    IssueType::Invalid,
                    format!("the resource to validate must be a {resource_type}"),
                )
                .at("resourceType"),
            ));
        }
        let mut issues = state.store.validate(&resource)?;
        if issues.is_empty() {
            let profile = fhir_conformance::profile_url(resource_type).unwrap_or_default();
            issues.push(Issue::information(format!("valid R4 {resource_type}, conforms to {profile}")));
        }
        respond(StatusCode::OK, &fhir_outcome::operation_outcome(&issues), format, &request)
    })
    .await
}
