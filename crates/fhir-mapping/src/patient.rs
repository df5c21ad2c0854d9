//! Patient <-> `patients`.
//!
//! | FHIR                                   | clinic column                                  |
//! |----------------------------------------|------------------------------------------------|
//! | identifier (system = clinic HN system) | hn                                             |
//! | identifier (th-cid, checksum checked)  | national_id                                    |
//! | identifier (passport-XXX)              | passport_no, passport_country                  |
//! | identifier (MOPH Connect user id)      | moph_user_id                                   |
//! | name (language th / Thai script)       | title_th, first_name_th, last_name_th          |
//! | name (language en / Latin script)      | first_name_en, last_name_en (prefix from title)|
//! | telecom phone / email                  | phone / email                                  |
//! | gender                                 | sex (M/F/O/U)                                  |
//! | birthDate (full date only)             | birth_date                                     |
//! | deceasedBoolean / deceasedDateTime     | deceased / deceased_at                         |
//! | address[0]: line[0], city, district,   | address_line, sub_district (tambon), district  |
//! |   state, postalCode, country TH        |   (amphoe), province, postal_code              |
//! | extension patient-nationality          | nationality (ISO 3166 alpha-3)                 |
//! | generalPractitioner[0]                 | primary_doctor_id                              |
//! | managingOrganization                   | registered_branch_id                           |

