//! The history interactions (system, type and instance), answered as `history` Bundles.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use fhir_store::{HistoryEntry, HistoryScope};
use serde_json::{Value, json};

use api_keys::Permissions;
use fhir_outcome::{Issue, IssueType};

use crate::auth::{Need, caller, require};
use crate::handlers::{base_url, negotiated, respond, served_type};
use crate::{ApiError, AppState};

/// The history of every type the caller may search (a key sees the changes it could find).
pub async fn system(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let access = caller(&request)?;
    let types: Vec<String> = fhir_store::resource_types()
        .filter(|t| fhir_store::in_system_history(t) && access.scopes.allows(t, Permissions::SEARCH))
        .map(str::to_owned)
        .collect();
    if types.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Issue::error(
                IssueType::Forbidden,
                "this key may not search any resource type the system history lists",
            ),
        ));
    }
    history(request, HistoryScope::System(types), state).await
}

pub async fn of_type(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    history(request, HistoryScope::Type(path.into_inner()), state).await
}

pub async fn instance(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (resource_type, id) = path.into_inner();
    history(request, HistoryScope::Instance(resource_type, id), state).await
}

async fn history(
    request: HttpRequest,
    scope: HistoryScope,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let query = request.query_string();
        let history = fhir_search::parse_history(query)
            .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))?;
        let base = base_url(&request, &state);
        let path = match &scope {
            HistoryScope::System(_) => "_history".to_owned(),
            HistoryScope::Type(resource_type) => {
                let resource_type = served_type(resource_type)?;
                require(&request, resource_type, Need::Search, None)?;
                format!("{resource_type}/_history")
            }
            HistoryScope::Instance(resource_type, id) => {
                let resource_type = served_type(resource_type)?;
                require(&request, resource_type, Need::Read, None)?;
                format!("{resource_type}/{id}/_history")
            }
        };
        let self_link = format!("{base}/{path}?{}", history.query_string(query));
        let page = state.store.history(scope, history).await?;
        let mut links = vec![json!({"relation": "self", "url": self_link})];
        if let Some(cursor) = &page.next_cursor {
            let next =
                form_urlencoded::Serializer::new(String::new()).append_pair("_cursor", cursor).finish();
            links.push(json!({"relation": "next", "url": format!("{self_link}&{next}")}));
        }
        let mut bundle = json!({
            "resourceType": "Bundle",
            "id": format!("{:032x}", rand::random::<u128>()),
            "meta": {"lastUpdated": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)},
            "type": "history",
            "link": links,
        });
        if !page.entries.is_empty() {
            bundle["entry"] = page.entries.into_iter().map(|entry| history_entry(&base, entry)).collect();
        }
        respond(StatusCode::OK, &bundle, format, &request)
    })
    .await
}

/// An entry with the request that wrote the version and the response it got.
fn history_entry(base: &str, entry: HistoryEntry) -> Value {
    let HistoryEntry { resource_type, id, version, last_updated, method, resource } = entry;
    let (url, status) = match method.as_str() {
        "POST" => (resource_type.clone(), "201 Created"),
        _ => (format!("{resource_type}/{id}"), "200 OK"),
    };
    let mut value = json!({"fullUrl": format!("{base}/{resource_type}/{id}")});
    if let Some(resource) = resource {
        value["resource"] = resource;
    }
    value["request"] = json!({"method": method, "url": url});
    value["response"] =
        json!({"status": status, "etag": format!("W/\"{version}\""), "lastModified": last_updated});
    value
}
