//! Routes and the FHIR interactions behind them.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use fhir_outcome::{Issue, IssueType};
use fhir_search::Handling;
use fhir_store::{RESOURCE_TYPES, StoreError};
use serde_json::{Value, json};

use crate::format::query_value;
use crate::subset::Subset;
use crate::{ApiError, AppState, BASE_PATH, Format, capability};

pub fn scope() -> Scope {
    web::scope(BASE_PATH)
        .route("/metadata", web::get().to(metadata))
        .service(
            web::resource("/{type}")
                .route(web::get().to(search))
                .route(web::post().to(create))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/{type}/_search")
                .route(web::post().to(search_by_post))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/{type}/{id}/_history/{version}")
                .route(web::get().to(vread))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/{type}/{id}")
                .route(web::get().to(read))
                .route(web::put().to(update))
                .default_service(web::to(method_not_allowed)),
        )
}

/// Runs an interaction with the negotiated format, so its errors are answered in it too.
async fn negotiated<F, Fut>(request: HttpRequest, interaction: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(Format, HttpRequest) -> Fut,
    Fut: Future<Output = Result<HttpResponse, ApiError>>,
{
    let format = Format::negotiate(&request)?;
    interaction(format, request).await.map_err(|e| e.in_format(format))
}

fn pretty(request: &HttpRequest) -> bool {
    query_value(request, "_pretty").as_deref() == Some("true")
}

/// The resource type of the path, if this server serves it.
fn served_type(resource_type: &str) -> Result<&'static str, ApiError> {
    RESOURCE_TYPES.iter().copied().find(|t| *t == resource_type).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            Issue::error(
                IssueType::NotSupported,
                format!("resource type '{resource_type}' is not served here"),
            ),
        )
    })
}

/// The API's base URL as the client sees it.
fn base_url(request: &HttpRequest, state: &AppState) -> String {
    match &state.config.public_base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => {
            let info = request.connection_info();
            format!("{}://{}{BASE_PATH}", info.scheme(), info.host())
        }
    }
}

fn respond(
    status: StatusCode,
    resource: &Value,
    format: Format,
    request: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::build(status);
    version_headers(&mut response, resource);
    response.content_type(format.content_type());
    Ok(response.body(format.write(resource, pretty(request))?))
}

/// `ETag` and `Last-Modified` of a resource.
fn version_headers(response: &mut actix_web::HttpResponseBuilder, resource: &Value) {
    if let Some(version) = resource["meta"]["versionId"].as_str() {
        response.insert_header((header::ETAG, format!("W/\"{version}\"")));
    }
    if let Some(last_modified) = resource["meta"]["lastUpdated"].as_str().and_then(http_date) {
        response.insert_header((header::LAST_MODIFIED, last_modified));
    }
}

/// The answer to a create or update, shaped by `Prefer: return=...` (http.html#ops).
fn respond_written(
    status: StatusCode,
    resource: &Value,
    format: Format,
    request: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let prefer = header_text(request, "prefer").unwrap_or_default();
    if prefer.contains("return=minimal") {
        let mut response = HttpResponse::build(status);
        version_headers(&mut response, resource);
        Ok(response.finish())
    } else if prefer.contains("return=OperationOutcome") {
        let what = if status == StatusCode::CREATED { "created" } else { "updated" };
        let outcome = fhir_outcome::operation_outcome(&[Issue::information(format!(
            "{}/{} {what} as version {}",
            resource["resourceType"].as_str().unwrap_or_default(),
            resource["id"].as_str().unwrap_or_default(),
            resource["meta"]["versionId"].as_str().unwrap_or_default()
        ))]);
        let mut response = HttpResponse::build(status);
        version_headers(&mut response, resource);
        response.content_type(format.content_type());
        Ok(response.body(format.write(&outcome, pretty(request))?))
    } else {
        respond(status, resource, format, request)
    }
}

/// The version an `If-Match: W/"n"` header names.
fn if_match(request: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(tag) = header_text(request, "if-match") else { return Ok(None) };
    tag.trim().trim_start_matches("W/").trim_matches('"').parse::<i32>().map(Some).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(
                IssueType::Invalid,
                format!("If-Match '{tag}' is not an ETag of the form W/\"<version>\""),
            )
            .at("If-Match"),
        )
    })
}

fn header_text<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

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

/// An RFC 3339 instant as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(instant: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(instant).ok()?;
    Some(parsed.with_timezone(&chrono::Utc).format("%a, %d %b %Y %H:%M:%S GMT").to_string())
}

async fn body_of(payload: web::Payload, state: &AppState) -> Result<web::Bytes, ApiError> {
    let limit = state.config.max_body_bytes;
    payload
        .to_bytes_limited(limit)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Issue::error(IssueType::TooLong, format!("the request body exceeds {limit} bytes")),
            )
        })?
        .map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, Issue::error(IssueType::Structure, e.to_string()))
        })
}

async fn metadata(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    negotiated(request, |format, request| async move {
        respond(StatusCode::OK, &capability::statement(), format, &request)
    })
    .await
}

