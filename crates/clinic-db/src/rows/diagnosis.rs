//! `diagnoses`: ICD-10 diagnoses of a visit, read-only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::diagnoses;

/// A diagnoses row. `icd10` is kept without the dot (E119), as Thai systems do.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = diagnoses)]
pub struct DiagnosisRow {
    pub id: i64,
    pub visit_id: i64,
    pub icd10: String,
    /// Thai OPD diagnosis type: 1 principal, 2 comorbidity, 3 complication, 4 other,
    /// 5 external cause.
    pub diag_type: i16,
    pub doctor_id: Option<i64>,
    pub diagnosed_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
