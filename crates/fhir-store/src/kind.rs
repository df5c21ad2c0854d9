//! What the store needs from each served resource type; one implementation per clinic table.

use clinic_db::DbConnection;
use fhir_mapping::MappingContext;
use fhir_search::SearchRequest;
use serde_json::Value;

use crate::{SearchPage, StoreError, Written};

pub trait ResourceKind: Sync {
    fn resource_type(&self) -> &'static str;

    /// The clinic table the resources are rows of; it has `id`, `version` and `updated_at`.
    fn table(&self) -> &'static str;

    fn read(&self, conn: &mut DbConnection, id: i64, ctx: &MappingContext) -> Result<Value, StoreError>;

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError>;

    /// Replaces the row's mapped columns if it is still at `expected_version` (or, without one,
    /// at the version just read), so a concurrent writer causes a conflict, not a lost update.
    fn update(
        &self,
        conn: &mut DbConnection,
        id: i64,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError>;

    /// A page of matches; resources deleted through FHIR are never among them.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError>;

    /// What a FHIR delete does to the clinic record, when the clinic model has such a state
    /// (clinic rows are never removed). `None`: delete is not allowed on this type.
    fn delete_effect(&self) -> Option<&'static str> {
        None
    }

    /// Puts the row in the state [`ResourceKind::delete_effect`] describes, as a new version.
    fn delete(&self, conn: &mut DbConnection, id: i64, ctx: &MappingContext) -> Result<Written, StoreError> {
        let _ = (conn, id, ctx);
        Err(StoreError::DeleteNotAllowed(self.resource_type().to_owned()))
    }
}
