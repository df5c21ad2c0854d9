//! The audit trail: every request, allowed or denied, is recorded (who, from where, which
//! interaction, which resources, what status). Records go through a channel to a writer task
//! that appends them in batches, off the request's path; a graceful shutdown drains the channel
//! before the server's future completes.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use api_keys::Access;
use fhir_store::{AuditRecord, Store};
use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use crate::{AppState, BASE_PATH};

/// The most records appended in one transaction.
const BATCH: usize = 500;

/// Where requests are recorded; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    sender: mpsc::UnboundedSender<AuditRecord>,
}

/// The task appending records; [`AuditWriter::finish`] writes what is queued and ends it.
pub struct AuditWriter {
    task: tokio::task::JoinHandle<()>,
    shutdown: Arc<Notify>,
}

impl AuditWriter {
    pub async fn finish(self) {
        self.shutdown.notify_one();
        if let Err(cause) = self.task.await {
            tracing::error!(%cause, "audit writer failed");
        }
    }
}

pub fn start(store: Store) -> (AuditLog, AuditWriter) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let shutdown = Arc::new(Notify::new());
    let task = tokio::spawn(write_records(store, receiver, shutdown.clone()));
    (AuditLog { sender }, AuditWriter { task, shutdown })
}

async fn write_records(
    store: Store,
    mut receiver: mpsc::UnboundedReceiver<AuditRecord>,
    shutdown: Arc<Notify>,
) {
    let mut closing = false;
    loop {
        let first = if closing {
            receiver.recv().await
        } else {
            tokio::select! {
                record = receiver.recv() => record,
                () = shutdown.notified() => {
                    // No new records; what is queued is still received.
                    receiver.close();
                    closing = true;
                    continue;
                }
            }
        };
        let Some(first) = first else { return };
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(record) => batch.push(record),
                Err(_) => break,
            }
        }
        append(&store, batch).await;
    }
}

/// Appends a batch, retrying a database that is briefly unavailable.
async fn append(store: &Store, batch: Vec<AuditRecord>) {
    let mut delay = std::time::Duration::from_millis(100);
    for attempt in 1..=5 {
        match store.append_audit(batch.clone()).await {
            Ok(()) => return,
            Err(cause) if attempt < 5 => {
                tracing::warn!(%cause, attempt, "appending audit records; retrying");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(cause) => {
                tracing::error!(%cause, records = batch.len(), "audit records could not be appended")
            }
        }
    }
}

/// The client a token request authenticated, left in the request's extensions for the audit
/// trail: a token request has no bearer token to name its client.
#[derive(Debug, Clone)]
pub struct AuthenticatedClient(pub String);

/// The `Type/id`s a response carries, left in its extensions for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Touched(pub Vec<String>);

impl Touched {
    /// The resource, or each entry of a Bundle (OperationOutcomes name no resource).
    pub fn of(resource: &Value) -> Touched {
        let reference = |resource: &Value| -> Option<String> {
            let resource_type = resource["resourceType"].as_str()?;
            (resource_type != "OperationOutcome").then_some(())?;
            Some(format!("{resource_type}/{}", resource["id"].as_str()?))
        };
        match resource["resourceType"].as_str() {
            Some("Bundle") => Touched(
                resource["entry"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|entry| reference(&entry["resource"]).or_else(|| full_url_reference(entry)))
                    .collect(),
            ),
            _ => Touched(reference(resource).into_iter().collect()),
        }
    }

    pub fn attach(self, response: &mut HttpResponse) {
        response.extensions_mut().insert(self);
    }
}

/// `Type/id` at the end of an entry's fullUrl (a history entry of a delete has no resource).
fn full_url_reference(entry: &Value) -> Option<String> {
    let url = entry["fullUrl"].as_str()?;
    let mut parts = url.rsplitn(3, '/');
    let (id, resource_type) = (parts.next()?, parts.next()?);
    Some(format!("{resource_type}/{id}"))
}

/// The FHIR restful interaction a route serves (or what else it is).
fn interaction(method: &str, pattern: Option<&str>) -> &'static str {
    let Some(pattern) = pattern else { return "unknown" };
    let Some(path) = pattern.strip_prefix(BASE_PATH) else {
        return match pattern {
            crate::oauth::TOKEN_PATH => "token",
            admin if admin.starts_with("/admin") => "admin",
            _ => "capabilities",
        };
    };
    match (method, path) {
        (_, "/metadata" | "/.well-known/smart-configuration") => "capabilities",
        ("POST", "" | "/") => "transaction",
        (_, "/_history") => "history-system",
        ("GET", "/{type}" | "/StructureDefinition" | "/{compartment}/{id}/{type}") => "search-type",
        ("POST", "/{type}/_search") => "search-type",
        ("POST", "/{type}") => "create",
        ("PUT", "/{type}" | "/{type}/{id}") => "update",
        (_, "/{type}/_history") => "history-type",
        (_, "/{type}/{id}/_history") => "history-instance",
        (_, "/{type}/{id}/_history/{version}") => "vread",
        ("GET", "/{type}/{id}" | "/StructureDefinition/{id}") => "read",
        ("PATCH", "/{type}/{id}") => "patch",
        ("DELETE", "/{type}/{id}") => "delete",
        (_, "/{type}/$validate" | "/Patient/{id}/$everything" | "/$export" | "/Patient/$export") => {
            "operation"
        }
        (_, "/$export-status/{id}" | "/$export-file/{id}/{file}") => "operation",
        _ => "unknown",
    }
}

