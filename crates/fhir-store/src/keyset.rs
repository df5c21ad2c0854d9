//! Keyset paging, shared by every search over rows: the `_sort` keys followed by keys that
//! identify a row (the tie-breakers), page cursors holding a row's values of those keys, and
//! the SQL that continues after (`next`) or before (`previous`) such a row. A page costs the
//! same wherever it is, and rows inserted meanwhile never shift the pages.

use clinic_db::DbBackend;
use diesel::QueryableByName;
use diesel::row::NamedRow;
use diesel::sql_types::{Nullable, Text};
use fhir_search::SearchRequest;

use crate::StoreError;
use crate::sql::{Bind, Sql};

/// The most keys a keyset has: the `_sort` keys and two tie-breakers.
const SLOTS: usize = fhir_search::MAX_SORT_KEYS + 2;

/// The SQL type of a sort expression, to compare a cursor's values with it.
#[derive(Clone, Copy)]
pub enum SortType {
    Text,
    Date,
    Timestamp,
    BigInt,
}

/// One key of the order: an SQL expression, its type and its direction.
struct Key {
    expr: String,
    kind: SortType,
    descending: bool,
    /// False for the tie-breakers: leaving out the NULL ordering lets SQLite read an unsorted
    /// search in the order of the primary key's index.
    nullable: bool,
}

/// A row loaded with its key values, which make the page's cursors.
pub struct Keyed<R> {
    pub row: R,
    keys: KeyValues,
}

/// The key values of a row as text: `k0`, `k1`, ... (NULL past the keyset's keys).
#[derive(QueryableByName)]
struct KeyValues {
    #[diesel(sql_type = Nullable<Text>)]
    k0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k3: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    k4: Option<String>,
}

impl KeyValues {
    fn all(&self) -> [&Option<String>; SLOTS] {
        [&self.k0, &self.k1, &self.k2, &self.k3, &self.k4]
    }
}

impl<R: QueryableByName<DbBackend>> QueryableByName<DbBackend> for Keyed<R> {
    fn build<'a>(row: &impl NamedRow<'a, DbBackend>) -> diesel::deserialize::Result<Self> {
        Ok(Keyed { row: R::build(row)?, keys: KeyValues::build(row)? })
    }
}

/// Where a page starts: after or before the row whose key values these are.
pub struct Cursor {
    backwards: bool,
    values: Vec<Option<String>>,
}

/// One page of rows, in the order asked for, with the cursors of its neighbours.
pub struct Window<R> {
    pub rows: Vec<R>,
    pub next: Option<String>,
    pub previous: Option<String>,
    /// How many rows match, when this page holds every one (the first page, with none after).
    pub whole_count: Option<u64>,
}

/// The order of a search: its `_sort` keys, then the tie-breakers (which together identify a
/// row and are never NULL).
pub struct Keyset {
    keys: Vec<Key>,
}

impl Keyset {
    /// The order `request` asks for: `sortable` gives the expression and type a `_sort`
    /// parameter sorts by (a parameter it does not know is a 400), `ties` the tie-breakers,
    /// which go the way the last `_sort` key goes (so that one index on the last key and the
    /// row key serves the order either way).
    pub fn new(
        resource_type: &str,
        request: &SearchRequest,
        sortable: impl Fn(&str) -> Option<(String, SortType)>,
        ties: &[(&str, SortType)],
    ) -> Result<Keyset, StoreError> {
        let mut keys = request
            .sort
            .iter()
            .map(|key| match sortable(key.param) {
                Some((expr, kind)) => Ok(Key { expr, kind, descending: key.descending, nullable: true }),
                None => Err(StoreError::InvalidSearch(format!(
                    "{resource_type} cannot be sorted by '{}'",
                    key.param
                ))),
            })
            .collect::<Result<Vec<Key>, StoreError>>()?;
        let descending = keys.last().is_some_and(|key| key.descending);
        keys.extend(ties.iter().map(|(expr, kind)| Key {
            expr: (*expr).to_owned(),
            kind: *kind,
            descending,
            nullable: false,
        }));
        debug_assert!(keys.len() <= SLOTS);
        Ok(Keyset { keys })
    }

    /// The cursor a page token holds; one not made for this order is a 400.
    pub fn cursor(&self, cursor: Option<&str>) -> Result<Option<Cursor>, StoreError> {
        let Some(text) = cursor else { return Ok(None) };
        let invalid = || StoreError::InvalidSearch("the paging cursor is not valid".into());
        let (direction, values): (String, Vec<Option<String>>) =
            serde_json::from_str(text).map_err(|_| invalid())?;
        let backwards = match direction.as_str() {
            "after" => false,
            "before" => true,
            _ => return Err(invalid()),
        };
        let typed = values.len() == self.keys.len()
            && self.keys.iter().zip(&values).all(|(key, value)| match (key.kind, value) {
                (SortType::BigInt, Some(number)) => number.parse::<i64>().is_ok(),
                _ => true,
            });
        typed.then_some(Cursor { backwards, values }).map(Some).ok_or_else(invalid)
    }

    /// `, CAST(key AS TEXT) AS k0, ...`: the key values to select beside a page's columns.
    pub fn push_columns(&self, sql: &mut Sql) {
        for slot in 0..SLOTS {
            let expr = self.keys.get(slot).map_or("NULL", |key| key.expr.as_str());
            sql.push(", CAST(").push(expr).push(&format!(" AS TEXT) AS k{slot}"));
        }
    }

