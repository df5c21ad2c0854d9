//! MedicationRequest <-> `prescriptions` (and the `drugs` row prescribed).
//!
//! | FHIR                                                   | clinic column                     |
//! |--------------------------------------------------------|-----------------------------------|
//! | extension prescription-dispensed (valueBoolean, or     | dispensed, dispensed_at           |
//! |   valueDateTime when the dispensing time is known)     |                                   |
//! | status (on_hold <-> on-hold, others the same)          | status                            |
//! | intent (always `order`)                                | -                                 |
//! | medicationCodeableConcept.coding TMT / clinic drug code| drugs.tmt_code / drugs.local_code |
//! | medicationCodeableConcept.text                         | drugs.generic_name + strength     |
//! | subject                                                | the visit's patient (not stored)  |
//! | encounter                                              | visit_id                          |
//! | authoredOn                                             | prescribed_at                     |
//! | requester                                              | doctor_id                         |
//! | dosageInstruction[0].text                              | sig_text                          |
//! | dosageInstruction[0].timing (code + repeat)            | frequency (except PRN)            |
//! | dosageInstruction[0].asNeededBoolean                   | frequency = PRN (true)            |
//! | dosageInstruction[0].route                             | route                             |
//! | dosageInstruction[0].doseAndRate[0].doseQuantity       | dose, dose_unit                   |
//! | dispenseRequest.quantity (unit = drug dispense unit)   | quantity                          |
//! | dispenseRequest.expectedSupplyDuration (days)          | duration_days                     |
//!
//! A write names the drug by code; the store looks it up ([`DrugCode`]).

use clinic_db::{DrugRow, PrescriptionFields, PrescriptionRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{
    array, clinic_code, coding_code, date_time, missing, optional_reference, required_reference, text,
    whole_number,
};
use crate::{MappingContext, meta, reference, round_trip::unstored_elements, systems};

/// Clinic prescription statuses and the MedicationRequest.status each reads as.
pub const MEDICATION_REQUEST_STATUSES: [(&str, &str); 5] = [
    ("active", "active"),
    ("on_hold", "on-hold"),
    ("completed", "completed"),
    ("cancelled", "cancelled"),
    ("stopped", "stopped"),
];
/// http://hl7.org/fhir/ValueSet/medicationrequest-status (required binding).
const STATUS_VALUE_SET: [&str; 8] =
    ["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"];
/// http://hl7.org/fhir/ValueSet/medicationrequest-intent (required binding).
const INTENT_VALUE_SET: [&str; 8] = [
    "proposal",
    "plan",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
];

/// The frequency code for "as needed"; it is asNeededBoolean, not a timing.
const PRN: &str = "PRN";

const ROUTES: [(&str, &str); 8] = [
    ("PO", "Oral"),
    ("IV", "Intravenous"),
    ("IM", "Intramuscular"),
    ("SC", "Subcutaneous"),
    ("TOP", "Topical"),
    ("INH", "Inhalation"),
    ("SL", "Sublingual"),
    ("PR", "Rectal"),
];

/// The drug a write prescribes, as the client coded it; the store resolves it to `drugs.id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrugCode {
    /// A TMT id (`drugs.tmt_code`).
    Tmt(String),
    /// A clinic drug code (`drugs.local_code`).
    Local(String),
}

/// What a MedicationRequest write stores: the prescription (with `drug_id` 0) and the drug code
/// to resolve `drug_id` from.
#[derive(Debug, Clone, PartialEq)]
pub struct MedicationRequestWrite {
    pub prescription: PrescriptionFields,
    pub drug: DrugCode,
}

pub fn medication_request_to_fhir(
    row: &PrescriptionRow,
    drug: &DrugRow,
    patient_id: i64,
    ctx: &MappingContext,
) -> Value {
    let p = &row.fields;
    let mut request = Map::new();
    request.insert("resourceType".into(), json!("MedicationRequest"));
    request.insert("id".into(), json!(row.id.to_string()));
    request.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let dispensed = match p.dispensed_at {
        Some(at) if p.dispensed => {
            json!({"url": systems::PRESCRIPTION_DISPENSED, "valueDateTime": ctx.instant(at)})
        }
        _ => json!({"url": systems::PRESCRIPTION_DISPENSED, "valueBoolean": p.dispensed}),
    };
    request.insert("extension".into(), json!([dispensed]));
    let status = MEDICATION_REQUEST_STATUSES
        .iter()
        .find(|(clinic, _)| *clinic == p.status)
        .map_or("unknown", |(_, fhir)| fhir);
    request.insert("status".into(), json!(status));
    request.insert("intent".into(), json!("order"));
    request.insert("medicationCodeableConcept".into(), medication(drug));
    request.insert("subject".into(), reference("Patient", patient_id));
    request.insert("encounter".into(), reference("Encounter", p.visit_id));
    request.insert("authoredOn".into(), json!(ctx.instant(p.prescribed_at)));
    if let Some(doctor) = p.doctor_id {
        request.insert("requester".into(), reference("Practitioner", doctor));
    }
    if let Some(dosage) = dosage(p) {
        request.insert("dosageInstruction".into(), json!([dosage]));
    }
    if let Some(dispense) = dispense_request(p, drug) {
        request.insert("dispenseRequest".into(), dispense);
    }
    Value::Object(request)
}

