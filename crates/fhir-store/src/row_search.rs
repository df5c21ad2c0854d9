//! The search every kind whose resources are whole rows shares: criteria ANDed, deleted
//! resources left out, an exact total, keyset pages on the row key.

use clinic_db::{DbBackend, DbConnection};
use diesel::QueryableByName;
use fhir_mapping::MappingContext;
use fhir_search::{Modifier, SearchRequest, SearchValue, Total};
use serde_json::Value;

use crate::predicate::{self, DateColumn};
use crate::sql::{Bind, Count, Sql};
use crate::{SearchPage, StoreError, versions};

/// Where a kind's rows are: `from` names the table as `alias` (and may join others).
pub struct Rows {
    pub resource_type: &'static str,
    /// Columns to load, e.g. `"t.*, v.patient_id"`.
    pub columns: &'static str,
    /// e.g. `"prescriptions t JOIN visits v ON v.id = t.visit_id"`.
    pub from: &'static str,
    pub alias: &'static str,
    /// What precedes the row key in a resource id (`insurer-` for insurer Organizations).
    pub id_prefix: &'static str,
}

impl Rows {
    /// The row key a resource id names, if it names one of these rows.
    pub fn key_of(&self, id: &str) -> Option<i64> {
        id.strip_prefix(self.id_prefix)?.parse().ok()
    }
}

/// The row `key` of `rows`, if it exists.
pub fn find<R>(conn: &mut DbConnection, rows: &Rows, key: i64) -> Result<Option<R>, StoreError>
where
    R: QueryableByName<DbBackend> + 'static,
{
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT ").push(rows.columns).push(" FROM ").push(rows.from);
    sql.push(" WHERE ").push(rows.alias).push(".id = ").bind(Bind::BigInt(key));
    Ok(sql.load::<R>(conn)?.into_iter().next())
}

impl<R> RowPage<R> {
    /// The page as resources, each row mapped by `to_fhir`.
    pub fn into_resources(self, to_fhir: impl Fn(&R) -> Value) -> SearchPage {
        self.with_resources(self.rows.iter().map(to_fhir).collect())
    }

    /// The page with its rows already mapped to `resources`.
    pub fn with_resources(&self, resources: Vec<Value>) -> SearchPage {
        SearchPage {
            resources,
            total: self.total,
            next_cursor: self.next_cursor.clone(),
            included: Vec::new(),
        }
    }
}

/// The rows `keys` of `rows` that exist, in key order (to map a page of results at once).
pub fn find_many<R>(conn: &mut DbConnection, rows: &Rows, keys: &[i64]) -> Result<Vec<R>, StoreError>
where
    R: QueryableByName<DbBackend> + 'static,
{
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT ").push(rows.columns).push(" FROM ").push(rows.from);
    sql.push(" WHERE ").push(rows.alias).push(".id IN ").key_list(keys);
    sql.push(" ORDER BY ").push(rows.alias).push(".id");
    Ok(sql.load::<R>(conn)?)
}

/// The row `id` names in `rows`, or NotFound.
pub fn found<R>(conn: &mut DbConnection, rows: &Rows, id: &str) -> Result<R, StoreError>
where
    R: QueryableByName<DbBackend> + 'static,
{
    let not_found =
        || StoreError::NotFound { resource_type: rows.resource_type.to_owned(), id: id.to_owned() };
    let key = rows.key_of(id).ok_or_else(not_found)?;
    find(conn, rows, key)?.ok_or_else(not_found)
}

/// One page of rows.
pub struct RowPage<R> {
    pub rows: Vec<R>,
    /// `None` when the search asked for no count.
    pub total: Option<u64>,
    pub next_cursor: Option<String>,
}

/// Runs `request` over `rows`. `_id` and `_lastUpdated` are handled here; every other
/// parameter value is turned into SQL by `criterion(sql, name, modifier, value)`.
pub fn search<R>(
    conn: &mut DbConnection,
    rows: &Rows,
    request: &SearchRequest,
    ctx: &MappingContext,
    criterion: impl Fn(&mut Sql, &str, Option<Modifier>, &SearchValue) -> Result<(), StoreError>,
) -> Result<RowPage<R>, StoreError>
where
    R: QueryableByName<DbBackend> + 'static,
    R: HasRowKey,
{
    let backend = conn.backend();
    let alias = rows.alias;
    let criteria = |sql: &mut Sql| -> Result<(), StoreError> {
        sql.push(" FROM ").push(rows.from).push(" WHERE ");
        let id_text = format!("'{}' || CAST({alias}.id AS TEXT)", rows.id_prefix);
        versions::not_deleted(sql, rows.resource_type, &id_text, &format!("{alias}.version"));
        for param in &request.params {
            sql.push(" AND ");
            predicate::any_of(sql, &param.values, |sql, value| match (param.def.name, value) {
                ("_id", SearchValue::Token(token)) => {
                    match token.code.as_deref().and_then(|id| rows.key_of(id)) {
                        Some(key) => sql.push(alias).push(".id = ").bind(Bind::BigInt(key)),
                        None => sql.push("1 = 0"),
                    };
                    Ok(())
                }
                ("_lastUpdated", SearchValue::Date(date)) => {
                    predicate::date(sql, &format!("{alias}.updated_at"), DateColumn::Instant, date, ctx)
                }
                (name, value) => criterion(sql, name, param.modifier, value),
            })?;
        }
        Ok(())
    };

    let total = match request.total {
        Total::None => None,
        // The exact count serves as the estimate too.
        Total::Estimate | Total::Accurate => {
            let mut count = Sql::new(backend);
            count.push("SELECT count(*) AS count");
            criteria(&mut count)?;
            let counted = count.load::<Count>(conn)?.first().map_or(0, |c| c.count);
            Some(u64::try_from(counted).unwrap_or_default())
        }
    };

    let after = match &request.cursor {
        Some(cursor) => cursor
            .parse::<i64>()
            .map_err(|_| StoreError::InvalidSearch("the paging cursor is not valid".into()))?,
        None => 0,
    };
    let mut page = Sql::new(backend);
    page.push("SELECT ").push(rows.columns);
    criteria(&mut page)?;
    page.push(" AND ").push(alias).push(".id > ").bind(Bind::BigInt(after));
    page.push(" ORDER BY ").push(alias).push(".id LIMIT ").bind(Bind::BigInt(i64::from(request.count) + 1));
    let mut found = page.load::<R>(conn)?;
    let next_cursor = if found.len() > request.count as usize {
        found.truncate(request.count as usize);
        found.last().map(|row| row.row_key().to_string())
    } else {
        None
    };
    Ok(RowPage { rows: found, total, next_cursor })
}

/// The row key a page continues after.
pub trait HasRowKey {
    fn row_key(&self) -> i64;
}

impl HasRowKey for clinic_db::PatientRow {
    fn row_key(&self) -> i64 {
        self.id
    }
}

/// An invalid parameter for this kind (the registry and the kind disagree: a server bug the
/// client still deserves a 400 for rather than a 500).
pub fn unsupported(resource_type: &str, name: &str) -> StoreError {
    StoreError::InvalidSearch(format!("parameter '{name}' is not supported on {resource_type}"))
}
