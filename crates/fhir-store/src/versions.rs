//! Versions kept by the facade (`fhir_resource_versions`): vread, history and deletes.
//!
//! The clinic row holds only the current version. The facade keeps every version it writes and
//! the version each write replaces (which the clinic application may have written); a version
//! written with method `DELETE` marks the resource deleted while the row stays at it.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Nullable, Text, Timestamp};
use serde_json::Value;

use clinic_db::DbConnection;
use fhir_mapping::MappingContext;
use fhir_search::HistoryRequest;

use crate::kind::ResourceKind;
use crate::sql::{Bind, Count, Sql};
use crate::{HistoryEntry, HistoryPage, StoreError, predicate};

pub const DELETE: &str = "DELETE";

/// Keeps `resource` as the version its `meta.versionId` names; a version already kept stays.
/// `method` is the FHIR interaction that wrote it, `None` for the clinic application.
pub fn record(
    conn: &mut DbConnection,
    resource: &Value,
    method: Option<&str>,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    let meta = &resource["meta"];
    let version = meta["versionId"].as_str().and_then(|v| v.parse::<i64>().ok()).unwrap_or_default();
    let id = resource["id"].as_str().unwrap_or_default().to_owned();
    let last_updated = meta["lastUpdated"]
        .as_str()
        .and_then(|t| ctx.local_time(t))
        .ok_or_else(|| StoreError::Corrupt("a mapped resource has no meta.lastUpdated".into()))?;
    let mut sql = Sql::new(conn.backend());
    sql.push("INSERT INTO fhir_resource_versions (resource_type, resource_id, version, last_updated, method, resource) VALUES (");
    sql.bind(Bind::Text(resource["resourceType"].as_str().unwrap_or_default().to_owned())).push(", ");
    sql.bind(Bind::Text(id)).push(", ");
    sql.bind(Bind::BigInt(version)).push(", ");
    sql.bind(Bind::Timestamp(last_updated)).push(", ");
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
struct KeptRow {
    #[diesel(sql_type = Text)]
    resource: String,
    #[diesel(sql_type = Nullable<Text>)]
    method: Option<String>,
}

/// A version the facade kept.
pub struct Kept {
    pub resource: Value,
    pub deleted: bool,
}

pub fn find(
    conn: &mut DbConnection,
    resource_type: &str,
    id: &str,
    version: i64,
) -> Result<Option<Kept>, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT resource, method FROM fhir_resource_versions WHERE resource_type = ");
    sql.bind(Bind::Text(resource_type.to_owned()))
        .push(" AND resource_id = ")
        .bind(Bind::Text(id.to_owned()));
    sql.push(" AND version = ").bind(Bind::BigInt(version));
    let kept = sql.load::<KeptRow>(conn)?;
    kept.into_iter()
        .next()
        .map(|row| {
            Ok(Kept { resource: parse(&row.resource)?, deleted: row.method.as_deref() == Some(DELETE) })
        })
        .transpose()
}

fn parse(json: &str) -> Result<Value, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Whether `version` of the resource was written by a FHIR delete.
pub fn is_deleted(
    conn: &mut DbConnection,
    resource_type: &str,
    id: &str,
    version: i64,
) -> Result<bool, StoreError> {
    // Every read asks this: count on the small partial index of deletes instead of loading a
    // kept version's JSON.
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT count(*) AS count FROM fhir_resource_versions WHERE method = 'DELETE'");
    sql.push(" AND resource_type = ").bind(Bind::Text(resource_type.to_owned()));
    sql.push(" AND resource_id = ").bind(Bind::Text(id.to_owned()));
    sql.push(" AND version = ").bind(Bind::BigInt(version));
    Ok(sql.load::<Count>(conn)?.first().is_some_and(|c| c.count > 0))
}

/// Search criterion: the resource with id `id_sql` at version `version_sql` (SQL over the
/// searched rows) is not a version written by a delete.
pub fn not_deleted(sql: &mut Sql, resource_type: &'static str, id_sql: &str, version_sql: &str) {
    // The alias is one no searched table uses.
    sql.push("NOT EXISTS (SELECT 1 FROM fhir_resource_versions fhir_deleted");
    sql.push(" WHERE fhir_deleted.method = 'DELETE' AND fhir_deleted.resource_type = '").push(resource_type);
    sql.push("' AND fhir_deleted.resource_id = ").push(id_sql);
    sql.push(" AND fhir_deleted.version = ").push(version_sql).push(")");
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    resource_type: String,
    #[diesel(sql_type = Text)]
    resource_id: String,
    #[diesel(sql_type = Integer)]
    version: i32,
    #[diesel(sql_type = Timestamp)]
    last_updated: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    method: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    resource: Option<String>,
}