fn medication(drug: &DrugRow) -> Value {
    let mut coding = Vec::new();
    if let Some(tmt) = &drug.tmt_code {
        coding.push(json!({"system": systems::TMT, "code": tmt}));
    }
    if !drug.local_code.is_empty() {
        coding.push(json!({"system": systems::CLINIC_DRUG, "code": drug.local_code}));
    }
    let mut concept = Map::new();
    if !coding.is_empty() {
        concept.insert("coding".into(), Value::Array(coding));
    }
    let name = match &drug.strength {
        Some(strength) => format!("{} {strength}", drug.generic_name),
        None => drug.generic_name.clone(),
    };
    if !name.trim().is_empty() {
        concept.insert("text".into(), json!(name));
    }
    Value::Object(concept)
}

/// Timing.repeat of a clinic frequency code; `None` for codes the clinic does not define.
fn repeat(frequency: &str) -> Option<Value> {
    let per_day = |times: u32| json!({"frequency": times, "period": 1, "periodUnit": "d"});
    let every_hours = |hours: u32| json!({"frequency": 1, "period": hours, "periodUnit": "h"});
    Some(match frequency {
        "OD" => per_day(1),
        "BID" => per_day(2),
        "TID" => per_day(3),
        "QID" => per_day(4),
        "HS" => json!({"frequency": 1, "period": 1, "periodUnit": "d", "when": ["HS"]}),
        "Q4H" => every_hours(4),
        "Q6H" => every_hours(6),
        "Q8H" => every_hours(8),
        "STAT" => json!({"count": 1}),
        _ => return None,
    })
}

fn dosage(p: &PrescriptionFields) -> Option<Value> {
    let mut dosage = Map::new();
    if let Some(sig) = &p.sig_text {
        dosage.insert("text".into(), json!(sig));
    }
    match p.frequency.as_deref() {
        Some(PRN) => {
            dosage.insert("asNeededBoolean".into(), json!(true));
        }
        Some(frequency) => {
            // The code keeps the clinic's exact frequency; the repeat says what it means.
            let mut timing = Map::new();
            if let Some(repeat) = repeat(frequency) {
                timing.insert("repeat".into(), repeat);
            }
            timing.insert(
                "code".into(),
                json!({"coding": [{"system": systems::CLINIC_DOSE_FREQUENCY, "code": frequency}]}),
            );
            dosage.insert("timing".into(), Value::Object(timing));
            dosage.insert("asNeededBoolean".into(), json!(false));
        }
        None => {}
    }
    if let Some(route) = &p.route {
        let mut coding = json!({"system": systems::CLINIC_ROUTE, "code": route});
        if let Some((_, display)) = ROUTES.iter().find(|(code, _)| code == route) {
            coding["display"] = json!(display);
        }
        dosage.insert("route".into(), json!({"coding": [coding]}));
    }
    if p.dose.is_some() || p.dose_unit.is_some() {
        let mut quantity = Map::new();
        if let Some(dose) = p.dose {
            quantity.insert("value".into(), json!(dose));
        }
        if let Some(unit) = &p.dose_unit {
            quantity.insert("unit".into(), json!(unit));
        }
        dosage.insert("doseAndRate".into(), json!([{"doseQuantity": quantity}]));
    }
    (!dosage.is_empty()).then_some(Value::Object(dosage))
}

fn dispense_request(p: &PrescriptionFields, drug: &DrugRow) -> Option<Value> {
    let mut dispense = Map::new();
    if let Some(quantity) = p.quantity {
        let mut value = Map::new();
        value.insert("value".into(), json!(quantity));
        if !drug.dispense_unit.is_empty() {
            value.insert("unit".into(), json!(drug.dispense_unit));
        }
        dispense.insert("quantity".into(), Value::Object(value));
    }
    if let Some(days) = p.duration_days {
        dispense.insert(
            "expectedSupplyDuration".into(),
            json!({"value": days, "unit": "days", "system": systems::UCUM, "code": "d"}),
        );
    }
    (!dispense.is_empty()).then_some(Value::Object(dispense))
}

