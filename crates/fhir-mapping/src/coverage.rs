//! Coverage <- `patient_coverages` (read-only): a patient's right to treatment (สิทธิการรักษา).
//!
//! | FHIR                                             | clinic column                          |
//! |--------------------------------------------------|----------------------------------------|
//! | extension coverage-main-hospital                 | main_hospital_code (hmain), as a       |
//! |   (valueReference.identifier th-moph-hcode)      |   reference by MOPH code               |
//! | identifier (clinic member-no system, assigner    | member_no                              |
//! |   = the insurer)                                 |                                        |
//! | status                                           | status: active -> active,              |
//! |                                                  |   cancelled and expired -> cancelled   |
//! | type (clinic insurance-scheme system)            | scheme (UCS, SSS, OFC, LGO, PRIVATE,   |
//! |                                                  |   SELF); text is the Thai name         |
//! | subscriberId                                     | member_no                              |
//! | beneficiary                                      | patient_id                             |
//! | period.start / period.end                        | valid_from / valid_to                  |
//! | payor[0]                                         | Organization/insurer-{insurer_id}      |
//! | class[0] (coverage-class `plan`)                 | plan_name                              |
//!
//! fm-status has no `expired`: an expired coverage is no longer in force, so it reads as
//! `cancelled`, and its `period.end` (valid_to) in the past is what tells it from a cancelled
//! one. hmain is usually another facility's MOPH code, not a clinic branch, so it is a logical
//! reference in an extension (no Coverage element means "registered main hospital").

use clinic_db::CoverageRow;
use serde_json::{Map, Value, json};

use crate::elements::concept;
use crate::organization::OrganizationKey;
use crate::{MappingContext, meta, reference, systems};

/// The schemes (the codes of `systems::INSURANCE_SCHEME`) with their English displays and Thai
/// names.
pub const INSURANCE_SCHEMES: [(&str, &str, &str); 6] = [
    ("UCS", "Universal Coverage Scheme", "หลักประกันสุขภาพถ้วนหน้า"),
    ("SSS", "Social Security Scheme", "ประกันสังคม"),
    ("OFC", "Civil Servant Medical Benefit Scheme", "สวัสดิการรักษาพยาบาลข้าราชการ"),
    ("LGO", "Local Government Officer Medical Benefit Scheme", "สวัสดิการรักษาพยาบาลองค์กรปกครองส่วนท้องถิ่น"),
    ("PRIVATE", "Private health insurance", "ประกันสุขภาพเอกชน"),
    ("SELF", "Self-pay", "ชำระเงินเอง"),
];

