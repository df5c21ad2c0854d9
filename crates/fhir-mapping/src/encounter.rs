//! Encounter <-> `visits`, with the visit's `diagnoses`.
//!
//! | FHIR                                               | clinic column                             |
//! |----------------------------------------------------|-------------------------------------------|
//! | extension encounter-coverage (valueReference)      | coverage_id                               |
//! | identifier (system = clinic VN system, type VN)    | vn (absent on a write: the store assigns) |
//! | status arrived / in-progress / finished / cancelled| status waiting / in_progress / completed / cancelled |
//! | class v3-ActCode AMB (VR for telemedicine)         | visit_type                                |
//! | type[0] (clinic visit-type code system)            | visit_type                                |
//! | priority v3-ActPriority EM                         | visit_type = emergency                    |
//! | subject                                            | patient_id                                |
//! | participant[0].individual (type PPRF)              | doctor_id                                 |
//! | appointment[0]                                     | appointment_id                            |
//! | period.start / period.end                          | started_at / ended_at                     |
//! | reasonCode[0].text                                 | chief_complaint                           |
//! | diagnosis: condition, use (Thai diagnosis type),   | diagnoses rows of the visit: id,          |
//! |   rank 1 for the principal diagnosis               |   diag_type                               |
//! | serviceProvider                                    | branch_id                                 |
//!
//! R4 Encounter has no element for the coverage a visit is billed to (Encounter.account would
//! need an Account resource), hence the clinic extension.

