//! Claim <-> `claims` + `claim_items` (+ the visit's `diagnoses`, read-only here).
//!
//! | FHIR                                                    | clinic column                      |
//! |---------------------------------------------------------|------------------------------------|
//! | extension claim-status (valueCode)                      | status (the clinic's finer status) |
//! | extension claim-submitted (valueDateTime)               | submitted_at                       |
//! | extension R5 Claim.encounter (valueReference)           | visit_id                           |
//! | identifier (clinic claim-number system)                 | claim_no                           |
//! | status (submitted/approved/rejected/paid -> active)     | status                             |
//! | type: claim-type + clinic coding                        | claim_type (opd professional,       |
//! |                                                         |   dental oral, pharmacy pharmacy)  |
//! | use                                                     | claim_use                          |
//! | patient / created                                       | patient_id / created_at            |
//! | insurer (Organization/insurer-{id})                     | insurer_id                         |
//! | provider (Organization/{id})                            | branch_id                          |
//! | priority (processpriority normal / stat)                | priority (normal / urgent)         |
//! | diagnosis[]: ICD-10 with its dot, type                  | the visit's diagnoses              |
//! | insurance[0].coverage (data-absent-reason when none)    | coverage_id                        |
//! | item[]: sequence, category, productOrService, quantity, | claim_items: seq, category,        |
//! |   unitPrice, net (Money THB)                            |   item_code/item_name, quantity,   |
//! |                                                         |   unit_price_satang, net_satang    |
//! | total (Money THB)                                       | total_satang                       |
//!
//! An absent identifier leaves claim_no empty for the store to assign. Diagnoses are not stored
//! with the claim: a write restates the visit's, and the store checks them.

use clinic_db::{ClaimFields, ClaimItemFields, ClaimItemRow, ClaimRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{
    array, clinic_code, coding_code, date_time, missing, optional_reference, read_reference,
    required_reference, text, whole_number,
};
use crate::{MappingContext, icd10_with_dot, meta, reference, round_trip::unstored_elements, systems};

/// Clinic claim statuses and the Claim.status each reads as; the first of a kind is the default.
pub const CLAIM_STATUSES: [(&str, &str); 6] = [
    ("draft", "draft"),
    ("submitted", "active"),
    ("approved", "active"),
    ("rejected", "active"),
    ("paid", "active"),
    ("cancelled", "cancelled"),
];
/// http://hl7.org/fhir/ValueSet/fm-status (required binding).
const STATUS_VALUE_SET: [&str; 4] = ["active", "cancelled", "draft", "entered-in-error"];
/// Clinic claim uses and the Claim.use each reads as.
pub const CLAIM_USES: [(&str, &str); 2] = [("claim", "claim"), ("preauthorization", "preauthorization")];
/// http://hl7.org/fhir/ValueSet/claim-use (required binding).
const USE_VALUE_SET: [&str; 3] = ["claim", "preauthorization", "predetermination"];
/// Clinic claim types and their http://terminology.hl7.org/CodeSystem/claim-type codes.
const TYPES: [(&str, &str); 3] = [("opd", "professional"), ("dental", "oral"), ("pharmacy", "pharmacy")];
/// Clinic claim priorities and the processpriority codes they are.
pub const CLAIM_PRIORITIES: [(&str, &str); 2] = [("normal", "normal"), ("urgent", "stat")];
const ITEM_CATEGORIES: [&str; 5] = ["drug", "lab", "procedure", "service", "supply"];
/// Thai OPD diagnosis types (diag_type 1..=5).
const DIAGNOSIS_TYPES: [&str; 5] = ["Principal", "Comorbidity", "Complication", "Other", "External cause"];
const THB: &str = "THB";
/// Insurers share the Organization id space with branches; their ids carry this prefix.
const INSURER_ID_PREFIX: &str = "Organization/insurer-";

/// What a Claim write stores, and the diagnoses (ICD-10 without the dot, diag_type) it restates.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimWrite {
    pub claim: ClaimFields,
    /// `claim_id` is 0: the store sets it.
    pub items: Vec<ClaimItemFields>,
    pub diagnoses: Vec<(String, i16)>,
}