use chrono::NaiveDate;
use clinic_db::{PatientFields, PatientRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{array, read_reference, text};
use crate::{MappingContext, meta, reference, round_trip::unstored_elements, systems, thai_id};

/// Thai titles and the English prefixes they translate to.
const TITLES: [(&str, &str); 5] =
    [("นาย", "Mr."), ("นาง", "Mrs."), ("นางสาว", "Miss"), ("ด.ช.", "Master"), ("ด.ญ.", "Miss")];

pub(crate) const SEXES: [(&str, &str); 4] =
    [("M", "male"), ("F", "female"), ("O", "other"), ("U", "unknown")];

pub fn patient_to_fhir(row: &PatientRow, ctx: &MappingContext) -> Value {
    let p = &row.fields;
    let mut patient = Map::new();
    patient.insert("resourceType".into(), json!("Patient"));
    patient.insert("id".into(), json!(row.id.to_string()));
    patient.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    if let Some(nationality) = &p.nationality {
        patient.insert(
            "extension".into(),
            json!([{
                "url": systems::PATIENT_NATIONALITY,
                "extension": [{
                    "url": "code",
                    "valueCodeableConcept": {"coding": [{"system": systems::ISO_3166, "code": nationality}]}
                }]
            }]),
        );
    }
    patient.insert("identifier".into(), Value::Array(identifiers(p, ctx)));
    patient.insert("active".into(), json!(p.active));
    let names = names(p);
    if !names.is_empty() {
        patient.insert("name".into(), Value::Array(names));
    }
    let telecom: Vec<Value> = [("phone", &p.phone), ("email", &p.email)]
        .into_iter()
        .filter_map(|(system, value)| value.as_ref().map(|v| json!({"system": system, "value": v})))
        .collect();
    if !telecom.is_empty() {
        patient.insert("telecom".into(), Value::Array(telecom));
    }
    let gender = SEXES.iter().find(|(sex, _)| *sex == p.sex).map_or("unknown", |(_, g)| g);
    patient.insert("gender".into(), json!(gender));
    if let Some(birth_date) = p.birth_date {
        patient.insert("birthDate".into(), json!(birth_date.to_string()));
    }
    match p.deceased_at {
        Some(at) if p.deceased => patient.insert("deceasedDateTime".into(), json!(ctx.instant(at))),
        _ => patient.insert("deceasedBoolean".into(), json!(p.deceased)),
    };
    if let Some(address) = address(p) {
        patient.insert("address".into(), json!([address]));
    }
    if let Some(doctor) = p.primary_doctor_id {
        patient.insert("generalPractitioner".into(), json!([reference("Practitioner", doctor)]));
    }
    if let Some(branch) = p.registered_branch_id {
        patient.insert("managingOrganization".into(), reference("Organization", branch));
    }
    Value::Object(patient)
}

fn identifiers(p: &PatientFields, ctx: &MappingContext) -> Vec<Value> {
    let typed = |code: &str| json!({"coding": [{"system": systems::IDENTIFIER_TYPE, "code": code}]});
    let mut identifiers = Vec::new();
    if !p.hn.is_empty() {
        identifiers
            .push(json!({"use": "usual", "type": typed("MR"), "system": ctx.hn_system, "value": p.hn}));
    }
    if let Some(cid) = &p.national_id {
        identifiers.push(
            json!({"use": "official", "type": typed("NI"), "system": systems::THAI_CITIZEN_ID, "value": cid}),
        );
    }
    if let (Some(number), Some(country)) = (&p.passport_no, &p.passport_country) {
        if let Some(user_id) = &p.moph_user_id {
            identifiers.push(json!({"system": systems::MOPH_CONNECT_USER, "value": user_id}));
        }
        identifiers.push(json!({
            "type": typed("PPN"),
            "system": format!("{}{country}", systems::PASSPORT_PREFIX),
            "value": number,
        }));
    }
    if let Some(user_id) = &p.moph_user_id {
        identifiers.push(json!({"system": systems::MOPH_CONNECT_USER, "value": user_id}));
    }
    identifiers
}

fn names(p: &PatientFields) -> Vec<Value> {
    let english_prefix =
        p.title_th.as_deref().and_then(|title| TITLES.iter().find(|(th, _)| *th == title)).map(|(_, en)| *en);
    [
        ("th", &p.last_name_th, &p.first_name_th, p.title_th.as_deref()),
        ("en", &p.last_name_en, &p.first_name_en, english_prefix),
    ]
    .into_iter()
    .filter(|(_, family, given, _)| family.is_some() || given.is_some())
    .map(|(language, family, given, prefix)| {
        let mut name = Map::new();
        name.insert("extension".into(), json!([{"url": systems::LANGUAGE_EXTENSION, "valueCode": language}]));
        name.insert("use".into(), json!("official"));
        if let Some(family) = family {
            name.insert("family".into(), json!(family));
        }
        if let Some(given) = given {
            name.insert("given".into(), json!([given]));
        }
        if let Some(prefix) = prefix {
            name.insert("prefix".into(), json!([prefix]));
        }
        Value::Object(name)
    })
    .collect()
}

fn address(p: &PatientFields) -> Option<Value> {
    let parts = [
        ("city", &p.sub_district),
        ("district", &p.district),
        ("state", &p.province),
        ("postalCode", &p.postal_code),
    ];
    if p.address_line.is_none() && parts.iter().all(|(_, v)| v.is_none()) {
        return None;
    }
    let mut address = Map::new();
    address.insert("use".into(), json!("home"));
    if let Some(line) = &p.address_line {
        address.insert("line".into(), json!([line]));
    }
    for (element, value) in parts {
        if let Some(value) = value {
            address.insert(element.into(), json!(value));
        }
    }
    address.insert("country".into(), json!("TH"));
    Some(Value::Object(address))
}

/// The patients columns for a Patient a client sent, or every problem that stops it being
/// stored exactly as sent. An absent HN is left empty for the store to assign.
pub fn patient_from_fhir(resource: &Value, ctx: &MappingContext) -> Result<PatientFields, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut p = PatientFields { sex: "U".into(), active: true, ..PatientFields::default() };
    for (i, identifier) in array(resource, "identifier").iter().enumerate() {
        read_identifier(identifier, i, &mut p, &mut issues, ctx);
    }
    p.active = resource["active"].as_bool().unwrap_or(true);
    for name in array(resource, "name") {
        read_name(name, &mut p);
    }
    for telecom in array(resource, "telecom") {
        let value = text(&telecom["value"]);
        match telecom["system"].as_str() {
            Some("phone") if p.phone.is_none() => p.phone = value,
            Some("email") if p.email.is_none() => p.email = value,
            _ => {} // reported by the round trip
        }
    }
    if let Some(gender) = resource["gender"].as_str() {
        match SEXES.iter().find(|(_, g)| *g == gender) {
            Some((sex, _)) => p.sex = (*sex).into(),
            None => issues.push(
                Issue::error(IssueType::CodeInvalid, format!("unknown gender '{gender}'"))
                    .at("Patient.gender"),
            ),
        }
    }
    if let Some(birth_date) = resource["birthDate"].as_str() {
        match NaiveDate::parse_from_str(birth_date, "%Y-%m-%d") {
            Ok(date) => p.birth_date = Some(date),
            Err(_) => issues.push(
                Issue::error(
                    IssueType::Value,
                    format!("birthDate '{birth_date}' must be a full date (YYYY-MM-DD)"),
                )
                .at("Patient.birthDate"),
            ),
        }
    }
    if let Some(deceased) = resource["deceasedBoolean"].as_bool() {
        p.deceased = deceased;
    }
    if let Some(at) = resource["deceasedDateTime"].as_str() {
        p.deceased = true;
        p.deceased_at = ctx.local_time(at);
        if p.deceased_at.is_none() {
            issues.push(
                Issue::error(IssueType::Value, "deceasedDateTime must include a time and a time zone")
                    .at("Patient.deceasedDateTime"),
            );
        }
    }
    if let Some(address) = array(resource, "address").first() {
        p.address_line = text(&address["line"][0]);
        p.sub_district = text(&address["city"]);
        p.district = text(&address["district"]);
        p.province = text(&address["state"]);
        p.postal_code = text(&address["postalCode"]);
    }
    p.nationality = read_nationality(resource, &mut issues);
    if let Some(doctor) = array(resource, "generalPractitioner").first() {
        p.primary_doctor_id =
            read_reference(doctor, "Practitioner", "Patient.generalPractitioner[0]", &mut issues);
    }
    if resource.get("managingOrganization").is_some() {
        p.registered_branch_id = read_reference(
            &resource["managingOrganization"],
            "Organization",
            "Patient.managingOrganization",
            &mut issues,
        );
    }

    if issues.is_empty() {
        let stored = PatientRow {
            id: 0,
            fields: p.clone(),
            created_at: Default::default(),
            updated_at: Default::default(),
            version: 1,
        };
        issues = unstored_elements(resource, &patient_to_fhir(&stored, ctx), "Patient");
    }
    if issues.is_empty() { Ok(p) } else { Err(issues) }
}

