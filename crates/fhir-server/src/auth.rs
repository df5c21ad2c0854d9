//! Who is calling and what they may do: every API request but the public discovery documents
//! carries a bearer token; its key's scopes decide, per resource type, what the request may read
//! or write, and every request counts against the key's per-minute limit.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use api_keys::{Access, KeyError, Permissions, RateStatus};
use fhir_outcome::{Issue, IssueType};
use fhir_search::SearchRequest;

use crate::{ApiError, AppState, BASE_PATH, Format};

/// Paths anyone may fetch: how to connect, never data.
fn is_public(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path == format!("{BASE_PATH}/metadata") || path == format!("{BASE_PATH}/.well-known/smart-configuration")
}

/// Authenticates the request's bearer token and counts it against its key's limit: 401 without
/// a valid token, 429 over the limit; the caller's [`Access`] is left in the request's
/// extensions, and the rate headers are set on the response.
pub async fn require_token(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if is_public(request.path()) {
        return Ok(next.call(request).await?.map_into_boxed_body());
    }
    let format = Format::negotiate(request.request()).unwrap_or(Format::Json);
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|token| token.trim().to_owned());
    let state = request.app_data::<web::Data<AppState>>().cloned().expect("the app registers its state");
    let access = match &bearer {
        Some(token) => state.keys.authenticate(token).await.map_err(key_error)?,
        None => None,
    };
    let Some(access) = access else {
        let (challenge, diagnostics) = match bearer {
            Some(_) => (
                r#"Bearer realm="clinic-fhir", error="invalid_token", error_description="unknown, expired or revoked token""#,
                "the bearer token is unknown, expired or revoked; get a new one from the token endpoint",
            ),
            None => (
                r#"Bearer realm="clinic-fhir""#,
                "this API needs a bearer token (OAuth 2.0 client credentials; see .well-known/smart-configuration)",
            ),
        };
        let mut response =
            ApiError::new(StatusCode::UNAUTHORIZED, Issue::error(IssueType::Login, diagnostics))
                .in_format(format)
                .error_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(challenge));
        return Ok(request.into_response(response));
    };
    let rate = access.rate;
    if rate.exceeded() {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            Issue::error(
                IssueType::Throttled,
                format!(
                    "this key may make {} requests a minute; retry in {} s",
                    rate.limit, rate.reset_seconds
                ),
            ),
        )
        .in_format(format)
        .error_response();
        response.headers_mut().insert(header::RETRY_AFTER, rate.reset_seconds.into());
        rate_headers(&mut response, rate);
        request.extensions_mut().insert(access);
        return Ok(request.into_response(response));
    }
    request.extensions_mut().insert(access);
    let mut response = next.call(request).await?.map_into_boxed_body();
    rate_headers(response.response_mut(), rate);
    Ok(response)
}

fn rate_headers(response: &mut HttpResponse, rate: RateStatus) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", i64::from(rate.limit)),
        ("x-ratelimit-remaining", i64::from(rate.remaining())),
        ("x-ratelimit-reset", rate.reset_seconds),
    ] {
        headers.insert(header::HeaderName::from_static(name), value.into());
    }
}

pub fn key_error(error: KeyError) -> ApiError {
    match error {
        KeyError::NotFound(_) => {
            ApiError::new(StatusCode::NOT_FOUND, Issue::error(IssueType::NotFound, error.to_string()))
        }
        KeyError::Invalid(_) => {
            ApiError::new(StatusCode::BAD_REQUEST, Issue::error(IssueType::Invalid, error.to_string()))
        }
        KeyError::Database(cause) => ApiError::from(fhir_store::StoreError::Database(cause)),
    }
}

/// The authenticated caller of `request`.
pub fn caller(request: &HttpRequest) -> Result<Access, ApiError> {
    request.extensions().get::<Access>().cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            Issue::error(IssueType::Login, "this request needs a bearer token"),
        )
    })
}

/// What an interaction needs on a resource type, named for the refusal.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    Read,
    Search,
    Create,
    Update,
    Delete,
}

impl Need {
    fn permissions(self) -> Permissions {
        match self {
            Need::Read => Permissions::READ,
            Need::Search => Permissions::SEARCH,
            Need::Create => Permissions::CREATE,
            Need::Update => Permissions::UPDATE,
            Need::Delete => Permissions::DELETE,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Need::Read => "read",
            Need::Search => "search",
            Need::Create => "create",
            Need::Update => "update",
            Need::Delete => "delete",
        }
    }
}

/// 403 unless the caller may do `need` on `resource_type`; `location` names what asked for it
/// (a search parameter, a header) when it is not the interaction itself.
pub fn require(
    request: &HttpRequest,
    resource_type: &str,
    need: Need,
    location: Option<&str>,
) -> Result<(), ApiError> {
    let access = caller(request)?;
    if access.scopes.allows(resource_type, need.permissions()) {
        return Ok(());
    }
    let mut issue = Issue::error(
        IssueType::Forbidden,
        format!(
            "this key may not {} {resource_type} (that needs scope system/{resource_type}.{})",
            need.verb(),
            need.permissions()
        ),
    );
    if let Some(location) = location {
        issue = issue.at(location.to_owned());
    }
    Err(ApiError::new(StatusCode::FORBIDDEN, issue))
}

/// A search reads the searched type and every type its chains, `_has` and includes reach.
pub fn require_search(
    request: &HttpRequest,
    resource_type: &str,
    search: &SearchRequest,
) -> Result<(), ApiError> {
    require(request, resource_type, Need::Search, None)?;
    for (other_type, param) in search.other_types_read() {
        require(request, &other_type, Need::Search, Some(&param))?;
    }
    Ok(())
}
