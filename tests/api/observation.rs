//! Observation over vital_signs (one Observation per measurement) and lab_results: writes
//! checked against the visit and its patient, and every search parameter.

use serde_json::{Value, json};

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(
    a_vital_sign_is_created_read_updated_and_kept_in_history,
    a_lab_result_is_created_read_and_updated,
    a_derived_bmi_can_only_be_restated,
    references_subjects_and_codes_are_checked,
    every_search_parameter_finds_what_it_names,
);

const LOINC: &str = "http://loinc.org";
const UCUM: &str = "http://unitsofmeasure.org";
const LAB_TEST: &str = "https://clinic.example.th/fhir/CodeSystem/lab-test";
const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

/// A seeded clinic, and a new visit of one of its patients (which has no observations yet):
/// `(Encounter id, Patient id)`.
async fn seeded_with_new_visit(app: &TestApp) -> (String, String) {
    let db = app.database.clone();
    let options = clinic_seed::SeedOptions { patients: 4, random_seed: 5, show_progress: false };
    tokio::task::spawn_blocking(move || clinic_seed::seed(&db, &options)).await.unwrap().unwrap();
    let (_, bundle) = app.get("Encounter?_count=1").await;
    let mut visit = bundle["entry"][0]["resource"].clone();
    for own in ["id", "meta", "identifier", "diagnosis"] {
        visit.as_object_mut().unwrap().remove(own);
    }
    let (status, created) = app.post_json("Encounter", &visit).await;
    assert_eq!(status, 201, "{created}");
    let patient = created["subject"]["reference"].as_str().unwrap().trim_start_matches("Patient/");
    (created["id"].as_str().unwrap().to_owned(), patient.to_owned())
}

/// A seeded visit of a patient other than `patient`: `(Encounter id, Patient id)`.
async fn visit_of_another_patient(app: &TestApp, patient: &str) -> (String, String) {
    let (_, bundle) = app.get("Encounter?_count=50").await;
    let other = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["resource"])
        .find(|visit| visit["subject"]["reference"] != format!("Patient/{patient}"))
        .expect("the seed has several patients");
    let other_patient = other["subject"]["reference"].as_str().unwrap().trim_start_matches("Patient/");
    (other["id"].as_str().unwrap().to_owned(), other_patient.to_owned())
}

fn vital_sign(
    encounter: &str,
    patient: &str,
    code: &str,
    measured_at: &str,
    value: Option<(f64, &str)>,
) -> Value {
    let mut observation = json!({
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "vital-signs"}]}],
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": format!("Patient/{patient}")},
        "encounter": {"reference": format!("Encounter/{encounter}")},
        "effectiveDateTime": measured_at,
    });
    if let Some((value, unit)) = value {
        observation["valueQuantity"] = json!({"value": value, "unit": unit, "system": UCUM, "code": unit});
    }
    observation
}

fn weight(encounter: &str, patient: &str, kg: f64) -> Value {
    vital_sign(encounter, patient, "29463-7", "2026-03-01T09:10:00+07:00", Some((kg, "kg")))
}

