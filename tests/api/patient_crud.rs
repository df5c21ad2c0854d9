use serde_json::json;

use crate::app::{HN_SYSTEM, TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(
    create_then_read_in_json_and_xml,
    update_replaces_and_bumps_the_version,
    update_needs_the_id_of_the_url,
);

async fn create_then_read_in_json_and_xml(app: &TestApp) {
    let response = app.fhir_json(reqwest::Method::POST, "Patient", &somchai()).send().await.unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(response.headers()["etag"], "W/\"1\"");
    let (status, created) = json_of(response).await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, app.url(&format!("Patient/{id}/_history/1")));
    // The facade assigns the HN from the row key.
    let hn = created["identifier"].as_array().unwrap().iter().find(|i| i["system"] == HN_SYSTEM).unwrap();
    assert_eq!(hn["value"], format!("{:07}", id.parse::<i64>().unwrap()));

    let (status, read) = app.get(&format!("Patient/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read, created);
    assert_eq!(read["name"][0]["family"], "ใจดี");
    assert_eq!(read["name"][1]["prefix"][0], "Mr.");
    assert_eq!(read["address"][0]["state"], "Bangkok");

    for (how, request) in [
        (
            "Accept",
            app.client.get(app.url(&format!("Patient/{id}"))).header("accept", "application/fhir+xml"),
        ),
        ("_format", app.client.get(app.url(&format!("Patient/{id}?_format=xml")))),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{how}");
        assert_eq!(response.headers()["content-type"], "application/fhir+xml; charset=utf-8", "{how}");
        let xml = response.bytes().await.unwrap();
        let from_xml = fhir_codec::parse_xml(&xml).expect("valid R4 XML");
        let from_json = fhir_codec::parse_json(read.to_string().as_bytes()).unwrap();
        assert_eq!(from_xml, from_json, "{how}: XML and JSON carry the same content");
    }
}

async fn update_replaces_and_bumps_the_version(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let id = created["id"].as_str().unwrap();
    let mut changed = created.clone();
    changed["telecom"] = json!([{"system": "email", "value": "somchai@example.com"}]);
    changed["birthDate"] = json!("1981-01-02");
    let (status, updated) = app.put_json(&format!("Patient/{id}"), &changed).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["meta"]["versionId"], "2");
    assert_eq!(updated["telecom"], json!([{"system": "email", "value": "somchai@example.com"}]));
    assert_eq!(updated["birthDate"], "1981-01-02");
    // The HN survives an update that leaves it out.
    assert_eq!(updated["identifier"], created["identifier"]);
    let (_, read) = app.get(&format!("Patient/{id}")).await;
    assert_eq!(read, updated);
}

async fn update_needs_the_id_of_the_url(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let id = created["id"].as_str().unwrap();
    let mut other = created.clone();
    other["id"] = json!("999999");
    let (status, outcome) = app.put_json(&format!("Patient/{id}"), &other).await;
    assert_eq!(status, 400);
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    let (status, outcome) = app.put_json("Patient/999999", &other).await;
    assert_eq!(status, 404, "{outcome}");
}
