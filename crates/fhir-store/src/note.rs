//! DocumentReference <-> `clinical_notes` (SOAP notes), the patient from the note's visit.

use clinic_db::{ClinicalNoteFields, ClinicalNoteRow, DbConnection};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use fhir_mapping::{
    DOCUMENT_REFERENCE_STATUSES, MappingContext, NOTE_RETRACTED, NOTE_TYPES, document_reference_from_fhir,
    document_reference_to_fhir, systems,
};
use fhir_search::{SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::writes::{RowRef, VersionedFields, require_rows, require_visit_of_patient};
use crate::{SearchPage, StoreError, Written, local_now};

const NOTES: Rows = Rows {
    resource_type: "DocumentReference",
    columns: "n.*, v.patient_id",
    from: "clinical_notes n JOIN visits v ON v.id = n.visit_id",
    alias: "n",
    id_prefix: "",
    sorts: &[Sort { param: "date", expr: "n.written_at", kind: SortType::Timestamp }],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/document-reference-status";

/// A note with the patient of its visit.
#[derive(QueryableByName)]
pub struct NoteOfPatient {
    #[diesel(embed)]
    pub note: ClinicalNoteRow,
    #[diesel(sql_type = BigInt)]
    pub patient_id: i64,
}

pub struct DocumentReferenceKind;

impl ResourceKind for DocumentReferenceKind {
    fn resource_type(&self) -> &'static str {
        "DocumentReference"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("clinical_notes")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let row: NoteOfPatient = row_search::found(conn, &NOTES, id)?;
        Ok(document_reference_to_fhir(&row.note, row.patient_id, ctx))
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        document_reference_from_fhir(resource, ctx).err().unwrap_or_default()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let fields = checked_fields(conn, resource, ctx)?;
        let key = fields.insert(conn, local_now(ctx))?;
        Ok(Written::new(self.read(conn, &key.to_string(), ctx)?, true, None))
    }

    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let current: NoteOfPatient = row_search::found(conn, &NOTES, id)?;
        let fields = checked_fields(conn, resource, ctx)?;
        self.write_version(conn, &current, expected_version, &fields, ctx)
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let statuses: Vec<(&str, &str)> =
            DOCUMENT_REFERENCE_STATUSES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
        let types: Vec<(&str, &str)> =
            NOTE_TYPES.iter().map(|(clinic, loinc, _)| (*loinc, *clinic)).collect();
        let page = row_search::search::<NoteOfPatient>(conn, &NOTES, request, ctx, |sql, name, _, value| {
            match (name, value) {
                ("patient" | "subject", value) => {
                    predicate::reference(sql, "v.patient_id", "Patient", value, ctx)?
                }
                ("encounter", value) => predicate::reference(sql, "n.visit_id", "Encounter", value, ctx)?,
                ("type", text @ SearchValue::String(_)) => {
                    let displays: Vec<(&str, &str)> =
                        NOTE_TYPES.iter().map(|(clinic, _, display)| (*display, *clinic)).collect();
                    predicate::code_text(sql, "n.note_type", &displays, text)?
                }
                ("type", value) => predicate::code(sql, "n.note_type", systems::LOINC, &types, value)?,
                ("date", value) => predicate::date(sql, "n.written_at", DateColumn::Instant, value, ctx)?,
                ("status", value) => predicate::code(sql, "n.status", STATUS_SYSTEM, &statuses, value)?,
                ("author", value) => {
                    predicate::reference(sql, "n.author_doctor_id", "Practitioner", value, ctx)?
                }
                _ => return Err(unsupported("DocumentReference", name)),
            }
            Ok(())
        })?;
        Ok(page.into_resources(|row| document_reference_to_fhir(&row.note, row.patient_id, ctx)))
    }

    fn delete_effect(&self) -> Option<&'static str> {
        Some(
            "The clinic never removes a clinical note: delete retracts it (status retracted, read \
             as entered-in-error) as a new version, and the resource reads as deleted (410) until \
             a later update, from FHIR or the clinic application, supersedes that version.",
        )
    }

    fn in_deleted_state(&self, resource: &Value) -> bool {
        resource["status"] == "entered-in-error"
    }

    fn delete(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Written, StoreError> {
        let current: NoteOfPatient = row_search::found(conn, &NOTES, id)?;
        let fields = ClinicalNoteFields { status: NOTE_RETRACTED.into(), ..current.note.fields.clone() };
        self.write_version(conn, &current, None, &fields, ctx)
    }
}

impl DocumentReferenceKind {
    /// Writes `fields` as the next version of `current`, if it is still at the version the write
    /// is based on (`expected_version`, or the one just read).
    fn write_version(
        &self,
        conn: &mut DbConnection,
        current: &NoteOfPatient,
        expected_version: Option<i32>,
        fields: &ClinicalNoteFields,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let key = current.note.id;
        fields.update(conn, key, current.note.version, expected_version, local_now(ctx))?;
        Ok(Written::new(
            self.read(conn, &key.to_string(), ctx)?,
            false,
            Some(document_reference_to_fhir(&current.note, current.patient_id, ctx)),
        ))
    }
}

/// The note columns of a DocumentReference whose visit and author exist and whose subject is
/// the visit's patient.
fn checked_fields(
    conn: &mut DbConnection,
    resource: &Value,
    ctx: &MappingContext,
) -> Result<ClinicalNoteFields, StoreError> {
    let fields = document_reference_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
    require_visit_of_patient(
        conn,
        fields.visit_id,
        fhir_mapping::subject_patient_id(resource),
        "DocumentReference.context.encounter[0]",
        "DocumentReference.subject",
    )?;
    require_rows(
        conn,
        &[RowRef::new(
            "Practitioner",
            "doctors",
            Some(fields.author_doctor_id),
            "DocumentReference.author[0]",
        )],
    )?;
    Ok(fields)
}
