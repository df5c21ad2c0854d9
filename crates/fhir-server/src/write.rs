//! The interactions that write: create (and conditional create), update (and conditional
//! update), patch and delete.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use fhir_outcome::{Issue, IssueType};
use fhir_search::Handling;
use fhir_store::StoreError;
use serde_json::Value;

use crate::audit::Touched;
use crate::auth::{Need, require, require_search};
use crate::handlers::{
    base_url, body_of, handling, header_text, if_match, negotiated, pretty, respond_written, served_type,
};
use crate::{ApiError, AppState, Format};

pub async fn create(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let resource_type = served_type(&path)?;
        require(&request, resource_type, Need::Create, None)?;
        let condition = match header_text(&request, "if-none-exist") {
            // Clients send either the query or `[type]?[query]`.
            Some(query) => Some(criteria(
                &request,
                resource_type,
                query.rsplit('?').next().unwrap_or_default(),
                "If-None-Exist",
            )?),
            None => None,
        };
        let resource = resource_body(&request, payload, &state, resource_type).await?;
        let written =
            state.store.create(resource, condition, handling(&request, Handling::Strict)).await.map_err(
                |error| match error {
                    StoreError::MultipleMatches(_) => ApiError::new(
                        StatusCode::PRECONDITION_FAILED,
                        Issue::error(IssueType::MultipleMatches, error.to_string()).at("If-None-Exist"),
                    ),
                    other => ApiError::from(other),
                },
            )?;
        let status = if written.created { StatusCode::CREATED } else { StatusCode::OK };
        let mut response = respond_written(status, &written, format, &request)?;
        let location = format!(
            "{}/{resource_type}/{}/_history/{}",
            base_url(&request, &state),
            written.resource["id"].as_str().unwrap_or_default(),
            written.resource["meta"]["versionId"].as_str().unwrap_or_default()
        );
        response
            .headers_mut()
            .insert(header::LOCATION, header::HeaderValue::from_str(&location).map_err(ApiError::internal)?);
        Ok(response)
    })
    .await
}

/// The body of a create or update: a resource of `resource_type` in the `Content-Type` format.
async fn resource_body(
    request: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
    resource_type: &str,
) -> Result<Value, ApiError> {
    let body = body_of(payload, state).await?;
    let resource = Format::of_body(request)?.read(&body)?;
    if resource["resourceType"] != resource_type {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(IssueType::Invalid, format!("the body must be a {resource_type} resource"))
                .at("resourceType"),
        ));
    }
    crate::subscriptions::owned_by_caller(request, resource)
}

/// The search criteria of a conditional interaction, from `source` (a header or the URL);
/// there must be at least one, and the caller must be allowed to run them as a search (the
/// answer tells whether a match exists).
fn criteria(
    request: &HttpRequest,
    resource_type: &str,
    query: &str,
    source: &str,
) -> Result<fhir_search::SearchRequest, ApiError> {
    let criteria = fhir_search::parse(resource_type, query, Handling::Strict)
        .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))?;
    require_search(request, resource_type, &criteria)?;
    if criteria.params.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(IssueType::Required, format!("{source} must name at least one search parameter"))
                .at(source),
        ));
    }
    Ok(criteria)
}

/// A failed `If-Match` is a failed precondition; other errors keep their status.
pub fn version_precondition(error: StoreError, expected_version: Option<i32>) -> ApiError {
    match error {
        StoreError::VersionConflict { .. } if expected_version.is_some() => ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            Issue::error(IssueType::Conflict, error.to_string()).at("If-Match"),
        ),
        other => ApiError::from(other),
    }
}

pub async fn update(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id) = path.into_inner();
        let resource_type = served_type(&resource_type)?;
        require(&request, resource_type, Need::Update, None)?;
        let resource = resource_body(&request, payload, &state, resource_type).await?;
        let expected_version = if_match(&request)?;
        let written = state
            .store
            .update(
                resource_type,
                &id,
                resource,
                expected_version,
                "PUT",
                handling(&request, Handling::Strict),
            )
            .await
            .map_err(|error| version_precondition(error, expected_version))?;
        respond_written(StatusCode::OK, &written, format, &request)
    })
    .await
}