fn read_identifier(
    identifier: &Value,
    index: usize,
    p: &mut PatientFields,
    issues: &mut Vec<Issue>,
    ctx: &MappingContext,
) {
    let path = format!("Patient.identifier[{index}]");
    let Some(value) = identifier["value"].as_str() else {
        issues.push(
            Issue::error(IssueType::Required, "an identifier needs a value").at(format!("{path}.value")),
        );
        return;
    };
    let system = identifier["system"].as_str().unwrap_or_default();
    if system == ctx.hn_system {
        p.hn = value.to_owned();
    } else if system == systems::THAI_CITIZEN_ID {
        if thai_id::is_valid(value) {
            p.national_id = Some(value.to_owned());
        } else {
            issues.push(
                Issue::error(
                    IssueType::Value,
                    "the Thai citizen ID must be 13 digits with a valid check digit (the last digit)",
                )
                .at(format!("{path}.value")),
            );
        }
    } else if system == systems::MOPH_CONNECT_USER {
        p.moph_user_id = Some(value.to_owned());
    } else if let Some(country) = system.strip_prefix(systems::PASSPORT_PREFIX) {
        if country.len() == 3 && country.bytes().all(|b| b.is_ascii_uppercase()) {
            p.passport_no = Some(value.to_owned());
            p.passport_country = Some(country.to_owned());
        } else {
            issues.push(
                Issue::error(
                    IssueType::Value,
                    "passport systems end in the issuing country's ISO 3166 alpha-3 code",
                )
                .at(format!("{path}.system")),
            );
        }
    } else {
        issues.push(
            Issue::error(
                IssueType::NotSupported,
                format!(
                    "identifier system '{system}' is not kept; use {} (HN), {}, {}XXX or {}",
                    ctx.hn_system,
                    systems::THAI_CITIZEN_ID,
                    systems::PASSPORT_PREFIX,
                    systems::MOPH_CONNECT_USER
                ),
            )
            .at(format!("{path}.system")),
        );
    }
}

fn read_name(name: &Value, p: &mut PatientFields) {
    let family = text(&name["family"]);
    let given = text(&name["given"][0]);
    let prefix = text(&name["prefix"][0]);
    let language = array(name, "extension")
        .iter()
        .find(|e| e["url"] == systems::LANGUAGE_EXTENSION)
        .and_then(|e| e["valueCode"].as_str());
    let thai = match language {
        Some(code) => code.starts_with("th"),
        None => family.iter().chain(given.iter()).any(|s| s.chars().any(is_thai)),
    };
    if thai && p.first_name_th.is_none() && p.last_name_th.is_none() {
        p.first_name_th = given;
        p.last_name_th = family;
        if prefix.is_some() {
            p.title_th = prefix;
        }
    } else if !thai && p.first_name_en.is_none() && p.last_name_en.is_none() {
        p.first_name_en = given;
        p.last_name_en = family;
        if p.title_th.is_none() {
            // Only the Thai title is stored; an English prefix is kept through its translation.
            p.title_th = prefix
                .and_then(|en| TITLES.iter().find(|(_, e)| e.eq_ignore_ascii_case(&en)))
                .map(|(th, _)| (*th).to_owned());
        }
    }
}