use chrono::{Datelike, NaiveDateTime};
use clinic_db::{DiagnosisRow, VisitFields, VisitRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{array, date_time, read_code, read_reference, required, text};
use crate::{MappingContext, meta, reference, round_trip::unstored_elements, systems};

/// Visit statuses and the Encounter statuses they are.
pub const ENCOUNTER_STATUSES: [(&str, &str); 4] = [
    ("waiting", "arrived"),
    ("in_progress", "in-progress"),
    ("completed", "finished"),
    ("cancelled", "cancelled"),
];

/// Visit types, the codes of `systems::VISIT_TYPE`, with their displays.
pub const VISIT_TYPES: [(&str, &str); 5] = [
    ("walk_in", "Walk-in"),
    ("appointment", "Appointment"),
    ("follow_up", "Follow-up"),
    ("telemedicine", "Telemedicine"),
    ("emergency", "Emergency"),
];

/// Thai OPD diagnosis types, the codes of `systems::DIAGNOSIS_TYPE`, with their displays.
const DIAGNOSIS_TYPES: [(&str, &str); 5] = [
    ("1", "Principal diagnosis"),
    ("2", "Comorbidity"),
    ("3", "Complication"),
    ("4", "Other diagnosis"),
    ("5", "External cause"),
];

const PRINCIPAL_DIAGNOSIS: i16 = 1;

/// The v3-ActCode class (code, display) of a visit of `visit_type`: virtual for telemedicine,
/// otherwise ambulatory.
pub fn encounter_class(visit_type: &str) -> (&'static str, &'static str) {
    if visit_type == "telemedicine" { ("VR", "virtual") } else { ("AMB", "ambulatory") }
}

/// The visit number (VN) the clinic gives a visit: the Buddhist-era year of its start (two
/// digits) and the row key (eight digits).
pub fn visit_number(started_at: NaiveDateTime, id: i64) -> String {
    format!("{:02}{id:08}", (started_at.year() + 543) % 100)
}

/// What an Encounter write sets: the visit's columns, and the diagnoses it restates.
#[derive(Debug, Clone, PartialEq)]
pub struct EncounterWrite {
    pub visit: VisitFields,
    /// Diagnoses are recorded through Condition; the store must check that each condition is a
    /// diagnosis of this visit before changing its type.
    pub diagnoses: Vec<EncounterDiagnosis>,
}

/// `Encounter.diagnosis`: a Condition (a diagnoses row) and its Thai diagnosis type.
#[derive(Debug, Clone, PartialEq)]
pub struct EncounterDiagnosis {
    pub condition_id: i64,
    pub diag_type: i16,
}

pub fn encounter_to_fhir(row: &VisitRow, diagnoses: &[DiagnosisRow], ctx: &MappingContext) -> Value {
    let v = &row.fields;
    let mut encounter = Map::new();
    encounter.insert("resourceType".into(), json!("Encounter"));
    encounter.insert("id".into(), json!(row.id.to_string()));
    encounter.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    if let Some(coverage) = v.coverage_id {
        encounter.insert(
            "extension".into(),
            json!([{"url": systems::ENCOUNTER_COVERAGE, "valueReference": reference("Coverage", coverage)}]),
        );
    }
    if !v.vn.is_empty() {
        encounter.insert(
            "identifier".into(),
            json!([{
                "type": {"coding": [{"system": systems::IDENTIFIER_TYPE, "code": "VN"}]},
                "system": systems::VISIT_NUMBER,
                "value": v.vn,
            }]),
        );
    }
    let status =
        ENCOUNTER_STATUSES.iter().find(|(clinic, _)| *clinic == v.status).map_or("unknown", |(_, fhir)| fhir);
    encounter.insert("status".into(), json!(status));
    let class = encounter_class(&v.visit_type);
    encounter
        .insert("class".into(), json!({"system": systems::V3_ACT_CODE, "code": class.0, "display": class.1}));
    if let Some((code, display)) = VISIT_TYPES.iter().find(|(code, _)| *code == v.visit_type) {
        encounter.insert(
            "type".into(),
            json!([{"coding": [{"system": systems::VISIT_TYPE, "code": code, "display": display}]}]),
        );
    }
    if v.visit_type == "emergency" {
        encounter.insert(
            "priority".into(),
            json!({"coding": [{"system": systems::V3_ACT_PRIORITY, "code": "EM", "display": "emergency"}]}),
        );
    }
    encounter.insert("subject".into(), reference("Patient", v.patient_id));
    if let Some(doctor) = v.doctor_id {
        encounter.insert(
            "participant".into(),
            json!([{
                "type": [{"coding": [{
                    "system": systems::V3_PARTICIPATION_TYPE,
                    "code": "PPRF",
                    "display": "primary performer",
                }]}],
                "individual": reference("Practitioner", doctor),
            }]),
        );
    }
    if let Some(appointment) = v.appointment_id {
        encounter.insert("appointment".into(), json!([reference("Appointment", appointment)]));
    }
    let mut period = Map::new();
    period.insert("start".into(), json!(ctx.instant(v.started_at)));
    if let Some(end) = v.ended_at {
        period.insert("end".into(), json!(ctx.instant(end)));
    }
    encounter.insert("period".into(), Value::Object(period));
    if let Some(complaint) = &v.chief_complaint {
        encounter.insert("reasonCode".into(), json!([{"text": complaint}]));
    }
    if !diagnoses.is_empty() {
        encounter.insert("diagnosis".into(), diagnoses.iter().map(diagnosis).collect());
    }
    encounter.insert("serviceProvider".into(), reference("Organization", v.branch_id));
    Value::Object(encounter)
}

fn diagnosis(row: &DiagnosisRow) -> Value {
    let mut diagnosis = Map::new();
    diagnosis.insert("condition".into(), reference("Condition", row.id));
    let code = row.diag_type.to_string();
    if let Some((code, display)) = DIAGNOSIS_TYPES.iter().find(|(c, _)| *c == code) {
        diagnosis.insert(
            "use".into(),
            json!({"coding": [{"system": systems::DIAGNOSIS_TYPE, "code": code, "display": display}]}),
        );
    }
    if row.diag_type == PRINCIPAL_DIAGNOSIS {
        diagnosis.insert("rank".into(), json!(1));
    }
    Value::Object(diagnosis)
}

/// The visit columns and restated diagnoses for an Encounter a client sent, or every problem
/// that stops it being stored exactly as sent. An absent VN is left empty for the store to assign.
pub fn encounter_from_fhir(resource: &Value, ctx: &MappingContext) -> Result<EncounterWrite, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut v = VisitFields { coverage_id: read_coverage(resource, &mut issues), ..VisitFields::default() };
    for (i, identifier) in array(resource, "identifier").iter().enumerate() {
        let path = format!("Encounter.identifier[{i}]");
        if identifier["system"] != systems::VISIT_NUMBER {
            issues.push(
                Issue::error(
                    IssueType::NotSupported,
                    format!("the only identifier kept is the visit number ({})", systems::VISIT_NUMBER),
                )
                .at(format!("{path}.system")),
            );
        } else if let Some(vn) = identifier["value"].as_str() {
            // A second, different VN is reported by the round trip.
            if v.vn.is_empty() {
                v.vn = vn.to_owned();
            }
        } else {
            issues.push(required(&format!("{path}.value")));
        }
    }
    match resource["status"].as_str() {
        Some(code) => {
            if let Some((clinic, _)) =
                read_code(code, &ENCOUNTER_STATUSES, |(_, fhir)| fhir, "Encounter.status", &mut issues)
            {
                v.status = (*clinic).to_owned();
            }
        }
        None => issues.push(required("Encounter.status")),
    }
    let is_virtual = read_class(&resource["class"], &mut issues);
    if let Some(visit_type) = read_visit_type(resource, is_virtual, &mut issues) {
        v.visit_type = visit_type.to_owned();
    }
    match &resource["subject"] {
        Value::Null => issues.push(required("Encounter.subject")),
        subject => {
            v.patient_id = read_reference(subject, "Patient", "Encounter.subject", &mut issues).unwrap_or(0)
        }
    }
    if let Some(participant) = array(resource, "participant").first()
        && !participant["individual"].is_null()
    {
        v.doctor_id = read_reference(
            &participant["individual"],
            "Practitioner",
            "Encounter.participant[0].individual",
            &mut issues,
        );
    }
    if let Some(appointment) = array(resource, "appointment").first() {
        v.appointment_id =
            read_reference(appointment, "Appointment", "Encounter.appointment[0]", &mut issues);
    }
    read_period(&resource["period"], &mut v, &mut issues, ctx);
    v.chief_complaint = array(resource, "reasonCode").first().and_then(|reason| text(&reason["text"]));
    let diagnoses: Vec<EncounterDiagnosis> = array(resource, "diagnosis")
        .iter()
        .enumerate()
        .filter_map(|(i, diagnosis)| read_diagnosis(diagnosis, i, &mut issues))
        .collect();
    match &resource["serviceProvider"] {
        Value::Null => issues.push(required("Encounter.serviceProvider")),
        provider => {
            v.branch_id = read_reference(provider, "Organization", "Encounter.serviceProvider", &mut issues)
                .unwrap_or(0)
        }
    }

    if issues.is_empty() {
        let stored = VisitRow { id: 0, fields: v.clone(), updated_at: Default::default(), version: 1 };
        let diagnosis_rows: Vec<DiagnosisRow> = diagnoses
            .iter()
            .map(|d| DiagnosisRow {
                id: d.condition_id,
                visit_id: 0,
                icd10: String::new(),
                diag_type: d.diag_type,
                doctor_id: None,
                diagnosed_at: Default::default(),
                updated_at: Default::default(),
                version: 1,
            })
            .collect();
        issues = unstored_elements(resource, &encounter_to_fhir(&stored, &diagnosis_rows, ctx), "Encounter");
    }
    if issues.is_empty() { Ok(EncounterWrite { visit: v, diagnoses }) } else { Err(issues) }
}

