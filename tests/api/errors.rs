use serde_json::{Value, json};

use crate::app::{TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(
    bad_citizen_id_checksum_is_422_naming_the_identifier,
    malformed_and_invalid_bodies_are_400,
    unknown_ids_and_types_are_404,
    unsupported_formats_are_406_and_415,
    elements_the_clinic_cannot_store_are_422,
    capability_statement_lists_patient_search,
    duplicate_citizen_id_is_409,
    oversized_bodies_are_413,
);

fn expressions(outcome: &Value) -> Vec<String> {
    outcome["issue"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|issue| issue["expression"].as_array().cloned().unwrap_or_default())
        .map(|e| e.as_str().unwrap().to_owned())
        .collect()
}

async fn bad_citizen_id_checksum_is_422_naming_the_identifier(app: &TestApp) {
    let mut patient = somchai();
    patient["identifier"][0]["value"] = json!("1103700123457");
    let (status, outcome) = app.post_json("Patient", &patient).await;
    assert_eq!(status, 422);
    assert_eq!(outcome["issue"][0]["severity"], "error");
    assert_eq!(expressions(&outcome), vec!["Patient.identifier[0].value"]);
    // Nothing was written.
    let (_, bundle) = app.get("Patient").await;
    assert_eq!(bundle["total"], 0);
}

async fn malformed_and_invalid_bodies_are_400(app: &TestApp) {
    for body in [
        r#"{"resourceType":"Patient","#,
        "[]",
        r#"{"resourceType":"Patient","colour":"blue"}"#,
        r#"{"resourceType":"Patient","name":[]}"#,
    ] {
        let response = app
            .client
            .post(app.url("Patient"))
            .header("content-type", "application/fhir+json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, outcome) = json_of(response).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(outcome["issue"][0]["code"], "structure", "{body}");
    }
    let (status, _) = app
        .post_json(
            "Patient",
            &json!({"resourceType": "Observation", "status": "final", "code": {"text": "x"}}),
        )
        .await;
    assert_eq!(status, 400);
    let (status, outcome) = app.get("Patient?birthdate=1980-13-45").await;
    assert_eq!(status, 400);
    assert_eq!(expressions(&outcome), vec!["birthdate"]);
    // Unknown parameters: ignored by default and left out of the self link; 400 when strict.
    let (status, bundle) = app.get("Patient?colour=blue&gender=male").await;
    assert_eq!(status, 200, "{bundle}");
    let self_link = bundle["link"][0]["url"].as_str().unwrap();
    assert!(self_link.contains("gender=male") && !self_link.contains("colour"), "{self_link}");
    let strict = app.client.get(app.url("Patient?colour=blue")).header("prefer", "handling=strict");
    let (status, outcome) = json_of(strict.send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(expressions(&outcome), vec!["colour"]);
}

async fn unknown_ids_and_types_are_404(app: &TestApp) {
    for path in ["Patient/424242", "Patient/not-a-number", "Spaceship/1", "Spaceship", "nowhere/at/all/x"] {
        let (status, outcome) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(outcome["resourceType"], "OperationOutcome", "{path}");
    }
    // Interactions the server does not offer: conditional delete, POST to an instance.
    let response = app.client.delete(app.url("Patient?gender=male")).send().await.unwrap();
    assert_eq!(json_of(response).await.0, 405);
    let response = app.client.post(app.url("Patient/1")).send().await.unwrap();
    assert_eq!(json_of(response).await.0, 405);
    // Delete where the clinic model has no deleted state; writes of reference data.
    for path in ["Encounter/1", "Practitioner/1", "Observation/lab-1"] {
        let (status, outcome) = json_of(app.client.delete(app.url(path)).send().await.unwrap()).await;
        assert_eq!(status, 405, "DELETE {path}: {outcome}");
    }
    let (status, _) =
        app.put_json("Practitioner/1", &serde_json::json!({"resourceType": "Practitioner", "id": "1"})).await;
    assert_eq!(status, 405, "the clinic application maintains doctors");
}

async fn unsupported_formats_are_406_and_415(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());
    let (status, _) = app.get(&format!("{path}?_format=text/csv")).await;
    assert_eq!(status, 406);
    let response = app.client.get(app.url(&path)).header("accept", "text/csv").send().await.unwrap();
    assert_eq!(json_of(response).await.0, 406);
    let response = app
        .client
        .post(app.url("Patient"))
        .header("content-type", "text/plain")
        .body(somchai().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(json_of(response).await.0, 415);
    // An XML body is accepted and stored like JSON.
    let xml = fhir_codec::to_xml(&fhir_codec::parse_json(somchai().to_string().as_bytes()).unwrap()).unwrap();
    let response = app
        .client
        .post(app.url("Patient"))
        .header("content-type", "application/fhir+xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    let (status, outcome) = json_of(response).await;
    // The same citizen ID is already taken by the first patient.
    assert_eq!(status, 409, "{outcome}");
}

async fn elements_the_clinic_cannot_store_are_422(app: &TestApp) {
    let mut patient = somchai();
    patient["maritalStatus"] = json!({"text": "married"});
    patient["birthDate"] = json!("1980-05");
    let (status, outcome) = app.post_json("Patient", &patient).await;
    assert_eq!(status, 422);
    assert_eq!(expressions(&outcome), vec!["Patient.birthDate"]);
    patient["birthDate"] = json!("1980-05-17");
    let (status, outcome) = app.post_json("Patient", &patient).await;
    assert_eq!(status, 422);
    assert_eq!(expressions(&outcome), vec!["Patient.maritalStatus"]);
    let mut patient = somchai();
    patient["generalPractitioner"] = json!([{"reference": "Practitioner/987654"}]);
    let (status, outcome) = app.post_json("Patient", &patient).await;
    assert_eq!(status, 422, "{outcome}");
}

async fn capability_statement_lists_patient_search(app: &TestApp) {
    let (status, capability) = app.get("metadata").await;
    assert_eq!(status, 200);
    assert_eq!(capability["fhirVersion"], "4.0.1");
    let patient = &capability["rest"][0]["resource"][0];
    assert_eq!(patient["type"], "Patient");
    let params: Vec<&str> =
        patient["searchParam"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    for expected in ["_id", "identifier", "family", "given", "name", "birthdate", "gender"] {
        assert!(params.contains(&expected), "{expected}");
    }
}

async fn duplicate_citizen_id_is_409(app: &TestApp) {
    app.create_patient(&somchai()).await;
    let (status, outcome) = app.post_json("Patient", &somchai()).await;
    assert_eq!(status, 409);
    assert_eq!(outcome["issue"][0]["code"], "duplicate");
}

async fn oversized_bodies_are_413(app: &TestApp) {
    let mut patient = somchai();
    patient["name"][1]["family"] = json!("x".repeat(100 * 1024));
    let (status, outcome) = app.post_json("Patient", &patient).await;
    assert_eq!(status, 413);
    assert_eq!(outcome["issue"][0]["code"], "too-long");
}
