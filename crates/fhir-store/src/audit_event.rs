//! AuditEvent (the audit trail, `fhir_audit_events`): read and search only. Records are
//! appended by the server as requests are answered and never change (the table refuses it).

use clinic_db::{AuditEventRow, DbConnection};
use fhir_mapping::{
    AUDIT_ACTIONS, AUDIT_OUTCOMES, MappingContext, RESTFUL_INTERACTIONS, RESTFUL_OPERATION,
    TOKEN_INTERACTION, USER_AUTHENTICATION, audit_event_to_fhir, systems,
};
use fhir_search::{SearchRequest, SearchValue, TokenValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::{Bind, Sql};
use crate::{SearchPage, StoreError};

const AUDIT_EVENTS: Rows = Rows {
    resource_type: "AuditEvent",
    columns: "a.*",
    from: "fhir_audit_events a",
    alias: "a",
    id_prefix: "",
    sorts: &[Sort { param: "date", expr: "a.updated_at", kind: SortType::Timestamp }],
};

/// `a.resources` between spaces, so that `LIKE '% Patient/4 %'` finds exactly `Patient/4`.
const PADDED_RESOURCES: &str = "(' ' || a.resources || ' ')";

pub struct AuditEventKind;

impl ResourceKind for AuditEventKind {
    fn resource_type(&self) -> &'static str {
        "AuditEvent"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("fhir_audit_events")];
        SOURCES
    }

    fn in_system_history(&self) -> bool {
        false
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(audit_event_to_fhir(&row_search::found(conn, &AUDIT_EVENTS, id)?, ctx))
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = row_search::search::<AuditEventRow>(
            conn,
            &AUDIT_EVENTS,
            request,
            ctx,
            |sql, name, modifier, value| {
                match (name, value) {
                    ("date", value) => predicate::date(sql, "a.updated_at", DateColumn::Instant, value, ctx)?,
                    ("altid", value) => {
                        if let Some(token) = predicate::token(sql, value, &["a.client_id"])? {
                            plain_token(sql, "a.client_id", token);
                        }
                    }
                    ("address", value) => predicate::string(sql, &["a.source_address"], modifier, value)?,
                    ("subtype", value) => {
                        let interactions = RESTFUL_INTERACTIONS.map(|code| (code, code));
                        predicate::code(
                            sql,
                            "a.interaction",
                            systems::RESTFUL_INTERACTION,
                            &interactions,
                            value,
                        )?
                    }
                    ("action", value) => predicate::code(
                        sql,
                        "a.interaction",
                        systems::AUDIT_EVENT_ACTION,
                        &AUDIT_ACTIONS,
                        value,
                    )?,
                    ("outcome", value) => {
                        if let Some(token) = predicate::token(sql, value, &["a.status"])? {
                            outcome(sql, token);
                        }
                    }
                    ("type", value) => {
                        if let Some(token) = predicate::token(sql, value, &["a.interaction"])? {
                            event_type(sql, token);
                        }
                    }
                    ("entity", value) => touched(sql, None, value)?,
                    ("patient", value) => touched(sql, Some("Patient"), value)?,
                    _ => return Err(unsupported("AuditEvent", name)),
                }
                Ok(())
            },
        )?;
        Ok(page.into_resources(|row| audit_event_to_fhir(row, ctx)))
    }
}

/// A token over a text column without a code system (a client id): `|value` and `value` match it.
fn plain_token(sql: &mut Sql, column: &str, token: &TokenValue) {
    match (token.system.as_deref().is_none_or(str::is_empty), &token.code) {
        (true, Some(code)) => {
            sql.push(column).push(" = ").bind(Bind::Text(code.clone()));
        }
        (true, None) => {
            sql.push(column).push(" IS NOT NULL");
        }
        (false, _) => predicate::never(sql),
    }
}

/// AuditEvent.outcome: the range of HTTP statuses each code stands for.
fn outcome(sql: &mut Sql, token: &TokenValue) {
    if token.system.as_deref().is_some_and(|s| s != systems::AUDIT_EVENT_OUTCOME) {
        return predicate::never(sql);
    }
    let Some(code) = token.code.as_deref() else {
        sql.push("1 = 1");
        return;
    };
    match AUDIT_OUTCOMES.iter().find(|(outcome, _, _, _)| *outcome == code) {
        Some((_, _, from, to)) => {
            sql.push("(a.status >= ").bind(Bind::BigInt(i64::from(*from)));
            sql.push(" AND a.status < ").bind(Bind::BigInt(i64::from(*to))).push(")");
        }
        None => predicate::never(sql),
    }
}

/// AuditEvent.type: token requests are user authentications, every other request a RESTful
/// operation.
fn event_type(sql: &mut Sql, token: &TokenValue) {
    let token_request = (systems::DICOM, USER_AUTHENTICATION.0);
    let restful = (systems::AUDIT_EVENT_TYPE, RESTFUL_OPERATION.0);
    let matches = |(system, code): (&str, &str)| {
        token.system.as_deref().is_none_or(|s| s == system) && token.code.as_deref().is_none_or(|c| c == code)
    };
    let operator = match (matches(token_request), matches(restful)) {
        (true, true) => {
            sql.push("1 = 1");
            return;
        }
        (true, false) => " = ",
        (false, true) => " <> ",
        (false, false) => return predicate::never(sql),
    };
    sql.push("a.interaction").push(operator).bind(Bind::Text(TOKEN_INTERACTION.to_owned()));
}

/// `entity` (any type, or `patient`: Patient only): the request touched `[type/]id`.
fn touched(sql: &mut Sql, only_type: Option<&str>, value: &SearchValue) -> Result<(), StoreError> {
    let SearchValue::Reference { resource_type, id } = value else {
        return Err(StoreError::InvalidSearch("searches cannot be chained through AuditEvent.entity".into()));
    };
    let resource_type = match (resource_type.as_deref(), only_type) {
        (Some(given), Some(only)) if given != only => {
            predicate::never(sql);
            return Ok(());
        }
        (given, only) => given.or(only),
    };
    // Ids are [A-Za-z0-9.-], but a search value may hold anything: LIKE's wildcards are escaped.
    let pattern = format!(
        "% {}/{} %",
        resource_type.map_or("%".to_owned(), predicate::escape_like),
        predicate::escape_like(id)
    );
    sql.push(PADDED_RESOURCES).push(" LIKE ").bind(Bind::Text(pattern)).push(" ESCAPE '\\'");
    Ok(())
}
