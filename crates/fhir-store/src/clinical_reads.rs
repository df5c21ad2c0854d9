//! Condition (diagnoses) and Coverage (patient coverages): read-only here, because the clinic
//! records diagnoses and rights to treatment in its own workflow.

use clinic_db::{CoverageRow, DbConnection, DiagnosisRow};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use fhir_mapping::{
    INSURANCE_SCHEMES, MappingContext, condition_to_fhir, coverage_to_fhir, icd10_without_dot, systems,
};
use fhir_search::{SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::Bind;
use crate::{SearchPage, StoreError};

/// A diagnosis with the patient of its visit (a Condition's subject).
#[derive(QueryableByName)]
pub struct DiagnosisOfPatient {
    #[diesel(embed)]
    pub diagnosis: DiagnosisRow,
    #[diesel(sql_type = BigInt)]
    pub patient_id: i64,
}

const DIAGNOSES: Rows = Rows {
    resource_type: "Condition",
    columns: "c.*, v.patient_id",
    from: "diagnoses c JOIN visits v ON v.id = c.visit_id",
    alias: "c",
    id_prefix: "",
    sorts: &[
        Sort { param: "recorded-date", expr: "c.diagnosed_at", kind: SortType::Timestamp },
        Sort { param: "code", expr: "c.icd10", kind: SortType::Text },
    ],
};

const COVERAGES: Rows = Rows {
    resource_type: "Coverage",
    columns: "c.*",
    from: "patient_coverages c",
    alias: "c",
    id_prefix: "",
    sorts: &[],
};

pub struct ConditionKind;

impl ResourceKind for ConditionKind {
    fn resource_type(&self) -> &'static str {
        "Condition"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("diagnoses")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let row: DiagnosisOfPatient = row_search::found(conn, &DIAGNOSES, id)?;
        Ok(condition_to_fhir(&row.diagnosis, row.patient_id, ctx))
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = row_search::search::<DiagnosisOfPatient>(
            conn,
            &DIAGNOSES,
            request,
            ctx,
            |sql, name, _, value| {
                match (name, value) {
                    ("patient" | "subject", value) => {
                        predicate::reference(sql, "v.patient_id", "Patient", value, ctx)?
                    }
                    ("encounter", value) => predicate::reference(sql, "c.visit_id", "Encounter", value, ctx)?,
                    ("code", value) => {
                        let Some(token) = predicate::token(sql, value, &["c.icd10"])? else { return Ok(()) };
                        match (&token.code, token.system.as_deref().is_none_or(|s| s == systems::ICD_10)) {
                            (Some(code), true) => {
                                sql.push("c.icd10 = ").bind(Bind::Text(icd10_without_dot(code)));
                            }
                            (None, true) => {
                                sql.push("c.icd10 IS NOT NULL");
                            }
                            (_, false) => predicate::never(sql),
                        }
                    }
                    ("recorded-date", value) => {
                        predicate::date(sql, "c.diagnosed_at", DateColumn::Instant, value, ctx)?
                    }
                    ("asserter", value) => {
                        predicate::reference(sql, "c.doctor_id", "Practitioner", value, ctx)?
                    }
                    // Every diagnosis the clinic records is active and confirmed.
                    ("clinical-status", value) => predicate::code_when_present(
                        sql,
                        "c.id",
                        systems::CONDITION_CLINICAL,
                        "active",
                        value,
                    )?,
                    ("verification-status", value) => predicate::code_when_present(
                        sql,
                        "c.id",
                        systems::CONDITION_VERIFICATION,
                        "confirmed",
                        value,
                    )?,
                    // Every diagnosis is an encounter diagnosis, of one of the Thai OPD types.
                    ("category", value) => {
                        const TYPES: [&str; 5] = ["1", "2", "3", "4", "5"];
                        let encounter_diagnosis = TYPES.map(|diag_type| ("encounter-diagnosis", diag_type));
                        let diagnosis_types = TYPES.map(|diag_type| (diag_type, diag_type));
                        let tables = [
                            (systems::CONDITION_CATEGORY, &encounter_diagnosis[..]),
                            (systems::DIAGNOSIS_TYPE, &diagnosis_types[..]),
                        ];
                        predicate::code_in_systems(sql, "CAST(c.diag_type AS TEXT)", &tables, value)?
                    }
                    _ => return Err(unsupported("Condition", name)),
                }
                Ok(())
            },
        )?;
        Ok(page.into_resources(|row| condition_to_fhir(&row.diagnosis, row.patient_id, ctx)))
    }
}

pub struct CoverageKind;

impl ResourceKind for CoverageKind {
    fn resource_type(&self) -> &'static str {
        "Coverage"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("patient_coverages")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(coverage_to_fhir(&row_search::found(conn, &COVERAGES, id)?, ctx))
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = row_search::search::<CoverageRow>(
            conn,
            &COVERAGES,
            request,
            ctx,
            |sql, name, modifier, value| {
                match (name, value) {
                    ("patient" | "beneficiary", value) => {
                        predicate::reference(sql, "c.patient_id", "Patient", value, ctx)?
                    }
                    ("payor", value) => predicate::insurer_reference(sql, "c.insurer_id", value, ctx)?,
                    ("status", value) => coverage_status(sql, value)?,
                    // The scheme's English display or its Thai name (the concept's text).
                    ("type", text @ SearchValue::String(_)) => {
                        let displays: Vec<(&str, &str)> = INSURANCE_SCHEMES
                            .iter()
                            .flat_map(|(code, display, thai)| [(*display, *code), (*thai, *code)])
                            .collect();
                        predicate::code_text(sql, "c.scheme", &displays, text)?
                    }
                    ("type", value) => {
                        let schemes: Vec<(&str, &str)> =
                            INSURANCE_SCHEMES.iter().map(|(code, _, _)| (*code, *code)).collect();
                        predicate::code(sql, "c.scheme", systems::INSURANCE_SCHEME, &schemes, value)?
                    }
                    ("identifier", value) => {
                        predicate::identifier(sql, value, &[(systems::COVERAGE_MEMBER_NO, "c.member_no")])?
                    }
                    ("class-value", value) => predicate::string(sql, &["c.plan_name"], modifier, value)?,
                    // The only class kept is the plan, when it has a name.
                    ("class-type", value) => predicate::code_when_present(
                        sql,
                        "c.plan_name",
                        systems::COVERAGE_CLASS,
                        "plan",
                        value,
                    )?,
                    _ => return Err(unsupported("Coverage", name)),
                }
                Ok(())
            },
        )?;
        Ok(page.into_resources(|row| coverage_to_fhir(row, ctx)))
    }
}

const COVERAGE_STATUS: &str = "http://hl7.org/fhir/fm-status";

/// Coverage.status: an expired right reads as cancelled, as the mapping shows it.
fn coverage_status(sql: &mut crate::sql::Sql, value: &SearchValue) -> Result<(), StoreError> {
    let Some(token) = predicate::token(sql, value, &["c.status"])? else { return Ok(()) };
    if token.system.as_deref().is_some_and(|s| s != COVERAGE_STATUS) {
        predicate::never(sql);
        return Ok(());
    }
    match token.code.as_deref() {
        None => sql.push("1 = 1"),
        Some("active") => sql.push("c.status = 'active'"),
        Some("cancelled") => sql.push("c.status IN ('cancelled', 'expired')"),
        Some(_) => sql.push("1 = 0"),
    };
    Ok(())
}
