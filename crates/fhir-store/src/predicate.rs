//! One SQL predicate builder per search-parameter type, so adding a parameter to a resource
//! is naming its columns, not writing new control flow.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use fhir_mapping::{MappingContext, OrganizationKey, systems};
use fhir_search::{
    DateValue, Decimal, Modifier, Prefix, QuantityValue, SearchParam, SearchValue, TokenValue,
};

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

/// One search parameter's condition: [`any_of`] its values by `each` (given the modifier, but
/// for `:not`), errors naming the parameter as written. `:not` and `:missing=true` negate it as
/// `(...) IS NOT TRUE`, the rows the condition does not hold for, including those where it is
/// unknown because the column is NULL; a `:missing` test is never unknown, so it is negated
/// with `NOT (...)`, which PostgreSQL turns into `column IS NULL` tests that indexes serve.
pub fn parameter(
    sql: &mut Sql,
    param: &SearchParam,
    mut each: impl FnMut(&mut Sql, Option<Modifier>, &SearchValue) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let negated = param.modifier == Some(Modifier::Not);
    let modifier = if negated { None } else { param.modifier };
    let (open, close) = match negated {
        false => ("", ""),
        true if param.values.iter().all(|value| matches!(value, SearchValue::Present)) => ("NOT (", ")"),
        true => ("(", ") IS NOT TRUE"),
    };
    sql.push(open);
    any_of(sql, &param.values, |sql, value| each(sql, modifier, value))
        .map_err(|error| error.naming(&param.raw.0))?;
    sql.push(close);
    Ok(())
}

pub fn never(sql: &mut Sql) {
    sql.push("1 = 0");
}

/// `:missing=false`: some of `columns` has a value (`:missing=true` is its negation).
fn present(sql: &mut Sql, columns: &[&str]) {
    sql.push("(");
    for (i, column) in columns.iter().enumerate() {
        sql.push(if i == 0 { "" } else { " OR " }).push(column).push(" IS NOT NULL");
    }
    sql.push(")");
}

/// What a predicate over `columns` searches: `Some` of the value `typed` takes from `value`, or
/// `None` once it has written the `:missing` test for [`SearchValue::Present`]. A value of
/// another type means the registry and a kind's criterion disagree (a 400 all the same).
fn typed<'a, T>(
    sql: &mut Sql,
    value: &'a SearchValue,
    columns: &[&str],
    typed: impl FnOnce(&'a SearchValue) -> Option<&'a T>,
) -> Result<Option<&'a T>, StoreError> {
    if matches!(value, SearchValue::Present) {
        present(sql, columns);
        return Ok(None);
    }
    typed(value)
        .map(Some)
        .ok_or_else(|| StoreError::InvalidSearch(format!("a search value of the wrong type: {value:?}")))
}

/// [`typed`] for token parameters (code and system only: a parameter with a text or typed
/// identifiers has its own predicate for `:text` or `:of-type`).
pub fn token<'a>(
    sql: &mut Sql,
    value: &'a SearchValue,
    columns: &[&str],
) -> Result<Option<&'a TokenValue>, StoreError> {
    match value {
        SearchValue::String(_) => Err(StoreError::InvalidSearch(
            "':text' is not supported here: the clinic keeps no display or text for it".into(),
        )),
        SearchValue::OfType { .. } => Err(StoreError::InvalidSearch(
            "':of-type' is not supported here: these identifiers carry no type".into(),
        )),
        _ => typed(sql, value, columns, |value| match value {
            SearchValue::Token(token) => Some(token),
            _ => None,
        }),
    }
}

/// `:text` over a coded column whose displays are fixed: `displays` gives each display (or
/// text) and the clinic code it is shown for; the codes whose display starts with the text
/// (as string search compares) are matched. Filtering that table, not rows, happens here: the rows are
/// filtered in SQL by the codes found.
pub fn code_text(
    sql: &mut Sql,
    column: &str,
    displays: &[(&str, &str)],
    value: &SearchValue,
) -> Result<(), StoreError> {
    let SearchValue::String(text) = value else {
        return Err(StoreError::InvalidSearch(format!("not a text: {value:?}")));
    };
    let text = clinic_db::search_fold(text);
    let codes: Vec<(&str, &str)> = displays
        .iter()
        .filter(|(display, _)| clinic_db::search_fold(display).starts_with(&text))
        .map(|(_, clinic)| (*clinic, *clinic))
        .collect();
    let any_code = SearchValue::Token(TokenValue { system: None, code: None });
    code(sql, column, "", &codes, &any_code)
}

