//! read and vread, with conditional read (`If-None-Match`, `If-Modified-Since`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use crate::audit::Touched;
use crate::auth::{Need, require};
use crate::handlers::{header_text, negotiated, respond, served_type, version_headers};
use crate::subset::Subset;
use crate::{ApiError, AppState};

/// Whether a read's `If-None-Match` (an ETag or `*`) or, without it, `If-Modified-Since`
/// says the client's copy is current.
fn not_modified(request: &HttpRequest, resource: &Value) -> bool {
    if let Some(tags) = header_text(request, "if-none-match") {
        let current = format!("\"{}\"", resource["meta"]["versionId"].as_str().unwrap_or_default());
        return tags
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.trim_start_matches("W/") == current);
    }
    let since =
        header_text(request, "if-modified-since").and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok());
    let updated =
        resource["meta"]["lastUpdated"].as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
    match (since, updated) {
        // HTTP dates have whole seconds.
        (Some(since), Some(updated)) => updated.timestamp() <= since.timestamp(),
        _ => false,
    }
}

pub async fn read(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id) = path.into_inner();
        let resource_type = served_type(&resource_type)?;
        require(&request, resource_type, Need::Read, None)?;
        let subset = Subset::of_request(&request)?;
        let resource = state.store.read(resource_type, &id).await?;
        if not_modified(&request, &resource) {
            let mut response = HttpResponse::build(StatusCode::NOT_MODIFIED);
            version_headers(&mut response, &resource);
            let mut response = response.finish();
            Touched::of(&resource).attach(&mut response);
            return Ok(response);
        }
        respond(StatusCode::OK, &subset.apply(resource), format, &request)
    })
    .await
}

pub async fn vread(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id, version) = path.into_inner();
        let resource_type = served_type(&resource_type)?;
        require(&request, resource_type, Need::Read, None)?;
        let subset = Subset::of_request(&request)?;
        let resource = state.store.vread(resource_type, &id, &version).await?;
        respond(StatusCode::OK, &subset.apply(resource), format, &request)
    })
    .await
}
