//! Routes, and what every interaction shares: negotiation, served types, response headers.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use fhir_outcome::{Issue, IssueType};
use fhir_search::Handling;
use serde_json::Value;

use crate::audit::Touched;
use crate::format::query_value;
use crate::{
    ApiError, AppState, BASE_PATH, Format, bundle, capability, conformance, everything, export, history,
    oauth, read, search, system_search, write,
};

pub fn scope() -> Scope {
    let not_allowed = || web::to(method_not_allowed);
    // Literal segments (`_history`, `_search`, `$validate`, StructureDefinition) are registered
    // before the `{type}`/`{id}` they would match.
    web::scope(BASE_PATH)
        .service(
            web::resource(["", "/"])
                .route(web::get().to(system_search::search))
                .route(web::post().to(bundle::process))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/_search")
                .route(web::post().to(system_search::search_by_post))
                .default_service(not_allowed()),
        )
        .route("/metadata", web::get().to(metadata))
        .route("/$export", web::get().to(export::kick_off_system))
        .route("/Patient/$export", web::get().to(export::kick_off_patients))
        .service(
            web::resource("/$export-status/{id}")
                .route(web::get().to(export::status))
                .route(web::delete().to(export::cancel))
                .default_service(not_allowed()),
        )
        .route("/$export-file/{id}/{file}", web::get().to(export::file))
        .route("/.well-known/smart-configuration", web::get().to(oauth::smart_configuration))
        .service(
            web::resource("/_history").route(web::get().to(history::system)).default_service(not_allowed()),
        )
        .service(
            web::resource("/StructureDefinition")
                .route(web::get().to(conformance::search))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/StructureDefinition/{id}")
                .route(web::get().to(conformance::read))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}")
                .route(web::get().to(search::search))
                .route(web::post().to(write::create))
                .route(web::put().to(write::conditional_update))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}/_search")
                .route(web::post().to(search::search_by_post))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}/_history")
                .route(web::get().to(history::of_type))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}/$validate")
                .route(web::post().to(conformance::validate))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}/{id}/_history")
                .route(web::get().to(history::instance))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/Group/{id}/$export")
                .route(web::get().to(export::kick_off_group))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/Subscription/{id}/$signing-secret")
                .route(web::get().to(crate::subscriptions::signing_secret))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/Patient/{id}/$everything")
                .route(web::get().to(everything::everything))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{compartment}/{id}/{type}")
                .route(web::get().to(search::compartment))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}/{id}/_history/{version}")
                .route(web::get().to(read::vread))
                .default_service(not_allowed()),
        )
        .service(
            web::resource("/{type}/{id}")
                .route(web::get().to(read::read))
                .route(web::put().to(write::update))
                .route(web::patch().to(write::patch))
                .route(web::delete().to(write::delete))
                .default_service(not_allowed()),
        )
}

/// Runs an interaction with the negotiated format, so its errors are answered in it too.
pub async fn negotiated<F, Fut>(request: HttpRequest, interaction: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(Format, HttpRequest) -> Fut,
    Fut: Future<Output = Result<HttpResponse, ApiError>>,
{
    let format = Format::negotiate(&request)?;
    interaction(format, request).await.map_err(|e| e.in_format(format))
}

pub fn pretty(request: &HttpRequest) -> bool {
    query_value(request, "_pretty").as_deref() == Some("true")
}

/// The resource type of the path, if this server serves it.
pub fn served_type(resource_type: &str) -> Result<&'static str, ApiError> {
    fhir_store::resource_types().find(|t| *t == resource_type).ok_or_else(|| {
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
pub fn base_url(request: &HttpRequest, state: &AppState) -> String {
    match &state.config.public_base_url {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => {
            let info = request.connection_info();
            format!("{}://{}{BASE_PATH}", info.scheme(), info.host())
        }
    }
}

pub fn respond(
    status: StatusCode,
    resource: &Value,
    format: Format,
    request: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let mut response = HttpResponse::build(status);
    version_headers(&mut response, resource);
    response.content_type(format.content_type());
    let mut response = response.body(format.write(resource, pretty(request))?);
    Touched::of(resource).attach(&mut response);
    Ok(response)
}

/// `ETag` and `Last-Modified` of a resource.
pub fn version_headers(response: &mut actix_web::HttpResponseBuilder, resource: &Value) {
    if let Some(version) = resource["meta"]["versionId"].as_str() {
        response.insert_header((header::ETAG, format!("W/\"{version}\"")));
    }
    if let Some(last_modified) = resource["meta"]["lastUpdated"].as_str().and_then(http_date) {
        response.insert_header((header::LAST_MODIFIED, last_modified));
    }
}

/// The answer to a create or update, shaped by `Prefer: return=...` (http.html#ops).
/// Elements a lenient write did not store are reported in the OperationOutcome, which is then
/// the default answer: a client that did not ask for the resource must learn what was lost.
pub fn respond_written(
    status: StatusCode,
    written: &fhir_store::Written,
    format: Format,
    request: &HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let resource = &written.resource;
    let prefer = header_text(request, "prefer").unwrap_or_default();
    let outcome_by_default = !written.dropped.is_empty() && !prefer.contains("return=representation");
    if prefer.contains("return=minimal") {
        let mut response = HttpResponse::build(status);
        version_headers(&mut response, resource);
        let mut response = response.finish();
        Touched::of(resource).attach(&mut response);
        Ok(response)
    } else if prefer.contains("return=OperationOutcome") || outcome_by_default {
        let what = if status == StatusCode::CREATED { "created" } else { "updated" };
        let mut issues = vec![Issue::information(format!(
            "{}/{} {what} as version {}",
            resource["resourceType"].as_str().unwrap_or_default(),
            resource["id"].as_str().unwrap_or_default(),
            resource["meta"]["versionId"].as_str().unwrap_or_default()
        ))];
        issues.extend(written.dropped.iter().cloned());
        let outcome = fhir_outcome::operation_outcome(&issues);
        let mut response = HttpResponse::build(status);
        version_headers(&mut response, resource);
        response.content_type(format.content_type());
        let mut response = response.body(format.write(&outcome, pretty(request))?);
        Touched::of(resource).attach(&mut response);
        Ok(response)
    } else {
        respond(status, resource, format, request)
    }
}

/// `Prefer: handling=lenient|strict`, or `absent` without one: searches are lenient by
/// default (search.html), writes strict (nothing is dropped unless the client says so).
pub fn handling(request: &HttpRequest, absent: Handling) -> Handling {
    match header_text(request, "prefer") {
        Some(prefer) if prefer.contains("handling=lenient") => Handling::Lenient,
        Some(prefer) if prefer.contains("handling=strict") => Handling::Strict,
        _ => absent,
    }
}

/// The version an `If-Match: W/"n"` header names.
pub fn if_match(request: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(tag) = header_text(request, "if-match") else { return Ok(None) };
    version_of_etag(tag).map(Some).ok_or_else(|| {
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

/// The version an ETag (`W/"3"`, `"3"`) names.
pub fn version_of_etag(tag: &str) -> Option<i32> {
    tag.trim().trim_start_matches("W/").trim_matches('"').parse().ok()
}

pub fn header_text<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// An RFC 3339 instant as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(instant: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(instant).ok()?;
    Some(http_date_of(parsed.with_timezone(&chrono::Utc)))
}

pub fn http_date_of(instant: chrono::DateTime<chrono::Utc>) -> String {
    instant.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

pub async fn body_of(payload: web::Payload, state: &AppState) -> Result<web::Bytes, ApiError> {
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