pub fn coverage_to_fhir(row: &CoverageRow, ctx: &MappingContext) -> Value {
    let payor =
        json!({"reference": format!("Organization/{}", OrganizationKey::Insurer(row.insurer_id).to_id())});
    let mut coverage = Map::new();
    coverage.insert("resourceType".into(), json!("Coverage"));
    coverage.insert("id".into(), json!(row.id.to_string()));
    coverage.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    if let Some(hmain) = &row.main_hospital_code {
        coverage.insert(
            "extension".into(),
            json!([{
                "url": systems::COVERAGE_MAIN_HOSPITAL,
                "valueReference": {"identifier": {"system": systems::TH_MOPH_HCODE, "value": hmain}}
            }]),
        );
    }
    if let Some(member_no) = &row.member_no {
        coverage.insert(
            "identifier".into(),
            json!([{"system": systems::COVERAGE_MEMBER_NO, "value": member_no, "assigner": payor}]),
        );
    }
    let status = if row.status == "active" { "active" } else { "cancelled" };
    coverage.insert("status".into(), json!(status));
    let scheme = match INSURANCE_SCHEMES.iter().find(|(code, _, _)| *code == row.scheme) {
        Some((code, display, thai)) => {
            let mut scheme = concept(systems::INSURANCE_SCHEME, code, display);
            scheme["text"] = json!(thai);
            scheme
        }
        None => json!({"coding": [{"system": systems::INSURANCE_SCHEME, "code": row.scheme}]}),
    };
    coverage.insert("type".into(), scheme);
    if let Some(member_no) = &row.member_no {
        coverage.insert("subscriberId".into(), json!(member_no));
    }
    coverage.insert("beneficiary".into(), reference("Patient", row.patient_id));
    let mut period = Map::new();
    if let Some(from) = row.valid_from {
        period.insert("start".into(), json!(from.to_string()));
    }
    if let Some(to) = row.valid_to {
        period.insert("end".into(), json!(to.to_string()));
    }
    if !period.is_empty() {
        coverage.insert("period".into(), Value::Object(period));
    }
    coverage.insert("payor".into(), json!([payor]));
    if let Some(plan) = &row.plan_name {
        coverage.insert(
            "class".into(),
            json!([{"type": concept(systems::COVERAGE_CLASS, "plan", "Plan"), "value": plan}]),
        );
    }
    Value::Object(coverage)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::test_support::ctx;

    fn coverage() -> CoverageRow {
        CoverageRow {
            id: 21,
            patient_id: 42,
            insurer_id: 2,
            scheme: "UCS".into(),
            member_no: Some("1103700123458".into()),
            plan_name: Some("บัตรทอง 30 บาท".into()),
            main_hospital_code: Some("10662".into()),
            valid_from: NaiveDate::from_ymd_opt(2025, 10, 1),
            valid_to: NaiveDate::from_ymd_opt(2026, 9, 30),
            status: "active".into(),
            updated_at: NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap(),
            version: 3,
        }
    }

    #[test]
    fn a_universal_coverage_right_reads_with_its_scheme_payor_plan_and_hmain() {
        let coverage = coverage_to_fhir(&coverage(), &ctx());
        assert_eq!(coverage["id"], "21");
        assert_eq!(coverage["extension"][0]["url"], systems::COVERAGE_MAIN_HOSPITAL);
        assert_eq!(
            coverage["extension"][0]["valueReference"]["identifier"],
            json!({"system": systems::TH_MOPH_HCODE, "value": "10662"})
        );
        assert_eq!(coverage["identifier"][0]["value"], "1103700123458");
        assert_eq!(coverage["identifier"][0]["assigner"]["reference"], "Organization/insurer-2");
        assert_eq!(coverage["status"], "active");
        assert_eq!(
            coverage["type"],
            json!({
                "coding": [{"system": systems::INSURANCE_SCHEME, "code": "UCS", "display": "Universal Coverage Scheme"}],
                "text": "หลักประกันสุขภาพถ้วนหน้า"
            })
        );
        assert_eq!(coverage["subscriberId"], "1103700123458");
        assert_eq!(coverage["beneficiary"]["reference"], "Patient/42");
        assert_eq!(coverage["period"], json!({"start": "2025-10-01", "end": "2026-09-30"}));
        assert_eq!(coverage["payor"], json!([{"reference": "Organization/insurer-2"}]));
        assert_eq!(coverage["class"][0]["type"]["coding"][0]["code"], "plan");
        assert_eq!(coverage["class"][0]["value"], "บัตรทอง 30 บาท");
        let names: Vec<_> = coverage.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "extension",
                "identifier",
                "status",
                "type",
                "subscriberId",
                "beneficiary",
                "period",
                "payor",
                "class"
            ]
        );
    }

    #[test]
    fn expired_and_cancelled_rights_are_cancelled_and_only_fm_status_codes_are_used() {
        for (status, expected) in [("active", "active"), ("cancelled", "cancelled"), ("expired", "cancelled")]
        {
            let row = CoverageRow { status: status.into(), ..coverage() };
            assert_eq!(coverage_to_fhir(&row, &ctx())["status"], expected, "status {status}");
        }
    }

    #[test]
    fn a_self_pay_right_with_no_optional_columns_has_no_empty_elements() {
        let row = CoverageRow {
            scheme: "SELF".into(),
            member_no: None,
            plan_name: None,
            main_hospital_code: None,
            valid_from: None,
            valid_to: None,
            ..coverage()
        };
        let coverage = coverage_to_fhir(&row, &ctx());
        assert_eq!(coverage["type"]["coding"][0]["display"], "Self-pay");
        let names: Vec<_> = coverage.as_object().unwrap().keys().cloned().collect();
        assert_eq!(names, ["resourceType", "id", "meta", "status", "type", "beneficiary", "payor"]);
    }
}
