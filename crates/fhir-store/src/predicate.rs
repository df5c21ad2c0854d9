//! One SQL predicate builder per search-parameter type, so adding a parameter to a resource
//! is naming its columns, not writing new control flow.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use fhir_mapping::{MappingContext, OrganizationKey};
use fhir_search::{DatePrefix, DateValue, Modifier, SearchValue, TokenValue};

use crate::StoreError;
use crate::sql::{Bind, Sql};

/// `(a OR b OR ...)` over the alternatives of one parameter.
pub fn any_of(
    sql: &mut Sql,
    values: &[SearchValue],
    mut each: impl FnMut(&mut Sql, &SearchValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    sql.push("(");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        each(sql, value)?;
    }
    sql.push(")");
    Ok(())
}

/// Closes a `(` opened before a condition as `(...) IS NOT TRUE`: the rows the condition does
/// not hold for, including those where it is unknown because the column is NULL (`:not`).
pub fn is_not_true(sql: &mut Sql) {
    sql.push(") IS NOT TRUE");
}

pub fn never(sql: &mut Sql) {
    sql.push("1 = 0");
}

/// String search: case-insensitive prefix by default, `:exact`, `:contains`; any of `columns`.
pub fn string(sql: &mut Sql, columns: &[&str], modifier: Option<Modifier>, value: &str) {
    sql.push("(");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        match modifier {
            Some(Modifier::Exact) => {
                sql.push(column).push(" = ").bind(Bind::Text(value.to_owned()));
            }
            _ => {
                let escaped = escape_like(&value.to_lowercase());
                let pattern = match modifier {
                    Some(Modifier::Contains) => format!("%{escaped}%"),
                    _ => format!("{escaped}%"),
                };
                sql.push("lower(").push(column).push(") LIKE ");
                sql.bind(Bind::Text(pattern)).push(" ESCAPE '\\'");
            }
        }
    }
    sql.push(")");
}

/// `value` with LIKE's wildcards and escape character escaped (for `ESCAPE '\\'`).
pub fn escape_like(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The resolution of a date column.
#[derive(Clone, Copy)]
pub enum DateColumn {
    /// A `DATE`: each value covers its whole day.
    Day,
    /// A clinic wall-clock `TIMESTAMP`.
    Instant,
}

/// `[start, end)` of a date value in clinic wall-clock time (values without an offset already are).
pub fn local_range(value: &DateValue, ctx: &MappingContext) -> (NaiveDateTime, NaiveDateTime) {
    let to_local = |t: NaiveDateTime| match value.offset {
        Some(offset) => {
            t - Duration::seconds(i64::from(offset.local_minus_utc() - ctx.utc_offset.local_minus_utc()))
        }
        None => t,
    };
    (to_local(value.start), to_local(value.end))
}

/// Date search with prefixes, against the implicit range of the search value.
pub fn date(
    sql: &mut Sql,
    column: &str,
    kind: DateColumn,
    value: &DateValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    let (start, end) = local_range(value, ctx);
    let bind = |t: NaiveDateTime, round_up: bool| match kind {
        DateColumn::Instant => Bind::Timestamp(t),
        DateColumn::Day if round_up && t.time() != NaiveTime::MIN => Bind::Date(t.date() + Duration::days(1)),
        DateColumn::Day => Bind::Date(t.date()),
    };
    let compare = |sql: &mut Sql, op: &str, t: NaiveDateTime, round_up: bool| {
        sql.push(column).push(op).bind(bind(t, round_up));
    };
    match value.prefix {
        DatePrefix::Eq | DatePrefix::Ne => {
            sql.push(if value.prefix == DatePrefix::Ne { "NOT (" } else { "(" });
            compare(sql, " >= ", start, false);
            sql.push(" AND ");
            compare(sql, " < ", end, true);
            sql.push(")");
        }
        DatePrefix::Gt | DatePrefix::Sa => compare(sql, " >= ", end, true),
        DatePrefix::Ge => compare(sql, " >= ", start, false),
        DatePrefix::Lt | DatePrefix::Eb => compare(sql, " < ", start, false),
        DatePrefix::Le => compare(sql, " < ", end, true),
        DatePrefix::Ap => {
            return Err(StoreError::InvalidSearch("the 'ap' date prefix is not supported".into()));
        }
    }
    Ok(())
}

/// A token over a coded column: `codes` maps FHIR codes to the clinic's (several clinic codes
/// may read as one FHIR code); systems other than `system` match nothing.
pub fn code(sql: &mut Sql, column: &str, system: &str, codes: &[(&str, &str)], token: &TokenValue) {
    if token.system.as_deref().is_some_and(|s| s != system) {
        return never(sql);
    }
    let Some(code) = token.code.as_deref() else {
        sql.push(column).push(" IS NOT NULL");
        return;
    };
    let clinic_codes: Vec<&str> =
        codes.iter().filter(|(fhir, _)| *fhir == code).map(|(_, clinic)| *clinic).collect();
    if clinic_codes.is_empty() {
        return never(sql);
    }
    sql.push(column).push(" IN (");
    for (i, clinic) in clinic_codes.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Bind::Text((*clinic).to_owned()));
    }
    sql.push(")");
}