/// Versions of the resources of `kinds` (of one resource when `id` is set), newest first: the
/// kept ones plus each resource's current version when the facade has not kept it.
pub fn history(
    conn: &mut DbConnection,
    kinds: &[&'static dyn ResourceKind],
    id: Option<&str>,
    request: &HistoryRequest,
    ctx: &MappingContext,
) -> Result<HistoryPage, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("WITH v AS (SELECT resource_type, resource_id, version, last_updated, method, resource");
    sql.push(" FROM fhir_resource_versions WHERE resource_type IN (");
    for (i, kind) in kinds.iter().enumerate() {
        sql.push(if i == 0 { "'" } else { ", '" }).push(kind.resource_type()).push("'");
    }
    sql.push(")");
    for kind in kinds {
        let resource_type = kind.resource_type();
        for source in kind.sources() {
            sql.push(" UNION ALL SELECT '").push(resource_type).push("', ").push(source.id_sql);
            sql.push(", t.version, t.updated_at, NULL, NULL FROM ").push(source.table).push(" t WHERE ");
            if !source.filter.is_empty() {
                sql.push(source.filter).push(" AND ");
            }
            sql.push("NOT EXISTS (SELECT 1 FROM fhir_resource_versions k WHERE k.resource_type = '");
            sql.push(resource_type).push("' AND k.resource_id = ").push(source.id_sql);
            sql.push(" AND k.version = t.version)");
        }
    }
    sql.push(") SELECT * FROM v WHERE 1 = 1");
    if let Some(id) = id {
        sql.push(" AND v.resource_id = ").bind(Bind::Text(id.to_owned()));
    }
    if let Some(since) = &request.since {
        sql.push(" AND v.last_updated >= ").bind(Bind::Timestamp(predicate::local_range(since, ctx).0));
    }
    if let Some(at) = &request.at {
        // Current during the period: became current before its end, and no later version
        // had replaced it by its start.
        let (start, end) = predicate::local_range(at, ctx);
        sql.push(" AND v.last_updated < ").bind(Bind::Timestamp(end));
        sql.push(" AND NOT EXISTS (SELECT 1 FROM v n WHERE n.resource_type = v.resource_type");
        sql.push(" AND n.resource_id = v.resource_id AND n.version > v.version AND n.last_updated <= ");
        sql.bind(Bind::Timestamp(start)).push(")");
    }
    if let Some(cursor) = &request.cursor {
        let (last_updated, resource_type, id, version) = parse_cursor(cursor)
            .ok_or_else(|| StoreError::InvalidSearch("the paging cursor is not valid".into()))?;
        sql.push(" AND (v.last_updated, v.resource_type, v.resource_id, v.version) < (");
        sql.bind(Bind::Timestamp(last_updated)).push(", ").bind(Bind::Text(resource_type)).push(", ");
        sql.bind(Bind::Text(id)).push(", ").bind(Bind::BigInt(version)).push(")");
    }
    sql.push(
        " ORDER BY v.last_updated DESC, v.resource_type DESC, v.resource_id DESC, v.version DESC LIMIT ",
    );
    sql.bind(Bind::BigInt(i64::from(request.count) + 1));
    let mut rows = sql.load::<VersionRow>(conn)?;

    let next_cursor = if rows.len() > request.count as usize {
        rows.truncate(request.count as usize);
        rows.last().map(cursor_of)
    } else {
        None
    };
    let entries =
        rows.into_iter().map(|row| entry(conn, kinds, row, ctx)).collect::<Result<Vec<_>, StoreError>>()?;
    Ok(HistoryPage { entries, next_cursor })
}

fn entry(
    conn: &mut DbConnection,
    kinds: &[&'static dyn ResourceKind],
    row: VersionRow,
    ctx: &MappingContext,
) -> Result<HistoryEntry, StoreError> {
    let deleted = row.method.as_deref() == Some(DELETE);
    let resource = match (&row.resource, deleted) {
        (_, true) => None,
        (Some(json), false) => Some(parse(json)?),
        // A row's current version the facade has not kept: map it now.
        (None, false) => {
            let kind = kinds
                .iter()
                .find(|k| k.resource_type() == row.resource_type)
                .ok_or_else(|| StoreError::UnsupportedType(row.resource_type.clone()))?;
            Some(kind.read(conn, &row.resource_id, ctx)?)
        }
    };
    let method = match row.method {
        Some(method) => method,
        // Written by the clinic application: its first version was a create.
        None if row.version == 1 => "POST".to_owned(),
        None => "PUT".to_owned(),
    };
    Ok(HistoryEntry {
        resource_type: row.resource_type,
        id: row.resource_id,
        version: row.version,
        last_updated: ctx.instant(row.last_updated),
        method,
        resource,
    })
}

const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.3f";

fn cursor_of(row: &VersionRow) -> String {
    format!(
        "{}~{}~{}~{}",
        row.last_updated.format(CURSOR_TIME),
        row.resource_type,
        row.resource_id,
        row.version
    )
}

fn parse_cursor(cursor: &str) -> Option<(NaiveDateTime, String, String, i64)> {
    let mut parts = cursor.split('~');
    let last_updated = NaiveDateTime::parse_from_str(parts.next()?, CURSOR_TIME).ok()?;
    let resource_type = parts.next()?.to_owned();
    let id = parts.next()?.to_owned();
    let version = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((last_updated, resource_type, id, version))
}
