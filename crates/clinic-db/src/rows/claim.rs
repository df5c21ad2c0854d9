//! `claims` and their `claim_items`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{claim_items, claims};

/// A claims row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = claims)]
pub struct ClaimRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: ClaimFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a claim that a FHIR write sets (`created_at` too: it is `Claim.created`).
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = claims, treat_none_as_null = true)]
pub struct ClaimFields {
    pub claim_no: String,
    pub visit_id: Option<i64>,
    pub patient_id: i64,
    pub coverage_id: Option<i64>,
    pub insurer_id: i64,
    pub branch_id: i64,
    pub claim_use: String,
    pub claim_type: String,
    pub status: String,
    pub priority: String,
    pub total_satang: i64,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
}

/// A claim_items row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = claim_items)]
pub struct ClaimItemRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: ClaimItemFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a claim item that a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = claim_items, treat_none_as_null = true)]
pub struct ClaimItemFields {
    pub claim_id: i64,
    pub seq: i32,
    pub category: String,
    pub item_code: String,
    pub item_name: Option<String>,
    pub quantity: i32,
    pub unit_price_satang: i64,
    pub net_satang: i64,
}