fn blood_pressure(encounter: &str, patient: &str) -> Value {
    let mut bp = vital_sign(encounter, patient, "85354-9", "2026-03-01T09:12:00+07:00", None);
    let component = |code: &str, value: i32| json!({"code": {"coding": [{"system": LOINC, "code": code}]}, "valueQuantity": {"value": value, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"}});
    bp["component"] = json!([component("8480-6", 124), component("8462-4", 78)]);
    bp
}

fn fasting_glucose(encounter: &str, patient: &str, status: &str) -> Value {
    json!({
        "resourceType": "Observation",
        "status": status,
        "category": [{"coding": [{"system": CATEGORY, "code": "laboratory"}]}],
        "code": {
            "coding": [{"system": LOINC, "code": "1558-6"}, {"system": LAB_TEST, "code": "GLU-F"}],
            "text": "Fasting blood sugar"
        },
        "subject": {"reference": format!("Patient/{patient}")},
        "encounter": {"reference": format!("Encounter/{encounter}")},
        "effectiveDateTime": "2026-03-02T08:00:00+07:00",
        "issued": "2026-03-02T10:30:00+07:00",
        "valueQuantity": {"value": 132.0, "unit": "mg/dL"},
        "interpretation": [{"coding": [{"system": INTERPRETATION, "code": "H"}]}],
        "referenceRange": [{"low": {"value": 70.0, "unit": "mg/dL"}, "high": {"value": 100.0, "unit": "mg/dL"}}]
    })
}

async fn created(app: &TestApp, observation: &Value) -> Value {
    let (status, created) = app.post_json("Observation", observation).await;
    assert_eq!(status, 201, "{created}");
    created
}

fn id_of(resource: &Value) -> String {
    resource["id"].as_str().unwrap().to_owned()
}

/// The status of a write and where its first issue is.
async fn refused(app: &TestApp, method: reqwest::Method, path: &str, body: &Value) -> (u16, String) {
    let (status, outcome) = json_of(app.fhir_json(method, path, body).send().await.unwrap()).await;
    (status, outcome["issue"][0]["expression"][0].as_str().unwrap_or_default().to_owned())
}

async fn a_vital_sign_is_created_read_updated_and_kept_in_history(app: &TestApp) {
    let (encounter, patient) = seeded_with_new_visit(app).await;
    let created = created(app, &weight(&encounter, &patient, 70.5)).await;
    let id = id_of(&created);
    let row = id.strip_prefix("vs-").and_then(|rest| rest.strip_suffix("-weight")).expect("vs-{row}-weight");
    assert_eq!(created["meta"]["versionId"], "1");
    assert_eq!(created["meta"]["profile"][0], "http://hl7.org/fhir/StructureDefinition/bodyweight");
    assert_eq!(created["valueQuantity"]["value"], 70.5);
    assert_eq!(created["subject"]["reference"], format!("Patient/{patient}"));
    let (status, read) = app.get(&format!("Observation/{id}")).await;
    assert_eq!((status, &read), (200, &created));
    // The new row holds only the weight: no blood pressure, and no BMI without a height.
    for absent in
        [format!("vs-{row}-bp"), format!("vs-{row}-bmi"), "vs-1".into(), "42".into(), "lab-x".into()]
    {
        assert_eq!(app.get(&format!("Observation/{absent}")).await.0, 404, "{absent}");
    }

    let path = format!("Observation/{id}");
    let mut heavier = created.clone();
    heavier["valueQuantity"]["value"] = json!(71.0);
    let (status, updated) = app.put_json(&path, &heavier).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["meta"]["versionId"], "2");
    assert_eq!(updated["valueQuantity"]["value"], 71.0);

    // The id names the weight of its row: the body cannot turn it into a height.
    let mut height =
        vital_sign(&encounter, &patient, "8302-2", "2026-03-01T09:10:00+07:00", Some((170.0, "cm")));
    height["id"] = json!(id);
    assert_eq!(refused(app, reqwest::Method::PUT, &path, &height).await, (422, "Observation.code".into()));
    // Nor into a lab result.
    let mut lab = fasting_glucose(&encounter, &patient, "final");
    lab["id"] = json!(id);
    assert_eq!(refused(app, reqwest::Method::PUT, &path, &lab).await, (422, "Observation.category".into()));

    // Moved to another patient's visit: only with that patient as the subject.
    let (other_encounter, other_patient) = visit_of_another_patient(app, &patient).await;
    let mut moved = updated.clone();
    moved["encounter"]["reference"] = json!(format!("Encounter/{other_encounter}"));
    assert_eq!(refused(app, reqwest::Method::PUT, &path, &moved).await, (422, "Observation.subject".into()));
    moved["subject"]["reference"] = json!(format!("Patient/{other_patient}"));
    let (status, moved) = app.put_json(&path, &moved).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["encounter"]["reference"], format!("Encounter/{other_encounter}"));
    assert_eq!(moved["meta"]["versionId"], "3");

    let (status, history) = app.get(&format!("{path}/_history")).await;
    assert_eq!(status, 200, "{history}");
    let versions: Vec<(&str, &Value)> = history["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["request"]["method"].as_str().unwrap(), &e["resource"]["valueQuantity"]["value"]))
        .collect();
    assert_eq!(versions, [("PUT", &json!(71.0)), ("PUT", &json!(71.0)), ("POST", &json!(70.5))]);
    let (status, first) = app.get(&format!("{path}/_history/1")).await;
    assert_eq!((status, &first["valueQuantity"]["value"]), (200, &json!(70.5)));

    // A blood pressure is created in its own row; BMI is derived, never written.
    let bp = created_bp_check(app, &encounter, &patient).await;
    assert!(bp.ends_with("-bp"), "{bp}");
    let bmi = vital_sign(&encounter, &patient, "39156-5", "2026-03-01T09:10:00+07:00", Some((24.0, "kg/m2")));
    assert_eq!(
        refused(app, reqwest::Method::POST, "Observation", &bmi).await,
        (422, "Observation.code".into())
    );
}

async fn created_bp_check(app: &TestApp, encounter: &str, patient: &str) -> String {
    let bp = created(app, &blood_pressure(encounter, patient)).await;
    assert_eq!(bp["component"][0]["valueQuantity"]["value"], 124);
    assert_eq!(bp["component"][1]["valueQuantity"]["value"], 78);
    id_of(&bp)
}

async fn a_lab_result_is_created_read_and_updated(app: &TestApp) {
    let (encounter, patient) = seeded_with_new_visit(app).await;
    let created = created(app, &fasting_glucose(&encounter, &patient, "preliminary")).await;
    let id = id_of(&created);
    assert!(id.starts_with("lab-"), "{id}");
    assert_eq!(created["status"], "preliminary");
    assert_eq!(created["code"]["coding"][1]["code"], "GLU-F");
    assert_eq!(created["interpretation"][0]["coding"][0]["code"], "H");
    let path = format!("Observation/{id}");
    let (status, read) = app.get(&path).await;
    assert_eq!((status, &read), (200, &created));

    let mut corrected = created.clone();
    corrected["status"] = json!("corrected");
    corrected["valueQuantity"]["value"] = json!(98.0);
    corrected["interpretation"] = json!([{"coding": [{"system": INTERPRETATION, "code": "N"}]}]);
    let (status, updated) = app.put_json(&path, &corrected).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["meta"]["versionId"], "2");
    assert_eq!(updated["status"], "corrected");
    assert_eq!(updated["valueQuantity"]["value"], 98.0);
    let (_, history) = app.get(&format!("{path}/_history")).await;
    assert_eq!(history["entry"][1]["resource"]["status"], "preliminary");

    // A lab result stays one: a vital-sign body is refused at its category.
    let mut vital = weight(&encounter, &patient, 70.0);
    vital["id"] = json!(id);
    assert_eq!(refused(app, reqwest::Method::PUT, &path, &vital).await, (422, "Observation.category".into()));
}

async fn a_derived_bmi_can_only_be_restated(app: &TestApp) {
    seeded_with_new_visit(app).await;
    let (status, bundle) = app.get(&format!("Observation?code={LOINC}|39156-5&_count=1")).await;
    assert_eq!(status, 200, "{bundle}");
    let bmi = bundle["entry"][0]["resource"].clone();
    let id = id_of(&bmi);
    let row = id.strip_prefix("vs-").and_then(|rest| rest.strip_suffix("-bmi")).expect("vs-{row}-bmi");
    // Derived from the weight and height of the same row.
    for sign in ["weight", "height"] {
        assert_eq!(app.get(&format!("Observation/vs-{row}-{sign}")).await.0, 200, "{sign}");
    }
    let path = format!("Observation/{id}");
    let (status, restated) = app.put_json(&path, &bmi).await;
    assert_eq!(status, 200, "{restated}");
    assert_eq!(restated["meta"]["versionId"], "2");
    assert_eq!(restated["valueQuantity"], bmi["valueQuantity"]);
    let mut changed = restated.clone();
    changed["valueQuantity"]["value"] = json!(99.9);
    assert_eq!(refused(app, reqwest::Method::PUT, &path, &changed).await, (422, "Observation.code".into()));
}

async fn references_subjects_and_codes_are_checked(app: &TestApp) {
    let (encounter, patient) = seeded_with_new_visit(app).await;
    let (_, other_patient) = visit_of_another_patient(app, &patient).await;
    let post = |body: Value| async move { refused(app, reqwest::Method::POST, "Observation", &body).await };
    for body in [weight("999999", &patient, 70.0), fasting_glucose("999999", &patient, "final")] {
        assert_eq!(post(body).await, (422, "Observation.encounter".into()));
    }
    for subject in ["999999", other_patient.as_str()] {
        assert_eq!(
            post(weight(&encounter, subject, 70.0)).await,
            (422, "Observation.subject".into()),
            "{subject}"
        );
        let lab = fasting_glucose(&encounter, subject, "final");
        assert_eq!(post(lab).await, (422, "Observation.subject".into()), "{subject}");
    }

    let not_a_vital_sign =
        vital_sign(&encounter, &patient, "8287-5", "2026-03-01T09:10:00+07:00", Some((50.0, "cm")));
    assert_eq!(post(not_a_vital_sign).await, (422, "Observation.code".into()));
    let pounds =
        vital_sign(&encounter, &patient, "29463-7", "2026-03-01T09:10:00+07:00", Some((150.0, "[lb_av]")));
    assert_eq!(post(pounds).await, (422, "Observation.valueQuantity.code".into()));
    assert_eq!(
        post(fasting_glucose(&encounter, &patient, "amended")).await,
        (422, "Observation.status".into())
    );
    let mut positive = fasting_glucose(&encounter, &patient, "final");
    positive["interpretation"][0]["coding"][0]["code"] = json!("POS");
    assert_eq!(post(positive).await, (422, "Observation.interpretation[0].coding[0].code".into()));

    // Nothing was written by any of them.
    let (_, bundle) = app.get(&format!("Observation?encounter=Encounter/{encounter}")).await;
    assert_eq!(bundle["total"], 0, "{bundle}");
    // Updates of what does not exist are 404, whatever the body.
    let mut missing = weight(&encounter, &patient, 70.0);
    missing["id"] = json!("vs-999999-weight");
    assert_eq!(app.put_json("Observation/vs-999999-weight", &missing).await.0, 404);
}

/// The ids a search finds (`_count=100`, one page).
async fn found(app: &TestApp, query: &str) -> Vec<String> {
    let (status, bundle) = app.get(&format!("Observation?{query}&_count=100")).await;
    assert_eq!(status, 200, "{query}: {bundle}");
    let ids: Vec<String> = bundle["entry"]
        .as_array()
        .map(|entries| entries.iter().map(|e| id_of(&e["resource"])).collect())
        .unwrap_or_default();
    assert_eq!(bundle["total"], ids.len(), "{query}");
    ids
}

async fn found_sorted(app: &TestApp, query: &str) -> Vec<String> {
    let mut ids = found(app, query).await;
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).clone()).collect();
    ids.sort();
    ids
}

