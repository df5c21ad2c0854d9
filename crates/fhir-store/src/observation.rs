//! Observation <-> `vital_signs` (one Observation per measurement a row holds, id
//! `vs-{row}-{sign}`) and `lab_results` (one per row, id `lab-{row}`).
//!
//! Searches run over an index of both tables: one row per Observation with its text id and the
//! values the search parameters look at, paged on the sort keys and that id.

use std::collections::BTreeMap;

use clinic_db::{DbConnection, LabResultRow, VitalSignsFields, VitalSignsRow};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use fhir_mapping::{
    BLOOD_PRESSURE_COMPONENTS, LAB_STATUSES, MappingContext, ObservationId, VitalSign, VitalSignWrite,
    is_vital_sign, lab_result_from_fhir, lab_result_to_fhir, parse_observation_id, systems,
    unstored_elements, vital_sign_from_fhir, vital_sign_to_fhir, vital_signs_to_fhir,
};
use fhir_outcome::{Issue, IssueType};
use fhir_search::{Modifier, QuantityValue, SearchParam, SearchRequest, SearchValue, TokenValue};
use serde_json::Value;

use crate::keyset::{self, Keyset, SortType};
use crate::kind::{ResourceKind, RowSource};
use crate::predicate::{self, DateColumn, UnitColumns};
use crate::row_search::{self, Rows, unsupported};
use crate::sql::{Bind, Sql};
use crate::writes::{VersionedFields, require_visit_of_patient};
use crate::{ExportPage, SearchPage, StoreError, Written, local_now};

const VITALS: Rows = Rows {
    resource_type: "Observation",
    columns: "t.*, v.patient_id",
    from: "vital_signs t JOIN visits v ON v.id = t.visit_id",
    alias: "t",
    id_prefix: "",
    sorts: &[],
};
const LABS: Rows = Rows {
    resource_type: "Observation",
    columns: "t.*, v.patient_id",
    from: "lab_results t JOIN visits v ON v.id = t.visit_id",
    alias: "t",
    id_prefix: "lab-",
    sorts: &[],
};
const STATUS_SYSTEM: &str = "http://hl7.org/fhir/observation-status";
const CATEGORIES: [(&str, &str); 2] = [("vital-signs", "vital-signs"), ("laboratory", "laboratory")];
const ENCOUNTER_PATH: &str = "Observation.encounter";
const SUBJECT_PATH: &str = "Observation.subject";

const fn vital_sign(id_sql: &'static str, filter: &'static str) -> RowSource {
    RowSource { table: "vital_signs", id_sql, filter }
}

/// The vital signs in `VitalSign::ALL` order, each the rows that hold it, then the lab results.
const SOURCES: [RowSource; 9] = [
    vital_sign(
        "'vs-' || CAST(t.id AS TEXT) || '-bp'",
        "t.bp_systolic IS NOT NULL AND t.bp_diastolic IS NOT NULL",
    ),
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-weight'", "t.weight_kg IS NOT NULL"),
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-height'", "t.height_cm IS NOT NULL"),
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-heart-rate'", "t.pulse_rate IS NOT NULL"),
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-temperature'", "t.temperature_c IS NOT NULL"),
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-respiratory-rate'", "t.respiratory_rate IS NOT NULL"),
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-spo2'", "t.spo2 IS NOT NULL"),
    // The mapping derives BMI only from a positive height.
    vital_sign("'vs-' || CAST(t.id AS TEXT) || '-bmi'", "t.weight_kg IS NOT NULL AND t.height_cm > 0"),
    RowSource { table: "lab_results", id_sql: "'lab-' || CAST(t.id AS TEXT)", filter: "" },
];

/// A vital_signs row with the patient of its visit.
#[derive(QueryableByName)]
struct VitalsOfPatient {
    #[diesel(embed)]
    vitals: VitalSignsRow,
    #[diesel(sql_type = BigInt)]
    patient_id: i64,
}

/// A lab result with the patient of its visit.
#[derive(QueryableByName)]
struct LabOfPatient {
    #[diesel(embed)]
    lab: LabResultRow,
    #[diesel(sql_type = BigInt)]
    patient_id: i64,
}

#[derive(QueryableByName)]
struct IndexedId {
    #[diesel(sql_type = Text)]
    rid: String,
}

pub struct ObservationKind;

/// The rows of `rows` after row key `after`, in key order, at most `limit`.
fn rows_after<R>(conn: &mut DbConnection, rows: &Rows, after: i64, limit: i64) -> Result<Vec<R>, StoreError>
where
    R: QueryableByName<clinic_db::DbBackend> + 'static,
{
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT ").push(rows.columns).push(" FROM ").push(rows.from);
    sql.push(" WHERE t.id > ").bind(Bind::BigInt(after));
    sql.push(" ORDER BY t.id LIMIT ").bind(Bind::BigInt(limit));
    Ok(sql.load(conn)?)
}

