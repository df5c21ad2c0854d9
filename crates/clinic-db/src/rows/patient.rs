//! `patients`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::patients;

/// A patients row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = patients)]
pub struct PatientRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: PatientFields,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a patient that a FHIR write sets. An update replaces all of them: a field the
/// client left out becomes NULL, as PUT semantics require.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = patients, treat_none_as_null = true)]
pub struct PatientFields {
    pub hn: String,
    pub national_id: Option<String>,
    pub passport_no: Option<String>,
    pub passport_country: Option<String>,
    pub title_th: Option<String>,
    pub first_name_th: Option<String>,
    pub last_name_th: Option<String>,
    pub first_name_en: Option<String>,
    pub last_name_en: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address_line: Option<String>,
    pub sub_district: Option<String>,
    pub district: Option<String>,
    pub province: Option<String>,
    pub postal_code: Option<String>,
    pub nationality: Option<String>,
    pub deceased: bool,
    pub deceased_at: Option<NaiveDateTime>,
    pub primary_doctor_id: Option<i64>,
    pub registered_branch_id: Option<i64>,
    pub active: bool,
    /// The patient's MOPH Connect user id.
    pub moph_user_id: Option<String>,
}