/// The `{type}` segment of `path` under the route `pattern`, read from the pattern rather than
/// the match info: a request refused before the scope routes it (a 401) has none.
fn type_segment(pattern: &str, path: &str) -> Option<String> {
    pattern
        .split('/')
        .zip(path.split('/'))
        .find(|(name, _)| *name == "{type}")
        .map(|(_, value)| value.to_owned())
}

/// Records every request that reaches the app, whatever its outcome.
pub async fn record_request(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let log = request.app_data::<web::Data<AppState>>().map(|state| state.audit.clone());
    let source_address = request.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    let method = request.method().to_string();
    let recorded = chrono::Utc::now();
    let response = next.call(request).await?;
    if let Some(log) = log {
        let request = response.request();
        let pattern = request.match_pattern();
        let resource_type =
            pattern.as_deref().and_then(|pattern| type_segment(pattern, request.path())).or_else(|| {
                request.path().contains("/StructureDefinition").then(|| "StructureDefinition".to_owned())
            });
        let record = AuditRecord {
            recorded,
            client_id: request
                .extensions()
                .get::<Access>()
                .map(|access| access.client_id.clone())
                .or_else(|| request.extensions().get::<AuthenticatedClient>().map(|client| client.0.clone())),
            source_address,
            interaction: interaction(&method, pattern.as_deref()),
            method,
            resource_type,
            resources: response.response().extensions().get::<Touched>().cloned().unwrap_or_default().0,
            status: response.status().as_u16(),
        };
        // Only fails once the writer has finished, after the server stopped.
        let _ = log.sender.send(record);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_named_by_their_interaction() {
        let cases = [
            ("GET", "/fhir/r4/{type}/{id}", "read"),
            ("PUT", "/fhir/r4/{type}", "update"),
            ("POST", "/fhir/r4/{type}/_search", "search-type"),
            ("GET", "/fhir/r4/{compartment}/{id}/{type}", "search-type"),
            ("GET", "/fhir/r4/{type}/{id}/_history/{version}", "vread"),
            ("POST", "/oauth/token", "token"),
            ("GET", "/admin/keys", "admin"),
        ];
        for (method, pattern, expected) in cases {
            assert_eq!(interaction(method, Some(pattern)), expected, "{method} {pattern}");
        }
        assert_eq!(interaction("GET", None), "unknown");
    }

    #[test]
    fn the_type_is_read_through_the_route() {
        assert_eq!(type_segment("/fhir/r4/{type}/{id}", "/fhir/r4/Patient/7").as_deref(), Some("Patient"));
        assert_eq!(
            type_segment("/fhir/r4/{compartment}/{id}/{type}", "/fhir/r4/Patient/7/Encounter").as_deref(),
            Some("Encounter")
        );
        assert_eq!(type_segment("/fhir/r4/_history", "/fhir/r4/_history"), None);
    }

    #[test]
    fn bundles_touch_each_entry() {
        let bundle = serde_json::json!({"resourceType": "Bundle", "entry": [
            {"fullUrl": "http://x/fhir/r4/Patient/1", "resource": {"resourceType": "Patient", "id": "1"}},
            {"fullUrl": "http://x/fhir/r4/Encounter/7"},
        ]});
        assert_eq!(Touched::of(&bundle).0, ["Patient/1", "Encounter/7"]);
        let outcome = serde_json::json!({"resourceType": "OperationOutcome", "id": "x"});
        assert!(Touched::of(&outcome).0.is_empty());
    }
}