    /// ` AND ... ORDER BY ... LIMIT n`: the page at `cursor` (the first without one) with one
    /// row more than `count`, to know whether more follow.
    pub fn push_page(&self, sql: &mut Sql, cursor: Option<&Cursor>, count: u32) {
        let backwards = cursor.is_some_and(|cursor| cursor.backwards);
        if let Some(cursor) = cursor {
            sql.push(" AND ");
            self.push_beyond(sql, cursor);
        }
        sql.push(" ORDER BY ");
        for (i, key) in self.keys.iter().enumerate() {
            // A missing value sorts above every value, on both backends (PostgreSQL's own
            // order, which its indexes give read either way); a backwards walk reads the order
            // in reverse.
            let descending = key.descending != backwards;
            sql.push(if i == 0 { "" } else { ", " });
            sql.push(&key.expr).push(if descending { " DESC" } else { " ASC" });
            if key.nullable {
                sql.push(if descending { " NULLS FIRST" } else { " NULLS LAST" });
            }
        }
        sql.push(" LIMIT ").bind(Bind::BigInt(i64::from(count) + 1));
    }

    /// The page of `count` rows loaded by a query ending in [`Keyset::push_page`], in order.
    pub fn window<R>(&self, mut found: Vec<Keyed<R>>, count: u32, cursor: Option<&Cursor>) -> Window<R> {
        let more = found.len() > count as usize;
        found.truncate(count as usize);
        let whole_count = (!more && cursor.is_none()).then_some(found.len() as u64);
        let backwards = cursor.is_some_and(|cursor| cursor.backwards);
        if backwards {
            found.reverse();
        }
        let at = |direction: &str, row: Option<&Keyed<R>>| {
            row.map(|row| {
                let values = &row.keys.all()[..self.keys.len()];
                serde_json::to_string(&(direction, values)).unwrap_or_default()
            })
        };
        // Walking forwards, rows precede the page when it was reached by a cursor; walking
        // backwards, the cursor's own row follows it.
        let (more_after, more_before) = if backwards { (true, more) } else { (more, cursor.is_some()) };
        let next = if more_after { at("after", found.last()) } else { None };
        let previous = if more_before { at("before", found.first()) } else { None };
        Window { rows: found.into_iter().map(|keyed| keyed.row).collect(), next, previous, whole_count }
    }

    /// Rows beyond the cursor in its direction (a NULL above every value): some key is beyond
    /// the cursor's value while every key before it is equal to it.
    fn push_beyond(&self, sql: &mut Sql, cursor: &Cursor) {
        let value = |sql: &mut Sql, kind: SortType, text: &str| {
            match kind {
                // Parsed when the cursor was read.
                SortType::BigInt => sql.bind(Bind::BigInt(text.parse().unwrap_or_default())),
                _ if sql.is_postgres() => {
                    let sql_type = match kind {
                        SortType::Date => "DATE",
                        SortType::Timestamp => "TIMESTAMP",
                        _ => "TEXT",
                    };
                    sql.push("CAST(").bind(Bind::Text(text.to_owned())).push(" AS ").push(sql_type).push(")")
                }
                _ => sql.bind(Bind::Text(text.to_owned())),
            };
        };
        // The first key's bound alone as well: an index on it can seek there, which the OR of
        // the full comparison does not let the database do.
        if let (Some(first), Some(text)) = (self.keys.first(), &cursor.values[0]) {
            let descending = first.descending != cursor.backwards;
            sql.push("(").push(&first.expr).push(if descending { " <= " } else { " >= " });
            value(sql, first.kind, text);
            if !descending && first.nullable {
                sql.push(" OR ").push(&first.expr).push(" IS NULL");
            }
            sql.push(") AND ");
        }
        sql.push("(");
        for (position, key) in self.keys.iter().enumerate() {
            sql.push(if position == 0 { "(" } else { " OR (" });
            for (equal, cursor_value) in self.keys.iter().zip(&cursor.values).take(position) {
                match cursor_value {
                    Some(text) => {
                        sql.push(&equal.expr).push(" = ");
                        value(sql, equal.kind, text);
                    }
                    None => {
                        sql.push(&equal.expr).push(" IS NULL");
                    }
                };
                sql.push(" AND ");
            }
            let descending = key.descending != cursor.backwards;
            match (&cursor.values[position], descending) {
                // Going up only NULLs follow a NULL, and they are equal to it; going down every
                // value does.
                (None, false) => {
                    sql.push("1 = 0");
                }
                (None, true) => {
                    sql.push(&key.expr).push(" IS NOT NULL");
                }
                (Some(text), _) => {
                    sql.push("(").push(&key.expr).push(if descending { " < " } else { " > " });
                    value(sql, key.kind, text);
                    if !descending && key.nullable {
                        sql.push(" OR ").push(&key.expr).push(" IS NULL");
                    }
                    sql.push(")");
                }
            }
            sql.push(")");
        }
        sql.push(")");
    }
}

/// A search's rows of type `R`: `select` (`SELECT columns`) followed by the key values and
/// `criteria` (` FROM ... WHERE ...`), paged by `keyset` at the request's cursor.
pub fn load<R>(
    conn: &mut clinic_db::DbConnection,
    keyset: &Keyset,
    request: &SearchRequest,
    select: &str,
    criteria: impl FnOnce(&mut Sql) -> Result<(), StoreError>,
) -> Result<Window<R>, StoreError>
where
    R: QueryableByName<DbBackend> + 'static,
{
    let cursor = keyset.cursor(request.cursor.as_deref())?;
    let mut page = Sql::new(conn.backend());
    page.push(select);
    keyset.push_columns(&mut page);
    criteria(&mut page)?;
    keyset.push_page(&mut page, cursor.as_ref(), request.count);
    let found = page.load::<Keyed<R>>(conn)?;
    Ok(keyset.window(found, request.count, cursor.as_ref()))
}
