//! What the store needs from each served resource type; one implementation per clinic table.

use clinic_db::DbConnection;
use fhir_mapping::MappingContext;
use fhir_outcome::Issue;
use fhir_search::{SearchParam, SearchRequest};
use serde_json::Value;

use crate::sql::Sql;
use crate::{ExportPage, SearchPage, StoreError, Written};

/// Rows of `table` (alias `t`) that are resources of a kind: those matching `filter` (SQL over
/// `t`, or empty), each with the id `id_sql` (SQL over `t` giving text).
pub struct RowSource {
    pub table: &'static str,
    pub id_sql: &'static str,
    pub filter: &'static str,
}

impl RowSource {
    /// One resource per row, its id the row key.
    pub const fn rows_of(table: &'static str) -> RowSource {
        RowSource { table, id_sql: "CAST(t.id AS TEXT)", filter: "" }
    }
}

/// The row key an id names; ids that are not row keys name nothing.
pub fn row_key(resource_type: &str, id: &str) -> Result<i64, StoreError> {
    id.parse::<i64>()
        .map_err(|_| StoreError::NotFound { resource_type: resource_type.to_owned(), id: id.to_owned() })
}

pub trait ResourceKind: Sync {
    fn resource_type(&self) -> &'static str;

    /// Where the current versions of the resources are: each source is a clinic table (with
    /// `version` and `updated_at`) and how a row gives a resource id.
    fn sources(&self) -> &'static [RowSource];

    /// Whether the system-wide history lists this type's versions. The audit trail does not: it
    /// grows with every request (a history request included), so it would bury the clinic's changes.
    fn in_system_history(&self) -> bool {
        true
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError>;

    /// Whether clients may create, update and patch this type (the clinic keeps reference data
    /// such as doctors and branches in its own application).
    fn writable(&self) -> bool {
        false
    }

    /// What stops `resource` being stored as sent, found by mapping it (no database needed).
    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<Issue> {
        let _ = (resource, ctx);
        Vec::new()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let _ = (conn, resource, ctx);
        Err(StoreError::NotWritable(self.resource_type().to_owned()))
    }

    /// Replaces the row's mapped columns if it is still at `expected_version` (or, without one,
    /// at the version just read), so a concurrent writer causes a conflict, not a lost update.
    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let _ = (conn, id, resource, expected_version, ctx);
        Err(StoreError::NotWritable(self.resource_type().to_owned()))
    }

    /// A page of matches; resources deleted through FHIR are never among them.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError>;

    /// `SELECT ... id ...`: the row keys of the resources matching `params`, as a subquery for
    /// parameters chained into this type. Types whose ids are not row keys cannot be chained into.
    fn id_subquery(
        &self,
        sql: &mut Sql,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        let _ = (sql, params, ctx);
        Err(StoreError::InvalidSearch(format!("searches cannot be chained into {}", self.resource_type())))
    }

    /// `SELECT <key column>`: the row keys the resources matching `params` point at through their
    /// `reference` parameter, as a subquery for `_has` on the referenced type.
    fn referrer_subquery(
        &self,
        sql: &mut Sql,
        reference: &str,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        let _ = (sql, params, ctx);
        Err(StoreError::InvalidSearch(format!(
            "_has through {}:{reference} is not supported",
            self.resource_type()
        )))
    }

    /// What a FHIR delete does to the clinic record, when the clinic model has such a state
    /// (clinic rows are never removed). `None`: delete is not allowed on this type.
    fn delete_effect(&self) -> Option<&'static str> {
        None
    }

    /// Whether `resource` is in the state a delete leaves ([`ResourceKind::delete_effect`]): only
    /// such a resource can be a deleted one, so a read of any other skips looking for its delete.
    fn in_deleted_state(&self, resource: &Value) -> bool {
        let _ = resource;
        false
    }

    /// A page of a Bulk Data export of what `request` selects, from its cursor, when this type
    /// exports otherwise than through its search (`Ok(None)`: through the search, which is as
    /// fast for one table). Observation walks its tables when the whole type is exported (its
    /// index would be sorted on every page); Group writes a panel's members one at a time.
    fn export_page(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<Option<ExportPage>, StoreError> {
        let _ = (conn, request, ctx);
        Ok(None)
    }

    /// Puts the row in the state [`ResourceKind::delete_effect`] describes, as a new version.
    fn delete(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Written, StoreError> {
        let _ = (conn, id, ctx);
        Err(StoreError::DeleteNotAllowed(self.resource_type().to_owned()))
    }
}
