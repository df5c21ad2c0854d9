//! The search every kind whose resources are whole rows shares: criteria ANDed, deleted
//! resources left out, an exact total, keyset pages (`keyset`) ending on the row key.

use clinic_db::{DbBackend, DbConnection};
use diesel::QueryableByName;
use fhir_mapping::MappingContext;
use fhir_search::{Modifier, SearchParam, SearchRequest, SearchValue, Total, UNASKED_TOTAL_LIMIT};
use serde_json::Value;

use crate::keyset::{self, Keyset, SortType};
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
    /// The parameters `_sort` may use beyond `_id` and `_lastUpdated`, with what they sort by.
    pub sorts: &'static [Sort],
}

/// A `_sort` parameter: the SQL expression (over the alias) and its type.
pub struct Sort {
    pub param: &'static str,
    pub expr: &'static str,
    pub kind: SortType,
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
            previous_cursor: self.previous_cursor.clone(),
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
    pub previous_cursor: Option<String>,
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
{
    let criteria = |sql: &mut Sql| push_criteria(sql, rows, &request.params, ctx, &criterion);
    let keyset = keyset(rows, request)?;
    let select = format!("SELECT {}", rows.columns);
    let window = keyset::load::<R>(conn, &keyset, request, &select, criteria)?;
    let total = total(conn, request, window.whole_count, criteria)?;
    Ok(RowPage { rows: window.rows, total, next_cursor: window.next, previous_cursor: window.previous })
}

/// The `total` of a search whose matches `criteria` (` FROM ... WHERE ...`) select: none for
/// `_total=none`, every match for `accurate` (the exact count serves as the estimate too), at
/// most [`UNASKED_TOTAL_LIMIT`] when `_total` was not asked (none beyond). `whole_count` is the
/// count of a first page that held every match, which needs no query.
pub fn total(
    conn: &mut DbConnection,
    request: &SearchRequest,
    whole_count: Option<u64>,
    criteria: impl FnOnce(&mut Sql) -> Result<(), StoreError>,
) -> Result<Option<u64>, StoreError> {
    let limit = match request.total {
        Total::None => return Ok(None),
        _ if whole_count.is_some() => return Ok(whole_count),
        Total::Estimate | Total::Accurate => None,
        Total::Unasked => Some(UNASKED_TOTAL_LIMIT),
    };
    let mut count = Sql::new(conn.backend());
    match limit {
        None => {
            count.push("SELECT count(*) AS count");
            criteria(&mut count)?;
        }
        Some(limit) => {
            count.push("SELECT count(*) AS count FROM (SELECT 1 AS matched");
            criteria(&mut count)?;
            count.push(" LIMIT ").bind(Bind::BigInt(limit as i64 + 1)).push(") AS bounded");
        }
    }
    let counted = count.load::<Count>(conn)?.first().map_or(0, |c| c.count);
    let counted = u64::try_from(counted).unwrap_or_default();
    Ok(limit.is_none_or(|limit| counted <= limit).then_some(counted))
}

/// An invalid parameter for this kind (the registry and the kind disagree: a server bug the
/// client still deserves a 400 for rather than a 500).
pub fn unsupported(resource_type: &str, name: &str) -> StoreError {
    StoreError::InvalidSearch(format!("parameter '{name}' is not supported on {resource_type}"))
}

/// ` FROM ... WHERE ...`: the rows of `rows` not deleted through FHIR that match every one of
/// `params` (`_id` and `_lastUpdated` here, the rest by `criterion`).
fn push_criteria(
    sql: &mut Sql,
    rows: &Rows,
    params: &[SearchParam],
    ctx: &MappingContext,
    criterion: &impl Fn(&mut Sql, &str, Option<Modifier>, &SearchValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let alias = rows.alias;
    sql.push(" FROM ").push(rows.from).push(" WHERE ");
    let id_text = format!("'{}' || CAST({alias}.id AS TEXT)", rows.id_prefix);
    versions::not_deleted(sql, rows.resource_type, &id_text, &format!("{alias}.version"));
    for param in params {
        sql.push(" AND ");
        predicate::parameter(sql, param, |sql, modifier, value| match (param.def.name, value) {
            ("_id", value) => {
                let Some(token) = predicate::token(sql, value, &[&format!("{alias}.id")])? else {
                    return Ok(());
                };
                match token.code.as_deref().and_then(|id| rows.key_of(id)) {
                    Some(key) => sql.push(alias).push(".id = ").bind(Bind::BigInt(key)),
                    None => sql.push("1 = 0"),
                };
                Ok(())
            }
            ("_lastUpdated", value) => {
                predicate::date(sql, &format!("{alias}.updated_at"), DateColumn::Instant, value, ctx)
            }
            // Organizations are two tables; a referrer's key column belongs to one of them.
            ("_has", SearchValue::Has { source_type, reference, param })
                if rows.id_prefix.is_empty() && rows.resource_type != "Organization" =>
            {
                sql.push(alias).push(".id IN (");
                crate::kind_of(source_type)?.referrer_subquery(
                    sql,
                    reference,
                    std::slice::from_ref(param.as_ref()),
                    ctx,
                )?;
                sql.push(")");
                Ok(())
            }
            ("_has", _) => {
                Err(StoreError::InvalidSearch(format!("_has is not supported on {}", rows.resource_type)))
            }
            (name, value) => criterion(sql, name, modifier, value),
        })?;
    }
    Ok(())
}

/// `SELECT alias.id FROM ... WHERE ...`: the keys of the rows matching `params`, as a subquery
/// (chained parameters compare a reference column with it).
pub fn push_ids(
    sql: &mut Sql,
    rows: &Rows,
    params: &[SearchParam],
    ctx: &MappingContext,
    criterion: &impl Fn(&mut Sql, &str, Option<Modifier>, &SearchValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    push_column(sql, rows, &format!("{}.id", rows.alias), params, ctx, criterion)
}

/// `SELECT column FROM ... WHERE ...` over the rows matching `params` (for `_has`, the column
/// holding the key a reference parameter points at).
pub fn push_column(
    sql: &mut Sql,
    rows: &Rows,
    column: &str,
    params: &[SearchParam],
    ctx: &MappingContext,
    criterion: &impl Fn(&mut Sql, &str, Option<Modifier>, &SearchValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    sql.push("SELECT ").push(column);
    push_criteria(sql, rows, params, ctx, criterion)
}

/// The order of a search over `rows`: its `_sort` keys (`_id`, `_lastUpdated` and the kind's
/// [`Rows::sorts`]), then the row key.
fn keyset(rows: &Rows, request: &SearchRequest) -> Result<Keyset, StoreError> {
    let alias = rows.alias;
    let id = format!("{alias}.id");
    let sortable = |name: &str| match name {
        "_id" => Some((id.clone(), SortType::BigInt)),
        "_lastUpdated" => Some((format!("{alias}.updated_at"), SortType::Timestamp)),
        name => {
            rows.sorts.iter().find(|sort| sort.param == name).map(|sort| (sort.expr.to_owned(), sort.kind))
        }
    };
    Keyset::new(rows.resource_type, request, sortable, &[(&id, SortType::BigInt)])
}
