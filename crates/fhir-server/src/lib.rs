//! The FHIR R4 RESTful API over the clinic store (actix-web).
//!
//! The server owns HTTP semantics (negotiation, status codes, headers, Bundles,
//! OperationOutcome); the store owns data. Handlers stay thin.

mod capability;
mod conformance;
mod error;
mod format;
mod handlers;
mod history;
mod page_token;
mod read;
mod request_log;
mod search;
mod subset;
mod write;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
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
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig { public_base_url: None, max_body_bytes: 8 * 1024 * 1024 }
    }
}

/// State shared by every worker.
pub struct AppState {
    pub store: Store,
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

/// Starts serving on `listener` (bind port 0 in tests to get a free port).
pub fn serve(listener: TcpListener, store: Store, config: ServerConfig) -> std::io::Result<Server> {
    let state = web::Data::new(AppState { store, config });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .wrap(cors())
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(request_log::log_request))
            .service(handlers::scope())
            .default_service(web::to(handlers::unknown_route))
    })
    .listen(listener)?
    .run();
    Ok(server)
}
