//! `fhir_audit_events`: the facade's audit trail, one row per request, append-only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::fhir_audit_events;

/// A fhir_audit_events row: who asked for what, from where, and the HTTP status answered.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = fhir_audit_events)]
pub struct AuditEventRow {
    pub id: i64,
    /// Always 1: a record never changes.
    pub version: i32,
    /// When the request was received, in clinic wall-clock time.
    pub updated_at: NaiveDateTime,
    /// The key's client id; `None` when the request had no valid token (a token request: no
    /// valid client credentials).
    pub client_id: Option<String>,
    pub source_address: String,
    pub method: String,
    /// A FHIR restful-interaction code (`read`, `search-type`, ...), `token` for the OAuth token
    /// endpoint, `admin` for key management, or `unknown` for a route the server does not serve.
    pub interaction: String,
    pub resource_type: Option<String>,
    /// The `Type/id`s the request touched, space-separated (empty: none).
    pub resources: String,
    pub status: i32,
}
