//! `patient_coverages`: a patient's right to treatment (สิทธิการรักษา), read-only.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::patient_coverages;

/// A patient_coverages row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = patient_coverages)]
pub struct CoverageRow {
    pub id: i64,
    pub patient_id: i64,
    pub insurer_id: i64,
    /// UCS, SSS, OFC, LGO, PRIVATE or SELF.
    pub scheme: String,
    pub member_no: Option<String>,
    pub plan_name: Option<String>,
    /// hmain: the MOPH code of the patient's registered main hospital.
    pub main_hospital_code: Option<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    /// `active`, `cancelled` or `expired`.
    pub status: String,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
