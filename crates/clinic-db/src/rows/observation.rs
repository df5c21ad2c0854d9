//! `vital_signs` and `lab_results`, the tables Observations are read from.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{lab_results, vital_signs};

/// A vital_signs row as stored: one set of measurements taken at one time during a visit.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = vital_signs)]
pub struct VitalSignsRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: VitalSignsFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a vital_signs row that a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = vital_signs, treat_none_as_null = true)]
pub struct VitalSignsFields {
    pub visit_id: i64,
    pub measured_at: NaiveDateTime,
    pub weight_kg: Option<f64>,
    pub height_cm: Option<f64>,
    pub bp_systolic: Option<i32>,
    pub bp_diastolic: Option<i32>,
    pub pulse_rate: Option<i32>,
    pub temperature_c: Option<f64>,
    pub respiratory_rate: Option<i32>,
    pub spo2: Option<i32>,
}

/// A lab_results row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = lab_results)]
pub struct LabResultRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: LabResultFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a lab result that a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = lab_results, treat_none_as_null = true)]
pub struct LabResultFields {
    pub visit_id: i64,
    pub local_code: String,
    pub loinc_code: Option<String>,
    pub test_name: String,
    pub value_numeric: Option<f64>,
    pub value_text: Option<String>,
    pub unit: Option<String>,
    pub ref_low: Option<f64>,
    pub ref_high: Option<f64>,
    pub ref_text: Option<String>,
    pub flag: Option<String>,
    pub status: String,
    pub collected_at: Option<NaiveDateTime>,
    pub reported_at: Option<NaiveDateTime>,
}
