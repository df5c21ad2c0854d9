//! MedicationRequest <-> `prescriptions`, with the prescribed drug from the clinic's `drugs`
//! catalogue (found by its TMT or clinic code; the catalogue is not written through FHIR).

use std::collections::BTreeMap;

use clinic_db::{DbConnection, DrugRow, PrescriptionRow};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use fhir_mapping::{
    DrugCode, MEDICATION_REQUEST_STATUSES, MappingContext, medication_request_from_fhir,
    medication_request_to_fhir, systems,
};
use fhir_outcome::{Issue, IssueType};
use fhir_search::{SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource, row_key};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::{Bind, Sql};
use crate::writes::{RowRef, VersionedFields, require_rows, require_visit_of_patient};
use crate::{SearchPage, StoreError, Written, local_now};

const PRESCRIPTIONS: Rows = Rows {
    resource_type: "MedicationRequest",
    columns: "m.*, v.patient_id",
    from: "prescriptions m JOIN visits v ON v.id = m.visit_id",
    alias: "m",
    id_prefix: "",
    sorts: &[
        Sort { param: "authoredon", expr: "m.prescribed_at", kind: SortType::Timestamp },
        Sort { param: "status", expr: "m.status", kind: SortType::Text },
    ],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/CodeSystem/medicationrequest-status";
const INTENT_SYSTEM: &str = "http://hl7.org/fhir/CodeSystem/medicationrequest-intent";

/// A prescription with the patient of its visit.
#[derive(QueryableByName)]
pub struct PrescriptionOfPatient {
    #[diesel(embed)]
    pub prescription: PrescriptionRow,
    #[diesel(sql_type = BigInt)]
    pub patient_id: i64,
}

pub struct MedicationRequestKind;

impl ResourceKind for MedicationRequestKind {
    fn resource_type(&self) -> &'static str {
        "MedicationRequest"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("prescriptions")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let row: PrescriptionOfPatient = row_search::found(conn, &PRESCRIPTIONS, id)?;
        let drugs = drugs_by_id(conn, &[row.prescription.fields.drug_id])?;
        to_fhir(&row, &drugs, ctx)
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        medication_request_from_fhir(resource, ctx).err().unwrap_or_default()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let fields = checked_fields(conn, resource, ctx)?;
        let id = fields.insert(conn, local_now(ctx))?;
        Ok(Written::new(self.read(conn, &id.to_string(), ctx)?, true, None))
    }

    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let key = row_key("MedicationRequest", id)?;
        let current: PrescriptionOfPatient = row_search::found(conn, &PRESCRIPTIONS, id)?;
        let replaced = to_fhir(&current, &drugs_by_id(conn, &[current.prescription.fields.drug_id])?, ctx)?;
        let fields = checked_fields(conn, resource, ctx)?;
        fields.update(conn, key, current.prescription.version, expected_version, local_now(ctx))?;
        Ok(Written::new(self.read(conn, id, ctx)?, false, Some(replaced)))
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let statuses: Vec<(&str, &str)> =
            MEDICATION_REQUEST_STATUSES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
        let page = row_search::search::<PrescriptionOfPatient>(
            conn,
            &PRESCRIPTIONS,
            request,
            ctx,
            |sql, name, _, value| {
                match (name, value) {
                    ("patient" | "subject", value) => {
                        predicate::reference(sql, "v.patient_id", "Patient", value, ctx)?
                    }
                    ("encounter", value) => predicate::reference(sql, "m.visit_id", "Encounter", value, ctx)?,
                    ("status", value) => predicate::code(sql, "m.status", STATUS_SYSTEM, &statuses, value)?,
                    // Every prescription is an order (so every row has an intent, as it has a key).
                    ("intent", value) => {
                        predicate::code_when_present(sql, "m.id", INTENT_SYSTEM, "order", value)?
                    }
                    ("authoredon", value) => {
                        predicate::date(sql, "m.prescribed_at", DateColumn::Instant, value, ctx)?
                    }
                    ("requester", value) => {
                        predicate::reference(sql, "m.doctor_id", "Practitioner", value, ctx)?
                    }
                    // The concept's text is the generic name and strength.
                    ("code", text @ SearchValue::String(_)) => {
                        sql.push("m.drug_id IN (SELECT id FROM drugs WHERE ");
                        predicate::string(sql, &["drugs.generic_name"], None, text)?;
                        sql.push(")");
                    }
                    ("code", value) => {
                        sql.push("m.drug_id IN (SELECT id FROM drugs WHERE ");
                        predicate::identifier(
                            sql,
                            value,
                            &[(systems::TMT, "drugs.tmt_code"), (systems::CLINIC_DRUG, "drugs.local_code")],
                        )?;
                        sql.push(")");
                    }
                    _ => return Err(unsupported("MedicationRequest", name)),
                }
                Ok(())
            },
        )?;
        let drug_ids: Vec<i64> = page.rows.iter().map(|row| row.prescription.fields.drug_id).collect();
        let drugs = drugs_by_id(conn, &drug_ids)?;
        Ok(page
            .with_resources(page.rows.iter().map(|row| to_fhir(row, &drugs, ctx)).collect::<Result<_, _>>()?))
    }
}

