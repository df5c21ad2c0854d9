//! The OAuth 2.0 token endpoint (client credentials, RFC 6749 §4.4) and the SMART discovery
//! document that points clients at it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use api_keys::TokenError;
use base64::Engine;
use serde_json::json;

use crate::audit::AuthenticatedClient;
use crate::handlers::{base_url, body_of};
use crate::{AppState, BASE_PATH};

/// Where clients get tokens, relative to the server root.
pub const TOKEN_PATH: &str = "/oauth/token";

/// An RFC 6749 §5.2 error answer.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(json!({"error": error, "error_description": description}))
}

/// `client_id:client_secret` of an HTTP Basic header, each form-encoded (RFC 6749 §2.3.1).
fn basic_credentials(request: &HttpRequest) -> Option<Result<(String, String), ()>> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok();
    let text = decoded.and_then(|bytes| String::from_utf8(bytes).ok());
    let decode = |part: &str| {
        form_urlencoded::parse(format!("x={part}").as_bytes()).next().map(|(_, v)| v.into_owned())
    };
    Some(
        text.as_deref()
            .and_then(|text| text.split_once(':'))
            .and_then(|(id, secret)| decode(id).zip(decode(secret)))
            .ok_or(()),
    )
}

pub async fn token(request: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let form_content = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_content {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded",
        );
    }
    let Ok(body) = body_of(payload, &state).await else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "the request body cannot be read");
    };
    let mut form = std::collections::HashMap::new();
    for (name, value) in form_urlencoded::parse(&body) {
        if form.insert(name.clone().into_owned(), value.into_owned()).is_some() {
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", &format!("'{name}' is repeated"));
        }
    }
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant_type '{other}' is not supported; use client_credentials"),
            );
        }
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is missing"),
    }
    let in_form = (form.get("client_id").cloned(), form.get("client_secret").cloned());
    let (client_id, client_secret) = match (basic_credentials(&request), in_form) {
        (Some(_), (_, Some(_))) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "authenticate the client one way: HTTP Basic or client_secret in the body, not both",
            );
        }
        (Some(Ok(credentials)), _) => credentials,
        (None, (Some(id), Some(secret))) => (id, secret),
        (Some(Err(())), _) | (None, _) => {
            return with_basic_challenge(oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "client authentication is missing or malformed (HTTP Basic, or client_id and client_secret)",
            ));
        }
    };
    let source = request.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    match state
        .keys
        .issue_token(&client_id, &client_secret, form.get("scope").map(String::as_str), &source)
        .await
    {
        Ok(token) => {
            request.extensions_mut().insert(AuthenticatedClient(client_id));
            HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .insert_header((header::PRAGMA, "no-cache"))
                .json(json!({
                    "access_token": token.token,
                    "token_type": "Bearer",
                    "expires_in": token.expires_in,
                    "scope": token.scopes.to_string(),
                }))
        }
        Err(TokenError::InvalidClient) => with_basic_challenge(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client, wrong secret, or the key is expired or revoked",
        )),
        Err(TokenError::InvalidScope(why)) => oauth_error(StatusCode::BAD_REQUEST, "invalid_scope", &why),
        Err(TokenError::Throttled { retry_after }) => {
            let mut response = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "temporarily_unavailable",
                &format!("too many failed client authentications; retry in {retry_after} s"),
            );
            response.headers_mut().insert(header::RETRY_AFTER, retry_after.into());
            response
        }
        Err(TokenError::Key(cause)) => {
            tracing::error!(%cause, "token endpoint");
            oauth_error(StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable", "retry later")
        }
    }
}

/// RFC 6749 §5.2: a 401 `invalid_client` carries a `WWW-Authenticate` challenge.
fn with_basic_challenge(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static(r#"Basic realm="clinic-fhir""#));
    response
}

/// `/.well-known/smart-configuration` (SMART App Launch 2.0, backend services).
pub async fn smart_configuration(request: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let base = base_url(&request, &state);
    let root = base.strip_suffix(BASE_PATH).unwrap_or(&base);
    let resource_types = fhir_store::resource_types();
    let scopes: Vec<String> = ["system/*.cruds".to_owned()]
        .into_iter()
        .chain(resource_types.map(|t| format!("system/{t}.cruds")))
        .chain([api_keys::MANAGE_KEYS_SCOPE.to_owned()])
        .collect();
    HttpResponse::Ok().json(json!({
        "token_endpoint": format!("{root}{TOKEN_PATH}"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": scopes,
        "capabilities": ["client-confidential-symmetric", "permission-v2"],
    }))
}
