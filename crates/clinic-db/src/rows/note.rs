//! `clinical_notes` (SOAP notes).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::clinical_notes;

/// A clinical_notes row as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = clinical_notes)]
pub struct ClinicalNoteRow {
    pub id: i64,
    #[diesel(embed)]
    pub fields: ClinicalNoteFields,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

/// The columns of a clinical note that a FHIR write sets.
#[derive(
    Debug, Clone, Default, PartialEq, Queryable, Selectable, QueryableByName, Insertable, AsChangeset,
)]
#[diesel(table_name = clinical_notes, treat_none_as_null = true)]
pub struct ClinicalNoteFields {
    pub visit_id: i64,
    pub author_doctor_id: i64,
    pub note_type: String,
    pub subjective: Option<String>,
    pub objective: Option<String>,
    pub assessment: Option<String>,
    pub plan: Option<String>,
    pub status: String,
    pub written_at: NaiveDateTime,
}