impl ResourceKind for ObservationKind {
    fn resource_type(&self) -> &'static str {
        "Observation"
    }

    fn sources(&self) -> &'static [RowSource] {
        &SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let id = parse_observation_id(id).ok_or_else(|| not_found(id))?;
        found(conn, id, ctx)
    }

    fn writable(&self) -> bool {
        true
    }

    fn check(&self, resource: &Value, ctx: &MappingContext) -> Vec<fhir_outcome::Issue> {
        let checked = match is_vital_sign(resource) {
            true => vital_sign_from_fhir(resource, ctx).map(drop),
            false => lab_result_from_fhir(resource, ctx).map(drop),
        };
        checked.err().unwrap_or_default()
    }

    /// A vital sign is a new vital_signs row holding only that measurement.
    fn create(
        &self,
        conn: &mut DbConnection,
        resource: &Value,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let now = local_now(ctx);
        let id = if is_vital_sign(resource) {
            let write = checked_vital_sign(conn, resource, ctx)?;
            let mut fields = VitalSignsFields::default();
            write.apply_to(&mut fields);
            ObservationId::Vital(fields.insert(conn, now)?, write.sign)
        } else {
            let fields = checked_lab_fields(conn, resource, ctx)?;
            ObservationId::Lab(fields.insert(conn, now)?)
        };
        Ok(Written::new(found(conn, id, ctx)?, true, None))
    }

    /// A vital sign replaces its own measurement and the row's visit and time, which the
    /// row's other vital signs share; a lab result replaces its row.
    fn update(
        &self,
        conn: &mut DbConnection,
        id: &str,
        resource: &Value,
        expected_version: Option<i32>,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        let observation_id = parse_observation_id(id).ok_or_else(|| not_found(id))?;
        let now = local_now(ctx);
        let replaced = match observation_id {
            ObservationId::Vital(key, sign) => {
                let current: VitalsOfPatient =
                    row_search::find(conn, &VITALS, key)?.ok_or_else(|| not_found(id))?;
                let replaced = vital_sign_to_fhir(&current.vitals, sign, current.patient_id, ctx)
                    .ok_or_else(|| not_found(id))?;
                // BMI is derived and never written, but a client putting back the BMI it read
                // gets a new version, as with every other Observation; the mapping refuses a
                // changed one.
                let fields = if sign == VitalSign::Bmi && restates(resource, &replaced) {
                    current.vitals.fields
                } else {
                    vital_sign_update(conn, id, sign, resource, current.vitals.fields, ctx)?
                };
                fields.update(conn, key, current.vitals.version, expected_version, now)?;
                replaced
            }
            ObservationId::Lab(key) => {
                let current: LabOfPatient =
                    row_search::find(conn, &LABS, key)?.ok_or_else(|| not_found(id))?;
                same_category(id, resource, false)?;
                let fields = checked_lab_fields(conn, resource, ctx)?;
                fields.update(conn, key, current.lab.version, expected_version, now)?;
                lab_result_to_fhir(&current.lab, current.patient_id, ctx)
            }
        };
        Ok(Written::new(found(conn, observation_id, ctx)?, false, Some(replaced)))
    }

    fn referrer_subquery(
        &self,
        sql: &mut Sql,
        reference: &str,
        params: &[SearchParam],
        ctx: &MappingContext,
    ) -> Result<(), StoreError> {
        let column = match reference {
            "patient" | "subject" => "o.patient_id",
            "encounter" => "o.visit_id",
            other => {
                return Err(StoreError::InvalidSearch(format!(
                    "_has through Observation:{other} is not supported"
                )));
            }
        };
        sql.push("SELECT ").push(column);
        matching(sql, params, ctx)
    }

    /// A whole-type export (no criteria, no sort) walks the vital_signs rows in key order
    /// (each row's measurements), then the lab results: positions `vs:{row}` and `lab:{row}`.
    fn export_page(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<Option<ExportPage>, StoreError> {
        if !request.params.is_empty() || !request.sort.is_empty() {
            return Ok(None);
        }
        let limit = i64::from(request.count);
        let position = request.cursor.as_deref().unwrap_or("vs:0");
        let key = |prefix: &str| position.strip_prefix(prefix).and_then(|k| k.parse::<i64>().ok());
        let (resources, next) = if let Some(after) = key("vs:") {
            // A row holds up to nine measurements.
            let row_limit = (limit / VitalSign::ALL.len() as i64).max(1);
            let rows: Vec<VitalsOfPatient> = rows_after(conn, &VITALS, after, row_limit)?;
            let next = match rows.last() {
                Some(last) if rows.len() as i64 == row_limit => format!("vs:{}", last.vitals.id),
                _ => "lab:0".to_owned(),
            };
            let resources =
                rows.iter().flat_map(|row| vital_signs_to_fhir(&row.vitals, row.patient_id, ctx)).collect();
            (resources, Some(next))
        } else if let Some(after) = key("lab:") {
            let rows: Vec<LabOfPatient> = rows_after(conn, &LABS, after, limit)?;
            let next =
                rows.last().filter(|_| rows.len() as i64 == limit).map(|last| format!("lab:{}", last.lab.id));
            (rows.iter().map(|row| lab_result_to_fhir(&row.lab, row.patient_id, ctx)).collect(), next)
        } else {
            return Err(StoreError::InvalidSearch(format!("not an export position: {position}")));
        };
        ExportPage::of(resources, next).map(Some)
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let keyset = Keyset::new(
            "Observation",
            request,
            sort_key,
            &[("o.row_key", SortType::BigInt), ("o.rank", SortType::BigInt)],
        )?;
        let cursor = keyset.cursor(request.cursor.as_deref())?;
        let page = Some((&keyset, cursor.as_ref(), request.count));
        let criteria = |sql: &mut Sql| matching_in_pages(sql, &request.params, ctx, page);
        let window = keyset::load::<IndexedId>(conn, &keyset, request, "SELECT o.rid", criteria)?;
        let total = row_search::total(conn, request, window.whole_count, |sql: &mut Sql| {
            matching(sql, &request.params, ctx)
        })?;
        let ids = window
            .rows
            .iter()
            .map(|indexed| {
                parse_observation_id(&indexed.rid).ok_or_else(|| {
                    StoreError::Corrupt(format!("an unreadable Observation id {}", indexed.rid))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SearchPage {
            resources: page_resources(conn, &ids, ctx)?,
            total,
            next_cursor: window.next,
            previous_cursor: window.previous,
            included: Vec::new(),
        })
    }
}

/// What `_sort` sorts Observations by, over the index `o` (`_id` is the text id).
fn sort_key(param: &str) -> Option<(String, SortType)> {
    let (expr, kind) = match param {
        "_id" => ("o.rid", SortType::Text),
        "_lastUpdated" => ("o.updated_at", SortType::Timestamp),
        "date" => ("o.effective", SortType::Timestamp),
        "patient" | "subject" => ("o.patient_id", SortType::BigInt),
        "encounter" => ("o.visit_id", SortType::BigInt),
        // The code an Observation shows first: its LOINC code, else the clinic's lab code.
        "code" => ("COALESCE(o.loinc, o.lab_code)", SortType::Text),
        "category" => ("o.category", SortType::Text),
        "status" => ("o.status", SortType::Text),
        _ => return None,
    };
    Some((expr.to_owned(), kind))
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound { resource_type: "Observation".to_owned(), id: id.to_owned() }
}

/// The Observation `id` names, or NotFound (also for a vital sign its row does not hold).
fn found(conn: &mut DbConnection, id: ObservationId, ctx: &MappingContext) -> Result<Value, StoreError> {
    let resource = match id {
        ObservationId::Vital(key, sign) => row_search::find::<VitalsOfPatient>(conn, &VITALS, key)?
            .and_then(|row| vital_sign_to_fhir(&row.vitals, sign, row.patient_id, ctx)),
        ObservationId::Lab(key) => row_search::find::<LabOfPatient>(conn, &LABS, key)?
            .map(|row| lab_result_to_fhir(&row.lab, row.patient_id, ctx)),
    };
    resource.ok_or_else(|| not_found(&id.to_string()))
}

/// `fields` with vital sign `sign`, and the row's visit and time, replaced as `resource` says.
fn vital_sign_update(
    conn: &mut DbConnection,
    id: &str,
    sign: VitalSign,
    resource: &Value,
    mut fields: VitalSignsFields,
    ctx: &MappingContext,
) -> Result<VitalSignsFields, StoreError> {
    same_category(id, resource, true)?;
    let write = checked_vital_sign(conn, resource, ctx)?;
    if write.sign != sign {
        return Err(StoreError::Unprocessable(vec![
            Issue::error(
                IssueType::BusinessRule,
                format!(
                    "Observation/{id} is the '{}' of its measurement: its code cannot change",
                    sign.id_suffix()
                ),
            )
            .at("Observation.code"),
        ]));
    }
    write.apply_to(&mut fields);
    Ok(fields)
}

/// Whether `resource` says exactly what `current` says (the server's own elements aside).
fn restates(resource: &Value, current: &Value) -> bool {
    unstored_elements(resource, current, "Observation").is_empty()
        && unstored_elements(current, resource, "Observation").is_empty()
}

/// An update keeps the category: a vital sign and a lab result are different rows.
fn same_category(id: &str, resource: &Value, vital: bool) -> Result<(), StoreError> {
    if is_vital_sign(resource) == vital {
        return Ok(());
    }
    let what = if vital { "a vital sign" } else { "a laboratory result" };
    Err(StoreError::Unprocessable(vec![
        Issue::error(
            IssueType::BusinessRule,
            format!("Observation/{id} is {what}: its category cannot change"),
        )
        .at("Observation.category"),
    ]))
}

/// What a vital-sign Observation says, when its visit exists and is its subject's.
fn checked_vital_sign(
    conn: &mut DbConnection,
    resource: &Value,
    ctx: &MappingContext,
) -> Result<VitalSignWrite, StoreError> {
    let write = vital_sign_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
    require_visit_of_patient(
        conn,
        write.visit_id,
        fhir_mapping::subject_patient_id(resource),
        ENCOUNTER_PATH,
        SUBJECT_PATH,
    )?;
    Ok(write)
}

/// The lab_results columns of a lab Observation whose visit exists and is its subject's.
fn checked_lab_fields(
    conn: &mut DbConnection,
    resource: &Value,
    ctx: &MappingContext,
) -> Result<clinic_db::LabResultFields, StoreError> {
    let fields = lab_result_from_fhir(resource, ctx).map_err(StoreError::Unprocessable)?;
    require_visit_of_patient(
        conn,
        fields.visit_id,
        fhir_mapping::subject_patient_id(resource),
        ENCOUNTER_PATH,
        SUBJECT_PATH,
    )?;
    Ok(fields)
}

/// The Observations of a search page, in its order, each table read once.
fn page_resources(
    conn: &mut DbConnection,
    ids: &[ObservationId],
    ctx: &MappingContext,
) -> Result<Vec<Value>, StoreError> {
    let keys_of = |vital: bool| {
        let mut keys: Vec<i64> = ids
            .iter()
            .filter_map(|id| match (id, vital) {
                (ObservationId::Vital(key, _), true) | (ObservationId::Lab(key), false) => Some(*key),
                _ => None,
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    };
    let vitals: BTreeMap<i64, VitalsOfPatient> = row_search::find_many(conn, &VITALS, &keys_of(true))?
        .into_iter()
        .map(|row: VitalsOfPatient| (row.vitals.id, row))
        .collect();
    let labs: BTreeMap<i64, LabOfPatient> = row_search::find_many(conn, &LABS, &keys_of(false))?
        .into_iter()
        .map(|row: LabOfPatient| (row.lab.id, row))
        .collect();
    // A row the clinic changed since the page was chosen may no longer hold a measurement.
    Ok(ids
        .iter()
        .filter_map(|id| match *id {
            ObservationId::Vital(key, sign) => {
                vitals.get(&key).and_then(|row| vital_sign_to_fhir(&row.vitals, sign, row.patient_id, ctx))
            }
            ObservationId::Lab(key) => {
                labs.get(&key).map(|row| lab_result_to_fhir(&row.lab, row.patient_id, ctx))
            }
        })
        .collect())
}

/// Where an Observation's branch comes in the index: the vital signs in `VitalSign::ALL`
/// order, then the lab results. With the row key it orders the index as each branch's table
/// is ordered by its primary key, so an unsorted search reads each branch in its key order.
fn rank(id: ObservationId) -> usize {
    match id {
        ObservationId::Vital(_, sign) => VitalSign::ALL.iter().position(|s| *s == sign).unwrap_or_default(),
        ObservationId::Lab(_) => VitalSign::ALL.len(),
    }
}

/// `(...) o`: every Observation with its id `rid` (and as the row key `row_key` and the
/// branch's [`rank`]) and what searches look at: `updated_at`,
/// `patient_id`, `visit_id`, `effective`, `status` (the FHIR code; `lab_status` the clinic's
/// code of a lab result, NULL for vital signs), `category`, its LOINC
/// codes `loinc` and `loinc_alt`, the clinic's lab code `lab_code`, the code's text or
/// displays (`code_text`, `code_text_alt`), its value (`value_num`
/// with `value_system`, `value_code` and `value_unit`, or `value_text`, which only counts
/// without a number: [`push_value_string`]) and the codes and
/// values of its components (`comp1_*`, `comp2_*`: a blood pressure's systolic and diastolic,
/// in the unit of `value_*`).
/// Only the vital signs in `signs` have a branch, and each branch's rows are those `filter`
/// (` AND ...` over the branch's `o`, then perhaps an ORDER BY and LIMIT) keeps.
///
/// Each branch is a query of its own, planned alone with the criteria: a search's rows are a
/// handful of branches' first rows. (As one append relation, which needs branches without a
/// WHERE, PostgreSQL gave the criteria's conditions one plan shape across branches: a
/// branch without a match read its whole table for a page ordered by row key, and a chain's
/// keys were a filter scanned linearly for every row.)
fn push_index(
    sql: &mut Sql,
    signs: &[VitalSign],
    filter: &dyn Fn(&mut Sql) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    // The visit gives the patient: every row has its visit (NOT NULL, a foreign key), so a LEFT
    // JOIN on the visit's key is the same, and PostgreSQL leaves it out of a branch that does
    // not ask for the patient.
    let close_branch = |sql: &mut Sql, table: &str| -> Result<(), StoreError> {
        sql.push(" AS holds, v.patient_id FROM ").push(table);
        sql.push(" t LEFT JOIN visits v ON v.id = t.visit_id) o WHERE o.holds");
        filter(sql)?;
        sql.push(") o");
        Ok(())
    };
    sql.push("(");
    for (sign, source) in VitalSign::ALL.into_iter().zip(&SOURCES).filter(|(sign, _)| signs.contains(sign)) {
        let mut codes = sign.loinc_codes();
        sql.push("SELECT * FROM (SELECT o.* FROM (SELECT ")
            .push(source.id_sql)
            .push(" AS rid, t.id AS row_key, ");
        sql.push(&rank(ObservationId::Vital(0, sign)).to_string());
        sql.push(" AS rank, t.updated_at, t.visit_id");
        sql.push(", t.measured_at AS effective, 'final' AS status, ").push(NULL_TEXT);
        sql.push(" AS lab_status, 'vital-signs' AS category, ");
        push_text_or_null(sql, codes.next());
        sql.push(" AS loinc, ");
        push_text_or_null(sql, codes.next());
        sql.push(" AS loinc_alt, ").push(NULL_TEXT).push(" AS lab_code, ");
        let mut displays = sign.loinc_displays();
        push_text_or_null(sql, displays.next());
        sql.push(" AS code_text, ");
        push_text_or_null(sql, displays.next());
        sql.push(" AS code_text_alt, ");
        push_vital_value(sql, sign);
        sql.push(" AS value_num, ").bind(Bind::Text(systems::UCUM.to_owned())).push(" AS value_system, ");
        sql.bind(Bind::Text(sign.ucum().to_owned())).push(" AS value_code, ");
        sql.bind(Bind::Text(sign.unit().to_owned()))
            .push(" AS value_unit, ")
            .push(NULL_TEXT)
            .push(" AS value_text, ");
        if sign == VitalSign::BloodPressure {
            let [systolic, diastolic] = BLOOD_PRESSURE_COMPONENTS;
            sql.bind(Bind::Text(systolic.to_owned())).push(" AS comp1_code, t.bp_systolic AS comp1_value, ");
            sql.bind(Bind::Text(diastolic.to_owned())).push(" AS comp2_code, t.bp_diastolic AS comp2_value");
        } else {
            // Typed: blood pressure's branch, which types them otherwise, may be left out.
            sql.push(NULL_TEXT).push(" AS comp1_code, CAST(NULL AS INTEGER) AS comp1_value, ");
            sql.push(NULL_TEXT).push(" AS comp2_code, CAST(NULL AS INTEGER) AS comp2_value");
        }
        // Whether the row holds this sign.
        sql.push(", (").push(source.filter).push(")");
        close_branch(sql, "vital_signs")?;
        sql.push(" UNION ALL ");
    }
    let labs = &SOURCES[VitalSign::ALL.len()];
    sql.push("SELECT * FROM (SELECT o.* FROM (SELECT ").push(labs.id_sql).push(" AS rid, t.id AS row_key, ");
    sql.push(&rank(ObservationId::Lab(0)).to_string());
    sql.push(" AS rank, t.updated_at, t.visit_id");
    sql.push(", t.collected_at AS effective, CASE t.status");
    for (clinic, fhir) in LAB_STATUSES {
        sql.push(" WHEN ").bind(Bind::Text(clinic.to_owned()));
        sql.push(" THEN ").bind(Bind::Text(fhir.to_owned()));
    }
    sql.push(" ELSE 'unknown' END AS status, t.status AS lab_status, 'laboratory' AS category");
    sql.push(", t.loinc_code AS loinc");
    sql.push(", CAST(NULL AS TEXT) AS loinc_alt, t.local_code AS lab_code, t.test_name AS code_text");
    sql.push(", CAST(NULL AS TEXT) AS code_text_alt");
    sql.push(", t.value_numeric AS value_num, CAST(NULL AS TEXT) AS value_system");
    sql.push(", CAST(NULL AS TEXT) AS value_code, t.unit AS value_unit, t.value_text");
    sql.push(", CAST(NULL AS TEXT) AS comp1_code, CAST(NULL AS INTEGER) AS comp1_value");
    sql.push(", CAST(NULL AS TEXT) AS comp2_code, CAST(NULL AS INTEGER) AS comp2_value, TRUE");
    close_branch(sql, "lab_results")?;
    sql.push(") o");
    Ok(())
}

/// The value of vital sign `sign` over `vital_signs t`, as the mapping gives it: BMI from
/// weight and height rounded to one decimal half away from zero (as Rust's `f64::round`), and
/// none for blood pressure (its values are its components); a DOUBLE PRECISION in every branch,
/// the type the value indexes are built on (a number is compared as one).
fn push_vital_value(sql: &mut Sql, sign: VitalSign) {
    let column = match sign {
        VitalSign::BloodPressure => "CAST(NULL AS DOUBLE PRECISION)",
        VitalSign::Weight => "t.weight_kg",
        VitalSign::Height => "t.height_cm",
        VitalSign::HeartRate => "CAST(t.pulse_rate AS DOUBLE PRECISION)",
        VitalSign::Temperature => "t.temperature_c",
        VitalSign::RespiratoryRate => "CAST(t.respiratory_rate AS DOUBLE PRECISION)",
        VitalSign::Spo2 => "CAST(t.spo2 AS DOUBLE PRECISION)",
        VitalSign::Bmi => {
            let tenths = "t.weight_kg / ((t.height_cm / 100.0) * (t.height_cm / 100.0)) * 10.0 + 0.5";
            // BMI is positive, so rounding half up is truncating after adding a half.
            if sql.is_postgres() {
                sql.push("floor(").push(tenths).push(") / 10.0");
            } else {
                sql.push("CAST(").push(tenths).push(" AS INTEGER) / 10.0");
            }
            return;
        }
    };
    sql.push(column);
}

/// `value-string` over the index: a lab result's text is its value only without a number (as
/// the mapping gives it); tested on the text column itself so that its index serves.
fn push_value_string(
    sql: &mut Sql,
    modifier: Option<Modifier>,
    value: &SearchValue,
) -> Result<(), StoreError> {
    sql.push("(o.value_num IS NULL AND ");
    predicate::string(sql, &["o.value_text"], modifier, value)?;
    sql.push(")");
    Ok(())
}

/// A NULL of the type the index's text columns have in every branch.
const NULL_TEXT: &str = "CAST(NULL AS TEXT)";

fn push_text_or_null(sql: &mut Sql, text: Option<&str>) {
    match text {
        Some(text) => sql.bind(Bind::Text(text.to_owned())),
        None => sql.push(NULL_TEXT),
    };
}

/// The vital signs a plain `code` search by LOINC codes can match (every one without such a
/// search). The index leaves out the others' branches: PostgreSQL plans each branch of the
/// UNION ALL on every search, and planning ten took 25 times as long as running the one a
/// heart-rate search needs.
fn named_signs(params: &[SearchParam]) -> Vec<VitalSign> {
    /// The LOINC codes a plain `code` parameter names, when it names nothing else.
    fn loinc_codes(param: &SearchParam) -> Option<Vec<&str>> {
        if param.def.name != "code" || param.modifier.is_some() {
            return None;
        }
        param
            .values
            .iter()
            .map(|value| match value {
                SearchValue::Token(TokenValue { system, code: Some(code) })
                    if system.as_deref().is_none_or(|system| system == systems::LOINC) =>
                {
                    Some(code.as_str())
                }
                _ => None,
            })
            .collect()
    }
    let searched: Vec<Vec<&str>> = params.iter().filter_map(loinc_codes).collect();
    VitalSign::ALL
        .into_iter()
        .filter(|sign| searched.iter().all(|codes| sign.loinc_codes().any(|own| codes.contains(&own))))
        .collect()
}

/// ` FROM (index) o WHERE 1 = 1`: the observations matching every one of `params`.
fn matching(sql: &mut Sql, params: &[SearchParam], ctx: &MappingContext) -> Result<(), StoreError> {
    matching_in_pages(sql, params, ctx, None)
}

/// [`matching`]; with `page` (a keyset, its cursor and the page size) each branch gives only its
/// first rows in that order from the cursor on, which [`keyset::load`] then orders and cuts once
/// more.
fn matching_in_pages(
    sql: &mut Sql,
    params: &[SearchParam],
    ctx: &MappingContext,
    page: Option<(&Keyset, Option<&keyset::Cursor>, u32)>,
) -> Result<(), StoreError> {
    sql.push(" FROM ");
    push_index(sql, &named_signs(params), &|sql| {
        push_criteria(sql, params, ctx)?;
        if let Some((keyset, cursor, count)) = page {
            keyset.push_page(sql, cursor, count);
        }
        Ok(())
    })?;
    sql.push(" WHERE 1 = 1");
    Ok(())
}

/// ` AND ...`: every one of `params`, over a branch `o` of the index.
fn push_criteria(sql: &mut Sql, params: &[SearchParam], ctx: &MappingContext) -> Result<(), StoreError> {
    for param in params {
        sql.push(" AND ");
        predicate::parameter(sql, param, |sql, modifier, value| {
            criterion(sql, param.def.name, modifier, value, ctx)
        })?;
    }
    Ok(())
}

/// The unit of an indexed value or component.
const VALUE_UNIT: UnitColumns =
    UnitColumns { system: "o.value_system", code: "o.value_code", unit: "o.value_unit" };

/// The components of the index: (code, value) columns.
const COMPONENTS: [(&str, &str); 2] = [("o.comp1_code", "o.comp1_value"), ("o.comp2_code", "o.comp2_value")];

/// One value of a search parameter, over the index `o`.
fn criterion(
    sql: &mut Sql,
    name: &str,
    modifier: Option<Modifier>,
    value: &SearchValue,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    match (name, value) {
        // By row key and branch, so that only the named branch reads its table, by key.
        ("_id", value) => match predicate::token(sql, value, &["o.rid"])?.map(|token| &token.code) {
            Some(Some(id)) => match parse_observation_id(id) {
                Some(id @ (ObservationId::Vital(key, _) | ObservationId::Lab(key))) => {
                    sql.push("(o.row_key = ").bind(Bind::BigInt(key));
                    sql.push(" AND o.rank = ").push(&rank(id).to_string()).push(")");
                }
                None => predicate::never(sql),
            },
            Some(None) => predicate::never(sql),
            None => {}
        },
        ("_lastUpdated", value) => predicate::date(sql, "o.updated_at", DateColumn::Instant, value, ctx)?,
        ("patient" | "subject", value) => predicate::reference(sql, "o.patient_id", "Patient", value, ctx)?,
        ("encounter", value) => predicate::reference(sql, "o.visit_id", "Encounter", value, ctx)?,
        ("category", value) => {
            predicate::code(sql, "o.category", systems::OBSERVATION_CATEGORY, &CATEGORIES, value)?
        }
        ("code", text @ SearchValue::String(_)) => {
            predicate::string(sql, &["o.code_text", "o.code_text_alt"], None, text)?
        }
        ("code", value) => predicate::identifier(sql, value, &CODES)?,
        ("date", value) => predicate::date(sql, "o.effective", DateColumn::Instant, value, ctx)?,
        ("status", value) => {
            // A lab result's status compared as the clinic's code, which the lab index serves;
            // the vital signs' is a constant.
            let lab_codes: Vec<(&str, &str)> =
                LAB_STATUSES.iter().map(|(clinic, fhir)| (*fhir, *clinic)).collect();
            let statuses: Vec<(&str, &str)> = LAB_STATUSES.iter().map(|(_, fhir)| (*fhir, *fhir)).collect();
            sql.push("(");
            predicate::code(sql, "o.lab_status", STATUS_SYSTEM, &lab_codes, value)?;
            sql.push(" OR (o.lab_status IS NULL AND ");
            predicate::code(sql, "o.status", STATUS_SYSTEM, &statuses, value)?;
            sql.push("))");
        }
        ("value-quantity", value) => predicate::quantity(sql, "o.value_num", &VALUE_UNIT, value)?,
        ("value-string", value) => push_value_string(sql, modifier, value)?,
        ("component-code", value) => {
            if let Some(token) = predicate::token(sql, value, &["o.comp1_code", "o.comp2_code"])? {
                components(sql, Some(token), None);
            }
        }
        ("component-value-quantity", value) => {
            if let Some(quantity) =
                predicate::quantity_value(sql, value, &["o.comp1_value", "o.comp2_value"])?
            {
                components(sql, None, Some(quantity));
            }
        }
        // A code$value composite is there exactly when its value is (every Observation has a
        // code, every component too).
        ("code-value-quantity", SearchValue::Present) => {
            criterion(sql, "value-quantity", modifier, value, ctx)?
        }
        ("code-value-string", SearchValue::Present) => criterion(sql, "value-string", modifier, value, ctx)?,
        ("component-code-value-quantity", SearchValue::Present) => {
            criterion(sql, "component-value-quantity", modifier, value, ctx)?
        }
        ("combo-code-value-quantity", SearchValue::Present) => {
            criterion(sql, "combo-value-quantity", modifier, value, ctx)?
        }
        ("code-value-quantity", SearchValue::Composite(parts)) => {
            let (token, quantity) = code_and_quantity(name, parts)?;
            coded_value(sql, token, quantity);
        }
        ("code-value-string", SearchValue::Composite(parts)) => match &parts[..] {
            [SearchValue::Token(token), text @ SearchValue::String(_)] => {
                sql.push("(");
                predicate::token_in_columns(sql, token, &CODES);
                sql.push(" AND ");
                push_value_string(sql, None, text)?;
                sql.push(")");
            }
            _ => return Err(unsupported("Observation", name)),
        },
        ("component-code-value-quantity", SearchValue::Composite(parts)) => {
            let (token, quantity) = code_and_quantity(name, parts)?;
            components(sql, Some(token), Some(quantity));
        }
        ("combo-code", value) => {
            let columns = ["o.loinc", "o.loinc_alt", "o.lab_code", "o.comp1_code", "o.comp2_code"];
            if let Some(token) = predicate::token(sql, value, &columns)? {
                sql.push("(");
                predicate::token_in_columns(sql, token, &CODES);
                sql.push(" OR ");
                components(sql, Some(token), None);
                sql.push(")");
            }
        }
        ("combo-value-quantity", value) => {
            if let Some(quantity) =
                predicate::quantity_value(sql, value, &["o.value_num", "o.comp1_value", "o.comp2_value"])?
            {
                sql.push("(");
                predicate::quantity_of(sql, "o.value_num", &VALUE_UNIT, quantity);
                sql.push(" OR ");
                components(sql, None, Some(quantity));
                sql.push(")");
            }
        }
        ("combo-code-value-quantity", SearchValue::Composite(parts)) => {
            let (token, quantity) = code_and_quantity(name, parts)?;
            sql.push("(");
            coded_value(sql, token, quantity);
            sql.push(" OR ");
            components(sql, Some(token), Some(quantity));
            sql.push(")");
        }
        _ => return Err(unsupported("Observation", name)),
    }
    Ok(())
}

/// The Observation's own code: LOINC (either of a vital sign's codes) or the clinic's lab code.
const CODES: [(&str, &str); 3] =
    [(systems::LOINC, "o.loinc"), (systems::LOINC, "o.loinc_alt"), (systems::LAB_TEST, "o.lab_code")];

/// `code$value`: the Observation's code and its value.
fn coded_value(sql: &mut Sql, token: &TokenValue, quantity: &QuantityValue) {
    sql.push("(");
    predicate::token_in_columns(sql, token, &CODES);
    sql.push(" AND ");
    predicate::quantity_of(sql, "o.value_num", &VALUE_UNIT, quantity);
    sql.push(")");
}

/// Some component has the (LOINC) code `token` and the value `quantity`, both when given.
fn components(sql: &mut Sql, token: Option<&TokenValue>, quantity: Option<&QuantityValue>) {
    sql.push("(");
    for (i, (code, value)) in COMPONENTS.into_iter().enumerate() {
        sql.push(if i == 0 { "(" } else { " OR (" });
        match token {
            Some(token) => predicate::token_in_columns(sql, token, &[(systems::LOINC, code)]),
            None => {
                sql.push(code).push(" IS NOT NULL");
            }
        }
        if let Some(quantity) = quantity {
            sql.push(" AND ");
            predicate::quantity_of(sql, value, &VALUE_UNIT, quantity);
        }
        sql.push(")");
    }
    sql.push(")");
}

/// The parts of a `code$quantity` composite value (the parser gives them in that shape).
fn code_and_quantity<'a>(
    name: &str,
    parts: &'a [SearchValue],
) -> Result<(&'a TokenValue, &'a QuantityValue), StoreError> {
    match parts {
        [SearchValue::Token(token), SearchValue::Quantity(quantity)] => Ok((token, quantity)),
        _ => Err(unsupported("Observation", name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_vital_sign_source_gives_the_ids_the_mapping_reads() {
        for (sign, source) in VitalSign::ALL.into_iter().zip(&SOURCES) {
            assert!(source.id_sql.ends_with(&format!("'-{}'", sign.id_suffix())), "{sign:?}");
        }
        assert_eq!(SOURCES[VitalSign::ALL.len()].table, "lab_results");
    }
}
