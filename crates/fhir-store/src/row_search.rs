//! The search every kind whose resources are whole rows shares: criteria ANDed, deleted
//! resources left out, an exact total, keyset pages on the row key.

use clinic_db::{DbBackend, DbConnection};
use diesel::QueryableByName;
use fhir_mapping::MappingContext;
use fhir_search::{Modifier, SearchParam, SearchRequest, SearchValue, Total, UNASKED_TOTAL_LIMIT};
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
    /// The parameters `_sort` may use beyond `_id` and `_lastUpdated`, with what they sort by.
    pub sorts: &'static [Sort],
}

/// A `_sort` parameter: the SQL expression (over the alias) and its type.
pub struct Sort {
    pub param: &'static str,
    pub expr: &'static str,
    pub kind: SortType,
}

/// The SQL type of a sort expression, to compare a page cursor's values with it.
#[derive(Clone, Copy)]
pub enum SortType {
    Text,
    Date,
    Timestamp,
    BigInt,
}

impl SortType {
    fn sql(self) -> &'static str {
        match self {
            SortType::Text => "TEXT",
            SortType::Date => "DATE",
            SortType::Timestamp => "TIMESTAMP",
            SortType::BigInt => "BIGINT",
        }
    }
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
    let criteria = |sql: &mut Sql| push_criteria(sql, rows, &request.params, ctx, &criterion);
    let total = count_matches(conn, request.total, criteria)?;

    let keys = sort_keys(rows, request)?;
    let cursor = match &request.cursor {
        Some(cursor) => Some(
            Cursor::parse(cursor, keys.len())
                .ok_or_else(|| StoreError::InvalidSearch("the paging cursor is not valid".into()))?,
        ),
        None => None,
    };
    let mut page = Sql::new(backend);
    page.push("SELECT ").push(rows.columns);
    criteria(&mut page)?;
    if let Some(cursor) = &cursor {
        page.push(" AND ");
        after_cursor(&mut page, alias, &keys, cursor);
    }
    page.push(" ORDER BY ");
    for (expr, _, descending) in &keys {
        // NULLs last in either direction, the same on both backends.
        page.push("(").push(expr).push(") IS NULL, ").push(expr).push(if *descending {
            " DESC, "
        } else {
            " ASC, "
        });
    }
    page.push(alias).push(".id LIMIT ").bind(Bind::BigInt(i64::from(request.count) + 1));
    let mut found = page.load::<R>(conn)?;
    let next_cursor = if found.len() > request.count as usize {
        found.truncate(request.count as usize);
        match found.last() {
            Some(last) => Some(cursor_at(conn, rows, &keys, last.row_key())?),
            None => None,
        }
    } else {
        None
    };
    Ok(RowPage { rows: found, total, next_cursor })
}

