//! Practitioner <- `doctors` (read-only).
//!
//! | FHIR                                             | clinic column                          |
//! |--------------------------------------------------|----------------------------------------|
//! | identifier (th-doctor-id, or th-dentist-id for   | license_no                             |
//! |   doctors titled ทพ./ทพญ.), type MD              |                                        |
//! | active                                           | active                                 |
//! | name (language th)                               | title_th, first_name_th, last_name_th  |
//! | name (language en, prefix Dr. for a doctor title)| first_name_en, last_name_en            |
//! | telecom phone / email                            | phone / email                          |
//! | gender                                           | sex (M/F/O/U), absent when NULL        |
//! | qualification[0].code.text                       | specialty                              |
//!
//! `branch_id` (where the doctor works) has no Practitioner element; it belongs to a
//! PractitionerRole.

use clinic_db::DoctorRow;
use serde_json::{Map, Value, json};

use crate::elements::{concept, human_name, telecom};
use crate::patient::SEXES;
use crate::{MappingContext, meta, systems};

/// Thai titles of physicians; in English each is "Dr.".
const PHYSICIAN_TITLES: [&str; 2] = ["นพ.", "พญ."];
/// Thai titles of dentists: their licence numbers are the Dental Council's, a separate series.
const DENTIST_TITLES: [&str; 2] = ["ทพ.", "ทพญ."];

pub fn practitioner_to_fhir(row: &DoctorRow, ctx: &MappingContext) -> Value {
    let title = row.title_th.as_deref();
    let is_dentist = title.is_some_and(|t| DENTIST_TITLES.contains(&t));
    let is_doctor = is_dentist || title.is_some_and(|t| PHYSICIAN_TITLES.contains(&t));

    let mut practitioner = Map::new();
    practitioner.insert("resourceType".into(), json!("Practitioner"));
    practitioner.insert("id".into(), json!(row.id.to_string()));
    practitioner.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let (licence_system, licence_type) = if is_dentist {
        (systems::TH_DENTAL_LICENSE, concept(systems::IDENTIFIER_TYPE, "LN", "License number"))
    } else {
        (systems::TH_MEDICAL_LICENSE, concept(systems::IDENTIFIER_TYPE, "MD", "Medical License number"))
    };
    practitioner.insert(
        "identifier".into(),
        json!([{"use": "official", "type": licence_type, "system": licence_system, "value": row.license_no}]),
    );
    practitioner.insert("active".into(), json!(row.active));
    let mut names =
        vec![human_name("th", Some(&row.last_name_th), Some(&row.first_name_th), row.title_th.as_deref())];
    if row.first_name_en.is_some() || row.last_name_en.is_some() {
        names.push(human_name(
            "en",
            row.last_name_en.as_deref(),
            row.first_name_en.as_deref(),
            is_doctor.then_some("Dr."),
        ));
    }
    practitioner.insert("name".into(), Value::Array(names));
    if let Some(telecom) = telecom(row.phone.as_deref(), row.email.as_deref()) {
        practitioner.insert("telecom".into(), telecom);
    }
    if let Some((_, gender)) = SEXES.iter().find(|(sex, _)| Some(*sex) == row.sex.as_deref()) {
        practitioner.insert("gender".into(), json!(gender));
    }
    if let Some(specialty) = &row.specialty {
        practitioner.insert("qualification".into(), json!([{"code": {"text": specialty}}]));
    }
    Value::Object(practitioner)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::test_support::ctx;

    fn doctor() -> DoctorRow {
        DoctorRow {
            id: 7,
            license_no: "12345".into(),
            title_th: Some("พญ.".into()),
            first_name_th: "สมหญิง".into(),
            last_name_th: "รักษาดี".into(),
            first_name_en: Some("Somying".into()),
            last_name_en: Some("Raksadee".into()),
            sex: Some("F".into()),
            specialty: Some("อายุรกรรม".into()),
            phone: Some("021234567".into()),
            email: None,
            branch_id: Some(1),
            active: true,
            updated_at: NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap(),
            version: 4,
        }
    }

    #[test]
    fn a_physician_has_a_medical_council_licence_and_both_names() {
        let practitioner = practitioner_to_fhir(&doctor(), &ctx());
        assert_eq!(practitioner["id"], "7");
        assert_eq!(practitioner["meta"]["lastUpdated"], "2026-01-02T08:00:00+07:00");
        assert_eq!(practitioner["identifier"][0]["system"], systems::TH_MEDICAL_LICENSE);
        assert_eq!(practitioner["identifier"][0]["value"], "12345");
        assert_eq!(practitioner["identifier"][0]["type"]["coding"][0]["code"], "MD");
        assert_eq!(practitioner["active"], true);
        assert_eq!(practitioner["name"][0]["extension"][0]["valueCode"], "th");
        assert_eq!(practitioner["name"][0]["family"], "รักษาดี");
        assert_eq!(practitioner["name"][0]["given"], json!(["สมหญิง"]));
        assert_eq!(practitioner["name"][0]["prefix"], json!(["พญ."]));
        assert_eq!(practitioner["name"][1]["extension"][0]["valueCode"], "en");
        assert_eq!(practitioner["name"][1]["family"], "Raksadee");
        assert_eq!(practitioner["name"][1]["prefix"], json!(["Dr."]));
        assert_eq!(practitioner["telecom"], json!([{"system": "phone", "value": "021234567"}]));
        assert_eq!(practitioner["gender"], "female");
        assert_eq!(practitioner["qualification"], json!([{"code": {"text": "อายุรกรรม"}}]));
        let names: Vec<_> = practitioner.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "identifier",
                "active",
                "name",
                "telecom",
                "gender",
                "qualification"
            ]
        );
    }

    #[test]
    fn a_dentist_has_a_dental_council_licence() {
        let row = DoctorRow { title_th: Some("ทพ.".into()), ..doctor() };
        let practitioner = practitioner_to_fhir(&row, &ctx());
        assert_eq!(practitioner["identifier"][0]["system"], systems::TH_DENTAL_LICENSE);
        assert_eq!(practitioner["identifier"][0]["type"]["coding"][0]["code"], "LN");
        assert_eq!(practitioner["name"][1]["prefix"], json!(["Dr."]));
    }

    #[test]
    fn absent_columns_leave_no_empty_elements() {
        let row = DoctorRow {
            title_th: None,
            first_name_en: None,
            last_name_en: None,
            sex: None,
            specialty: None,
            phone: None,
            ..doctor()
        };
        let practitioner = practitioner_to_fhir(&row, &ctx());
        assert_eq!(practitioner["name"].as_array().map(Vec::len), Some(1));
        assert!(practitioner["name"][0].get("prefix").is_none());
        for absent in ["telecom", "gender", "qualification"] {
            assert!(practitioner.get(absent).is_none(), "{absent} should be absent");
        }
    }
}