/// `diagnoses` are the claim visit's (diagnosis id, ICD-10 without the dot, diag_type).
pub fn claim_to_fhir(
    row: &ClaimRow,
    items: &[ClaimItemRow],
    diagnoses: &[(i64, String, i16)],
    ctx: &MappingContext,
) -> Value {
    let c = &row.fields;
    let mut claim = Map::new();
    claim.insert("resourceType".into(), json!("Claim"));
    claim.insert("id".into(), json!(row.id.to_string()));
    claim.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let mut extensions = vec![json!({"url": systems::CLAIM_STATUS_EXTENSION, "valueCode": c.status})];
    if let Some(submitted) = c.submitted_at {
        extensions.push(
            json!({"url": systems::CLAIM_SUBMITTED_EXTENSION, "valueDateTime": ctx.instant(submitted)}),
        );
    }
    if let Some(visit) = c.visit_id {
        extensions.push(json!({"url": systems::CLAIM_ENCOUNTER_EXTENSION, "valueReference": reference("Encounter", visit)}));
    }
    claim.insert("extension".into(), Value::Array(extensions));
    if !c.claim_no.is_empty() {
        claim.insert(
            "identifier".into(),
            json!([{"system": systems::CLINIC_CLAIM_NUMBER, "value": c.claim_no}]),
        );
    }
    let status =
        CLAIM_STATUSES.iter().find(|(clinic, _)| *clinic == c.status).map_or("active", |(_, fhir)| fhir);
    claim.insert("status".into(), json!(status));
    let mut type_coding = Vec::new();
    if let Some((_, fhir)) = TYPES.iter().find(|(clinic, _)| *clinic == c.claim_type) {
        type_coding.push(json!({"system": systems::CLAIM_TYPE, "code": fhir}));
    }
    type_coding.push(json!({"system": systems::CLINIC_CLAIM_TYPE, "code": c.claim_type}));
    claim.insert("type".into(), json!({ "coding": type_coding }));
    claim.insert("use".into(), json!(c.claim_use));
    claim.insert("patient".into(), reference("Patient", c.patient_id));
    claim.insert("created".into(), json!(ctx.instant(c.created_at)));
    claim.insert("insurer".into(), json!({"reference": format!("{INSURER_ID_PREFIX}{}", c.insurer_id)}));
    claim.insert("provider".into(), reference("Organization", c.branch_id));
    let priority =
        CLAIM_PRIORITIES.iter().find(|(clinic, _)| *clinic == c.priority).map_or("normal", |(_, fhir)| fhir);
    claim.insert(
        "priority".into(),
        json!({"coding": [{"system": systems::PROCESS_PRIORITY, "code": priority}]}),
    );
    if !diagnoses.is_empty() {
        claim.insert("diagnosis".into(), diagnosis_list(diagnoses));
    }
    let coverage = match c.coverage_id {
        Some(coverage) => reference("Coverage", coverage),
        None => json!({"extension": [{"url": systems::DATA_ABSENT_REASON, "valueCode": "unknown"}]}),
    };
    claim.insert("insurance".into(), json!([{"sequence": 1, "focal": true, "coverage": coverage}]));
    if !items.is_empty() {
        claim.insert("item".into(), items.iter().map(|item| claim_item(&item.fields)).collect());
    }
    claim.insert("total".into(), money(c.total_satang));
    Value::Object(claim)
}

/// Principal diagnoses first, then by diagnosis id, numbered from 1.
fn diagnosis_list(diagnoses: &[(i64, String, i16)]) -> Value {
    let mut ordered: Vec<_> = diagnoses.iter().collect();
    ordered.sort_by_key(|(id, _, diag_type)| (*diag_type, *id));
    ordered
        .into_iter()
        .enumerate()
        .map(|(index, (_, icd10, diag_type))| {
            let mut types = Vec::new();
            if *diag_type == 1 {
                types.push(json!({"system": systems::EX_DIAGNOSIS_TYPE, "code": "principal"}));
            }
            let mut clinic = json!({"system": systems::DIAGNOSIS_TYPE, "code": diag_type.to_string()});
            if let Some(display) = usize::try_from(*diag_type - 1).ok().and_then(|i| DIAGNOSIS_TYPES.get(i)) {
                clinic["display"] = json!(display);
            }
            types.push(clinic);
            json!({
                "sequence": index + 1,
                "diagnosisCodeableConcept": {"coding": [{"system": systems::ICD_10, "code": icd10_with_dot(icd10)}]},
                "type": [{"coding": types}],
            })
        })
        .collect()
}