async fn every_search_parameter_finds_what_it_names(app: &TestApp) {
    let (encounter, patient) = seeded_with_new_visit(app).await;
    let weight = id_of(&created(app, &weight(&encounter, &patient, 70.5)).await);
    let bp = id_of(&created(app, &blood_pressure(&encounter, &patient)).await);
    let spo2 = vital_sign(&encounter, &patient, "59408-5", "2026-03-01T09:14:00+07:00", Some((98.0, "%")));
    let spo2 = id_of(&created(app, &spo2).await);
    let final_lab = id_of(&created(app, &fasting_glucose(&encounter, &patient, "final")).await);
    let preliminary_lab = id_of(&created(app, &fasting_glucose(&encounter, &patient, "preliminary")).await);
    let vitals = sorted(&[&weight, &bp, &spo2]);
    let labs = sorted(&[&final_lab, &preliminary_lab]);
    let all = sorted(&[&weight, &bp, &spo2, &final_lab, &preliminary_lab]);
    let in_visit = format!("encounter=Encounter/{encounter}");

    assert_eq!(found_sorted(app, &in_visit).await, all);
    let of_patient = found(app, &format!("patient={patient}")).await;
    assert!(all.iter().all(|id| of_patient.contains(id)), "{of_patient:?}");
    for other in &of_patient {
        let (_, read) = app.get(&format!("Observation/{other}")).await;
        assert_eq!(read["subject"]["reference"], format!("Patient/{patient}"), "{other}");
    }
    assert_eq!(found(app, &format!("subject=Patient/{patient}&{in_visit}")).await.len(), 5);
    assert_eq!(found(app, &format!("subject=Patient/999999&{in_visit}")).await.len(), 0);

    let in_visit = &in_visit;
    let search = |query: String| async move { found_sorted(app, &format!("{query}&{in_visit}")).await };
    assert_eq!(search("category=vital-signs".into()).await, vitals);
    assert_eq!(search(format!("category={CATEGORY}|laboratory")).await, labs);
    assert_eq!(search("category=exam".into()).await, Vec::<String>::new());
    assert_eq!(search(format!("code={LOINC}|29463-7")).await, sorted(&[&weight]));
    // SpO2 carries both the profile's code and the pulse-oximetry one.
    assert_eq!(search("code=59408-5".into()).await, sorted(&[&spo2]));
    assert_eq!(search(format!("code={LOINC}|2708-6")).await, sorted(&[&spo2]));
    assert_eq!(search(format!("code={LAB_TEST}|GLU-F")).await, labs);
    assert_eq!(search("code=1558-6".into()).await, labs);
    assert_eq!(search(format!("code={LAB_TEST}|1558-6")).await, Vec::<String>::new());
    assert_eq!(search(format!("code={LOINC}|")).await, all);
    assert_eq!(search("date=2026-03-01".into()).await, vitals);
    assert_eq!(search("date=ge2026-03-02T00:00:00%2B07:00".into()).await, labs);
    assert_eq!(search("date=lt2026-03-01T09:11:00%2B07:00".into()).await, sorted(&[&weight]));
    assert_eq!(search("status=preliminary".into()).await, sorted(&[&preliminary_lab]));
    assert_eq!(
        search("status=http://hl7.org/fhir/observation-status|final".into()).await,
        sorted(&[&weight, &bp, &spo2, &final_lab])
    );
    assert_eq!(search(format!("_id={weight},{final_lab}")).await, sorted(&[&weight, &final_lab]));
    assert_eq!(search("_id=vs-1".into()).await, Vec::<String>::new());
    assert_eq!(search("_lastUpdated=ge2020-01-01".into()).await, all);
    assert_eq!(search("_lastUpdated=lt2020-01-01".into()).await, Vec::<String>::new());

    // Pages of two, in id order, add up to every match.
    let mut url = app.url(&format!("Observation?{in_visit}&_count=2"));
    let mut paged = Vec::new();
    loop {
        let (status, bundle) = json_of(app.client.get(&url).send().await.unwrap()).await;
        assert_eq!((status, &bundle["total"]), (200, &json!(5)), "{bundle}");
        paged.extend(bundle["entry"].as_array().unwrap().iter().map(|e| id_of(&e["resource"])));
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(paged.len(), 5);
    paged.sort();
    assert_eq!(paged, all);
    let (status, _) = app.get(&format!("Observation?{in_visit}&_cursor=not-an-id")).await;
    assert_eq!(status, 400);
}