/// A token parameter over a concept the clinic keeps as text only (no codings): `:text`
/// matches the start of `column` (as string search compares), a code matches nothing.
pub fn text_only(sql: &mut Sql, column: &str, value: &SearchValue) -> Result<(), StoreError> {
    if let SearchValue::String(_) = value {
        return string(sql, &[column], None, value);
    }
    if token(sql, value, &[column])?.is_some() {
        never(sql);
    }
    Ok(())
}

/// `identifier:of-type`: `types` lists the identifier type (v2-0203) each column holds.
pub fn of_type(sql: &mut Sql, value: &SearchValue, types: &[(&str, &str)]) -> Result<(), StoreError> {
    let SearchValue::OfType { type_system, type_code, value } = value else {
        return Err(StoreError::InvalidSearch(format!("not an identifier type: {value:?}")));
    };
    let column = types.iter().find(|(code, _)| code == type_code).map(|(_, column)| *column);
    match column {
        Some(column) if type_system == systems::IDENTIFIER_TYPE => {
            sql.push(column).push(" = ").bind(Bind::Text(value.clone()));
        }
        _ => never(sql),
    }
    Ok(())
}

/// String search: a prefix of the text with accents and case folded away by default
/// ([`clinic_db::search_fold`]), `:exact`, `:contains`; any of `columns`.
pub fn string<'a>(
    sql: &mut Sql,
    columns: &[&str],
    modifier: Option<Modifier>,
    value: &'a SearchValue,
) -> Result<(), StoreError> {
    let text = |value: &'a SearchValue| match value {
        SearchValue::String(text) => Some(text),
        _ => None,
    };
    let Some(value) = typed(sql, value, columns, text)? else { return Ok(()) };
    sql.push("(");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        let escaped = escape_like(&clinic_db::search_fold(value));
        let pattern = match modifier {
            Some(Modifier::Contains) => format!("%{escaped}%"),
            // The folded text equal to the value's, then the text itself: the first is what
            // the index serves.
            Some(Modifier::Exact) => escaped,
            _ => format!("{escaped}%"),
        };
        // Written as the PostgreSQL expression indexes are, so that they serve it.
        sql.push("(search_fold(").push(column).push(") LIKE ");
        sql.bind(Bind::Text(pattern)).push(" ESCAPE '\\'");
        if modifier == Some(Modifier::Exact) {
            sql.push(" AND ").push(column).push(" = ").bind(Bind::Text(value.to_owned()));
        }
        sql.push(")");
    }
    sql.push(")");
    Ok(())
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
pub fn date<'a>(
    sql: &mut Sql,
    column: &str,
    kind: DateColumn,
    value: &'a SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    let date = |value: &'a SearchValue| match value {
        SearchValue::Date(date) => Some(date),
        _ => None,
    };
    match typed(sql, value, &[column], date)? {
        Some(date) => date_range(sql, column, kind, date, ctx),
        None => Ok(()),
    }
}

/// Date search with a prefix against the implicit range of `value`.
fn date_range(
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
        Prefix::Eq | Prefix::Ne => {
            sql.push(if value.prefix == Prefix::Ne { "NOT (" } else { "(" });
            compare(sql, " >= ", start, false);
            sql.push(" AND ");
            compare(sql, " < ", end, true);
            sql.push(")");
        }
        Prefix::Gt | Prefix::Sa => compare(sql, " >= ", end, true),
        Prefix::Ge => compare(sql, " >= ", start, false),
        Prefix::Lt | Prefix::Eb => compare(sql, " < ", start, false),
        Prefix::Le => compare(sql, " < ", end, true),
        Prefix::Ap => {
            let (low, high) = approximate_local_range(value, ctx);
            sql.push("(");
            compare(sql, " >= ", low, false);
            sql.push(" AND ");
            compare(sql, " < ", high, true);
            sql.push(")");
        }
    }
    Ok(())
}

/// `[low, high)` of an `ap` date value in clinic wall-clock time ([`fhir_search::approximate_range`]).
pub fn approximate_local_range(value: &DateValue, ctx: &MappingContext) -> (NaiveDateTime, NaiveDateTime) {
    let (start, end) = local_range(value, ctx);
    fhir_search::approximate_range(start, end, crate::local_now(ctx))
}

/// Where a quantity's unit is, as SQL expressions: its UCUM system and code, and the unit as
/// displayed (all may be NULL).
pub struct UnitColumns {
    pub system: &'static str,
    pub code: &'static str,
    pub unit: &'static str,
}