/// The `total` of a search whose matches `criteria` selects (it appends the FROM and WHERE).
pub fn count_matches(
    conn: &mut DbConnection,
    total: Total,
    criteria: impl Fn(&mut Sql) -> Result<(), StoreError>,
) -> Result<Option<u64>, StoreError> {
    let mut count = Sql::new(conn.backend());
    let limit = match total {
        Total::None => return Ok(None),
        // The exact count serves as the estimate too.
        Total::Estimate | Total::Accurate => None,
        Total::Unasked => Some(UNASKED_TOTAL_LIMIT),
    };
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
        let negated = param.modifier == Some(Modifier::Not);
        let modifier = if negated { None } else { param.modifier };
        if negated {
            sql.push("(");
        }
        predicate::any_of(sql, &param.values, |sql, value| match (param.def.name, value) {
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
        })
        .map_err(|error| error.naming(&param.raw.0))?;
        if negated {
            predicate::is_not_true(sql);
        }
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

/// The sort keys of a search as (expression, type, descending), `_id` and `_lastUpdated`
/// included; a parameter this kind cannot sort by is a 400.
fn sort_keys(rows: &Rows, request: &SearchRequest) -> Result<Vec<(String, SortType, bool)>, StoreError> {
    let alias = rows.alias;
    request
        .sort
        .iter()
        .map(|key| {
            let (expr, kind) = match key.param {
                "_id" => (format!("{alias}.id"), SortType::BigInt),
                "_lastUpdated" => (format!("{alias}.updated_at"), SortType::Timestamp),
                name => match rows.sorts.iter().find(|sort| sort.param == name) {
                    Some(sort) => (sort.expr.to_owned(), sort.kind),
                    None => {
                        return Err(StoreError::InvalidSearch(format!(
                            "{} cannot be sorted by '{name}'",
                            rows.resource_type
                        )));
                    }
                },
            };
            Ok((expr, kind, key.descending))
        })
        .collect()
}

/// Where a page ends: the sort values of its last row (text, or NULL) and that row's key.
struct Cursor {
    values: Vec<Option<String>>,
    key: i64,
}

impl Cursor {
    /// A plain row key without sort keys; `[values..., key]` as JSON with them.
    fn parse(cursor: &str, keys: usize) -> Option<Cursor> {
        if keys == 0 {
            return Some(Cursor { values: Vec::new(), key: cursor.parse().ok()? });
        }
        let (values, key): (Vec<Option<String>>, i64) = serde_json::from_str(cursor).ok()?;
        (values.len() == keys).then_some(Cursor { values, key })
    }
}

#[derive(QueryableByName)]
struct SortValues {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    v0: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    v1: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    v2: Option<String>,
}

/// The cursor after row `key`: its sort values read back as text.
fn cursor_at(
    conn: &mut DbConnection,
    rows: &Rows,
    keys: &[(String, SortType, bool)],
    key: i64,
) -> Result<String, StoreError> {
    if keys.is_empty() {
        return Ok(key.to_string());
    }
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT ");
    for slot in 0..fhir_search::MAX_SORT_KEYS {
        let expr = keys.get(slot).map_or("NULL", |(expr, _, _)| expr.as_str());
        sql.push(if slot == 0 { "" } else { ", " });
        sql.push("CAST(").push(expr).push(&format!(" AS TEXT) AS v{slot}"));
    }
    sql.push(" FROM ")
        .push(rows.from)
        .push(" WHERE ")
        .push(rows.alias)
        .push(".id = ")
        .bind(Bind::BigInt(key));
    let found =
        sql.load::<SortValues>(conn)?.into_iter().next().ok_or(StoreError::InvalidSearch(
            "the page's last row changed while paging; search again".into(),
        ))?;
    let values: Vec<Option<String>> = [found.v0, found.v1, found.v2].into_iter().take(keys.len()).collect();
    Ok(serde_json::to_string(&(values, key)).unwrap_or_default())
}

/// Rows after the cursor in the sort order (NULLs last, then the row key): some key is after
/// the cursor's while every key before it is equal.
fn after_cursor(sql: &mut Sql, alias: &str, keys: &[(String, SortType, bool)], cursor: &Cursor) {
    let value = |sql: &mut Sql, kind: SortType, text: &str| {
        if sql.is_postgres() {
            sql.push("CAST(").bind(Bind::Text(text.to_owned())).push(" AS ").push(kind.sql()).push(")");
        } else {
            sql.bind(Bind::Text(text.to_owned()));
        }
    };
    sql.push("(");
    for position in 0..=keys.len() {
        sql.push(if position == 0 { "(" } else { " OR (" });
        for ((expr, kind, _), cursor_value) in keys.iter().zip(&cursor.values).take(position) {
            match cursor_value {
                Some(text) => {
                    sql.push(expr).push(" = ");
                    value(sql, *kind, text);
                }
                None => {
                    sql.push(expr).push(" IS NULL");
                }
            }
            sql.push(" AND ");
        }
        match keys.get(position) {
            Some((expr, kind, descending)) => match &cursor.values[position] {
                // Only NULLs follow a NULL, and they are equal to it.
                None => {
                    sql.push("1 = 0");
                }
                Some(text) => {
                    sql.push("(").push(expr).push(if *descending { " < " } else { " > " });
                    value(sql, *kind, text);
                    sql.push(" OR ").push(expr).push(" IS NULL)");
                }
            },
            None => {
                sql.push(alias).push(".id > ").bind(Bind::BigInt(cursor.key));
            }
        }
        sql.push(")");
    }
    sql.push(")");
}
