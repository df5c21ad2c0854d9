//! `visits`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::visits;

/// A visits row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = visits)]
pub struct VisitRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: VisitFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a visit that a FHIR write sets (all of them, as PUT replaces the resource).
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = visits, treat_none_as_null = true)]
pub struct VisitFields {
    pub vn: String,
    pub patient_id: i64,
    pub doctor_id: Option<i64>,
    pub branch_id: i64,
    pub appointment_id: Option<i64>,
    pub coverage_id: Option<i64>,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub chief_complaint: Option<String>,
    pub visit_type: String,
    pub status: String,
}
