//! The FHIR R4 RESTful API over the clinic store (actix-web).
//!
//! The server owns HTTP semantics (negotiation, status codes, headers, Bundles,
//! OperationOutcome); the store owns data. Handlers stay thin.

pub mod admin;
mod audit;
mod auth;
mod bundle;
mod capability;
mod conformance;
mod error;
mod everything;
mod export;
mod format;
mod handlers;
mod history;
mod oauth;
mod page_token;
mod read;
mod request_log;
mod search;
mod subscriptions;
mod subset;
mod system_search;
mod write;

use std::net::TcpListener;

use actix_web::{App, HttpServer, middleware, web};
use api_keys::KeyManager;
use fhir_store::Store;

pub use error::ApiError;
pub use format::Format;

/// The path the API is served under.
pub const BASE_PATH: &str = "/fhir/r4";

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The base URL clients reach the API at (for `fullUrl`, links and `Location`); derived
    /// from each request's Host header when unset.
    pub public_base_url: Option<String>,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The most entries a batch or transaction Bundle may have.
    pub max_bundle_entries: usize,
    /// Where Bulk Data export files are written; instances serving one database share it.
    pub export_dir: std::path::PathBuf,
    /// How long an export job's heartbeat may be silent before another worker takes the job
    /// over (its instance is taken for dead) and restarts it.
    pub export_stale_after: std::time::Duration,
    /// Subscription deliveries: signing key, retries, timeouts.
    pub webhooks: webhooks::WebhookConfig,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            public_base_url: None,
            max_body_bytes: 32 * 1024 * 1024,
            max_bundle_entries: 10_000,
            export_dir: std::env::temp_dir().join("clinic-fhir-exports"),
            export_stale_after: std::time::Duration::from_secs(60),
            // A key of this process only: deployments set their own (the same on every instance).
            webhooks: webhooks::WebhookConfig::new(rand::random::<[u8; 32]>().to_vec()),
        }
    }
}

/// State shared by every worker.
pub struct AppState {
    pub store: Store,
    pub keys: KeyManager,
    pub audit: audit::AuditLog,
    pub config: ServerConfig,
}

/// Browser apps on any origin may call the API (access is controlled by tokens, not origins);
/// they can read the headers FHIR clients need.
fn cors() -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allow_any_origin()
        .allow_any_method()
        .allow_any_header()
        .expose_headers(["etag", "location", "last-modified", "content-location"])
        .max_age(3600)
}

/// Starts serving on `listener` (bind port 0 in tests to get a free port); the future completes
/// after a graceful shutdown (SIGTERM, SIGINT), once every request has been audited. Must be
/// called within a tokio runtime (it starts the audit writer and the token housekeeping).
pub fn serve(
    listener: TcpListener,
    store: Store,
    keys: KeyManager,
    config: ServerConfig,
) -> std::io::Result<impl Future<Output = std::io::Result<()>> + Send + 'static> {
    tokio::spawn(purge_expired_credentials(keys.clone()));
    tokio::spawn(export::worker(store.clone(), config.export_dir.clone(), config.export_stale_after));
    tokio::spawn(webhooks::run(store.clone(), keys.clone(), config.webhooks.clone()));
    let (audit, audit_writer) = audit::start(store.clone());
    let state = web::Data::new(AppState { store, keys, audit, config });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(cors())
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(audit::record_request))
            .wrap(middleware::from_fn(request_log::log_request))
            .route(oauth::TOKEN_PATH, web::post().to(oauth::token))
            .route("/.well-known/smart-configuration", web::get().to(oauth::smart_configuration))
            .service(handlers::scope().wrap(middleware::from_fn(auth::require_token)))
            .service(admin::scope().wrap(middleware::from_fn(auth::require_token)))
            .default_service(web::to(handlers::unknown_route))
    })
    .listen(listener)?
    .run();
    Ok(async move {
        let served = server.await;
        audit_writer.finish().await;
        served
    })
}

/// Finished rate windows and expired tokens are removed once a minute; every instance may do it.
async fn purge_expired_credentials(keys: KeyManager) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        ticks.tick().await;
        if let Err(cause) = keys.purge_expired().await {
            tracing::warn!(%cause, "purging expired tokens and rate windows");
        }
    }
}