/// The prescription and drug code of a MedicationRequest a client sent, or every problem that
/// stops it being stored exactly as sent. When both a clinic drug code and a TMT code are given
/// the clinic code names the drug.
pub fn medication_request_from_fhir(
    resource: &Value,
    ctx: &MappingContext,
) -> Result<MedicationRequestWrite, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut p = PrescriptionFields::default();
    read_dispensed(resource, &mut p, ctx, &mut issues);
    p.status = clinic_code(
        &resource["status"],
        &MEDICATION_REQUEST_STATUSES,
        &STATUS_VALUE_SET,
        "MedicationRequest.status",
        &mut issues,
    )
    .unwrap_or_default()
    .into();
    clinic_code(
        &resource["intent"],
        &[("order", "order")],
        &INTENT_VALUE_SET,
        "MedicationRequest.intent",
        &mut issues,
    );
    let concept = &resource["medicationCodeableConcept"];
    let tmt = coding_code(concept, systems::TMT);
    let local = coding_code(concept, systems::CLINIC_DRUG);
    let drug = match (local, tmt) {
        (Some(local), _) => Some(DrugCode::Local(local.to_owned())),
        (None, Some(tmt)) => Some(DrugCode::Tmt(tmt.to_owned())),
        (None, None) => {
            issues.push(if resource.get("medicationReference").is_some() {
                Issue::error(IssueType::NotSupported, "name the drug by code in medicationCodeableConcept")
                    .at("MedicationRequest.medicationReference")
            } else {
                missing(
                    "MedicationRequest.medicationCodeableConcept",
                    &format!("a coding from {} or {}", systems::TMT, systems::CLINIC_DRUG),
                )
            });
            None
        }
    };
    let patient_id =
        required_reference(&resource["subject"], "Patient", "MedicationRequest.subject", &mut issues);
    p.visit_id =
        required_reference(&resource["encounter"], "Encounter", "MedicationRequest.encounter", &mut issues)
            .unwrap_or_default();
    match date_time(&resource["authoredOn"], "MedicationRequest.authoredOn", ctx, &mut issues) {
        Some(at) => p.prescribed_at = at,
        None if resource["authoredOn"].is_null() => {
            issues.push(missing("MedicationRequest.authoredOn", "when the prescription was written"))
        }
        None => {}
    }
    p.doctor_id = optional_reference(
        &resource["requester"],
        "Practitioner",
        "MedicationRequest.requester",
        &mut issues,
    );
    let dosages = array(resource, "dosageInstruction");
    if dosages.len() > 1 {
        issues.push(
            Issue::error(IssueType::NotSupported, "the clinic keeps one dosage instruction per prescription")
                .at("MedicationRequest.dosageInstruction[1]"),
        );
    }
    if let Some(dosage) = dosages.first() {
        read_dosage(dosage, &mut p, &mut issues);
    }
    let dispense = &resource["dispenseRequest"];
    p.quantity = whole_number(
        &dispense["quantity"]["value"],
        "MedicationRequest.dispenseRequest.quantity.value",
        &mut issues,
    );
    p.duration_days = whole_number(
        &dispense["expectedSupplyDuration"]["value"],
        "MedicationRequest.dispenseRequest.expectedSupplyDuration.value",
        &mut issues,
    );

    let (Some(drug), Some(patient_id), true) = (drug, patient_id, issues.is_empty()) else {
        return Err(issues);
    };
    // The drug as the client described it: the round trip checks nothing else was sent.
    let described = DrugRow {
        id: 0,
        local_code: local.unwrap_or_default().to_owned(),
        tmt_code: tmt.map(str::to_owned),
        generic_name: text(&concept["text"]).unwrap_or_default(),
        trade_name: None,
        strength: None,
        dosage_form: None,
        dispense_unit: text(&dispense["quantity"]["unit"]).unwrap_or_default(),
        unit_price_satang: None,
        active: true,
        updated_at: Default::default(),
        version: 1,
    };
    let stored = PrescriptionRow { id: 0, fields: p.clone(), updated_at: Default::default(), version: 1 };
    let issues = unstored_elements(
        resource,
        &medication_request_to_fhir(&stored, &described, patient_id, ctx),
        "MedicationRequest",
    );
    if issues.is_empty() { Ok(MedicationRequestWrite { prescription: p, drug }) } else { Err(issues) }
}

