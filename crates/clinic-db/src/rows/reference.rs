//! `branches`, `doctors` and `insurers`: reference data the clinic application maintains and
//! the facade only reads.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::{branches, doctors, insurers};

/// A branches row: one clinic site (also served as an Organization and a Location).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = branches)]
pub struct BranchRow {
    pub id: i64,
    pub code: String,
    /// MOPH 5-digit health facility code.
    pub hcode: Option<String>,
    pub name_th: String,
    pub name_en: Option<String>,
    /// `clinic`, `hospital` or `telemedicine`.
    pub branch_type: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_line: Option<String>,
    pub sub_district: Option<String>,
    pub district: Option<String>,
    pub province: Option<String>,
    pub postal_code: Option<String>,
    pub active: bool,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// A doctors row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = doctors)]
pub struct DoctorRow {
    pub id: i64,
    /// Licence number without its council prefix (12345 for ว.12345).
    pub license_no: String,
    pub title_th: Option<String>,
    pub first_name_th: String,
    pub last_name_th: String,
    pub first_name_en: Option<String>,
    pub last_name_en: Option<String>,
    /// M/F/O/U.
    pub sex: Option<String>,
    pub specialty: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub branch_id: Option<i64>,
    pub active: bool,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// An insurers row: a payer (NHSO, SSO, CGD or a private insurer).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = insurers)]
pub struct InsurerRow {
    pub id: i64,
    pub code: String,
    pub name_th: String,
    pub name_en: Option<String>,
    /// `government` or `private`.
    pub insurer_type: String,
    pub phone: Option<String>,
    pub active: bool,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}
