//! Claim <-> `claims` with its `claim_items`, and the diagnoses of the claim's visit (restated by
//! writes, never changed here: the clinic records diagnoses during the visit).

use std::collections::BTreeMap;

use clinic_db::{ClaimItemFields, ClaimItemRow, ClaimRow, DbConnection};
use fhir_mapping::{
    CLAIM_PRIORITIES, CLAIM_STATUSES, CLAIM_USES, ClaimWrite, MappingContext, claim_from_fhir, claim_to_fhir,
    icd10_with_dot, systems,
};
use fhir_outcome::{Issue, IssueType};
use fhir_search::SearchRequest;
use serde_json::Value;

use crate::encounter::diagnoses_of;
use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource, row_key};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::{Bind, Sql};
use crate::writes::{RowRef, VersionedFields, patient_of, require_rows, require_visit_of_patient};
use crate::{SearchPage, StoreError, Written, local_now};

const CLAIMS: Rows = Rows {
    resource_type: "Claim",
    columns: "c.*",
    from: "claims c",
    alias: "c",
    id_prefix: "",
    sorts: &[
        Sort { param: "created", expr: "c.created_at", kind: SortType::Timestamp },
        Sort { param: "status", expr: "c.status", kind: SortType::Text },
        Sort { param: "identifier", expr: "c.claim_no", kind: SortType::Text },
    ],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/fm-status";
const USE_SYSTEM: &str = "http://hl7.org/fhir/claim-use";
const COVERAGE_PATH: &str = "Claim.insurance[0].coverage";

pub struct ClaimKind;

impl ResourceKind for ClaimKind {
    fn resource_type(&self) -> &'static str {
        "Claim"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("claims")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let row: ClaimRow = row_search::found(conn, &CLAIMS, id)?;
        Ok(claims_to_fhir(conn, std::slice::from_ref(&row), ctx)?.remove(0))
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        claim_from_fhir(resource, ctx).err().unwrap_or_default()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let write = checked_write(conn, resource, ctx)?;
        let mut claim = write.claim;
        let assign_claim_no = claim.claim_no.is_empty();
        if assign_claim_no {
            // A unique placeholder until the row key, which the claim number is made from, exists.
            claim.claim_no = format!("~{:016x}", rand::random::<u64>());
        }
        let now = local_now(ctx);
        let key = claim.insert(conn, now)?;
        if assign_claim_no {
            let mut sql = Sql::new(conn.backend());
            sql.push("UPDATE claims SET claim_no = ").bind(Bind::Text(claim_number(key)));
            sql.push(" WHERE id = ").bind(Bind::BigInt(key));
            sql.execute(conn)?;
        }
        insert_items(conn, key, write.items, now)?;
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
        let key = row_key("Claim", id)?;
        let current: ClaimRow = row_search::found(conn, &CLAIMS, id)?;
        let replaced = claims_to_fhir(conn, std::slice::from_ref(&current), ctx)?.remove(0);
        let write = checked_write(conn, resource, ctx)?;
        let mut claim = write.claim;
        if claim.claim_no.is_empty() {
            // The claim number is the insurer's key for the claim: leaving it out keeps it.
            claim.claim_no = current.fields.claim_no.clone();
        }
        let now = local_now(ctx);
        claim.update(conn, key, current.version, expected_version, now)?;
        // The items are the claim's lines as sent: the old ones go (the claim row stays, so its
        // ON DELETE CASCADE does not apply).
        let mut sql = Sql::new(conn.backend());
        sql.push("DELETE FROM claim_items WHERE claim_id = ").bind(Bind::BigInt(key));
        sql.execute(conn)?;
        insert_items(conn, key, write.items, now)?;
        Ok(Written::new(self.read(conn, id, ctx)?, false, Some(replaced)))
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let statuses: Vec<(&str, &str)> =
            CLAIM_STATUSES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
        let uses: Vec<(&str, &str)> = CLAIM_USES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
        let page = row_search::search::<ClaimRow>(conn, &CLAIMS, request, ctx, |sql, name, _, value| {
            match (name, value) {
                ("patient", value) => predicate::reference(sql, "c.patient_id", "Patient", value, ctx)?,
                ("identifier", value) => {
                    predicate::identifier(sql, value, &[(systems::CLINIC_CLAIM_NUMBER, "c.claim_no")])?
                }
                ("status", value) => predicate::code(sql, "c.status", STATUS_SYSTEM, &statuses, value)?,
                ("use", value) => predicate::code(sql, "c.claim_use", USE_SYSTEM, &uses, value)?,
                ("created", value) => predicate::date(sql, "c.created_at", DateColumn::Instant, value, ctx)?,
                ("insurer", value) => predicate::insurer_reference(sql, "c.insurer_id", value, ctx)?,
                ("provider", value) => predicate::reference(sql, "c.branch_id", "Organization", value, ctx)?,
                ("priority", value) => {
                    let priorities: Vec<(&str, &str)> =
                        CLAIM_PRIORITIES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
                    predicate::code(sql, "c.priority", systems::PROCESS_PRIORITY, &priorities, value)?
                }
                _ => return Err(unsupported("Claim", name)),
            }
            Ok(())
        })?;
        Ok(page.with_resources(claims_to_fhir(conn, &page.rows, ctx)?))
    }
}

