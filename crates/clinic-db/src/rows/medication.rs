//! `prescriptions` and the `drugs` catalogue they point at.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{drugs, prescriptions};

/// A prescriptions row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = prescriptions)]
pub struct PrescriptionRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: PrescriptionFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a prescription that a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = prescriptions, treat_none_as_null = true)]
pub struct PrescriptionFields {
    pub visit_id: i64,
    pub drug_id: i64,
    pub doctor_id: Option<i64>,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub frequency: Option<String>,
    pub route: Option<String>,
    pub duration_days: Option<i32>,
    pub quantity: Option<i32>,
    pub sig_text: Option<String>,
    pub status: String,
    pub dispensed: bool,
    pub dispensed_at: Option<NaiveDateTime>,
    pub prescribed_at: NaiveDateTime,
}

/// A drugs row: the clinic's drug catalogue, read-only through FHIR.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = drugs)]
pub struct DrugRow {
    pub id: i64,
    pub local_code: String,
    pub tmt_code: Option<String>,
    pub generic_name: String,
    pub trade_name: Option<String>,
    pub strength: Option<String>,
    pub dosage_form: Option<String>,
    pub dispense_unit: String,
    pub unit_price_satang: Option<i64>,
    pub active: bool,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
