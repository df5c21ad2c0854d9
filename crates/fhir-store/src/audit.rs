//! The audit trail's records: appended, never changed (the table refuses updates and deletes).

use chrono::{DateTime, Utc};
use clinic_db::schema::fhir_audit_events;
use diesel::prelude::*;

use crate::{Store, StoreError};

/// One request as the audit trail keeps it: never its query string, body or token.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub recorded: DateTime<Utc>,
    /// The key's client id; `None` when the request had no valid token (a token request: no
    /// valid client credentials).
    pub client_id: Option<String>,
    pub source_address: String,
    pub method: String,
    /// A FHIR restful interaction code (`read`, `search-type`, ...) or `token`, `admin`.
    pub interaction: &'static str,
    pub resource_type: Option<String>,
    /// The `Type/id` of each resource read, returned or written.
    pub resources: Vec<String>,
    pub status: u16,
}

impl Store {
    /// Appends `records` in one transaction.
    pub async fn append_audit(&self, records: Vec<AuditRecord>) -> Result<(), StoreError> {
        let offset = self.ctx.utc_offset;
        self.db
            .run(move |conn| {
                conn.write_transaction(|conn| {
                    for record in &records {
                        diesel::insert_into(fhir_audit_events::table)
                            .values((
                                fhir_audit_events::updated_at
                                    .eq(record.recorded.with_timezone(&offset).naive_local()),
                                fhir_audit_events::client_id.eq(&record.client_id),
                                fhir_audit_events::source_address.eq(&record.source_address),
                                fhir_audit_events::method.eq(&record.method),
                                fhir_audit_events::interaction.eq(record.interaction),
                                fhir_audit_events::resource_type.eq(&record.resource_type),
                                fhir_audit_events::resources.eq(record.resources.join(" ")),
                                fhir_audit_events::status.eq(i32::from(record.status)),
                            ))
                            .execute(conn)?;
                    }
                    Ok(())
                })
            })
            .await
    }
}