/// `PUT [type]?[criteria]`.
pub async fn conditional_update(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let resource_type = served_type(&path)?;
        // It updates the match, or creates when there is none.
        require(&request, resource_type, Need::Update, None)?;
        require(&request, resource_type, Need::Create, None)?;
        let criteria =
            criteria(&request, resource_type, request.query_string(), "the URL's search criteria")?;
        let resource = resource_body(&request, payload, &state, resource_type).await?;
        let expected_version = if_match(&request)?;
        let written = state
            .store
            .conditional_update(
                resource_type,
                criteria,
                resource,
                expected_version,
                handling(&request, Handling::Strict),
            )
            .await
            .map_err(|error| version_precondition(error, expected_version))?;
        let status = if written.created { StatusCode::CREATED } else { StatusCode::OK };
        respond_written(status, &written, format, &request)
    })
    .await
}

pub const JSON_PATCH: &str = "application/json-patch+json";

/// `PATCH` with a JSON Patch document: applied to the current version, and the result is
/// checked and stored exactly like an update based on that version.
pub async fn patch(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id) = path.into_inner();
        let resource_type = served_type(&resource_type)?;
        // A patch is applied to the current version, which the answer shows.
        require(&request, resource_type, Need::Update, None)?;
        require(&request, resource_type, Need::Read, None)?;
        let content_type = header_text(&request, "content-type").unwrap_or_default();
        if content_type.split(';').next().unwrap_or_default().trim() != JSON_PATCH {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Issue::error(
                    IssueType::NotSupported,
                    format!("PATCH takes {JSON_PATCH}, not '{content_type}'"),
                ),
            ));
        }
        let operations = json_patch_of(&body_of(payload, &state).await?)?;
        let expected_version = if_match(&request)?;
        let (patched, base_version) =
            patched(&request, &state, resource_type, &id, &operations, expected_version).await?;
        let written = state
            .store
            .update(resource_type, &id, patched, base_version, "PATCH", Handling::Strict)
            .await
            .map_err(|error| version_precondition(error, expected_version))?;
        respond_written(StatusCode::OK, &written, format, &request)
    })
    .await
}

/// A JSON Patch document.
pub fn json_patch_of(body: &[u8]) -> Result<json_patch::Patch, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(IssueType::Structure, format!("the body is not a JSON Patch document: {e}")),
        )
    })
}

/// `operations` applied to the current version of `resource_type/id` (which must be
/// `expected_version` when given: 412 otherwise): the result, valid R4 as an update body must
/// be, and the version it was made from (to store it only if that is still current).
pub async fn patched(
    request: &HttpRequest,
    state: &AppState,
    resource_type: &str,
    id: &str,
    operations: &json_patch::Patch,
    expected_version: Option<i32>,
) -> Result<(Value, Option<i32>), ApiError> {
    let current = state.store.read(resource_type, id).await?;
    let current_version = current["meta"]["versionId"].as_str().and_then(|v| v.parse::<i32>().ok());
    if expected_version.is_some() && expected_version != current_version {
        return Err(version_precondition(
            StoreError::VersionConflict { current: current_version.unwrap_or_default() },
            expected_version,
        ));
    }
    let mut patched = current;
    json_patch::patch_unsafe(&mut patched, operations).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Issue::error(
                IssueType::Processing,
                format!("patch operation {} failed: {}", e.operation, e.kind),
            )
            .at(e.path.to_string()),
        )
    })?;
    let patched = Format::Json
        .read(&serde_json::to_vec(&patched).map_err(ApiError::internal)?)
        .map_err(|e| ApiError::with_issues(StatusCode::UNPROCESSABLE_ENTITY, e.into_issues()))?;
    Ok((crate::subscriptions::owned_by_caller(request, patched)?, current_version))
}

pub async fn delete(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id) = path.into_inner();
        let resource_type = served_type(&resource_type)?;
        require(&request, resource_type, Need::Delete, None)?;
        let written = state.store.delete(resource_type, &id).await?;
        let version = written.resource["meta"]["versionId"].as_str().unwrap_or_default();
        let message = match written.replaced {
            Some(_) => format!(
                "{resource_type}/{id} deleted as version {version}: {}",
                fhir_store::delete_effect(resource_type).unwrap_or_default()
            ),
            None => format!("{resource_type}/{id} was already deleted"),
        };
        let outcome = fhir_outcome::operation_outcome(&[Issue::information(message)]);
        let mut response = HttpResponse::build(StatusCode::OK);
        response.insert_header((header::ETAG, format!("W/\"{version}\"")));
        response.content_type(format.content_type());
        let mut response = response.body(format.write(&outcome, pretty(&request))?);
        Touched(vec![format!("{resource_type}/{id}")]).attach(&mut response);
        Ok(response)
    })
    .await
}
