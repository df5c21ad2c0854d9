//! Writes of the clinical resources: references must exist and agree, elements the clinic
//! cannot hold are refused or (leniently) dropped with a warning, deletes change clinic state.

use serde_json::{Value, json};

use crate::app::{TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(
    lenient_writes_drop_and_report_what_the_clinic_cannot_hold,
    dangling_and_inconsistent_references_are_422_naming_the_element,
    encounter_writes_restate_diagnoses_and_get_a_visit_number,
    deleting_an_appointment_cancels_it,
);

/// The first seeded resource of a type.
async fn first(app: &TestApp, resource_type: &str) -> Value {
    let (status, bundle) = app.get(&format!("{resource_type}?_count=1")).await;
    assert_eq!(status, 200, "{bundle}");
    bundle["entry"][0]["resource"].clone()
}

fn issue_paths(outcome: &Value) -> Vec<&str> {
    let issues = outcome["issue"].as_array().unwrap().iter();
    issues.filter_map(|i| i["expression"].as_array()).flatten().map(|e| e.as_str().unwrap()).collect()
}

async fn lenient_writes_drop_and_report_what_the_clinic_cannot_hold(app: &TestApp) {
    let mut patient = somchai();
    patient["photo"] = json!([{"url": "http://example.org/somchai.png"}]);
    patient["name"][1]["suffix"] = json!(["Jr."]);

    let (status, outcome) = app.post_json("Patient", &patient).await;
    assert_eq!(status, 422, "{outcome}");
    assert_eq!(issue_paths(&outcome), vec!["Patient.name[1].suffix", "Patient.photo"]);

    let lenient =
        app.fhir_json(reqwest::Method::POST, "Patient", &patient).header("prefer", "handling=lenient");
    let response = lenient.send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let (status, outcome) = json_of(response).await;
    assert_eq!((status, outcome["resourceType"].as_str()), (201, Some("OperationOutcome")), "{outcome}");
    let warnings: Vec<&Value> =
        outcome["issue"].as_array().unwrap().iter().filter(|i| i["severity"] == "warning").collect();
    assert_eq!(warnings.len(), 2, "{outcome}");
    assert_eq!(issue_paths(&outcome), vec!["Patient.name[1].suffix", "Patient.photo"]);

    let id = location.split("/Patient/").nth(1).unwrap().split('/').next().unwrap();
    let (_, stored) = app.get(&format!("Patient/{id}")).await;
    assert!(stored.get("photo").is_none());
    assert_eq!(stored["name"][1]["family"], "Jaidee");

    // Asking for the resource gets the resource; errors other than unkept elements still fail.
    patient.as_object_mut().unwrap().remove("identifier");
    let explicit = app
        .fhir_json(reqwest::Method::POST, "Patient", &patient)
        .header("prefer", "handling=lenient, return=representation");
    let (status, created) = json_of(explicit.send().await.unwrap()).await;
    assert_eq!((status, created["resourceType"].as_str()), (201, Some("Patient")));
    patient["gender"] = json!("robot");
    let bad = app.fhir_json(reqwest::Method::POST, "Patient", &patient).header("prefer", "handling=lenient");
    let (status, outcome) = json_of(bad.send().await.unwrap()).await;
    assert_eq!((status, issue_paths(&outcome)), (422, vec!["Patient.gender"]), "a bad code is never dropped");
}

async fn dangling_and_inconsistent_references_are_422_naming_the_element(app: &TestApp) {
    app.seed_clinic(8).await;
    let mut encounter = first(app, "Encounter").await;
    let encounter_path = format!("Encounter/{}", encounter["id"].as_str().unwrap());
    encounter["serviceProvider"] = json!({"reference": "Organization/9999"});
    let (status, outcome) = app.put_json(&encounter_path, &encounter).await;
    assert_eq!(status, 422, "{outcome}");
    assert_eq!(issue_paths(&outcome), vec!["Encounter.serviceProvider"]);

    let mut prescription = first(app, "MedicationRequest").await;
    let path = format!("MedicationRequest/{}", prescription["id"].as_str().unwrap());
    let original = prescription.clone();
    prescription["encounter"] = json!({"reference": "Encounter/999999"});
    let (status, outcome) = app.put_json(&path, &prescription).await;
    assert_eq!((status, issue_paths(&outcome)), (422, vec!["MedicationRequest.encounter"]), "{outcome}");

    let mut other_patient = original.clone();
    let subject = original["subject"]["reference"].as_str().unwrap();
    let (_, patients) = app.get("Patient?_count=10").await;
    let someone_else = patients["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("Patient/{}", e["resource"]["id"].as_str().unwrap()))
        .find(|p| p != subject)
        .unwrap();
    other_patient["subject"] = json!({"reference": someone_else});
    let (status, outcome) = app.put_json(&path, &other_patient).await;
    assert_eq!((status, issue_paths(&outcome)), (422, vec!["MedicationRequest.subject"]), "{outcome}");

    let mut unknown_drug = original.clone();
    unknown_drug["medicationCodeableConcept"] = json!({"coding": [{"system": "https://clinic.example.th/fhir/CodeSystem/drug", "code": "NO-SUCH-DRUG"}]});
    let (status, outcome) = app.put_json(&path, &unknown_drug).await;
    assert_eq!(
        (status, issue_paths(&outcome)),
        (422, vec!["MedicationRequest.medicationCodeableConcept"]),
        "{outcome}"
    );

    let mut bad_status = original.clone();
    bad_status["status"] = json!("draft");
    let (status, outcome) = app.put_json(&path, &bad_status).await;
    assert_eq!(status, 422, "{outcome}");
    assert!(issue_paths(&outcome).contains(&"MedicationRequest.status"), "{outcome}");

    // Nothing above changed anything.
    let (_, unchanged) = app.get(&path).await;
    assert_eq!(unchanged, original);
}

async fn encounter_writes_restate_diagnoses_and_get_a_visit_number(app: &TestApp) {
    app.seed_clinic(8).await;
    let (_, bundle) = app.get("Encounter?_count=50").await;
    let with_diagnoses = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"].clone())
        .find(|e| e.get("diagnosis").is_some())
        .unwrap();
    let path = format!("Encounter/{}", with_diagnoses["id"].as_str().unwrap());
    let mut dropped = with_diagnoses.clone();
    dropped.as_object_mut().unwrap().remove("diagnosis");
    let (status, outcome) = app.put_json(&path, &dropped).await;
    assert_eq!((status, issue_paths(&outcome)), (422, vec!["Encounter.diagnosis"]), "{outcome}");

    let mut new_visit = with_diagnoses.clone();
    for own in ["id", "meta", "identifier", "diagnosis"] {
        new_visit.as_object_mut().unwrap().remove(own);
    }
    let (status, created) = app.post_json("Encounter", &new_visit).await;
    assert_eq!(status, 201, "{created}");
    let vn = created["identifier"][0]["value"].as_str().unwrap();
    assert!(
        vn.len() == 10
            && vn.ends_with(&format!("{:08}", created["id"].as_str().unwrap().parse::<i64>().unwrap())),
        "{vn}"
    );
}

async fn deleting_an_appointment_cancels_it(app: &TestApp) {
    app.seed_clinic(8).await;
    let (_, booked) = app.get("Appointment?status=booked&_count=1").await;
    let appointment = booked["entry"][0]["resource"].clone();
    let path = format!("Appointment/{}", appointment["id"].as_str().unwrap());
    let response = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(app.get(&path).await.0, 410);
    let version = appointment["meta"]["versionId"].as_str().unwrap().parse::<i64>().unwrap() + 1;
    let (status, _) = app.get(&format!("{path}/_history/{version}")).await;
    assert_eq!(status, 410);
    let (status, cancelled) = app.get(&format!("{path}/_history/{}", version - 1)).await;
    assert_eq!((status, cancelled["id"].clone()), (200, appointment["id"].clone()));
    let key = appointment["id"].as_str().unwrap().to_owned();
    let changed = app
        .clinic_sql(format!("UPDATE appointments SET note = note WHERE id = {key} AND status = 'cancelled'"))
        .await;
    assert_eq!(changed, 1, "the clinic row is cancelled, not removed");
}