/// A `true`/`false` token over a boolean column.
pub fn boolean(sql: &mut Sql, column: &str, token: &TokenValue) {
    match token.code.as_deref() {
        Some("true") => sql.push(column).push(" = ").bind(Bind::Bool(true)),
        Some("false") => sql.push(column).push(" = ").bind(Bind::Bool(false)),
        _ => sql.push("1 = 0"),
    };
}

/// `_id` and references: ids are row keys; one that is not a number matches nothing.
pub fn row_key(sql: &mut Sql, column: &str, id: &str) {
    match id.parse::<i64>() {
        Ok(key) => {
            sql.push(column).push(" = ").bind(Bind::BigInt(key));
        }
        Err(_) => never(sql),
    }
}

/// A reference parameter over a foreign-key column: `[type/]id` must name a `target` row, or
/// (chained) the row must be one of the `target` resources matching the chained parameter.
pub fn reference(
    sql: &mut Sql,
    column: &str,
    target: &str,
    value: &SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    match value {
        SearchValue::Reference { resource_type, id }
            if resource_type.as_deref().is_none_or(|t| t == target) =>
        {
            row_key(sql, column, id)
        }
        SearchValue::Chain { target_type, param } if target_type == target => {
            sql.push(column).push(" IN (");
            crate::kind_of(target_type)?.id_subquery(sql, std::slice::from_ref(param.as_ref()), ctx)?;
            sql.push(")");
        }
        _ => never(sql),
    }
    Ok(())
}

/// A reference parameter naming an insurer's Organization (`Organization/insurer-[id]`) over an
/// insurer key column; branch Organizations match nothing.
pub fn insurer_reference(
    sql: &mut Sql,
    column: &str,
    value: &SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    match value {
        SearchValue::Reference { resource_type, id }
            if resource_type.as_deref().is_none_or(|t| t == "Organization") =>
        {
            match OrganizationKey::from_id(id) {
                Some(OrganizationKey::Insurer(key)) => {
                    sql.push(column).push(" = ").bind(Bind::BigInt(key));
                }
                _ => never(sql),
            }
        }
        SearchValue::Chain { target_type, param } if target_type == "Organization" => {
            sql.push(column).push(" IN (");
            crate::reference_data::insurer_ids(sql, std::slice::from_ref(param.as_ref()), ctx)?;
            sql.push(")");
        }
        _ => never(sql),
    }
    Ok(())
}

/// `identifier=[system]|[value]` where each identifier system is kept in one column.
pub fn identifier(sql: &mut Sql, token: &TokenValue, columns: &[(&str, &str)]) {
    let matching: Vec<&str> = columns
        .iter()
        .filter(|(system, _)| token.system.as_deref().is_none_or(|s| s == *system))
        .map(|(_, column)| *column)
        .collect();
    if matching.is_empty() {
        return never(sql);
    }
    sql.push("(");
    for (i, column) in matching.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        match &token.code {
            Some(value) => sql.push(column).push(" = ").bind(Bind::Text(value.clone())),
            None => sql.push(column).push(" IS NOT NULL"),
        };
    }
    sql.push(")");
}