fn claim_item(item: &ClaimItemFields) -> Value {
    let mut product = Map::new();
    product
        .insert("coding".into(), json!([{"system": systems::CLINIC_BILLING_CODE, "code": item.item_code}]));
    if let Some(name) = &item.item_name {
        product.insert("text".into(), json!(name));
    }
    json!({
        "sequence": item.seq,
        "category": {"coding": [{"system": systems::CLINIC_CLAIM_ITEM_CATEGORY, "code": item.category}]},
        "productOrService": product,
        "quantity": {"value": item.quantity},
        "unitPrice": money(item.unit_price_satang),
        "net": money(item.net_satang),
    })
}

/// Satang as Money in baht.
fn money(satang: i64) -> Value {
    json!({"value": satang as f64 / 100.0, "currency": THB})
}

/// The claims and claim_items columns of a Claim a client sent, with the diagnoses it restates,
/// or every problem that stops it being stored exactly as sent.
pub fn claim_from_fhir(resource: &Value, ctx: &MappingContext) -> Result<ClaimWrite, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut c = ClaimFields::default();
    read_extensions(resource, &mut c, ctx, &mut issues);
    for (index, identifier) in array(resource, "identifier").iter().enumerate() {
        match text(&identifier["value"]) {
            Some(value) if identifier["system"] == systems::CLINIC_CLAIM_NUMBER && c.claim_no.is_empty() => {
                c.claim_no = value
            }
            _ => issues.push(
                Issue::error(
                    IssueType::NotSupported,
                    format!(
                        "the only identifier kept is one claim number ({})",
                        systems::CLINIC_CLAIM_NUMBER
                    ),
                )
                .at(format!("Claim.identifier[{index}]")),
            ),
        }
    }
    let status =
        clinic_code(&resource["status"], &CLAIM_STATUSES, &STATUS_VALUE_SET, "Claim.status", &mut issues);
    // The extension refines `active`; it must agree with Claim.status.
    let refined = status.is_some_and(|status| fhir_status(status) == fhir_status(&c.status));
    if !refined {
        c.status = status.unwrap_or_default().into();
    }
    c.claim_type = read_type(&resource["type"], &mut issues).unwrap_or_default();
    c.claim_use = clinic_code(&resource["use"], &CLAIM_USES, &USE_VALUE_SET, "Claim.use", &mut issues)
        .unwrap_or_default()
        .into();
    c.patient_id =
        required_reference(&resource["patient"], "Patient", "Claim.patient", &mut issues).unwrap_or_default();
    match date_time(&resource["created"], "Claim.created", ctx, &mut issues) {
        Some(created) => c.created_at = created,
        None if resource["created"].is_null() => {
            issues.push(missing("Claim.created", "when the claim was made"))
        }
        None => {}
    }
    c.insurer_id = read_insurer(&resource["insurer"], &mut issues).unwrap_or_default();
    c.branch_id = required_reference(&resource["provider"], "Organization", "Claim.provider", &mut issues)
        .unwrap_or_default();
    c.priority = read_priority(&resource["priority"], &mut issues).unwrap_or_default();
    let diagnoses = read_diagnoses(resource, &mut issues);
    c.coverage_id = read_insurance(resource, &mut issues);
    let items = read_items(resource, &mut issues);
    let items_total: i64 = items.iter().map(|i| i.net_satang).sum();
    c.total_satang = match read_money(&resource["total"], "Claim.total", &mut issues) {
        Some(total) if total != items_total => {
            issues.push(
                Issue::error(
                    IssueType::BusinessRule,
                    format!("total must equal the sum of the item nets ({})", items_total as f64 / 100.0),
                )
                .at("Claim.total"),
            );
            total
        }
        Some(total) => total,
        None => items_total,
    };

    if issues.is_empty() {
        let stored = ClaimRow { id: 0, fields: c.clone(), updated_at: Default::default(), version: 1 };
        let item_rows: Vec<_> = items
            .iter()
            .map(|fields| ClaimItemRow {
                id: 0,
                fields: fields.clone(),
                updated_at: Default::default(),
                version: 1,
            })
            .collect();
        let restated: Vec<_> =
            diagnoses.iter().map(|(icd10, diag_type)| (0, icd10.clone(), *diag_type)).collect();
        issues = unstored_elements(resource, &claim_to_fhir(&stored, &item_rows, &restated, ctx), "Claim");
    }
    if issues.is_empty() { Ok(ClaimWrite { claim: c, items, diagnoses }) } else { Err(issues) }
}

