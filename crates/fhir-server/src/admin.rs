//! `/admin/keys`: the API Key Manager over HTTP, for a key holding the key-management scope
//! (practice owners and the staff they trust). Secrets appear only in the answers to create and
//! rotate.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use api_keys::{IssuedKey, KeyInfo, NewKey, Right, Scopes};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::auth::{caller, key_error};
use crate::{ApiError, AppState};

pub fn scope() -> Scope {
    web::scope("/admin/keys")
        .route("", web::get().to(list))
        .route("", web::post().to(create))
        .route("/{client_id}", web::get().to(show))
        .route("/{client_id}", web::delete().to(revoke))
        .route("/{client_id}/rotate", web::post().to(rotate))
        .route("/{client_id}/revoke", web::post().to(revoke))
}

/// Adds `rights` on `resource_type` (a served type or `*`) to `scopes`.
pub fn grant(scopes: &mut Scopes, resource_type: &str, rights: &[&str]) -> Result<(), String> {
    if resource_type != "*" && !fhir_store::resource_types().any(|t| t == resource_type) {
        return Err(format!("'{resource_type}' is not a resource type this server serves"));
    }
    for right in rights {
        let right = Right::parse(right.trim())
            .ok_or_else(|| format!("'{right}' is not retrieve, create, update or delete"))?;
        scopes.grant(resource_type, right);
    }
    Ok(())
}

fn manager(request: &HttpRequest) -> Result<String, ApiError> {
    let access = caller(request)?;
    if !access.scopes.may_manage_keys() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Issue::error(
                IssueType::Forbidden,
                format!("managing keys needs scope {}", api_keys::MANAGE_KEYS_SCOPE),
            ),
        ));
    }
    Ok(access.client_id)
}

fn key_json(key: &KeyInfo) -> Value {
    let rights: Map<String, Value> = key
        .scopes
        .granted_types()
        .map(|resource_type| {
            let names: Vec<&str> = key.scopes.rights_on(resource_type).iter().map(|r| r.name()).collect();
            (resource_type.to_owned(), json!(names))
        })
        .collect();
    json!({
        "client_id": key.client_id,
        "name": key.name,
        "rights": rights,
        "manager": key.scopes.may_manage_keys(),
        "scope": key.scopes.to_string(),
        "requests_per_minute": key.requests_per_minute,
        "created_by": key.created_by,
        "created_at": key.created_at.to_rfc3339(),
        "expires_at": key.expires_at.map(|t| t.to_rfc3339()),
        "revoked_at": key.revoked_at.map(|t| t.to_rfc3339()),
    })
}

fn issued_json(issued: &IssuedKey) -> Value {
    let mut value = key_json(&issued.key);
    value["client_secret"] = json!(issued.client_secret);
    value
}

fn invalid(location: &str, diagnostics: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        Issue::error(IssueType::Invalid, diagnostics).at(location.to_owned()),
    )
}

/// `{"name", "rights": {"Patient": ["retrieve", "create"], ...}, "rate": "standard" | 120,
/// "expires_at": RFC 3339, "manager": bool}`.
fn new_key(body: &[u8], created_by: String) -> Result<NewKey, ApiError> {
    let body: Value = serde_json::from_slice(body).map_err(|e| invalid("body", format!("not JSON: {e}")))?;
    let name = body["name"].as_str().ok_or_else(|| invalid("name", "a key needs a name"))?.to_owned();
    let mut scopes = Scopes::default();
    let rights = body["rights"].as_object().ok_or_else(|| invalid("rights", "rights must be an object"))?;
    for (resource_type, names) in rights {
        let location = format!("rights.{resource_type}");
        let names: Vec<&str> = names
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .ok_or_else(|| invalid(&location, "a list of rights"))?;
        grant(&mut scopes, resource_type, &names).map_err(|why| invalid(&location, why))?;
    }
    if body["manager"].as_bool() == Some(true) {
        scopes.grant_key_management();
    }
    let rate = match &body["rate"] {
        Value::Null => "standard".to_owned(),
        Value::Number(figure) => figure.to_string(),
        Value::String(tier) => tier.clone(),
        _ => return Err(invalid("rate", "a tier name or a number")),
    };
    let requests_per_minute =
        api_keys::requests_per_minute(&rate).map_err(|e| invalid("rate", e.to_string()))?;
    let expires_at = match body["expires_at"].as_str() {
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| invalid("expires_at", "an RFC 3339 instant"))?
                .to_utc(),
        ),
        None => None,
    };
    Ok(NewKey { name, scopes, requests_per_minute, expires_at, created_by })
}

async fn create(
    request: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let created_by = manager(&request)?;
    let issued = state.keys.create(new_key(&body, created_by)?).await.map_err(key_error)?;
    Ok(HttpResponse::Created().json(issued_json(&issued)))
}

async fn list(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    manager(&request)?;
    let keys = state.keys.list().await.map_err(key_error)?;
    Ok(HttpResponse::Ok().json(keys.iter().map(key_json).collect::<Vec<_>>()))
}

async fn show(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    manager(&request)?;
    Ok(HttpResponse::Ok().json(key_json(&state.keys.show(&path).await.map_err(key_error)?)))
}

async fn rotate(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    manager(&request)?;
    Ok(HttpResponse::Ok().json(issued_json(&state.keys.rotate(&path).await.map_err(key_error)?)))
}

async fn revoke(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    manager(&request)?;
    Ok(HttpResponse::Ok().json(key_json(&state.keys.revoke(&path).await.map_err(key_error)?)))
}