/// Quantity search over a numeric column: the prefix against the number and the implicit range
/// of its precision, and the unit when the value gives one. A code without a system matches the
/// UCUM code or the displayed unit; units are compared as written (no UCUM conversion).
pub fn quantity(
    sql: &mut Sql,
    column: &str,
    units: &UnitColumns,
    value: &SearchValue,
) -> Result<(), StoreError> {
    if let Some(quantity) = quantity_value(sql, value, &[column])? {
        quantity_of(sql, column, units, quantity);
    }
    Ok(())
}

/// [`typed`] for quantity parameters.
pub fn quantity_value<'a>(
    sql: &mut Sql,
    value: &'a SearchValue,
    columns: &[&str],
) -> Result<Option<&'a QuantityValue>, StoreError> {
    typed(sql, value, columns, |value| match value {
        SearchValue::Quantity(quantity) => Some(quantity),
        _ => None,
    })
}

/// [`quantity`] for one quantity value.
pub fn quantity_of(sql: &mut Sql, column: &str, units: &UnitColumns, value: &QuantityValue) {
    sql.push("(").push(column).push(" IS NOT NULL AND ");
    number(sql, column, value.prefix, value.number);
    let equals = |sql: &mut Sql, column: &str, text: &str| {
        present_and(sql, column);
        sql.push(" = ").bind(Bind::Text(text.to_owned()));
    };
    match (&value.system, &value.code) {
        (Some(system), Some(code)) => {
            sql.push(" AND ");
            equals(sql, units.system, system);
            sql.push(" AND ");
            equals(sql, units.code, code);
        }
        (Some(system), None) => {
            sql.push(" AND ");
            equals(sql, units.system, system);
        }
        (None, Some(code)) => {
            sql.push(" AND ((");
            equals(sql, units.code, code);
            sql.push(") OR (");
            equals(sql, units.unit, code);
            sql.push("))");
        }
        (None, None) => {}
    }
    sql.push(")");
}

/// A prefix over a numeric column: `eq`, `ne`, `sa` and `eb` use the implicit range of the
/// number's precision, `ap` 10% either side (or that range if wider), the others the number.
fn number(sql: &mut Sql, column: &str, prefix: Prefix, number: Decimal) {
    let (low, high) = number.implicit_range();
    let compare = |sql: &mut Sql, op: &str, bound: f64| {
        sql.push(column).push(op).bind(Bind::Double(bound));
    };
    let between = |sql: &mut Sql, (low, high): (f64, f64), high_op: &str| {
        sql.push("(");
        compare(sql, " >= ", low);
        sql.push(" AND ");
        compare(sql, high_op, high);
        sql.push(")");
    };
    match prefix {
        Prefix::Eq => between(sql, (low, high), " < "),
        Prefix::Ne => {
            sql.push("NOT ");
            between(sql, (low, high), " < ");
        }
        Prefix::Gt => compare(sql, " > ", number.value()),
        Prefix::Lt => compare(sql, " < ", number.value()),
        Prefix::Ge => compare(sql, " >= ", number.value()),
        Prefix::Le => compare(sql, " <= ", number.value()),
        Prefix::Sa => compare(sql, " >= ", high),
        Prefix::Eb => compare(sql, " < ", low),
        Prefix::Ap => between(sql, number.approximate_range(), " <= "),
    }
}

/// A token over a coded column: `codes` maps FHIR codes to the clinic's (several clinic codes
/// may read as one FHIR code); systems other than `system` match nothing.
pub fn code(
    sql: &mut Sql,
    column: &str,
    system: &str,
    codes: &[(&str, &str)],
    value: &SearchValue,
) -> Result<(), StoreError> {
    let Some(token) = token(sql, value, &[column])? else { return Ok(()) };
    if token.system.as_deref().is_some_and(|s| s != system) {
        never(sql);
        return Ok(());
    }
    // `system|`: any code of the system, so only the clinic codes that have one.
    let mut clinic_codes: Vec<&str> = codes
        .iter()
        .filter(|(fhir, _)| token.code.as_deref().is_none_or(|code| code == *fhir))
        .map(|(_, clinic)| *clinic)
        .collect();
    clinic_codes.sort_unstable();
    clinic_codes.dedup();
    if clinic_codes.is_empty() {
        never(sql);
        return Ok(());
    }
    sql.push(column).push(" IN (");
    for (i, clinic) in clinic_codes.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Bind::Text((*clinic).to_owned()));
    }
    sql.push(")");
    Ok(())
}

