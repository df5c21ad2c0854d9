//! `appointments`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::appointments;

/// An appointments row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = appointments)]
pub struct AppointmentRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: AppointmentFields,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of an appointment that a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = appointments, treat_none_as_null = true)]
pub struct AppointmentFields {
    pub patient_id: i64,
    pub doctor_id: Option<i64>,
    pub branch_id: i64,
    pub start_at: NaiveDateTime,
    pub duration_min: i32,
    pub appt_type: String,
    pub status: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub queue_no: Option<String>,
}