fn to_fhir(
    row: &PrescriptionOfPatient,
    drugs: &BTreeMap<i64, DrugRow>,
    ctx: &MappingContext,
) -> Result<Value, StoreError> {
    let drug_id = row.prescription.fields.drug_id;
    let drug = drugs
        .get(&drug_id)
        .ok_or_else(|| StoreError::Corrupt(format!("prescription without drug {drug_id}")))?;
    Ok(medication_request_to_fhir(&row.prescription, drug, row.patient_id, ctx))
}

/// The prescription columns of a MedicationRequest whose drug, visit, patient and prescriber
/// all exist and agree.
fn checked_fields(
    conn: &mut DbConnection,
    resource: &Value,
    ctx: &MappingContext,
) -> Result<clinic_db::PrescriptionFields, StoreError> {
    let write = medication_request_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
    let mut fields = write.prescription;
    fields.drug_id = drug_of(conn, &write.drug)?;
    require_visit_of_patient(
        conn,
        fields.visit_id,
        fhir_mapping::subject_patient_id(resource),
        "MedicationRequest.encounter",
        "MedicationRequest.subject",
    )?;
    require_rows(
        conn,
        &[RowRef::new("Practitioner", "doctors", fields.doctor_id, "MedicationRequest.requester")],
    )?;
    Ok(fields)
}

#[derive(QueryableByName)]
struct DrugKey {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The catalogue drug a code names.
fn drug_of(conn: &mut DbConnection, code: &DrugCode) -> Result<i64, StoreError> {
    let (column, value, system) = match code {
        DrugCode::Tmt(value) => ("tmt_code", value, systems::TMT),
        DrugCode::Local(value) => ("local_code", value, systems::CLINIC_DRUG),
    };
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT id FROM drugs WHERE ").push(column).push(" = ").bind(Bind::Text(value.clone()));
    match sql.load::<DrugKey>(conn)?.first() {
        Some(drug) => Ok(drug.id),
        None => Err(StoreError::Unprocessable(vec![
            Issue::error(IssueType::NotFound, format!("the clinic's drug catalogue has no {system}|{value}"))
                .at("MedicationRequest.medicationCodeableConcept"),
        ])),
    }
}

fn drugs_by_id(conn: &mut DbConnection, ids: &[i64]) -> Result<BTreeMap<i64, DrugRow>, StoreError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT * FROM drugs WHERE id IN ").key_list(ids);
    Ok(sql.load::<DrugRow>(conn)?.into_iter().map(|drug| (drug.id, drug)).collect())
}
