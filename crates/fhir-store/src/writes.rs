//! What every writable kind shares: versioned inserts and updates of its row, checking the
//! rows a resource references exist, and the patient a visit belongs to.

use chrono::NaiveDateTime;
use clinic_db::DbConnection;
use clinic_db::schema;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use fhir_outcome::{Issue, IssueType};

use crate::StoreError;
use crate::sql::{Bind, Count, Sql};

/// The write columns of a table whose rows carry `updated_at` and a `version` counter.
pub trait VersionedFields {
    /// Inserts a row at version 1; its key.
    fn insert(&self, conn: &mut DbConnection, now: NaiveDateTime) -> Result<i64, StoreError>;

    /// Replaces the columns of row `id` as version + 1 if it is still at `expected` (the
    /// client's `If-Match`) or else at `current`, the version just read: a concurrent writer
    /// causes a conflict instead of a lost update.
    fn update(
        &self,
        conn: &mut DbConnection,
        id: i64,
        current: i32,
        expected: Option<i32>,
        now: NaiveDateTime,
    ) -> Result<(), StoreError>;
}

macro_rules! versioned {
    ($fields:ty => $table:ident $(, $created_at:ident)?) => {
        impl VersionedFields for $fields {
            fn insert(&self, conn: &mut DbConnection, now: NaiveDateTime) -> Result<i64, StoreError> {
                use schema::$table::dsl;
                Ok(diesel::insert_into(dsl::$table)
                    .values((self, $(dsl::$created_at.eq(now),)? dsl::updated_at.eq(now), dsl::version.eq(1)))
                    .returning(dsl::id)
                    .get_result(conn)?)
            }

            fn update(
                &self,
                conn: &mut DbConnection,
                id: i64,
                current: i32,
                expected: Option<i32>,
                now: NaiveDateTime,
            ) -> Result<(), StoreError> {
                use schema::$table::dsl;
                let version = expected.unwrap_or(current);
                let changed = diesel::update(dsl::$table.find(id).filter(dsl::version.eq(version)))
                    .set((self, dsl::updated_at.eq(now), dsl::version.eq(dsl::version + 1)))
                    .execute(conn)?;
                if changed == 1 { Ok(()) } else { Err(StoreError::VersionConflict { current }) }
            }
        }
    };
}

versioned!(clinic_db::PatientFields => patients, created_at);
versioned!(clinic_db::VisitFields => visits);
versioned!(clinic_db::VitalSignsFields => vital_signs);
versioned!(clinic_db::LabResultFields => lab_results);
versioned!(clinic_db::PrescriptionFields => prescriptions);
versioned!(clinic_db::AppointmentFields => appointments, created_at);
versioned!(clinic_db::ClaimFields => claims);
versioned!(clinic_db::ClaimItemFields => claim_items);
versioned!(clinic_db::ClinicalNoteFields => clinical_notes);
versioned!(clinic_db::SubscriptionFields => fhir_subscriptions, created_at);

/// A clinic row a resource references, and where in the resource.
pub struct RowRef {
    pub resource_type: &'static str,
    /// What precedes the row key in the resource id (`insurer-` for insurer Organizations).
    pub id_prefix: &'static str,
    pub table: &'static str,
    pub key: Option<i64>,
    pub path: String,
}

impl RowRef {
    pub fn new(resource_type: &'static str, table: &'static str, key: Option<i64>, path: &str) -> RowRef {
        RowRef { resource_type, id_prefix: "", table, key, path: path.to_owned() }
    }

    /// The same reference to a row whose resource ids carry `id_prefix`.
    pub fn with_id_prefix(self, id_prefix: &'static str) -> RowRef {
        RowRef { id_prefix, ..self }
    }
}

/// Every referenced row must exist; each that does not is an issue at its path (422).
pub fn require_rows(conn: &mut DbConnection, refs: &[RowRef]) -> Result<(), StoreError> {
    let mut issues = Vec::new();
    for reference in refs {
        let Some(key) = reference.key else { continue };
        let mut sql = Sql::new(conn.backend());
        sql.push("SELECT count(*) AS count FROM ").push(reference.table);
        sql.push(" WHERE id = ").bind(Bind::BigInt(key));
        if sql.load::<Count>(conn)?.first().is_none_or(|c| c.count == 0) {
            issues.push(
                Issue::error(
                    IssueType::NotFound,
                    format!("{}/{}{key} does not exist", reference.resource_type, reference.id_prefix),
                )
                .at(reference.path.clone()),
            );
        }
    }
    if issues.is_empty() { Ok(()) } else { Err(StoreError::Unprocessable(issues)) }
}

#[derive(QueryableByName)]
struct PatientOfRow {
    #[diesel(sql_type = BigInt)]
    patient_id: i64,
}

/// The patient of row `key` of `table` (a table with a `patient_id`), if the row exists.
pub fn patient_of(conn: &mut DbConnection, table: &str, key: i64) -> Result<Option<i64>, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT patient_id FROM ").push(table).push(" WHERE id = ").bind(Bind::BigInt(key));
    Ok(sql.load::<PatientOfRow>(conn)?.first().map(|row| row.patient_id))
}

/// A resource recorded in a visit must name the visit's patient as its subject (or patient): the
/// clinic keeps the patient only through the visit. `encounter_path`/`subject_path` name the
/// elements.
pub fn require_visit_of_patient(
    conn: &mut DbConnection,
    visit_id: i64,
    subject: Option<i64>,
    encounter_path: &str,
    subject_path: &str,
) -> Result<i64, StoreError> {
    let Some(patient) = patient_of(conn, "visits", visit_id)? else {
        return Err(StoreError::Unprocessable(vec![
            Issue::error(IssueType::NotFound, format!("Encounter/{visit_id} does not exist"))
                .at(encounter_path),
        ]));
    };
    if subject != Some(patient) {
        return Err(StoreError::Unprocessable(vec![
            Issue::error(
                IssueType::BusinessRule,
                format!("expected Patient/{patient}, the patient of Encounter/{visit_id}"),
            )
            .at(subject_path),
        ]));
    }
    Ok(patient)
}