fn read_coverage(resource: &Value, issues: &mut Vec<Issue>) -> Option<i64> {
    let (index, extension) = array(resource, "extension")
        .iter()
        .enumerate()
        .find(|(_, e)| e["url"] == systems::ENCOUNTER_COVERAGE)?;
    read_reference(
        &extension["valueReference"],
        "Coverage",
        &format!("Encounter.extension[{index}].valueReference"),
        issues,
    )
}

/// Whether the class says the visit is virtual (VR) rather than ambulatory (AMB).
fn read_class(class: &Value, issues: &mut Vec<Issue>) -> bool {
    if class.is_null() {
        issues.push(required("Encounter.class"));
        return false;
    }
    match (class["system"].as_str(), class["code"].as_str()) {
        (Some(systems::V3_ACT_CODE), Some("VR")) => true,
        (Some(systems::V3_ACT_CODE), Some("AMB")) => false,
        _ => {
            issues.push(
                Issue::error(
                    IssueType::CodeInvalid,
                    format!("an outpatient visit's class is AMB or VR from {}", systems::V3_ACT_CODE),
                )
                .at("Encounter.class.code"),
            );
            false
        }
    }
}

/// The visit type from the clinic coding in `type`; without one, what class and priority imply
/// (the round trip then refuses a type, class or priority that disagree with it).
fn read_visit_type(resource: &Value, is_virtual: bool, issues: &mut Vec<Issue>) -> Option<&'static str> {
    let clinic_coding = array(resource, "type").iter().enumerate().find_map(|(i, concept)| {
        array(concept, "coding")
            .iter()
            .enumerate()
            .find(|(_, coding)| coding["system"] == systems::VISIT_TYPE)
            .map(|(j, coding)| (format!("Encounter.type[{i}].coding[{j}].code"), &coding["code"]))
    });
    if let Some((path, code)) = clinic_coding {
        let code = code.as_str().unwrap_or_default();
        return read_code(code, &VISIT_TYPES, |(code, _)| code, &path, issues).map(|(code, _)| *code);
    }
    let emergency = array(&resource["priority"], "coding")
        .iter()
        .any(|coding| coding["system"] == systems::V3_ACT_PRIORITY && coding["code"] == "EM");
    Some(match (is_virtual, emergency) {
        (true, _) => "telemedicine",
        (false, true) => "emergency",
        (false, false) => "walk_in",
    })
}

