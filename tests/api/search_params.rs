//! Search parameters over the clinic's contact, address, coding and measurement columns, and
//! the quantity and composite parameter types, on a small clinic written row by row (as the
//! clinic application would) so every expected id is worked out by hand.

use std::collections::BTreeSet;

use crate::app::TestApp;
use crate::chains::ids;
use crate::on_both_backends;

on_both_backends!(
    patients_by_contact_address_doctor_and_death,
    encounters_by_class_type_diagnosis_and_appointment,
    observations_by_value_and_component,
    missing_values_on_every_parameter_type,
    token_text_and_identifier_types,
    reference_data_coverage_claims_appointments_and_diagnoses,
    fixed_codes_and_codes_that_come_with_a_column,
);

const NOW: &str = "'2026-01-20 12:00:00'";

/// Two branches, an insurer, two doctors, three patients (two covered), two appointments, three
/// visits (one booked, two with a complaint), two diagnoses, two claims, three vital-sign rows,
/// three lab results, a progress note and a prescription; see each scenario for what they hold.
async fn small_clinic(app: &TestApp) {
    let statements = [
        format!(
            "INSERT INTO branches (id, code, name_th, address_line, sub_district, district, province, postal_code, \
             updated_at) VALUES \
             (1, 'B1', 'สาขาหนึ่ง', '123 Sukhumvit Rd', 'Khlong Toei Nuea', 'Watthana', 'Bangkok', '10110', {NOW}), \
             (2, 'B2', 'สาขาสอง', NULL, 'Chang Phueak', 'Mueang', 'Chiang Mai', '50300', {NOW})"
        ),
        format!(
            "INSERT INTO insurers (id, code, name_th, insurer_type, updated_at) VALUES \
             (1, 'NHSO', 'สำนักงานหลักประกันสุขภาพแห่งชาติ', 'government', {NOW})"
        ),
        format!(
            "INSERT INTO doctors (id, license_no, first_name_th, last_name_th, phone, email, updated_at) VALUES \
             (1, '11111', 'หนึ่ง', 'หมอ', '021111111', 'dr1@clinic.example', {NOW}), \
             (2, '22222', 'สอง', 'หมอ', NULL, NULL, {NOW})"
        ),
        format!(
            "INSERT INTO patients (id, hn, sex, phone, email, address_line, sub_district, district, province, \
             postal_code, primary_doctor_id, registered_branch_id, deceased, deceased_at, created_at, updated_at) VALUES \
             (1, '0000001', 'M', '0811111111', 'a@example.th', '1 Moo 2', 'Khlong Tan', 'Khlong Toei', 'Bangkok', \
              '10110', 1, 1, FALSE, NULL, {NOW}, {NOW}), \
             (2, '0000002', 'F', '0822222222', NULL, NULL, 'Suthep', 'Mueang', 'Chiang Mai', '50200', 2, NULL, \
              TRUE, '2025-03-04 10:00:00', {NOW}, {NOW}), \
             (3, '0000003', 'F', NULL, 'c@example.th', NULL, NULL, NULL, NULL, NULL, NULL, NULL, FALSE, NULL, \
              {NOW}, {NOW})"
        ),
        format!(
            "INSERT INTO appointments (id, patient_id, doctor_id, branch_id, start_at, duration_min, appt_type, \
             status, created_at, updated_at) VALUES \
             (1, 1, 1, 1, '2026-01-11 09:00:00', 15, 'telemedicine', 'completed', {NOW}, {NOW}), \
             (2, 2, 2, 1, '2026-02-01 10:00:00', 15, 'follow_up', 'scheduled', {NOW}, {NOW})"
        ),
        "UPDATE appointments SET reason = 'ติดตามความดัน', queue_no = 'Q-07' WHERE id = 1".to_owned(),
        format!(
            "INSERT INTO patient_coverages (id, patient_id, insurer_id, scheme, member_no, plan_name, status, \
             updated_at) VALUES \
             (1, 1, 1, 'UCS', 'M-001', 'บัตรทอง', 'active', {NOW}), (2, 2, 1, 'SSS', NULL, NULL, 'active', {NOW})"
        ),
        format!(
            "INSERT INTO drugs (id, local_code, generic_name, strength, dispense_unit, updated_at) VALUES \
             (1, 'PARA500', 'Paracetamol', '500 mg', 'tab', {NOW})"
        ),
        format!(
            "INSERT INTO visits (id, vn, patient_id, doctor_id, branch_id, appointment_id, started_at, visit_type, \
             status, updated_at) VALUES \
             (1, '6900000001', 1, 1, 1, NULL, '2026-01-10 09:00:00', 'walk_in', 'completed', {NOW}), \
             (2, '6900000002', 1, 1, 1, 1, '2026-01-11 09:00:00', 'telemedicine', 'completed', {NOW}), \
             (3, '6900000003', 2, 2, 1, NULL, '2026-01-12 09:00:00', 'emergency', 'completed', {NOW})"
        ),
        "UPDATE visits SET chief_complaint = 'ไข้ ไอ 3 วัน' WHERE id = 1".to_owned(),
        "UPDATE visits SET chief_complaint = 'Chest pain' WHERE id = 3".to_owned(),
        format!(
            "INSERT INTO claims (id, claim_no, visit_id, patient_id, coverage_id, insurer_id, branch_id, claim_use, \
             claim_type, status, priority, total_satang, created_at, updated_at) VALUES \
             (1, 'C0001', 1, 1, 1, 1, 1, 'claim', 'opd', 'submitted', 'normal', 50000, {NOW}, {NOW}), \
             (2, 'C0002', 3, 2, NULL, 1, 1, 'claim', 'opd', 'draft', 'urgent', 100000, {NOW}, {NOW})"
        ),
        format!(
            "INSERT INTO clinical_notes (id, visit_id, author_doctor_id, note_type, subjective, status, written_at, \
             updated_at) VALUES (1, 1, 1, 'progress', 'ไข้ ไอ', 'signed', '2026-01-10 09:40:00', {NOW})"
        ),
        format!(
            "INSERT INTO prescriptions (id, visit_id, drug_id, status, prescribed_at, updated_at) VALUES \
             (1, 1, 1, 'active', '2026-01-10 09:20:00', {NOW})"
        ),
        format!(
            "INSERT INTO diagnoses (id, visit_id, icd10, diag_type, doctor_id, diagnosed_at, updated_at) VALUES \
             (1, 1, 'E119', 1, 1, '2026-01-10 09:30:00', {NOW}), (2, 3, 'I10', 2, 2, '2026-01-12 09:30:00', {NOW})"
        ),
        format!(
            "INSERT INTO vital_signs (id, visit_id, measured_at, weight_kg, height_cm, bp_systolic, bp_diastolic, \
             pulse_rate, temperature_c, spo2, updated_at) VALUES \
             (1, 1, '2026-01-10 09:05:00', 70.0, 170.0, 150, 95, 80, NULL, NULL, {NOW}), \
             (2, 2, '2026-01-11 09:05:00', 55.5, 160.0, 118, 76, NULL, NULL, NULL, {NOW}), \
             (3, 3, '2026-01-12 09:05:00', NULL, NULL, NULL, NULL, NULL, 38.5, 97, {NOW})"
        ),
        format!(
            "INSERT INTO lab_results (id, visit_id, local_code, loinc_code, test_name, value_numeric, value_text, \
             unit, status, collected_at, updated_at) VALUES \
             (1, 1, 'GLU', '2345-7', 'Glucose', 5.4, NULL, 'mmol/L', 'ordered', '2026-01-10 09:10:00', {NOW}), \
             (2, 3, 'HIV', NULL, 'HIV Ab', NULL, 'negative', NULL, 'final', '2026-01-12 09:10:00', {NOW}), \
             (3, 2, 'GLU', '2345-7', 'Glucose', 7.25, '7.25 high', 'mmol/L', 'preliminary', '2026-01-11 09:10:00', {NOW})"
        ),
    ];
    for statement in statements {
        app.clinic_sql(statement).await;
    }
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

/// Each `(query, expected ids)` on `resource_type`.
async fn expect(app: &TestApp, resource_type: &str, cases: &[(&str, &[&str])]) {
    for (query, expected) in cases {
        assert_eq!(
            ids(app, &format!("{resource_type}?{query}")).await,
            set(expected),
            "{resource_type}?{query}"
        );
    }
}

/// Each query is a 400 whose OperationOutcome names `parameter`.
async fn refused(app: &TestApp, cases: &[(&str, &str)]) {
    for (query, parameter) in cases {
        let (status, outcome) = app.get(query).await;
        assert_eq!(status, 400, "{query}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], *parameter, "{query}");
    }
}

async fn patients_by_contact_address_doctor_and_death(app: &TestApp) {
    small_clinic(app).await;
    expect(
        app,
        "Patient",
        &[
            ("phone=0811111111", &["1"]),
            ("phone=phone|0822222222", &["2"]),
            ("phone=email|0822222222", &[]),
            ("email=c@example.th", &["3"]),
            ("telecom=email|a@example.th", &["1"]),
            ("telecom=0822222222,c@example.th", &["2", "3"]),
            ("telecom=phone|", &["1", "2"]),
            ("address=bangkok", &["1"]),
            ("address=502", &["2"]),
            ("address:contains=moo", &["1"]),
            ("address-city=suthep", &["2"]),
            ("address-state=chiang", &["2"]),
            ("address-postalcode=10110", &["1"]),
            ("address-postalcode:exact=1011", &[]),
            ("general-practitioner=Practitioner/2", &["2"]),
            ("general-practitioner:Practitioner=1", &["1"]),
            ("general-practitioner:identifier=22222", &["2"]),
            ("general-practitioner.telecom=dr1@clinic.example", &["1"]),
            ("organization=Organization/1", &["1"]),
            ("organization=Organization/insurer-1", &[]),
            ("deceased=true", &["2"]),
            ("deceased=false", &["1", "3"]),
            ("death-date=2025-03", &["2"]),
            ("death-date=lt2025", &[]),
        ],
    )
    .await;
    expect(
        app,
        "Practitioner",
        &[
            ("phone=021111111", &["1"]),
            ("email=dr1@clinic.example", &["1"]),
            ("telecom=phone|022222222", &[]),
        ],
    )
    .await;
    refused(
        app,
        &[
            ("Patient?general-practitioner:Location=1", "general-practitioner:Location"),
            ("Patient?general-practitioner:Practitioner=Organization/1", "general-practitioner:Practitioner"),
            ("Patient?death-date=2025-02-30", "death-date"),
            ("Patient?address:not=x", "address:not"),
        ],
    )
    .await;
}

async fn encounters_by_class_type_diagnosis_and_appointment(app: &TestApp) {
    small_clinic(app).await;
    expect(
        app,
        "Encounter",
        &[
            ("class=AMB", &["1", "3"]),
            ("class=http://terminology.hl7.org/CodeSystem/v3-ActCode|VR", &["2"]),
            ("class=http://example.org|VR", &[]),
            ("class:not=VR", &["1", "3"]),
            ("type=emergency", &["3"]),
            ("type=walk_in,telemedicine", &["1", "2"]),
            ("diagnosis=Condition/2", &["3"]),
            ("diagnosis=1", &["1"]),
            ("diagnosis=Condition/3", &[]),
            ("appointment=Appointment/1", &["2"]),
            ("subject:Patient=2", &["3"]),
            ("subject:identifier=https://clinic.example.th/fhir/sid/hn|0000002", &["3"]),
            ("practitioner:identifier=11111", &["1", "2"]),
        ],
    )
    .await;
    refused(app, &[("Encounter?subject:Practitioner=1", "subject:Practitioner")]).await;
}

async fn observations_by_value_and_component(app: &TestApp) {
    small_clinic(app).await;
    const UCUM: &str = "http://unitsofmeasure.org";
    expect(
        app,
        "Observation",
        &[
            // 70 is [69.5, 70.5): the weight, not the height (170) nor the pulse (80).
            ("value-quantity=70", &["vs-1-weight"]),
            (&format!("value-quantity=70|{UCUM}|kg"), &["vs-1-weight"]),
            ("value-quantity=70||kg", &["vs-1-weight"]),
            ("value-quantity=70||cm", &[]),
            // Lab results have a unit and no UCUM code: a code without a system matches the unit.
            ("value-quantity=5.4||mmol/L", &["lab-1"]),
            (&format!("value-quantity=5.4|{UCUM}|mmol/L"), &[]),
            ("value-quantity=gt100", &["vs-1-height", "vs-2-height"]),
            ("value-quantity=lt10", &["lab-1", "lab-3"]),
            ("value-quantity=le5.4", &["lab-1"]),
            ("value-quantity=eb5.5", &["lab-1"]),
            ("value-quantity=ge97&category=vital-signs", &["vs-1-height", "vs-2-height", "vs-3-spo2"]),
            ("value-quantity=sa38&code=8310-5", &["vs-3-temperature"]),
            ("value-quantity=ne70&code=http://loinc.org|29463-7", &["vs-2-weight"]),
            // 7.2 is [7.15, 7.25), which leaves 7.25 out; 7.3 is [7.25, 7.35).
            ("value-quantity=7.2", &[]),
            ("value-quantity=7.3", &["lab-3"]),
            ("value-quantity=7.25", &["lab-3"]),
            // BMI is computed in SQL as the mapping computes it: 70 / 1.7² = 24.2, 55.5 / 1.6² = 21.7.
            ("value-quantity=24.2", &["vs-1-bmi"]),
            ("value-quantity=21.7||kg/m2", &["vs-2-bmi"]),
            ("value-quantity=ap24", &["vs-1-bmi", "vs-2-bmi"]),
            ("value-string=neg", &["lab-2"]),
            // A lab result's text is its value only when it has no number.
            ("value-string=7.25", &[]),
            // Lab statuses are the clinic's renamed; vital signs are final.
            ("status=registered", &["lab-1"]),
            ("status=preliminary", &["lab-3"]),
            ("status=final&category=laboratory", &["lab-2"]),
            ("status=cancelled", &[]),
            ("status:not=final", &["lab-1", "lab-3"]),
            ("code-value-string=HIV$neg", &["lab-2"]),
            ("code-value-string=https://clinic.example.th/fhir/CodeSystem/lab-test|HIV$NEGATIVE", &["lab-2"]),
            ("code-value-string=GLU$neg", &[]),
            ("code-value-string=HIV$pos", &[]),
            ("component-code=8480-6", &["vs-1-bp", "vs-2-bp"]),
            ("component-code=http://loinc.org|8462-4", &["vs-1-bp", "vs-2-bp"]),
            ("component-value-quantity=gt140", &["vs-1-bp"]),
            ("component-value-quantity=76||mmHg", &["vs-2-bp"]),
            ("component-code-value-quantity=http://loinc.org|8462-4$gt90", &["vs-1-bp"]),
            ("component-code-value-quantity=8480-6$gt90", &["vs-1-bp", "vs-2-bp"]),
            // The code and the value must be those of the same component.
            ("component-code-value-quantity=8462-4$150", &[]),
            (&format!("code-value-quantity=http://loinc.org|29463-7$gt60|{UCUM}|kg"), &["vs-1-weight"]),
            ("code-value-quantity=2345-7$ge7,29463-7$lt60", &["lab-3", "vs-2-weight"]),
            ("code-value-quantity=8867-4$70", &[]),
            ("combo-code=8480-6", &["vs-1-bp", "vs-2-bp"]),
            ("combo-code=29463-7", &["vs-1-weight", "vs-2-weight"]),
            ("combo-value-quantity=150", &["vs-1-bp"]),
            ("combo-value-quantity=80", &["vs-1-heart-rate"]),
            ("combo-code-value-quantity=8480-6$150,8867-4$80", &["vs-1-bp", "vs-1-heart-rate"]),
            ("value-quantity=70&subject:Patient=1", &["vs-1-weight"]),
            ("code=2345-7&subject:identifier=0000001", &["lab-1", "lab-3"]),
            // A code search leaves the other vital signs' branches out of the index; what is
            // left still compares components and values by type.
            ("code=8867-4&component-value-quantity=gt1", &[]),
            ("code=2345-7&component-value-quantity=gt1&_sort=-date", &[]),
            ("code=2345-7,8310-5&value-quantity=gt7", &["lab-3", "vs-3-temperature"]),
            ("code=http://loinc.org|8480-6", &[]),
        ],
    )
    .await;
    refused(
        app,
        &[
            ("Observation?value-quantity=abc", "value-quantity"),
            ("Observation?value-quantity=gt", "value-quantity"),
            ("Observation?value-quantity=5|kg", "value-quantity"),
            ("Observation?value-quantity=1e999", "value-quantity"),
            ("Observation?code-value-quantity=8480-6", "code-value-quantity"),
            ("Observation?code-value-quantity=8480-6$x", "code-value-quantity"),
            ("Observation?value-quantity:missing=maybe", "value-quantity:missing"),
            ("Observation?component-value-quantity:exact=5", "component-value-quantity:exact"),
        ],
    )
    .await;
}

async fn missing_values_on_every_parameter_type(app: &TestApp) {
    small_clinic(app).await;
    expect(
        app,
        "Patient",
        &[
            // token
            ("email:missing=true", &["2"]),
            ("email:missing=false", &["1", "3"]),
            ("phone:missing=true", &["3"]),
            ("telecom:missing=true", &[]),
            ("identifier:missing=false", &["1", "2", "3"]),
            // string
            ("address:missing=true", &["3"]),
            ("address-city:missing=false", &["1", "2"]),
            // reference
            ("general-practitioner:missing=true", &["3"]),
            ("organization:missing=false", &["1"]),
            // date: no patient has a birth date here; only patient 2 has died
            ("birthdate:missing=true", &["1", "2", "3"]),
            ("death-date:missing=false", &["2"]),
            ("general-practitioner:missing=false&deceased=true", &["2"]),
        ],
    )
    .await;
    expect(
        app,
        "Encounter",
        &[
            ("appointment:missing=false", &["2"]),
            ("diagnosis:missing=true", &["2"]),
            ("subject.email:missing=true", &["3"]),
            ("subject:missing=false&class=VR", &["2"]),
        ],
    )
    .await;
    expect(
        app,
        "Observation",
        &[
            // quantity: blood pressures have components instead, lab 2 is text
            ("value-quantity:missing=true", &["lab-2", "vs-1-bp", "vs-2-bp"]),
            ("value-string:missing=false", &["lab-2"]),
            ("component-code:missing=false", &["vs-1-bp", "vs-2-bp"]),
            ("combo-value-quantity:missing=true", &["lab-2"]),
            // composite: there when its value is
            ("code-value-quantity:missing=true", &["lab-2", "vs-1-bp", "vs-2-bp"]),
            ("code-value-string:missing=false", &["lab-2"]),
            ("component-code-value-quantity:missing=false", &["vs-1-bp", "vs-2-bp"]),
            ("combo-code-value-quantity:missing=true", &["lab-2"]),
            ("code:missing=true", &[]),
        ],
    )
    .await;
    refused(
        app,
        &[
            ("Patient?phone:missing=yes", "phone:missing"),
            ("Patient?phone:missing=true,false", "phone:missing"),
        ],
    )
    .await;
    let (status, outcome) = app.get("Schedule?active:missing=false").await;
    assert_eq!(status, 400, "computed availability refuses :missing rather than ignoring it: {outcome}");
}

async fn token_text_and_identifier_types(app: &TestApp) {
    small_clinic(app).await;
    const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
    expect(
        app,
        "Encounter",
        &[
            // The complaint is text only: :text finds it, a code never does.
            ("reason-code:text=chest", &["3"]),
            ("reason-code:text=CHEST%20P", &["3"]),
            ("reason-code:text=ไข้", &["1"]),
            ("reason-code:text=pain", &[]),
            ("reason-code=chest", &[]),
            ("reason-code:missing=true", &["2"]),
            (&format!("identifier:of-type={V2_0203}|VN|6900000002"), &["2"]),
            (&format!("identifier:of-type={V2_0203}|MR|6900000002"), &[]),
        ],
    )
    .await;
    expect(app, "Appointment", &[("reason-code:text=ติดตาม", &["1"]), ("reason-code:text=x", &[])]).await;
    expect(
        app,
        "Patient",
        &[
            (&format!("identifier:of-type={V2_0203}|MR|0000002"), &["2"]),
            (&format!("identifier:of-type={V2_0203}|NI|0000002"), &[]),
            ("identifier:of-type=http://example.org|MR|0000002", &[]),
        ],
    )
    .await;
    expect(
        app,
        "Observation",
        &[
            ("code:text=glu", &["lab-1", "lab-3"]),
            ("code:text=body%20w", &["vs-1-weight", "vs-2-weight"]),
            // SpO2 carries two LOINC codings; the second's display is searched too.
            ("code:text=oxygen%20saturation%20in%20arterial%20blood%20by", &["vs-3-spo2"]),
            ("code:text=hiv", &["lab-2"]),
        ],
    )
    .await;
    expect(app, "MedicationRequest", &[("code:text=para", &["1"]), ("code:text=ibu", &[])]).await;
    // Fixed code tables: the codes whose display (or the concept's text) starts with the text.
    expect(
        app,
        "Encounter",
        &[
            ("type:text=walk", &["1"]),
            ("type:text=TELE", &["2"]),
            ("type:text=zzz", &[]),
            ("class:text=virt", &["2"]),
            ("class:text=amb", &["1", "3"]),
        ],
    )
    .await;
    expect(
        app,
        "Appointment",
        &[("appointment-type:text=follow", &["2"]), ("appointment-type:text=tele", &["1"])],
    )
    .await;
    expect(
        app,
        "Coverage",
        &[("type:text=universal", &["1"]), ("type:text=ประกันสังคม", &["2"]), ("type:text=social", &["2"])],
    )
    .await;
    expect(app, "Location", &[("type:text=outpatient", &["1", "2"]), ("type:text=hosp", &[])]).await;
    expect(app, "DocumentReference", &[("type:text=progress", &["1"]), ("type:text=outpatient", &[])]).await;
    // A modifier the parameter has no data for is a 400 naming it, also inside a chain.
    refused(
        app,
        &[
            ("Patient?gender:text=fem", "gender:text"),
            ("Encounter?subject.gender:text=fem", "subject.gender:text"),
            (&format!("Practitioner?identifier:of-type={V2_0203}|MD|11111"), "identifier:of-type"),
            ("Patient?identifier:of-type=MR|0000002", "identifier:of-type"),
            ("Patient?family:text=x", "family:text"),
        ],
    )
    .await;
}

async fn reference_data_coverage_claims_appointments_and_diagnoses(app: &TestApp) {
    small_clinic(app).await;
    const DIAGNOSIS_TYPE: &str = "https://clinic.example.th/fhir/CodeSystem/diagnosis-type";
    const V2_0276: &str = "http://terminology.hl7.org/CodeSystem/v2-0276";
    expect(
        app,
        "Location",
        &[
            ("address=bangkok", &["1"]),
            ("address=123%20suk", &["1"]),
            ("address-city=chang", &["2"]),
            ("address-state=chiang", &["2"]),
            ("address-postalcode=10110", &["1"]),
            ("address:missing=true", &[]),
        ],
    )
    .await;
    expect(
        app,
        "Organization",
        &[
            ("address=chiang", &["2"]),
            ("address-postalcode=10110", &["1"]),
            // The clinic keeps no insurer addresses.
            ("address:missing=true", &["insurer-1"]),
        ],
    )
    .await;
    expect(
        app,
        "Appointment",
        &[
            ("appointment-type=telemedicine", &["1"]),
            ("appointment-type=FOLLOWUP", &["2"]),
            (&format!("appointment-type={V2_0276}|FOLLOWUP"), &["2"]),
            ("appointment-type=https://clinic.example.th/fhir/CodeSystem/appointment-type|FOLLOWUP", &[]),
            // Telemedicine has no v2-0276 code.
            (&format!("appointment-type={V2_0276}|"), &["2"]),
            ("appointment-type=http://example.org|follow_up", &[]),
            ("identifier=Q-07", &["1"]),
            ("identifier:missing=true", &["2"]),
        ],
    )
    .await;
    expect(
        app,
        "Claim",
        &[
            ("priority=stat", &["2"]),
            ("priority=normal", &["1"]),
            ("priority=http://terminology.hl7.org/CodeSystem/processpriority|stat", &["2"]),
        ],
    )
    .await;
    expect(
        app,
        "Coverage",
        &[
            ("type=UCS", &["1"]),
            ("type=https://clinic.example.th/fhir/CodeSystem/insurance-scheme|SSS", &["2"]),
            ("identifier=M-001", &["1"]),
            ("class-value=บัตร", &["1"]),
            ("class-type=plan", &["1"]),
            ("class-type=group", &[]),
            ("class-type:missing=true", &["2"]),
        ],
    )
    .await;
    expect(
        app,
        "Condition",
        &[
            ("asserter=Practitioner/2", &["2"]),
            ("asserter:identifier=11111", &["1"]),
            ("category=encounter-diagnosis", &["1", "2"]),
            (
                "category=http://terminology.hl7.org/CodeSystem/condition-category|encounter-diagnosis",
                &["1", "2"],
            ),
            ("category=problem-list-item", &[]),
            (&format!("category={DIAGNOSIS_TYPE}|1"), &["1"]),
            (&format!("category={DIAGNOSIS_TYPE}|2"), &["2"]),
            (&format!("category={DIAGNOSIS_TYPE}|encounter-diagnosis"), &[]),
        ],
    )
    .await;
}

/// Codes every resource of a type has (a Condition is active), or has exactly when a column
/// has a value (a visit's doctor is its primary performer), and codes one column gives in two
/// systems (a branch's v3 role and clinic type).
async fn fixed_codes_and_codes_that_come_with_a_column(app: &TestApp) {
    small_clinic(app).await;
    app.clinic_sql("UPDATE visits SET doctor_id = NULL WHERE id = 2".into()).await;
    app.clinic_sql("UPDATE branches SET branch_type = 'hospital' WHERE id = 2".into()).await;
    expect(
        app,
        "Condition",
        &[
            ("clinical-status=active", &["1", "2"]),
            ("clinical-status=resolved", &[]),
            ("clinical-status:missing=true", &[]),
            (
                "verification-status=http://terminology.hl7.org/CodeSystem/condition-ver-status|confirmed",
                &["1", "2"],
            ),
            ("verification-status=http://example.org|confirmed", &[]),
        ],
    )
    .await;
    expect(
        app,
        "Encounter",
        &[
            ("participant=Practitioner/2", &["3"]),
            ("participant-type=PPRF", &["1", "3"]),
            ("participant-type=http://terminology.hl7.org/CodeSystem/v3-ParticipationType|ATND", &[]),
            ("participant-type:missing=true", &["2"]),
        ],
    )
    .await;
    expect(
        app,
        "Location",
        &[
            ("type=HOSP", &["2"]),
            ("type=OF", &["1"]),
            ("type=https://clinic.example.th/fhir/CodeSystem/branch-type|clinic", &["1"]),
            ("type=http://terminology.hl7.org/CodeSystem/v3-RoleCode|", &["1", "2"]),
        ],
    )
    .await;
    expect(
        app,
        "Organization",
        &[
            ("type=prov", &["1", "2"]),
            ("type=http://terminology.hl7.org/CodeSystem/organization-type|ins", &["insurer-1"]),
            ("type=government", &["insurer-1"]),
            ("type=private", &[]),
        ],
    )
    .await;
    expect(
        app,
        "MedicationRequest",
        &[
            ("intent=order", &["1"]),
            ("intent=plan", &[]),
            ("intent=http://hl7.org/fhir/CodeSystem/medicationrequest-intent|order", &["1"]),
        ],
    )
    .await;
}