/// A token over a coded column whose codes several code systems name: `tables` gives, per
/// system, the FHIR codes and the clinic codes they stand for (as [`code`]); without a system
/// the code may be in any of them.
pub fn code_in_systems(
    sql: &mut Sql,
    column: &str,
    tables: &[(&str, &[(&str, &str)])],
    value: &SearchValue,
) -> Result<(), StoreError> {
    let Some(token) = token(sql, value, &[column])? else { return Ok(()) };
    let in_system =
        |(system, _): &&(&str, &[(&str, &str)])| token.system.as_deref().is_none_or(|s| s == *system);
    let codes: Vec<(&str, &str)> =
        tables.iter().filter(in_system).flat_map(|(_, codes)| codes.iter().copied()).collect();
    if codes.is_empty() {
        never(sql);
        return Ok(());
    }
    // The system is checked above; any system the token names is one of the tables'.
    code(sql, column, token.system.as_deref().unwrap_or_default(), &codes, value)
}

/// The columns of a Thai address as the clinic keeps it; FHIR carries the tambon in `city`
/// and the province in `state`.
pub struct AddressColumns {
    pub line: &'static str,
    pub sub_district: &'static str,
    pub district: &'static str,
    pub province: &'static str,
    pub postal_code: &'static str,
}

/// `address` (any part), `address-city`, `address-state` or `address-postalcode`.
pub fn address(
    sql: &mut Sql,
    param: &str,
    columns: &AddressColumns,
    modifier: Option<Modifier>,
    value: &SearchValue,
) -> Result<(), StoreError> {
    let searched: &[&str] = match param {
        "address-city" => &[columns.sub_district],
        "address-state" => &[columns.province],
        "address-postalcode" => &[columns.postal_code],
        _ => &[columns.line, columns.sub_district, columns.district, columns.province, columns.postal_code],
    };
    string(sql, searched, modifier, value)
}

/// A token parameter over an element with one fixed code (`system|code`) that a resource has
/// exactly when `column` has a value (the row key for an element every resource has).
pub fn code_when_present(
    sql: &mut Sql,
    column: &str,
    system: &str,
    code: &str,
    value: &SearchValue,
) -> Result<(), StoreError> {
    if let Some(token) = token(sql, value, &[column])? {
        let fits = token.system.as_deref().is_none_or(|s| s == system)
            && token.code.as_deref().is_none_or(|c| c == code);
        if fits {
            present(sql, &[column]);
        } else {
            never(sql);
        }
    }
    Ok(())
}

/// A `true`/`false` token over a boolean column.
pub fn boolean(sql: &mut Sql, column: &str, value: &SearchValue) -> Result<(), StoreError> {
    match token(sql, value, &[column])?.map(|token| token.code.as_deref()) {
        Some(Some("true")) => sql.push(column).push(" = ").bind(Bind::Bool(true)),
        Some(Some("false")) => sql.push(column).push(" = ").bind(Bind::Bool(false)),
        Some(_) => sql.push("1 = 0"),
        None => sql,
    };
    Ok(())
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
        SearchValue::Present => present(sql, &[column]),
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
        SearchValue::Present => present(sql, &[column]),
        _ => never(sql),
    }
    Ok(())
}

/// `phone`, `email` or `telecom` (either) over the phone and e-mail columns; a token's system
/// is the contact point's system (`phone`, `email`).
pub fn telecom(
    sql: &mut Sql,
    param: &str,
    value: &SearchValue,
    phone: &str,
    email: &str,
) -> Result<(), StoreError> {
    let columns = [("phone", phone), ("email", email)];
    let searched: Vec<(&str, &str)> =
        columns.into_iter().filter(|(system, _)| param == "telecom" || param == *system).collect();
    identifier(sql, value, &searched)
}

/// `identifier=[system]|[value]` where each identifier system is kept in one column.
pub fn identifier(sql: &mut Sql, value: &SearchValue, columns: &[(&str, &str)]) -> Result<(), StoreError> {
    let all: Vec<&str> = columns.iter().map(|(_, column)| *column).collect();
    if let Some(token) = token(sql, value, &all)? {
        token_in_columns(sql, token, columns);
    }
    Ok(())
}

/// [`identifier`] for one token.
pub fn token_in_columns(sql: &mut Sql, token: &TokenValue, columns: &[(&str, &str)]) {
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
            Some(value) => {
                present_and(sql, column);
                sql.push(" = ").bind(Bind::Text(value.clone()))
            }
            None => sql.push(column).push(" IS NOT NULL"),
        };
    }
    sql.push(")");
}

/// `column IS NOT NULL AND column`, to be followed by a comparison. The test is redundant for
/// a table's column, but where a union branch has a NULL in its place it makes PostgreSQL fold
/// the comparison to FALSE, and drop it from an OR, where `NULL = value` would stay and keep
/// the OR's other arms off their indexes.
fn present_and(sql: &mut Sql, column: &str) {
    sql.push(column).push(" IS NOT NULL AND ").push(column);
}