fn fhir_status(clinic: &str) -> Option<&'static str> {
    CLAIM_STATUSES.iter().find(|(c, _)| *c == clinic).map(|(_, fhir)| *fhir)
}

fn read_extensions(resource: &Value, c: &mut ClaimFields, ctx: &MappingContext, issues: &mut Vec<Issue>) {
    for (index, extension) in array(resource, "extension").iter().enumerate() {
        let path = format!("Claim.extension[{index}]");
        match extension["url"].as_str() {
            Some(systems::CLAIM_STATUS_EXTENSION) => match extension["valueCode"].as_str() {
                Some(code) if fhir_status(code).is_some() => c.status = code.to_owned(),
                _ => issues.push(
                    Issue::error(IssueType::CodeInvalid, "the clinic claim status is one of draft, submitted, approved, rejected, paid, cancelled")
                        .at(format!("{path}.valueCode")),
                ),
            },
            Some(systems::CLAIM_SUBMITTED_EXTENSION) => {
                c.submitted_at = date_time(&extension["valueDateTime"], &format!("{path}.valueDateTime"), ctx, issues)
            }
            Some(systems::CLAIM_ENCOUNTER_EXTENSION) => {
                c.visit_id = optional_reference(&extension["valueReference"], "Encounter", &format!("{path}.valueReference"), issues)
            }
            _ => {} // reported by the round trip
        }
    }
}

fn read_type(concept: &Value, issues: &mut Vec<Issue>) -> Option<String> {
    if concept.is_null() {
        issues.push(missing("Claim.type", "opd (professional), dental (oral) or pharmacy"));
        return None;
    }
    let found = match coding_code(concept, systems::CLINIC_CLAIM_TYPE) {
        Some(clinic) => TYPES.iter().find(|(code, _)| *code == clinic),
        None => coding_code(concept, systems::CLAIM_TYPE)
            .and_then(|fhir| TYPES.iter().find(|(_, code)| *code == fhir)),
    };
    if found.is_none() {
        issues.push(
            Issue::error(
                IssueType::NotSupported,
                "the clinic claims are professional (opd), oral (dental) or pharmacy",
            )
            .at("Claim.type"),
        );
    }
    found.map(|(clinic, _)| (*clinic).to_owned())
}

fn read_insurer(insurer: &Value, issues: &mut Vec<Issue>) -> Option<i64> {
    if insurer.is_null() {
        issues.push(missing("Claim.insurer", "the clinic records which insurer is claimed from"));
        return None;
    }
    let id = insurer["reference"]
        .as_str()
        .and_then(|r| r.strip_prefix(INSURER_ID_PREFIX))
        .and_then(|id| id.parse().ok());
    if id.is_none() {
        issues.push(
            Issue::error(
                IssueType::Value,
                format!("expected a reference of the form {INSURER_ID_PREFIX}[id]"),
            )
            .at("Claim.insurer.reference"),
        );
    }
    id
}

fn read_priority(priority: &Value, issues: &mut Vec<Issue>) -> Option<String> {
    if priority.is_null() {
        issues.push(missing("Claim.priority", "normal or stat"));
        return None;
    }
    let code = coding_code(priority, systems::PROCESS_PRIORITY);
    let found = CLAIM_PRIORITIES.iter().find(|(_, fhir)| Some(*fhir) == code);
    if found.is_none() {
        issues.push(
            Issue::error(
                IssueType::NotSupported,
                format!("the priority must be normal or stat from {}", systems::PROCESS_PRIORITY),
            )
            .at("Claim.priority"),
        );
    }
    found.map(|(clinic, _)| (*clinic).to_owned())
}