fn read_period(period: &Value, v: &mut VisitFields, issues: &mut Vec<Issue>, ctx: &MappingContext) {
    if period["start"].is_null() {
        issues.push(required("Encounter.period.start"));
    } else if let Some(start) = date_time(&period["start"], "Encounter.period.start", ctx, issues) {
        v.started_at = start;
    }
    v.ended_at = date_time(&period["end"], "Encounter.period.end", ctx, issues);
    if v.ended_at.is_some_and(|end| end < v.started_at) {
        issues.push(
            Issue::error(IssueType::Invariant, "a visit cannot end before it starts")
                .at("Encounter.period.end"),
        );
    }
}

fn read_diagnosis(diagnosis: &Value, index: usize, issues: &mut Vec<Issue>) -> Option<EncounterDiagnosis> {
    let path = format!("Encounter.diagnosis[{index}]");
    let condition_id = match &diagnosis["condition"] {
        Value::Null => {
            issues.push(required(&format!("{path}.condition")));
            None
        }
        condition => read_reference(condition, "Condition", &format!("{path}.condition"), issues),
    };
    let clinic_coding = array(&diagnosis["use"], "coding")
        .iter()
        .enumerate()
        .find(|(_, coding)| coding["system"] == systems::DIAGNOSIS_TYPE);
    let diag_type = match clinic_coding {
        Some((j, coding)) => read_code(
            coding["code"].as_str().unwrap_or_default(),
            &DIAGNOSIS_TYPES,
            |(code, _)| code,
            &format!("{path}.use.coding[{j}].code"),
            issues,
        )
        .and_then(|(code, _)| code.parse::<i16>().ok()),
        None => {
            issues.push(
                Issue::error(
                    IssueType::Required,
                    format!("the diagnosis type is required, as a coding from {}", systems::DIAGNOSIS_TYPE),
                )
                .at(format!("{path}.use")),
            );
            None
        }
    };
    Some(EncounterDiagnosis { condition_id: condition_id?, diag_type: diag_type? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;
    use chrono::NaiveDateTime;

    fn at(local: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn visit() -> VisitRow {
        VisitRow {
            id: 501,
            fields: VisitFields {
                vn: "6901000123".into(),
                patient_id: 42,
                doctor_id: Some(7),
                branch_id: 1,
                appointment_id: Some(88),
                coverage_id: Some(9),
                started_at: at("2026-01-05 09:30:00"),
                ended_at: Some(at("2026-01-05 10:05:00")),
                chief_complaint: Some("ไข้ ไอ 3 วัน".into()),
                visit_type: "appointment".into(),
                status: "completed".into(),
            },
            updated_at: at("2026-01-05 10:06:00"),
            version: 2,
        }
    }

    fn diagnosis_row(id: i64, diag_type: i16) -> DiagnosisRow {
        DiagnosisRow {
            id,
            visit_id: 501,
            icd10: "J069".into(),
            diag_type,
            doctor_id: Some(7),
            diagnosed_at: at("2026-01-05 09:50:00"),
            updated_at: at("2026-01-05 09:50:00"),
            version: 1,
        }
    }

    fn paths(issues: &[Issue]) -> Vec<String> {
        issues.iter().flat_map(|issue| issue.expression.clone()).collect()
    }

    #[test]
    fn a_visit_reads_as_an_encounter() {
        let encounter = encounter_to_fhir(&visit(), &[diagnosis_row(31, 1), diagnosis_row(32, 2)], &ctx());
        let names: Vec<&str> = encounter.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "extension",
                "identifier",
                "status",
                "class",
                "type",
                "subject",
                "participant",
                "appointment",
                "period",
                "reasonCode",
                "diagnosis",
                "serviceProvider"
            ]
        );
        assert_eq!(encounter["id"], "501");
        assert_eq!(encounter["meta"]["versionId"], "2");
        assert_eq!(encounter["extension"][0]["valueReference"]["reference"], "Coverage/9");
        assert_eq!(encounter["identifier"][0]["system"], systems::VISIT_NUMBER);
        assert_eq!(encounter["identifier"][0]["value"], "6901000123");
        assert_eq!(encounter["status"], "finished");
        assert_eq!(encounter["class"]["code"], "AMB");
        assert_eq!(encounter["type"][0]["coding"][0]["code"], "appointment");
        assert_eq!(encounter["subject"]["reference"], "Patient/42");
        assert_eq!(encounter["participant"][0]["type"][0]["coding"][0]["code"], "PPRF");
        assert_eq!(encounter["participant"][0]["individual"]["reference"], "Practitioner/7");
        assert_eq!(encounter["appointment"][0]["reference"], "Appointment/88");
        assert_eq!(encounter["period"]["start"], "2026-01-05T09:30:00+07:00");
        assert_eq!(encounter["period"]["end"], "2026-01-05T10:05:00+07:00");
        assert_eq!(encounter["reasonCode"][0]["text"], "ไข้ ไอ 3 วัน");
        assert_eq!(encounter["diagnosis"][0]["condition"]["reference"], "Condition/31");
        assert_eq!(encounter["diagnosis"][0]["use"]["coding"][0]["code"], "1");
        assert_eq!(encounter["diagnosis"][0]["rank"], 1);
        assert_eq!(encounter["diagnosis"][1]["use"]["coding"][0]["code"], "2");
        assert!(encounter["diagnosis"][1].get("rank").is_none());
        assert_eq!(encounter["serviceProvider"]["reference"], "Organization/1");
        assert!(encounter.get("priority").is_none());
    }

    #[test]
    fn telemedicine_is_virtual_and_emergency_is_urgent() {
        let mut row = visit();
        row.fields.visit_type = "telemedicine".into();
        row.fields.status = "waiting".into();
        let encounter = encounter_to_fhir(&row, &[], &ctx());
        assert_eq!(encounter["class"]["code"], "VR");
        assert_eq!(encounter["status"], "arrived");
        assert!(encounter.get("diagnosis").is_none());
        row.fields.visit_type = "emergency".into();
        let encounter = encounter_to_fhir(&row, &[], &ctx());
        assert_eq!(encounter["class"]["code"], "AMB");
        assert_eq!(encounter["priority"]["coding"][0]["code"], "EM");
    }

    #[test]
    fn an_encounter_round_trips_to_the_same_visit() {
        let row = visit();
        let encounter = encounter_to_fhir(&row, &[diagnosis_row(31, 1), diagnosis_row(32, 4)], &ctx());
        let write = encounter_from_fhir(&encounter, &ctx()).unwrap();
        assert_eq!(write.visit, row.fields);
        assert_eq!(
            write.diagnoses,
            vec![
                EncounterDiagnosis { condition_id: 31, diag_type: 1 },
                EncounterDiagnosis { condition_id: 32, diag_type: 4 }
            ]
        );
    }

    #[test]
    fn a_minimal_encounter_gets_a_walk_in_visit_and_no_vn() {
        let encounter = json!({
            "resourceType": "Encounter",
            "status": "in-progress",
            "class": {"system": systems::V3_ACT_CODE, "code": "AMB"},
            "subject": {"reference": "Patient/42"},
            "period": {"start": "2026-01-05T02:30:00Z"},
            "serviceProvider": {"reference": "Organization/1"}
        });
        let write = encounter_from_fhir(&encounter, &ctx()).unwrap();
        assert_eq!(write.visit.vn, "");
        assert_eq!(write.visit.visit_type, "walk_in");
        assert_eq!(write.visit.status, "in_progress");
        assert_eq!(write.visit.started_at, at("2026-01-05 09:30:00"));
        assert!(write.diagnoses.is_empty());
    }

    #[test]
    fn missing_required_elements_are_named() {
        let issues = encounter_from_fhir(&json!({"resourceType": "Encounter"}), &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            [
                "Encounter.status",
                "Encounter.class",
                "Encounter.subject",
                "Encounter.period.start",
                "Encounter.serviceProvider"
            ]
        );
        assert!(issues.iter().all(|issue| issue.code == IssueType::Required));
    }

    #[test]
    fn what_the_clinic_cannot_keep_is_refused_by_path() {
        let mut encounter = encounter_to_fhir(&visit(), &[diagnosis_row(31, 1)], &ctx());
        encounter["subject"] = json!({"reference": "Group/3"});
        encounter["identifier"][0]["system"] = json!("urn:other");
        let issues = encounter_from_fhir(&encounter, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Encounter.identifier[0].system", "Encounter.subject.reference"]);

        let mut encounter = encounter_to_fhir(&visit(), &[diagnosis_row(31, 1)], &ctx());
        encounter["hospitalization"] = json!({"admitSource": {"text": "referral"}});
        encounter["diagnosis"][0]["rank"] = json!(2);
        encounter["participant"]
            .as_array_mut()
            .unwrap()
            .push(json!({"individual": {"reference": "Practitioner/8"}}));
        let issues = encounter_from_fhir(&encounter, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            [
                "Encounter.participant[1].individual.reference",
                "Encounter.diagnosis[0].rank",
                "Encounter.hospitalization"
            ]
        );
        assert!(issues.iter().all(|issue| issue.code == IssueType::NotSupported));
    }

    #[test]
    fn bad_codes_are_refused_at_their_element() {
        let mut encounter = encounter_to_fhir(&visit(), &[diagnosis_row(31, 1)], &ctx());
        encounter["status"] = json!("done");
        encounter["class"]["code"] = json!("IMP");
        encounter["type"][0]["coding"][0]["code"] = json!("house_call");
        encounter["diagnosis"][0]["use"]["coding"][0]["code"] = json!("9");
        let issues = encounter_from_fhir(&encounter, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            [
                "Encounter.status",
                "Encounter.class.code",
                "Encounter.type[0].coding[0].code",
                "Encounter.diagnosis[0].use.coding[0].code"
            ]
        );
        assert!(issues.iter().all(|issue| issue.code == IssueType::CodeInvalid));
    }

    #[test]
    fn a_type_that_disagrees_with_class_or_priority_is_refused() {
        let mut encounter = encounter_to_fhir(&visit(), &[], &ctx());
        encounter["class"]["code"] = json!("VR");
        encounter["class"]["display"] = json!("virtual");
        encounter["priority"] =
            json!({"coding": [{"system": systems::V3_ACT_PRIORITY, "code": "EM", "display": "emergency"}]});
        let issues = encounter_from_fhir(&encounter, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Encounter.class.code", "Encounter.class.display", "Encounter.priority"]);
    }

    #[test]
    fn times_need_a_zone_and_an_order() {
        let mut encounter = encounter_to_fhir(&visit(), &[], &ctx());
        encounter["period"] = json!({"start": "2026-01-05", "end": "2026-01-05T08:00:00+07:00"});
        let issues = encounter_from_fhir(&encounter, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Encounter.period.start"]);
        encounter["period"] =
            json!({"start": "2026-01-05T09:00:00+07:00", "end": "2026-01-05T08:00:00+07:00"});
        let issues = encounter_from_fhir(&encounter, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Encounter.period.end"]);
    }
}
