//! Bulk Data `$export`: kick-off, status, manifest and NDJSON files whose line counts match the
//! database, only for the key that started the job and only of types it may search.

use std::time::Duration;

use serde_json::Value;

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(an_export_writes_every_resource_once_for_its_key_only);

async fn kick_off(app: &TestApp, client: &reqwest::Client, path: &str) -> reqwest::Response {
    client.get(app.url(path)).header("prefer", "respond-async").send().await.unwrap()
}

/// Polls the status URL until the manifest is there.
async fn manifest(client: &reqwest::Client, status_url: &str) -> Value {
    for _ in 0..300 {
        let response = client.get(status_url).send().await.unwrap();
        match response.status().as_u16() {
            202 => {
                assert!(response.headers().contains_key("x-progress"));
                assert!(response.headers().contains_key("retry-after"));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            200 => return serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
            other => panic!("status {other}: {}", response.text().await.unwrap()),
        }
    }
    panic!("the export did not finish in 30 s")
}

async fn started(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = kick_off(app, client, path).await;
    assert_eq!(response.status(), 202, "{path}");
    response.headers()["content-location"].to_str().unwrap().to_owned()
}

async fn an_export_writes_every_resource_once_for_its_key_only(app: &TestApp) {
    app.seed_clinic(3).await;
    let status_url = started(app, &app.client, "$export?_outputFormat=application%2Ffhir%2Bndjson").await;
    let manifest_of_all = manifest(&app.client, &status_url).await;
    assert_eq!(manifest_of_all["requiresAccessToken"], true);
    assert!(
        manifest_of_all["request"]
            .as_str()
            .unwrap()
            .ends_with("/$export?_outputFormat=application%2Ffhir%2Bndjson")
    );
    assert!(manifest_of_all["transactionTime"].is_string());
    let outputs = manifest_of_all["output"].as_array().unwrap();
    let exported: Vec<&str> = outputs.iter().map(|o| o["type"].as_str().unwrap()).collect();
    for expected in ["Patient", "Practitioner", "Encounter", "Observation", "MedicationRequest", "Claim"] {
        assert!(exported.contains(&expected), "{expected} missing from {exported:?}");
    }
    assert!(!exported.contains(&"Slot") && !exported.contains(&"AuditEvent"));
    for output in outputs {
        let resource_type = output["type"].as_str().unwrap();
        let response = app.client.get(output["url"].as_str().unwrap()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/fhir+ndjson");
        let text = response.text().await.unwrap();
        let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert!(lines.iter().all(|r| r["resourceType"] == resource_type));
        let ids: std::collections::BTreeSet<&str> = lines.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), lines.len(), "{resource_type}: each resource once");
        let (_, total) = app.search(resource_type, &[("_count", "0")]).await;
        assert_eq!(
            (lines.len() as u64, output["count"].as_u64().unwrap()),
            (total, total),
            "{resource_type}"
        );
    }

    // Another key sees neither the job nor its files.
    let other = app.create_key("system/*.rs", 1000).await;
    let other = app.client_with(&app.token_for(&other, None).await.unwrap());
    assert_eq!(other.get(&status_url).send().await.unwrap().status(), 404);
    assert_eq!(other.get(outputs[0]["url"].as_str().unwrap()).send().await.unwrap().status(), 404);

    // A key exports only what it may search, and may not ask for more.
    let patients_only = app.create_key("system/Patient.rs system/Encounter.r", 1000).await;
    let patients_only = app.client_with(&app.token_for(&patients_only, None).await.unwrap());
    let status = started(app, &patients_only, "$export").await;
    let types: Vec<Value> = manifest(&patients_only, &status).await["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].clone())
        .collect();
    assert_eq!(types, ["Patient"]);
    let (code, outcome) = json_of(kick_off(app, &patients_only, "$export?_type=Encounter").await).await;
    assert_eq!((code, &outcome["issue"][0]["expression"][0]), (403, &serde_json::json!("_type")));

    // The patient compartment, and _type.
    let status = started(app, &app.client, "Patient/$export?_type=Patient,Encounter").await;
    let types: Vec<Value> = manifest(&app.client, &status).await["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].clone())
        .collect();
    assert_eq!(types, ["Patient", "Encounter"]);
    let (code, _) = json_of(kick_off(app, &app.client, "Patient/$export?_type=Practitioner").await).await;
    assert_eq!(code, 400, "Practitioners are not in the patient compartment");

    // Cancelling removes the job.
    let status = started(app, &app.client, "$export").await;
    assert_eq!(app.client.delete(&status).send().await.unwrap().status(), 202);
    assert_eq!(app.client.get(&status).send().await.unwrap().status(), 404);

    for (query, parameter) in [
        ("_outputFormat=text/csv", "_outputFormat"),
        ("_since=yesterday", "_since"),
        ("_elements=id", "_elements"),
    ] {
        let (code, outcome) = json_of(kick_off(app, &app.client, &format!("$export?{query}")).await).await;
        assert_eq!(
            (code, &outcome["issue"][0]["expression"][0]),
            (400, &serde_json::json!(parameter)),
            "{query}"
        );
    }
    let without_prefer = app.client.get(app.url("$export")).send().await.unwrap();
    assert_eq!(without_prefer.status(), 400);
}