/// (ICD-10 without the dot, diag_type) of each diagnosis, in the order given.
fn read_diagnoses(resource: &Value, issues: &mut Vec<Issue>) -> Vec<(String, i16)> {
    let mut diagnoses = Vec::new();
    for (index, diagnosis) in array(resource, "diagnosis").iter().enumerate() {
        let path = format!("Claim.diagnosis[{index}]");
        let code = coding_code(&diagnosis["diagnosisCodeableConcept"], systems::ICD_10);
        let Some(icd10) = code.and_then(icd10_without_dot) else {
            issues.push(
                Issue::error(
                    IssueType::CodeInvalid,
                    format!("expected an ICD-10 code with its dot (E11.9) from {}", systems::ICD_10),
                )
                .at(format!("{path}.diagnosisCodeableConcept")),
            );
            continue;
        };
        let concept = &diagnosis["type"][0];
        let diag_type = match coding_code(concept, systems::DIAGNOSIS_TYPE) {
            Some(clinic) => clinic.parse().ok().filter(|t| (1..=5).contains(t)),
            None if coding_code(concept, systems::EX_DIAGNOSIS_TYPE) == Some("principal") => Some(1),
            None => Some(4), // "other": a diagnosis the client did not type
        };
        match diag_type {
            Some(diag_type) => diagnoses.push((icd10, diag_type)),
            None => issues.push(
                Issue::error(IssueType::CodeInvalid, "the clinic diagnosis type is 1 to 5")
                    .at(format!("{path}.type[0]")),
            ),
        }
    }
    diagnoses
}

fn icd10_without_dot(code: &str) -> Option<String> {
    let (category, rest) = code.split_at_checked(3)?;
    let well_formed = category.starts_with(|c: char| c.is_ascii_uppercase())
        && category[1..].chars().all(|c| c.is_ascii_alphanumeric())
        && (rest.is_empty()
            || rest
                .strip_prefix('.')
                .is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric())));
    well_formed.then(|| code.replace('.', ""))
}

fn read_insurance(resource: &Value, issues: &mut Vec<Issue>) -> Option<i64> {
    let insurance = array(resource, "insurance");
    if insurance.len() > 1 {
        issues.push(
            Issue::error(IssueType::NotSupported, "the clinic claims from one coverage")
                .at("Claim.insurance[1]"),
        );
    }
    let Some(first) = insurance.first() else {
        issues.push(missing("Claim.insurance", "the coverage claimed from (or a data-absent-reason)"));
        return None;
    };
    let coverage = &first["coverage"];
    let absent = array(coverage, "extension").iter().any(|e| e["url"] == systems::DATA_ABSENT_REASON);
    if absent && coverage.get("reference").is_none() {
        None
    } else {
        read_reference(coverage, "Coverage", "Claim.insurance[0].coverage", issues)
    }
}

fn read_items(resource: &Value, issues: &mut Vec<Issue>) -> Vec<ClaimItemFields> {
    let mut items: Vec<ClaimItemFields> = Vec::new();
    for (index, item) in array(resource, "item").iter().enumerate() {
        let path = format!("Claim.item[{index}]");
        let issues_before = issues.len();
        let seq = whole_number(&item["sequence"], &format!("{path}.sequence"), issues);
        if item["sequence"].is_null() {
            issues.push(missing(&format!("{path}.sequence"), "a positive item number"));
        } else if seq.is_some_and(|s| s < 1 || items.iter().any(|i| i.seq == s)) {
            issues.push(
                Issue::error(IssueType::Value, "sequences are positive and unique")
                    .at(format!("{path}.sequence")),
            );
        }
        let category = coding_code(&item["category"], systems::CLINIC_CLAIM_ITEM_CATEGORY);
        if category.is_none_or(|c| !ITEM_CATEGORIES.contains(&c)) {
            issues.push(
                Issue::error(
                    IssueType::CodeInvalid,
                    format!(
                        "the category is one of {} from {}",
                        ITEM_CATEGORIES.join(", "),
                        systems::CLINIC_CLAIM_ITEM_CATEGORY
                    ),
                )
                .at(format!("{path}.category")),
            );
        }
        let code = coding_code(&item["productOrService"], systems::CLINIC_BILLING_CODE);
        if code.is_none() {
            issues.push(missing(
                &format!("{path}.productOrService"),
                &format!("a coding from {}", systems::CLINIC_BILLING_CODE),
            ));
        }
        let quantity = whole_number(&item["quantity"]["value"], &format!("{path}.quantity.value"), issues);
        if quantity.is_none_or(|q| q <= 0) {
            issues.push(
                Issue::error(IssueType::Value, "the quantity is a positive whole number")
                    .at(format!("{path}.quantity")),
            );
        }
        let unit_price = read_money(&item["unitPrice"], &format!("{path}.unitPrice"), issues);
        let net = read_money(&item["net"], &format!("{path}.net"), issues);
        if issues.len() > issues_before {
            continue;
        }
        let (Some(seq), Some(category), Some(code), Some(quantity), Some(unit_price), Some(net)) =
            (seq, category, code, quantity, unit_price, net)
        else {
            issues.push(missing(&path, "unitPrice and net"));
            continue;
        };
        if unit_price.checked_mul(i64::from(quantity)) != Some(net) {
            issues.push(
                Issue::error(IssueType::BusinessRule, "net must equal quantity × unitPrice")
                    .at(format!("{path}.net")),
            );
        }
        items.push(ClaimItemFields {
            claim_id: 0,
            seq,
            category: category.to_owned(),
            item_code: code.to_owned(),
            item_name: text(&item["productOrService"]["text"]),
            quantity,
            unit_price_satang: unit_price,
            net_satang: net,
        });
    }
    items
}