fn is_thai(c: char) -> bool {
    ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

fn read_nationality(resource: &Value, issues: &mut Vec<Issue>) -> Option<String> {
    let (index, extension) = array(resource, "extension")
        .iter()
        .enumerate()
        .find(|(_, e)| e["url"] == systems::PATIENT_NATIONALITY)?;
    let code = array(extension, "extension")
        .iter()
        .find(|e| e["url"] == "code")
        .and_then(|e| e["valueCodeableConcept"]["coding"][0]["code"].as_str());
    match code {
        Some(code) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) => {
            Some(code.to_owned())
        }
        _ => {
            issues.push(
                Issue::error(IssueType::Value, "nationality must be an ISO 3166 alpha-3 code (e.g. THA)")
                    .at(format!("Patient.extension[{index}]")),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::ctx;

    fn full_patient() -> Value {
        json!({
            "resourceType": "Patient",
            "extension": [{"url": systems::PATIENT_NATIONALITY, "extension": [{"url": "code", "valueCodeableConcept": {"coding": [{"system": systems::ISO_3166, "code": "THA"}]}}]}],
            "identifier": [
                {"system": systems::THAI_CITIZEN_ID, "value": "1103700123458"},
                {"system": "https://clinic.example/hn", "value": "0000042"},
                {"system": "http://hl7.org/fhir/sid/passport-THA", "value": "AA1234567"}
            ],
            "active": true,
            "name": [
                {"family": "Jaidee", "given": ["Somchai"], "prefix": ["Mr."]},
                {"use": "official", "family": "ใจดี", "given": ["สมชาย"], "prefix": ["นาย"]}
            ],
            "telecom": [{"system": "phone", "value": "0812345678"}, {"system": "email", "value": "somchai@example.com"}],
            "gender": "male",
            "birthDate": "1980-05-17",
            "deceasedDateTime": "2026-01-01T12:00:00Z",
            "address": [{"line": ["99/1 Moo 2"], "city": "Khlong Tan", "district": "Khlong Toei", "state": "Bangkok", "postalCode": "10110", "country": "TH"}],
            "generalPractitioner": [{"reference": "Practitioner/7"}],
            "managingOrganization": {"reference": "Organization/1"}
        })
    }

    #[test]
    fn a_full_patient_round_trips() {
        let fields = patient_from_fhir(&full_patient(), &ctx()).unwrap();
        assert_eq!(fields.hn, "0000042");
        assert_eq!(fields.national_id.as_deref(), Some("1103700123458"));
        assert_eq!(fields.title_th.as_deref(), Some("นาย"));
        assert_eq!(fields.last_name_en.as_deref(), Some("Jaidee"));
        assert_eq!(fields.first_name_th.as_deref(), Some("สมชาย"));
        assert_eq!(fields.deceased_at.unwrap().to_string(), "2026-01-01 19:00:00");
        assert_eq!(fields.primary_doctor_id, Some(7));
        let row = PatientRow {
            id: 42,
            fields,
            created_at: Default::default(),
            updated_at: Default::default(),
            version: 3,
        };
        let back = patient_to_fhir(&row, &ctx());
        assert_eq!(back["id"], "42");
        assert_eq!(back["meta"]["versionId"], "3");
        assert_eq!(back["deceasedDateTime"], "2026-01-01T19:00:00+07:00");
        assert_eq!(back["name"][1]["prefix"][0], "Mr.");
    }

    #[test]
    fn a_bad_citizen_id_checksum_names_the_identifier() {
        let mut patient = full_patient();
        patient["identifier"][0]["value"] = json!("1103700123457");
        let issues = patient_from_fhir(&patient, &ctx()).unwrap_err();
        assert_eq!(issues[0].expression, vec!["Patient.identifier[0].value"]);
        assert_eq!(issues[0].code, IssueType::Value);
    }

    #[test]
    fn elements_the_clinic_cannot_keep_are_refused_by_path() {
        let mut patient = full_patient();
        patient["maritalStatus"] = json!({"text": "married"});
        patient["name"][0]["given"] = json!(["Somchai", "Middle"]);
        patient["telecom"][0]["use"] = json!("home");
        let issues = patient_from_fhir(&patient, &ctx()).unwrap_err();
        let paths: Vec<_> = issues.iter().flat_map(|i| i.expression.clone()).collect();
        assert_eq!(
            paths,
            vec!["Patient.name[0].given[1]", "Patient.telecom[0].use", "Patient.maritalStatus"]
        );
    }

    #[test]
    fn partial_birth_dates_and_unknown_identifier_systems_are_refused() {
        let patient = json!({
            "resourceType": "Patient",
            "identifier": [{"system": "urn:other", "value": "1"}],
            "birthDate": "1980-05"
        });
        let issues = patient_from_fhir(&patient, &ctx()).unwrap_err();
        let paths: Vec<_> = issues.iter().flat_map(|i| i.expression.clone()).collect();
        assert_eq!(paths, vec!["Patient.identifier[0].system", "Patient.birthDate"]);
    }

    #[test]
    fn a_minimal_patient_gets_defaults() {
        let fields = patient_from_fhir(&json!({"resourceType": "Patient"}), &ctx()).unwrap();
        assert_eq!(fields.sex, "U");
        assert!(fields.active);
        assert!(fields.hn.is_empty());
    }
}