async fn read(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id) = path.into_inner();
        let subset = Subset::of_request(&request)?;
        let resource = state.store.read(served_type(&resource_type)?, &id).await?;
        if not_modified(&request, &resource) {
            let mut response = HttpResponse::build(StatusCode::NOT_MODIFIED);
            version_headers(&mut response, &resource);
            return Ok(response.finish());
        }
        respond(StatusCode::OK, &subset.apply(resource), format, &request)
    })
    .await
}

async fn vread(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id, version) = path.into_inner();
        let subset = Subset::of_request(&request)?;
        let resource = state.store.vread(served_type(&resource_type)?, &id, &version).await?;
        respond(StatusCode::OK, &subset.apply(resource), format, &request)
    })
    .await
}

async fn create(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let resource_type = served_type(&path)?;
        let body = body_of(payload, &state).await?;
        let resource = Format::of_body(&request)?.read(&body)?;
        if resource["resourceType"] != resource_type {
            return Err(wrong_body_type(resource_type));
        }
        let written = state.store.create(resource).await?;
        let mut response = respond_written(StatusCode::CREATED, &written.resource, format, &request)?;
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

fn wrong_body_type(expected: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        Issue::error(IssueType::Invalid, format!("the body must be a {expected} resource"))
            .at("resourceType"),
    )
}

async fn update(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let (resource_type, id) = path.into_inner();
        let resource_type = served_type(&resource_type)?;
        let body = body_of(payload, &state).await?;
        let resource = Format::of_body(&request)?.read(&body)?;
        if resource["resourceType"] != resource_type {
            return Err(wrong_body_type(resource_type));
        }
        let expected_version = if_match(&request)?;
        let written =
            state.store.update(resource_type, &id, resource, expected_version).await.map_err(|error| {
                match error {
                    // With If-Match the client named the version: a mismatch is a failed precondition.
                    StoreError::VersionConflict { .. } if expected_version.is_some() => ApiError::new(
                        StatusCode::PRECONDITION_FAILED,
                        Issue::error(IssueType::Conflict, error.to_string()).at("If-Match"),
                    ),
                    other => ApiError::from(other),
                }
            })?;
        let status = if written.created { StatusCode::CREATED } else { StatusCode::OK };
        respond_written(status, &written.resource, format, &request)
    })
    .await
}

async fn search(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = request.query_string().to_owned();
    run_search(request, path.into_inner(), query, state).await
}

/// `POST [type]/_search` with the parameters form-encoded in the body (and maybe the URL).
async fn search_by_post(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = body_of(payload, &state).await?;
    let form = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(IssueType::Structure, "the form body is not UTF-8"),
        )
    })?;
    let query = [request.query_string(), form]
        .iter()
        .filter(|q| !q.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("&");
    run_search(request, path.into_inner(), query, state).await
}

async fn run_search(
    request: HttpRequest,
    resource_type: String,
    query: String,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let resource_type = served_type(&resource_type)?;
        let handling = match header_text(&request, "prefer") {
            Some(prefer) if prefer.contains("handling=lenient") => Handling::Lenient,
            _ => Handling::Strict,
        };
        let search = fhir_search::parse(resource_type, &query, handling)
            .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))?;
        let subset = Subset::of_request(&request)?;
        let base = base_url(&request, &state);
        let mut self_link = format!("{base}/{resource_type}?{}", search.query_string());
        for shaping in ["_summary", "_elements"] {
            if let Some(value) = query_value(&request, shaping) {
                let pair = form_urlencoded::Serializer::new(String::new()).append_pair(shaping, &value).finish();
                self_link = format!("{self_link}&{pair}");
            }
        }
        let page = state.store.search(resource_type, search.clone()).await?;
        let mut links = vec![json!({"relation": "self", "url": self_link})];
        if let Some(cursor) = page.next_cursor.as_ref().filter(|_| subset != Subset::Count) {
            let next = form_urlencoded::Serializer::new(String::new()).append_pair("_cursor", cursor).finish();
            links.push(json!({"relation": "next", "url": format!("{self_link}&{next}")}));
        }
        let resources = if subset == Subset::Count { Vec::new() } else { page.resources };
        let entries: Vec<Value> = resources
            .into_iter()
            .map(|resource| subset.apply(resource))
            .map(|resource| {
                json!({
                    "fullUrl": format!("{base}/{resource_type}/{}", resource["id"].as_str().unwrap_or_default()),
                    "resource": resource,
                    "search": {"mode": "match"},
                })
            })
            .collect();
        let mut bundle = json!({
            "resourceType": "Bundle",
            "id": format!("{:032x}", rand::random::<u128>()),
            "meta": {"lastUpdated": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)},
            "type": "searchset",
            "total": page.total,
            "link": links,
        });
        if !entries.is_empty() {
            bundle["entry"] = Value::Array(entries);
        }
        respond(StatusCode::OK, &bundle, format, &request)
    })
    .await
}

async fn method_not_allowed(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    let format = Format::negotiate(&request).unwrap_or(Format::Json);
    Err(ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Issue::error(
            IssueType::NotSupported,
            format!("{} is not supported on {}", request.method(), request.path()),
        ),
    )
    .in_format(format))
}

pub async fn unknown_route(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        Issue::error(
            IssueType::NotFound,
            format!("no route {}; the FHIR API is under {BASE_PATH}", request.path()),
        ),
    ))
}
