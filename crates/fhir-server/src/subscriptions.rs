//! What the server adds to Subscriptions: the owner (the key that writes one, whose rights
//! bound what it delivers) and `Subscription/[id]/$signing-secret` for that owner.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use fhir_mapping::systems::SUBSCRIPTION_OWNER;
use fhir_outcome::{Issue, IssueType};
use fhir_search::Handling;
use serde_json::{Value, json};

const CRITERIA: &str = "Subscription.criteria";

use crate::auth::{Need, caller, require};
use crate::handlers::{negotiated, respond};
use crate::{ApiError, AppState};

/// `resource` with its owner set to the caller, when it is a Subscription (whatever owner the
/// client wrote is replaced); 403 when the caller may not run its criteria as a search, since
/// the subscription would deliver what that search finds.
pub fn owned_by_caller(request: &HttpRequest, mut resource: Value) -> Result<Value, ApiError> {
    if resource["resourceType"] != "Subscription" {
        return Ok(resource);
    }
    if let Some((criteria_type, query)) =
        resource["criteria"].as_str().map(|c| c.split_once('?').unwrap_or((c, "")))
    {
        // A criteria that does not parse is refused (422) when the store checks the resource.
        if let Ok(search) = fhir_search::parse(criteria_type, query, Handling::Strict) {
            require(request, criteria_type, Need::Search, Some(CRITERIA))?;
            for (other_type, _) in search.other_types_read() {
                require(request, &other_type, Need::Search, Some(CRITERIA))?;
            }
        }
    }
    let owner = caller(request)?.client_id;
    let mut extensions: Vec<Value> = resource["extension"]
        .as_array()
        .map(|e| e.iter().filter(|e| e["url"] != SUBSCRIPTION_OWNER).cloned().collect())
        .unwrap_or_default();
    extensions.insert(0, json!({"url": SUBSCRIPTION_OWNER, "valueString": owner}));
    resource["extension"] = Value::Array(extensions);
    Ok(resource)
}

/// `GET Subscription/[id]/$signing-secret`: the secret the subscription's deliveries are signed
/// with (a Parameters resource), for its owner only.
pub async fn signing_secret(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        require(&request, "Subscription", Need::Read, None)?;
        let id = path.into_inner();
        let subscription = state.store.read("Subscription", &id).await?;
        let owner = subscription["extension"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["url"] == SUBSCRIPTION_OWNER))
            .and_then(|e| e["valueString"].as_str());
        if owner != Some(caller(&request)?.client_id.as_str()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                Issue::error(
                    IssueType::Forbidden,
                    "only the key that owns the subscription may read its secret",
                ),
            ));
        }
        let secret = webhooks::subscription_secret(&state.config.webhooks.signing_key, &id);
        let parameters = json!({
            "resourceType": "Parameters",
            "parameter": [{"name": "secret", "valueString": secret}],
        });
        respond(StatusCode::OK, &parameters, format, &request)
    })
    .await
}