/// Money in THB as satang: the value must be a whole number of satang.
fn read_money(money: &Value, path: &str, issues: &mut Vec<Issue>) -> Option<i64> {
    if money.is_null() {
        return None;
    }
    if !money["currency"].is_null() && money["currency"] != THB {
        issues.push(Issue::error(IssueType::Value, "amounts are in THB").at(format!("{path}.currency")));
        return None;
    }
    // Exact when the client's decimal is the nearest double to some whole number of satang.
    let satang = money["value"].as_f64().map(|baht| (baht * 100.0).round()).filter(|s| s.abs() < 9e15);
    let exact = satang.filter(|s| money["value"].as_f64() == Some(s / 100.0)).map(|s| s as i64);
    if exact.is_none() {
        issues.push(
            Issue::error(IssueType::Value, "expected an amount in baht with at most two decimals")
                .at(format!("{path}.value")),
        );
    }
    exact
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, ctx};

    fn row() -> ClaimRow {
        ClaimRow {
            id: 77,
            fields: ClaimFields {
                claim_no: "CL-2026-000077".into(),
                visit_id: Some(900),
                patient_id: 42,
                coverage_id: Some(3),
                insurer_id: 2,
                branch_id: 1,
                claim_use: "claim".into(),
                claim_type: "opd".into(),
                status: "approved".into(),
                priority: "urgent".into(),
                total_satang: 62_327,
                created_at: at("2026-03-02 11:00"),
                submitted_at: Some(at("2026-03-02 11:30")),
            },
            updated_at: at("2026-03-05 08:00"),
            version: 4,
        }
    }

    fn items() -> Vec<ClaimItemRow> {
        let item = |seq, category: &str, code: &str, quantity, unit_price_satang| ClaimItemRow {
            id: 0,
            fields: ClaimItemFields {
                claim_id: 77,
                seq,
                category: category.into(),
                item_code: code.into(),
                item_name: Some(format!("{code} name")),
                quantity,
                unit_price_satang,
                net_satang: unit_price_satang * i64::from(quantity),
            },
            updated_at: at("2026-03-02 11:00"),
            version: 1,
        };
        vec![item(1, "service", "OPD01", 1, 50_000), item(2, "drug", "AMOX500", 21, 587)]
    }

    fn diagnoses() -> Vec<(i64, String, i16)> {
        vec![(11, "I10".into(), 2), (10, "E119".into(), 1)]
    }

    fn paths(issues: &[Issue]) -> Vec<String> {
        issues.iter().flat_map(|i| i.expression.clone()).collect()
    }

    #[test]
    fn a_claim_reads_with_status_items_money_and_diagnoses() {
        let claim = claim_to_fhir(&row(), &items(), &diagnoses(), &ctx());
        assert_eq!(claim["extension"][0]["valueCode"], "approved");
        assert_eq!(claim["extension"][1]["valueDateTime"], "2026-03-02T11:30:00+07:00");
        assert_eq!(claim["extension"][2]["valueReference"]["reference"], "Encounter/900");
        assert_eq!(claim["identifier"][0]["value"], "CL-2026-000077");
        assert_eq!(claim["status"], "active");
        assert_eq!(
            claim["type"]["coding"][0],
            json!({"system": systems::CLAIM_TYPE, "code": "professional"})
        );
        assert_eq!(claim["insurer"]["reference"], "Organization/insurer-2");
        assert_eq!(claim["provider"]["reference"], "Organization/1");
        assert_eq!(claim["priority"]["coding"][0]["code"], "stat");
        assert_eq!(claim["diagnosis"][0]["sequence"], 1);
        assert_eq!(claim["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0]["code"], "E11.9");
        assert_eq!(claim["diagnosis"][0]["type"][0]["coding"][0]["code"], "principal");
        assert_eq!(claim["diagnosis"][1]["diagnosisCodeableConcept"]["coding"][0]["code"], "I10");
        assert_eq!(claim["insurance"][0]["coverage"]["reference"], "Coverage/3");
        assert_eq!(claim["item"][1]["unitPrice"], json!({"value": 5.87, "currency": "THB"}));
        assert_eq!(claim["item"][1]["net"]["value"], 123.27);
        assert_eq!(claim["total"], json!({"value": 623.27, "currency": "THB"}));
        let order: Vec<_> = claim.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            order,
            [
                "resourceType",
                "id",
                "meta",
                "extension",
                "identifier",
                "status",
                "type",
                "use",
                "patient",
                "created",
                "insurer",
                "provider",
                "priority",
                "diagnosis",
                "insurance",
                "item",
                "total"
            ]
        );
    }

    #[test]
    fn a_claim_round_trips() {
        let claim = claim_to_fhir(&row(), &items(), &diagnoses(), &ctx());
        let write = claim_from_fhir(&claim, &ctx()).unwrap();
        assert_eq!(write.claim, row().fields);
        let expected: Vec<_> =
            items().into_iter().map(|i| ClaimItemFields { claim_id: 0, ..i.fields }).collect();
        assert_eq!(write.items, expected);
        assert_eq!(write.diagnoses, [("E119".to_owned(), 1), ("I10".to_owned(), 2)]);
    }

    #[test]
    fn a_claim_without_coverage_or_visit_round_trips() {
        let mut row = row();
        row.fields.coverage_id = None;
        row.fields.visit_id = None;
        row.fields.submitted_at = None;
        row.fields.status = "draft".into();
        let claim = claim_to_fhir(&row, &items(), &[], &ctx());
        assert_eq!(claim["insurance"][0]["coverage"]["extension"][0]["valueCode"], "unknown");
        assert_eq!(claim_from_fhir(&claim, &ctx()).unwrap().claim, row.fields);
    }

    #[test]
    fn money_that_does_not_add_up_is_named() {
        let mut claim = claim_to_fhir(&row(), &items(), &diagnoses(), &ctx());
        claim["item"][1]["net"]["value"] = json!(123.28);
        claim["item"][0]["unitPrice"]["value"] = json!(500.001);
        let issues = claim_from_fhir(&claim, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Claim.item[0].unitPrice.value", "Claim.item[1].net", "Claim.total"]);
    }

    #[test]
    fn bad_codes_and_what_the_clinic_cannot_keep_are_named() {
        let mut claim = claim_to_fhir(&row(), &items(), &diagnoses(), &ctx());
        claim["use"] = json!("estimate");
        claim["insurer"] = json!({"reference": "Organization/2"});
        claim["diagnosis"][1]["diagnosisCodeableConcept"]["coding"][0]["code"] = json!("I1O9");
        let issues = claim_from_fhir(&claim, &ctx()).unwrap_err();
        assert_eq!(
            paths(&issues),
            ["Claim.use", "Claim.insurer.reference", "Claim.diagnosis[1].diagnosisCodeableConcept"]
        );
        assert_eq!(issues[0].code, IssueType::CodeInvalid);

        let mut claim = claim_to_fhir(&row(), &items(), &diagnoses(), &ctx());
        claim["accident"] = json!({"date": "2026-03-01"});
        claim["item"][0]["modifier"] = json!([{"text": "after hours"}]);
        let issues = claim_from_fhir(&claim, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Claim.item[0].modifier", "Claim.accident"]);
    }
}
