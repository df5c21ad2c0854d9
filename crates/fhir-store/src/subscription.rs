//! Subscription (the facade's own `fhir_subscriptions`): rest-hook webhooks. Delete turns a
//! subscription off. Writes that match an active subscription are announced through the
//! outbox (`outbox`).

use clinic_db::{DbConnection, SubscriptionFields, SubscriptionRow};
use fhir_mapping::{
    FHIR_JSON, MappingContext, SUBSCRIPTION_OFF, subscription_from_fhir, subscription_to_fhir,
};
use fhir_outcome::{Issue, IssueType};
use fhir_search::{Handling, SearchRequest};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::writes::VersionedFields;
use crate::{SearchPage, StoreError, Written, kind_of, local_now, predicate};

pub(crate) const SUBSCRIPTIONS: Rows = Rows {
    resource_type: "Subscription",
    columns: "s.*",
    from: "fhir_subscriptions s",
    alias: "s",
    id_prefix: "",
    sorts: &[Sort { param: "status", expr: "s.status", kind: SortType::Text }],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/subscription-status";
const STATUSES: [(&str, &str); 4] =
    [("requested", "requested"), ("active", "active"), ("error", "error"), ("off", "off")];

pub struct SubscriptionKind;

/// The search a subscription's criteria stand for; an issue at `Subscription.criteria` when
/// it is not a search of a type clients write (only their writes are announced).
pub(crate) fn criteria_search(criteria: &str) -> Result<(&str, SearchRequest), Vec<Issue>> {
    let (resource_type, query) = criteria.split_once('?').unwrap_or((criteria, ""));
    let at = |issue: Issue| vec![issue.at("Subscription.criteria")];
    if !kind_of(resource_type).is_ok_and(|kind| kind.writable()) || resource_type == "Subscription" {
        return Err(at(Issue::error(
            IssueType::NotSupported,
            format!("'{resource_type}' is not a type whose changes this server announces"),
        )));
    }
    fhir_search::parse(resource_type, query, Handling::Strict)
        .map(|request| (resource_type, request))
        .map_err(|issues| {
            issues
                .into_iter()
                .map(|issue| Issue {
                    diagnostics: format!("criteria: {}", issue.diagnostics),
                    expression: vec!["Subscription.criteria".into()],
                    ..issue
                })
                .collect()
        })
}

fn checked_fields(resource: &Value, ctx: &MappingContext) -> Result<SubscriptionFields, StoreError> {
    let fields = subscription_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
    criteria_search(&fields.criteria).map_err(StoreError::Unprocessable)?;
    Ok(fields)
}

impl ResourceKind for SubscriptionKind {
    fn resource_type(&self) -> &'static str {
        "Subscription"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("fhir_subscriptions")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(subscription_to_fhir(&row_search::found(conn, &SUBSCRIPTIONS, id)?, ctx))
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<Issue> {
        match checked_fields(resource, ctx) {
            Err(StoreError::Unprocessable(issues)) => issues,
            _ => Vec::new(),
        }
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let key = checked_fields(resource, ctx)?.insert(conn, local_now(ctx))?;
        Ok(Written::new(self.read(conn, &key.to_string(), ctx)?, true, None))
    }

    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let current: SubscriptionRow = row_search::found(conn, &SUBSCRIPTIONS, id)?;
        let fields = checked_fields(resource, ctx)?;
        self.write_version(conn, &current, expected_version, &fields, ctx)
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = row_search::search::<SubscriptionRow>(
            conn,
            &SUBSCRIPTIONS,
            request,
            ctx,
            |sql, name, modifier, value| {
                match name {
                    "status" => predicate::code(sql, "s.status", STATUS_SYSTEM, &STATUSES, value)?,
                    "type" => predicate::code(
                        sql,
                        "'rest-hook'",
                        "http://hl7.org/fhir/subscription-channel-type",
                        &[("rest-hook", "rest-hook")],
                        value,
                    )?,
                    "payload" => predicate::code(
                        sql,
                        "s.payload",
                        "urn:ietf:bcp:13",
                        &[(FHIR_JSON, FHIR_JSON)],
                        value,
                    )?,
                    "criteria" => predicate::string(sql, &["s.criteria"], modifier, value)?,
                    _ => return Err(unsupported("Subscription", name)),
                }
                Ok(())
            },
        )?;
        Ok(page.into_resources(|row| subscription_to_fhir(row, ctx)))
    }

    fn delete_effect(&self) -> Option<&'static str> {
        Some(
            "Delete turns the subscription off (status off) as a new version; nothing more is \
             delivered for it and it reads as deleted (410) until an update turns it on again.",
        )
    }

    fn in_deleted_state(&self, resource: &Value) -> bool {
        resource["status"] == SUBSCRIPTION_OFF
    }

    fn delete(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Written, StoreError> {
        let current: SubscriptionRow = row_search::found(conn, &SUBSCRIPTIONS, id)?;
        let fields = SubscriptionFields { status: SUBSCRIPTION_OFF.into(), ..current.fields.clone() };
        self.write_version(conn, &current, None, &fields, ctx)
    }
}

impl SubscriptionKind {
    fn write_version(
        &self,
        conn: &mut DbConnection,
        current: &SubscriptionRow,
        expected_version: Option<i32>,
        fields: &SubscriptionFields,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        fields.update(conn, current.id, current.version, expected_version, local_now(ctx))?;
        Ok(Written::new(
            self.read(conn, &current.id.to_string(), ctx)?,
            false,
            Some(subscription_to_fhir(current, ctx)),
        ))
    }
}
