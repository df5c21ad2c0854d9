//! Condition <- `diagnoses` (read-only): one ICD-10 diagnosis of a visit.
//!
//! | FHIR                                            | clinic column                          |
//! |-------------------------------------------------|----------------------------------------|
//! | id                                              | diagnoses.id                           |
//! | clinicalStatus                                  | always `active`                        |
//! | verificationStatus                              | always `confirmed`                     |
//! | category[0]                                     | always `encounter-diagnosis`           |
//! | category[1] (clinic diagnosis-type system)      | diag_type (1..5, Thai OPD standard)    |
//! | code (ICD-10, dotted: E11.9)                    | icd10 (undotted: E119)                 |
//! | subject                                         | visits.patient_id (joined by the store)|
//! | encounter                                       | visit_id                               |
//! | recordedDate                                    | diagnosed_at                           |
//! | asserter                                        | doctor_id                              |
//!
//! The diagnosis type rides in a second category rather than an extension so that
//! `Condition?category=<system>|1` finds principal diagnoses with the standard search.

use clinic_db::DiagnosisRow;
use serde_json::{Map, Value, json};

use crate::elements::concept;
use crate::icd10::icd10_with_dot;
use crate::{MappingContext, meta, reference, systems};

/// The Thai OPD diagnosis types and their English displays.
const DIAGNOSIS_TYPES: [(i16, &str); 5] = [
    (1, "Principal diagnosis"),
    (2, "Comorbidity"),
    (3, "Complication"),
    (4, "Other"),
    (5, "External cause"),
];

/// A Coding of a Thai OPD diagnosis type (`diagnoses.diag_type`) in `systems::DIAGNOSIS_TYPE`.
/// A type outside 1..=5 (the database forbids it) keeps its code and has no display.
pub fn diagnosis_type_coding(diag_type: i16) -> Value {
    let mut coding = Map::new();
    coding.insert("system".into(), json!(systems::DIAGNOSIS_TYPE));
    coding.insert("code".into(), json!(diag_type.to_string()));
    if let Some((_, display)) = DIAGNOSIS_TYPES.iter().find(|(code, _)| *code == diag_type) {
        coding.insert("display".into(), json!(display));
    }
    Value::Object(coding)
}

/// The Condition of a diagnoses row; `patient_id` is the patient of the row's visit.
pub fn condition_to_fhir(row: &DiagnosisRow, patient_id: i64, ctx: &MappingContext) -> Value {
    let mut condition = Map::new();
    condition.insert("resourceType".into(), json!("Condition"));
    condition.insert("id".into(), json!(row.id.to_string()));
    condition.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    condition.insert("clinicalStatus".into(), concept(systems::CONDITION_CLINICAL, "active", "Active"));
    condition.insert(
        "verificationStatus".into(),
        concept(systems::CONDITION_VERIFICATION, "confirmed", "Confirmed"),
    );
    condition.insert(
        "category".into(),
        json!([
            concept(systems::CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"),
            {"coding": [diagnosis_type_coding(row.diag_type)]},
        ]),
    );
    condition.insert(
        "code".into(),
        json!({"coding": [{"system": systems::ICD_10, "code": icd10_with_dot(&row.icd10)}]}),
    );
    condition.insert("subject".into(), reference("Patient", patient_id));
    condition.insert("encounter".into(), reference("Encounter", row.visit_id));
    condition.insert("recordedDate".into(), json!(ctx.instant(row.diagnosed_at)));
    if let Some(doctor) = row.doctor_id {
        condition.insert("asserter".into(), reference("Practitioner", doctor));
    }
    Value::Object(condition)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn diagnosis() -> DiagnosisRow {
        let at = NaiveDate::from_ymd_opt(2026, 3, 4).and_then(|d| d.and_hms_opt(9, 30, 0)).unwrap();
        DiagnosisRow {
            id: 11,
            visit_id: 500,
            icd10: "E119".into(),
            diag_type: 1,
            doctor_id: Some(7),
            diagnosed_at: at,
            updated_at: at,
            version: 2,
        }
    }

    #[test]
    fn a_diagnosis_is_a_confirmed_encounter_diagnosis_with_a_dotted_icd10_code() {
        let condition = condition_to_fhir(&diagnosis(), 42, &MappingContext::thailand("urn:hn"));
        assert_eq!(condition["id"], "11");
        assert_eq!(condition["meta"]["versionId"], "2");
        assert_eq!(condition["clinicalStatus"]["coding"][0]["code"], "active");
        assert_eq!(condition["verificationStatus"]["coding"][0]["code"], "confirmed");
        assert_eq!(condition["category"][0]["coding"][0]["code"], "encounter-diagnosis");
        assert_eq!(condition["category"][1]["coding"][0]["system"], systems::DIAGNOSIS_TYPE);
        assert_eq!(condition["category"][1]["coding"][0]["display"], "Principal diagnosis");
        assert_eq!(condition["code"]["coding"][0]["system"], "http://hl7.org/fhir/sid/icd-10");
        assert_eq!(condition["code"]["coding"][0]["code"], "E11.9");
        assert_eq!(condition["subject"]["reference"], "Patient/42");
        assert_eq!(condition["encounter"]["reference"], "Encounter/500");
        assert_eq!(condition["recordedDate"], "2026-03-04T09:30:00+07:00");
        assert_eq!(condition["asserter"]["reference"], "Practitioner/7");
    }

    #[test]
    fn elements_follow_the_r4_order_and_absent_ones_are_left_out() {
        let row = DiagnosisRow { doctor_id: None, ..diagnosis() };
        let condition = condition_to_fhir(&row, 42, &MappingContext::thailand("urn:hn"));
        let names: Vec<_> = condition.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "clinicalStatus",
                "verificationStatus",
                "category",
                "code",
                "subject",
                "encounter",
                "recordedDate"
            ]
        );
    }

    #[test]
    fn diagnosis_types_have_english_displays_and_unknown_ones_none() {
        assert_eq!(diagnosis_type_coding(5)["display"], "External cause");
        assert_eq!(diagnosis_type_coding(2)["code"], "2");
        assert_eq!(diagnosis_type_coding(9), json!({"system": systems::DIAGNOSIS_TYPE, "code": "9"}));
    }
}
