//! Encounter <-> `visits`, with the visit's `diagnoses` (restated, never added or removed here:
//! the clinic records diagnoses in its own workflow).

use std::collections::BTreeMap;

use clinic_db::{DbConnection, DiagnosisRow, VisitRow};
use fhir_mapping::{
    ENCOUNTER_STATUSES, MappingContext, VISIT_TYPES, encounter_class, encounter_from_fhir, encounter_to_fhir,
    systems, visit_number,
};
use fhir_outcome::{Issue, IssueType};
use fhir_search::{SearchParam, SearchRequest, SearchValue};
use serde_json::Value;

use crate::keyset::SortType;
use crate::kind::{ResourceKind, RowSource, row_key};
use crate::predicate::{self, DateColumn};
use crate::row_search::{self, Rows, Sort, unsupported};
use crate::sql::{Bind, Sql};
use crate::writes::{RowRef, VersionedFields, require_rows};
use crate::{SearchPage, StoreError, Written, local_now};

const VISITS: Rows = Rows {
    resource_type: "Encounter",
    columns: "e.*",
    from: "visits e",
    alias: "e",
    id_prefix: "",
    sorts: &[
        Sort { param: "date", expr: "e.started_at", kind: SortType::Timestamp },
        Sort { param: "status", expr: "e.status", kind: SortType::Text },
        Sort { param: "identifier", expr: "e.vn", kind: SortType::Text },
    ],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/encounter-status";

pub struct EncounterKind;

impl ResourceKind for EncounterKind {
    fn resource_type(&self) -> &'static str {
        "Encounter"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("visits")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let visit: VisitRow = row_search::found(conn, &VISITS, id)?;
        let diagnoses = diagnoses_of(conn, &[visit.id])?;
        Ok(encounter_to_fhir(&visit, diagnoses.get(&visit.id).map_or(&[], Vec::as_slice), ctx))
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        encounter_from_fhir(resource, ctx).err().unwrap_or_default()
    }

    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let write = encounter_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
        if !write.diagnoses.is_empty() {
            return Err(StoreError::Unprocessable(vec![
                Issue::error(
                    IssueType::BusinessRule,
                    "a new visit has no diagnoses yet: the clinic records them during the visit",
                )
                .at("Encounter.diagnosis"),
            ]));
        }
        let mut fields = write.visit;
        require_rows(conn, &references(&fields))?;
        let assign_vn = fields.vn.is_empty();
        if assign_vn {
            // A unique placeholder until the row key, which the VN is made from, exists.
            fields.vn = format!("~{:016x}", rand::random::<u64>());
        }
        let id = fields.insert(conn, local_now(ctx))?;
        if assign_vn {
            let mut sql = Sql::new(conn.backend());
            sql.push("UPDATE visits SET vn = ").bind(Bind::Text(visit_number(fields.started_at, id)));
            sql.push(" WHERE id = ").bind(Bind::BigInt(id));
            sql.execute(conn)?;
        }
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
        let key = row_key("Encounter", id)?;
        let write = encounter_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
        let current: VisitRow = row_search::found(conn, &VISITS, id)?;
        let current_diagnoses = diagnoses_of(conn, &[key])?.remove(&key).unwrap_or_default();
        let mut fields = write.visit;
        if fields.vn.is_empty() {
            // The VN is the clinic's key for the visit: leaving it out keeps it.
            fields.vn = current.fields.vn.clone();
        }
        let restated: Vec<i64> = write.diagnoses.iter().map(|d| d.condition_id).collect();
        let recorded: Vec<i64> = current_diagnoses.iter().map(|d| d.id).collect();
        if sorted(restated) != sorted(recorded.clone()) {
            let listed: Vec<String> = recorded.iter().map(|id| format!("Condition/{id}")).collect();
            return Err(StoreError::Unprocessable(vec![
                Issue::error(
                    IssueType::BusinessRule,
                    format!(
                        "Encounter.diagnosis must restate the visit's diagnoses ({}); they are recorded by the clinic",
                        if listed.is_empty() { "none".to_owned() } else { listed.join(", ") }
                    ),
                )
                .at("Encounter.diagnosis"),
            ]));
        }
        require_rows(conn, &references(&fields))?;
        let now = local_now(ctx);
        for diagnosis in &write.diagnoses {
            let changed = current_diagnoses
                .iter()
                .any(|d| d.id == diagnosis.condition_id && d.diag_type != diagnosis.diag_type);
            if changed {
                let mut sql = Sql::new(conn.backend());
                sql.push("UPDATE diagnoses SET diag_type = ")
                    .bind(Bind::BigInt(i64::from(diagnosis.diag_type)));
                sql.push(", updated_at = ").bind(Bind::Timestamp(now));
                sql.push(", version = version + 1 WHERE id = ").bind(Bind::BigInt(diagnosis.condition_id));
                sql.execute(conn)?;
            }
        }
        fields.update(conn, key, current.version, expected_version, now)?;
        Ok(Written::new(
            self.read(conn, id, ctx)?,
            false,
            Some(encounter_to_fhir(&current, &current_diagnoses, ctx)),
        ))
    }

    fn id_subquery(
        &self,
        sql: &mut Sql,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        row_search::push_ids(sql, &VISITS, params, ctx, &|sql, name, modifier, value| {
            criterion(sql, name, modifier, value, ctx)
        })
    }

    fn referrer_subquery(
        &self,
        sql: &mut Sql,
        reference: &str,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        let column = match reference {
            "patient" | "subject" => "e.patient_id",
            "practitioner" | "participant" => "e.doctor_id",
            "service-provider" => "e.branch_id",
            other => {
                return Err(StoreError::InvalidSearch(format!(
                    "_has through Encounter:{other} is not supported"
                )));
            }
        };
        row_search::push_column(sql, &VISITS, column, params, ctx, &|sql, name, modifier, value| {
            criterion(sql, name, modifier, value, ctx)
        })
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page =
            row_search::search::<VisitRow>(conn, &VISITS, request, ctx, |sql, name, modifier, value| {
                criterion(sql, name, modifier, value, ctx)
            })?;
        let keys: Vec<i64> = page.rows.iter().map(|row| row.id).collect();
        let diagnoses = diagnoses_of(conn, &keys)?;
        Ok(page.into_resources(|row| {
            encounter_to_fhir(row, diagnoses.get(&row.id).map_or(&[], Vec::as_slice), ctx)
        }))
    }
}

