//! Versions kept by the facade (`fhir_resource_versions`), for vread.

use diesel::QueryableByName;
use diesel::sql_types::Text;
use serde_json::Value;

use clinic_db::DbConnection;
use fhir_mapping::MappingContext;

use crate::sql::{Bind, Sql};
use crate::{StoreError, local_now};

/// Keeps `resource` as the version its `meta.versionId` names; a version already kept stays.
pub fn record(
    conn: &mut DbConnection,
    resource: &Value,
    method: Option<&str>,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    let version =
        resource["meta"]["versionId"].as_str().and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let id = resource["id"].as_str().and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let mut sql = Sql::new(conn.backend());
    sql.push("INSERT INTO fhir_resource_versions (resource_type, resource_id, version, recorded_at, method, resource) VALUES (");
    sql.bind(Bind::Text(resource["resourceType"].as_str().unwrap_or_default().to_owned())).push(", ");
    sql.bind(Bind::BigInt(id)).push(", ");
    sql.bind(Bind::BigInt(version)).push(", ");
    sql.bind(Bind::Timestamp(local_now(ctx))).push(", ");
    match method {
        Some(method) => sql.bind(Bind::Text(method.to_owned())),
        None => sql.push("NULL"),
    };
    sql.push(", ").bind(Bind::Text(resource.to_string()));
    sql.push(") ON CONFLICT (resource_type, resource_id, version) DO NOTHING");
    sql.execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct KeptVersion {
    #[diesel(sql_type = Text)]
    resource: String,
}

/// A kept version, if the facade has it.
pub fn find(
    conn: &mut DbConnection,
    resource_type: &str,
    id: i64,
    version: i64,
) -> Result<Option<Value>, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT resource FROM fhir_resource_versions WHERE resource_type = ");
    sql.bind(Bind::Text(resource_type.to_owned())).push(" AND resource_id = ").bind(Bind::BigInt(id));
    sql.push(" AND version = ").bind(Bind::BigInt(version));
    let kept = sql.load::<KeptVersion>(conn)?;
    kept.first()
        .map(|k| serde_json::from_str(&k.resource).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}