fn read_dispensed(
    resource: &Value,
    p: &mut PrescriptionFields,
    ctx: &MappingContext,
    issues: &mut Vec<Issue>,
) {
    let Some((index, extension)) = array(resource, "extension")
        .iter()
        .enumerate()
        .find(|(_, e)| e["url"] == systems::PRESCRIPTION_DISPENSED)
    else {
        return;
    };
    if let Some(dispensed) = extension["valueBoolean"].as_bool() {
        p.dispensed = dispensed;
    } else if !extension["valueDateTime"].is_null() {
        p.dispensed = true;
        p.dispensed_at = date_time(
            &extension["valueDateTime"],
            &format!("MedicationRequest.extension[{index}].valueDateTime"),
            ctx,
            issues,
        );
    } else {
        issues.push(
            Issue::error(IssueType::Value, "the dispensed extension needs valueBoolean or valueDateTime")
                .at(format!("MedicationRequest.extension[{index}]")),
        );
    }
}

fn read_dosage(dosage: &Value, p: &mut PrescriptionFields, issues: &mut Vec<Issue>) {
    const PATH: &str = "MedicationRequest.dosageInstruction[0]";
    p.sig_text = text(&dosage["text"]);
    if let Some(frequency) = coding_code(&dosage["timing"]["code"], systems::CLINIC_DOSE_FREQUENCY) {
        if repeat(frequency).is_some() {
            p.frequency = Some(frequency.to_owned());
        } else {
            issues.push(
                Issue::error(IssueType::CodeInvalid, format!("unknown dosing frequency '{frequency}'"))
                    .at(format!("{PATH}.timing.code")),
            );
        }
    }
    if dosage["asNeededBoolean"] == true {
        if p.frequency.is_some() {
            issues.push(
                Issue::error(
                    IssueType::NotSupported,
                    "the clinic keeps either a schedule or as-needed, not both",
                )
                .at(format!("{PATH}.asNeededBoolean")),
            );
        } else {
            p.frequency = Some(PRN.to_owned());
        }
    }
    if let Some(route) = coding_code(&dosage["route"], systems::CLINIC_ROUTE) {
        if ROUTES.iter().any(|(code, _)| *code == route) {
            p.route = Some(route.to_owned());
        } else {
            issues.push(
                Issue::error(IssueType::CodeInvalid, format!("unknown route '{route}'"))
                    .at(format!("{PATH}.route")),
            );
        }
    }
    let dose = &dosage["doseAndRate"][0]["doseQuantity"];
    p.dose = dose["value"].as_f64();
    p.dose_unit = text(&dose["unit"]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, ctx};

    fn drug() -> DrugRow {
        DrugRow {
            id: 5,
            local_code: "AMOX500".into(),
            tmt_code: Some("227162".into()),
            generic_name: "Amoxicillin".into(),
            trade_name: None,
            strength: Some("500 mg".into()),
            dosage_form: Some("capsule".into()),
            dispense_unit: "capsule".into(),
            unit_price_satang: Some(250),
            active: true,
            updated_at: at("2026-01-01 00:00"),
            version: 1,
        }
    }

    fn row() -> PrescriptionRow {
        PrescriptionRow {
            id: 31,
            fields: PrescriptionFields {
                visit_id: 900,
                drug_id: 5,
                doctor_id: Some(7),
                dose: Some(500.0),
                dose_unit: Some("mg".into()),
                frequency: Some("TID".into()),
                route: Some("PO".into()),
                duration_days: Some(7),
                quantity: Some(21),
                sig_text: Some("รับประทานครั้งละ 1 แคปซูล วันละ 3 ครั้ง หลังอาหาร".into()),
                status: "on_hold".into(),
                dispensed: true,
                dispensed_at: Some(at("2026-03-02 10:15")),
                prescribed_at: at("2026-03-02 09:40"),
            },
            updated_at: at("2026-03-02 10:15"),
            version: 2,
        }
    }

    fn paths(issues: &[Issue]) -> Vec<String> {
        issues.iter().flat_map(|i| i.expression.clone()).collect()
    }

    #[test]
    fn a_prescription_reads_as_an_order_with_dosage_and_supply() {
        let request = medication_request_to_fhir(&row(), &drug(), 42, &ctx());
        assert_eq!(request["status"], "on-hold");
        assert_eq!(request["intent"], "order");
        assert_eq!(request["extension"][0]["valueDateTime"], "2026-03-02T10:15:00+07:00");
        let medication = &request["medicationCodeableConcept"];
        assert_eq!(medication["coding"][0], json!({"system": systems::TMT, "code": "227162"}));
        assert_eq!(medication["coding"][1]["code"], "AMOX500");
        assert_eq!(medication["text"], "Amoxicillin 500 mg");
        assert_eq!(request["subject"]["reference"], "Patient/42");
        assert_eq!(request["encounter"]["reference"], "Encounter/900");
        assert_eq!(request["authoredOn"], "2026-03-02T09:40:00+07:00");
        assert_eq!(request["requester"]["reference"], "Practitioner/7");
        let dosage = &request["dosageInstruction"][0];
        assert_eq!(dosage["timing"]["repeat"], json!({"frequency": 3, "period": 1, "periodUnit": "d"}));
        assert_eq!(dosage["timing"]["code"]["coding"][0]["code"], "TID");
        assert_eq!(dosage["route"]["coding"][0]["display"], "Oral");
        assert_eq!(dosage["doseAndRate"][0]["doseQuantity"], json!({"value": 500.0, "unit": "mg"}));
        assert_eq!(request["dispenseRequest"]["quantity"], json!({"value": 21, "unit": "capsule"}));
        assert_eq!(request["dispenseRequest"]["expectedSupplyDuration"]["code"], "d");
        let order: Vec<_> = request.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            order,
            [
                "resourceType",
                "id",
                "meta",
                "extension",
                "status",
                "intent",
                "medicationCodeableConcept",
                "subject",
                "encounter",
                "authoredOn",
                "requester",
                "dosageInstruction",
                "dispenseRequest"
            ]
        );
    }

    #[test]
    fn a_prescription_round_trips() {
        let request = medication_request_to_fhir(&row(), &drug(), 42, &ctx());
        let write = medication_request_from_fhir(&request, &ctx()).unwrap();
        assert_eq!(write.drug, DrugCode::Local("AMOX500".into()));
        assert_eq!(write.prescription, PrescriptionFields { drug_id: 0, ..row().fields });
    }

    #[test]
    fn as_needed_and_undispensed_round_trip() {
        let mut prn = row();
        prn.fields.frequency = Some("PRN".into());
        prn.fields.dispensed = false;
        prn.fields.dispensed_at = None;
        let request = medication_request_to_fhir(&prn, &drug(), 42, &ctx());
        assert_eq!(request["dosageInstruction"][0]["asNeededBoolean"], true);
        assert!(request["dosageInstruction"][0].get("timing").is_none());
        let write = medication_request_from_fhir(&request, &ctx()).unwrap();
        assert_eq!(write.prescription, PrescriptionFields { drug_id: 0, ..prn.fields });
    }

    #[test]
    fn a_tmt_code_alone_names_the_drug() {
        let request = json!({
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {"coding": [{"system": systems::TMT, "code": "227162"}]},
            "subject": {"reference": "Patient/42"},
            "encounter": {"reference": "Encounter/900"},
            "authoredOn": "2026-03-02T02:40:00Z"
        });
        let write = medication_request_from_fhir(&request, &ctx()).unwrap();
        assert_eq!(write.drug, DrugCode::Tmt("227162".into()));
        assert_eq!(write.prescription.prescribed_at, at("2026-03-02 09:40"));
        assert_eq!(write.prescription.status, "active");
    }

    #[test]
    fn what_the_clinic_cannot_keep_is_refused_by_path() {
        let mut request = medication_request_to_fhir(&row(), &drug(), 42, &ctx());
        request["note"] = json!([{"text": "take with food"}]);
        request["medicationCodeableConcept"]["coding"][1]["system"] = json!("urn:other");
        request["requester"] = json!({"reference": "Organization/1"});
        let issues = medication_request_from_fhir(&request, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["MedicationRequest.requester.reference"]);

        request["requester"] = json!({"reference": "Practitioner/7"});
        let issues = medication_request_from_fhir(&request, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            [
                "MedicationRequest.medicationCodeableConcept.coding[1].system",
                "MedicationRequest.medicationCodeableConcept.coding[1].code",
                "MedicationRequest.note"
            ]
        );
    }

    #[test]
    fn bad_codes_and_a_missing_encounter_are_named() {
        let mut request = medication_request_to_fhir(&row(), &drug(), 42, &ctx());
        request["status"] = json!("paused");
        request["intent"] = json!("plan");
        request["dosageInstruction"][0]["timing"]["code"]["coding"][0]["code"] = json!("Q2D");
        request.as_object_mut().unwrap().remove("encounter");
        let issues = medication_request_from_fhir(&request, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            [
                "MedicationRequest.status",
                "MedicationRequest.intent",
                "MedicationRequest.encounter",
                "MedicationRequest.dosageInstruction[0].timing.code"
            ]
        );
        assert_eq!(issues[0].code, IssueType::CodeInvalid);
        assert_eq!(issues[1].code, IssueType::NotSupported);
        assert_eq!(issues[2].code, IssueType::Required);
    }
}