/// Claim numbers the facade assigns: the row key after `CLM` (the clinic's own start `CL` and
/// a Buddhist-era year, so the two never clash).
fn claim_number(key: i64) -> String {
    format!("CLM{key:08}")
}

/// The Claims of `rows`, with their items and their visits' diagnoses loaded for all at once.
fn claims_to_fhir(
    conn: &mut DbConnection,
    rows: &[ClaimRow],
    ctx: &MappingContext,
) -> Result<Vec<Value>, StoreError> {
    let keys: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut items: BTreeMap<i64, Vec<ClaimItemRow>> = BTreeMap::new();
    if !keys.is_empty() {
        let mut sql = Sql::new(conn.backend());
        sql.push("SELECT * FROM claim_items WHERE claim_id IN ").key_list(&keys);
        sql.push(" ORDER BY claim_id, seq");
        for item in sql.load::<ClaimItemRow>(conn)? {
            items.entry(item.fields.claim_id).or_default().push(item);
        }
    }
    let visits: Vec<i64> = rows.iter().filter_map(|row| row.fields.visit_id).collect();
    let diagnoses = diagnoses_of(conn, &visits)?;
    Ok(rows
        .iter()
        .map(|row| {
            let visit_diagnoses: Vec<(i64, String, i16)> = row
                .fields
                .visit_id
                .and_then(|visit| diagnoses.get(&visit))
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .map(|d| (d.id, d.icd10.clone(), d.diag_type))
                .collect();
            claim_to_fhir(row, items.get(&row.id).map_or(&[], Vec::as_slice), &visit_diagnoses, ctx)
        })
        .collect())
}

fn insert_items(
    conn: &mut DbConnection,
    claim_id: i64,
    items: Vec<ClaimItemFields>,
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    for item in items {
        ClaimItemFields { claim_id, ..item }.insert(conn, now)?;
    }
    Ok(())
}

/// The claim a client sent, once every row it references exists, its coverage and visit are
/// its patient's, and it restates exactly its visit's diagnoses.
fn checked_write(
    conn: &mut DbConnection,
    resource: &Value,
    ctx: &MappingContext,
) -> Result<ClaimWrite, StoreError> {
    let write = claim_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
    let claim = &write.claim;
    require_rows(
        conn,
        &[
            RowRef::new("Patient", "patients", Some(claim.patient_id), "Claim.patient"),
            RowRef::new("Organization", "insurers", Some(claim.insurer_id), "Claim.insurer")
                .with_id_prefix("insurer-"),
            RowRef::new("Organization", "branches", Some(claim.branch_id), "Claim.provider"),
            RowRef::new("Coverage", "patient_coverages", claim.coverage_id, COVERAGE_PATH),
        ],
    )?;
    if let Some(coverage) = claim.coverage_id {
        let holder = patient_of(conn, "patient_coverages", coverage)?;
        if holder != Some(claim.patient_id) {
            return Err(StoreError::Unprocessable(vec![
                Issue::error(
                    IssueType::BusinessRule,
                    format!("Coverage/{coverage} is not a coverage of Patient/{}", claim.patient_id),
                )
                .at(COVERAGE_PATH),
            ]));
        }
    }
    let recorded = match claim.visit_id {
        Some(visit) => {
            require_visit_of_patient(
                conn,
                visit,
                Some(claim.patient_id),
                &encounter_path(resource),
                "Claim.patient",
            )?;
            diagnoses_of(conn, &[visit])?.remove(&visit).unwrap_or_default()
        }
        None => Vec::new(),
    };
    let mut recorded: Vec<(String, i16)> = recorded.into_iter().map(|d| (d.icd10, d.diag_type)).collect();
    recorded.sort();
    let mut restated = write.diagnoses.clone();
    restated.sort();
    if restated != recorded {
        let listed: Vec<String> = recorded
            .iter()
            .map(|(icd10, diag_type)| format!("{} (type {diag_type})", icd10_with_dot(icd10)))
            .collect();
        return Err(StoreError::Unprocessable(vec![
            Issue::error(
                IssueType::BusinessRule,
                format!(
                    "Claim.diagnosis must restate the diagnoses of the claim's visit ({}); they are recorded by the clinic",
                    if listed.is_empty() { "none".to_owned() } else { listed.join(", ") }
                ),
            )
            .at("Claim.diagnosis"),
        ]));
    }
    Ok(write)
}

/// Where the claim's visit is referenced: the R5 Claim.encounter extension.
fn encounter_path(resource: &Value) -> String {
    let index = resource["extension"]
        .as_array()
        .and_then(|extensions| extensions.iter().position(|e| e["url"] == systems::CLAIM_ENCOUNTER_EXTENSION))
        .unwrap_or_default();
    format!("Claim.extension[{index}].valueReference")
}