/// One value of an Encounter search parameter as SQL over `visits e`.
fn criterion(
    sql: &mut Sql,
    name: &str,
    _modifier: Option<fhir_search::Modifier>,
    value: &SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    let statuses: Vec<(&str, &str)> =
        ENCOUNTER_STATUSES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
    match (name, value) {
        ("patient" | "subject", value) => predicate::reference(sql, "e.patient_id", "Patient", value, ctx)?,
        ("date", value) => predicate::date(sql, "e.started_at", DateColumn::Instant, value, ctx)?,
        ("status", value) => predicate::code(sql, "e.status", STATUS_SYSTEM, &statuses, value)?,
        ("identifier", value @ SearchValue::OfType { .. }) => {
            predicate::of_type(sql, value, &[("VN", "e.vn")])?
        }
        ("identifier", value) => predicate::identifier(sql, value, &[(systems::VISIT_NUMBER, "e.vn")])?,
        ("practitioner" | "participant", value) => {
            predicate::reference(sql, "e.doctor_id", "Practitioner", value, ctx)?
        }
        // The doctor is the visit's one participant, its primary performer.
        ("participant-type", value) => {
            predicate::code_when_present(sql, "e.doctor_id", systems::V3_PARTICIPATION_TYPE, "PPRF", value)?
        }
        ("service-provider", value) => predicate::reference(sql, "e.branch_id", "Organization", value, ctx)?,
        ("class", text @ SearchValue::String(_)) => {
            let displays: Vec<(&str, &str)> = VISIT_TYPES
                .iter()
                .map(|(visit_type, _)| (encounter_class(visit_type).1, *visit_type))
                .collect();
            predicate::code_text(sql, "e.visit_type", &displays, text)?
        }
        ("class", value) => {
            let classes: Vec<(&str, &str)> = VISIT_TYPES
                .iter()
                .map(|(visit_type, _)| (encounter_class(visit_type).0, *visit_type))
                .collect();
            predicate::code(sql, "e.visit_type", systems::V3_ACT_CODE, &classes, value)?
        }
        ("type", text @ SearchValue::String(_)) => {
            let displays: Vec<(&str, &str)> =
                VISIT_TYPES.iter().map(|(code, display)| (*display, *code)).collect();
            predicate::code_text(sql, "e.visit_type", &displays, text)?
        }
        ("type", value) => {
            let types: Vec<(&str, &str)> = VISIT_TYPES.iter().map(|(code, _)| (*code, *code)).collect();
            predicate::code(sql, "e.visit_type", systems::VISIT_TYPE, &types, value)?
        }
        // Diagnoses point at their visit, not the other way round.
        ("diagnosis", value) => {
            sql.push("e.id IN (SELECT d.visit_id FROM diagnoses d WHERE ");
            predicate::reference(sql, "d.id", "Condition", value, ctx)?;
            sql.push(")");
        }
        ("appointment", value) => predicate::reference(sql, "e.appointment_id", "Appointment", value, ctx)?,
        ("reason-code", value) => predicate::text_only(sql, "e.chief_complaint", value)?,
        _ => return Err(unsupported("Encounter", name)),
    }
    Ok(())
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

/// The rows a visit references, with the elements that name them.
fn references(fields: &clinic_db::VisitFields) -> Vec<RowRef> {
    vec![
        RowRef::new("Patient", "patients", Some(fields.patient_id), "Encounter.subject"),
        RowRef::new("Practitioner", "doctors", fields.doctor_id, "Encounter.participant[0].individual"),
        RowRef::new("Organization", "branches", Some(fields.branch_id), "Encounter.serviceProvider"),
        RowRef::new("Appointment", "appointments", fields.appointment_id, "Encounter.appointment[0]"),
        RowRef::new("Coverage", "patient_coverages", fields.coverage_id, "Encounter.extension"),
    ]
}

/// The diagnoses of each visit in `visits`, principal first.
pub fn diagnoses_of(
    conn: &mut DbConnection,
    visits: &[i64],
) -> Result<BTreeMap<i64, Vec<DiagnosisRow>>, StoreError> {
    let mut by_visit: BTreeMap<i64, Vec<DiagnosisRow>> = BTreeMap::new();
    if visits.is_empty() {
        return Ok(by_visit);
    }
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT * FROM diagnoses WHERE visit_id IN ").key_list(visits);
    sql.push(" ORDER BY visit_id, diag_type, id");
    for row in sql.load::<DiagnosisRow>(conn)? {
        by_visit.entry(row.visit_id).or_default().push(row);
    }
    Ok(by_visit)
}
