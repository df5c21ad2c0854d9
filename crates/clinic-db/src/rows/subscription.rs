//! `fhir_subscriptions` (the facade's own table: clients' rest-hook Subscriptions).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::fhir_subscriptions;

/// A fhir_subscriptions row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = fhir_subscriptions)]
pub struct SubscriptionRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: SubscriptionFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = fhir_subscriptions, treat_none_as_null = true)]
pub struct SubscriptionFields {
    pub owner_client_id: String,
    pub status: String,
    pub reason: String,
    pub criteria: String,
    pub criteria_type: String,
    pub endpoint: String,
    pub payload: Option<String>,
    /// `channel.header`, one per line.
    pub headers: String,
    pub end_time: Option<NaiveDateTime>,
    pub error: Option<String>,
    pub contact: Option<String>,
}
