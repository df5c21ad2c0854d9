//! The audit trail as FHIR AuditEvents: every request (allowed, refused, unauthenticated, a token
//! request) is found with its client, interaction, outcome and what it touched; reading it needs
//! the AuditEvent right; nothing, not even SQL, changes or removes a record.

use std::time::Duration;

use serde_json::{Value, json};

use crate::app::{TestApp, form, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(
    every_request_is_found_as_an_audit_event,
    the_trail_is_searched_by_each_advertised_parameter,
    reading_the_trail_needs_the_audit_event_right,
    the_trail_cannot_be_changed,
);

const TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/audit-event-type";
const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const INTERACTIONS: &str = "http://hl7.org/fhir/restful-interaction";

/// GET `path` with `client`: status and (valid R4) body.
async fn get_with(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, Value) {
    json_of(client.get(app.url(path)).send().await.unwrap()).await
}

/// The AuditEvents `query` finds (newest first) once at least `expected` are there: records are
/// appended off the request path, so they are polled for up to about five seconds.
async fn audit_events(app: &TestApp, client: &reqwest::Client, query: &str, expected: usize) -> Vec<Value> {
    let mut found = Vec::new();
    for _ in 0..50 {
        let criteria = if query.is_empty() { String::new() } else { format!("{query}&") };
        let (status, bundle) =
            get_with(app, client, &format!("AuditEvent?{criteria}_sort=-date&_count=100")).await;
        assert_eq!(status, 200, "AuditEvent?{query}: {bundle}");
        found = bundle["entry"].as_array().into_iter().flatten().map(|e| e["resource"].clone()).collect();
        if found.len() >= expected {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("AuditEvent?{query} found {} of {expected}: {found:?}", found.len());
}

fn subtype(event: &Value) -> &str {
    event["subtype"][0]["code"].as_str().unwrap_or_default()
}

async fn every_request_is_found_as_an_audit_event(app: &TestApp) {
    let patient = app.create_patient(&somchai()).await;
    let path = format!("Patient/{}", patient["id"].as_str().unwrap());
    let auditor = app.create_key("system/AuditEvent.rs", 100_000).await;
    let auditor = app.client_with(&app.token_for(&auditor, None).await.unwrap());

    let reader = app.create_key("system/Patient.rs", 1000).await;
    let reader_id = reader.key.client_id.clone();
    let client = app.client_with(&app.token_for(&reader, None).await.unwrap());
    assert_eq!(client.get(app.url(&path)).send().await.unwrap().status(), 200);
    assert_eq!(client.get(app.url("Encounter?_count=1")).send().await.unwrap().status(), 403);
    let anonymous = reqwest::Client::new().get(app.url(&path)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);

    // The key's three requests, newest first: the refused search, the read, the token request.
    let by_reader = audit_events(app, &auditor, &form(&[("altid", &reader_id)]), 3).await;
    assert_eq!(by_reader.len(), 3, "{by_reader:?}");
    let [refused, read, token] = [&by_reader[0], &by_reader[1], &by_reader[2]];
    for event in &by_reader {
        assert_eq!(event["agent"][0]["altId"], reader_id.as_str());
        assert_eq!(event["agent"][0]["requestor"], true);
        assert_eq!(event["agent"][0]["network"], json!({"address": "127.0.0.1", "type": "2"}));
        assert_eq!(event["source"]["observer"]["display"], "clinic-fhir");
    }

    assert_eq!(token["type"], json!({"system": DICOM, "code": "110114", "display": "User Authentication"}));
    assert!(token.get("subtype").is_none() && token.get("entity").is_none(), "{token}");
    assert_eq!((&token["action"], &token["outcome"]), (&json!("E"), &json!("0")));

    assert_eq!(read["type"]["system"], TYPE_SYSTEM);
    assert_eq!(read["type"]["code"], "rest");
    assert_eq!(read["subtype"][0], json!({"system": INTERACTIONS, "code": "read", "display": "read"}));
    assert_eq!(
        (&read["action"], &read["outcome"], &read["outcomeDesc"]),
        (&json!("R"), &json!("0"), &json!("HTTP 200"))
    );
    assert_eq!(read["entity"], json!([{"what": {"reference": path}}]));

    assert_eq!(subtype(refused), "search-type");
    assert_eq!((&refused["outcome"], &refused["outcomeDesc"]), (&json!("4"), &json!("HTTP 403")));
    // Nothing was returned: the event names the type the key asked for, and no resource.
    assert_eq!(refused["entity"], json!([{"what": {"type": "Encounter"}}]));

    // The unauthenticated read: no client, the type it asked for, 401.
    let unauthenticated = audit_events(app, &auditor, "outcome=4&subtype=read", 1).await;
    let unauthenticated = unauthenticated.iter().find(|e| e["outcomeDesc"] == "HTTP 401").unwrap();
    assert!(unauthenticated["agent"][0].get("altId").is_none(), "{unauthenticated}");
    assert_eq!(unauthenticated["entity"], json!([{"what": {"type": "Patient"}}]));

    // A token request that fails authentication has no client either.
    let wrong = api_keys::IssuedKey { client_secret: "wrong".into(), ..reader };
    assert_eq!(app.token_for(&wrong, None).await, Err("invalid_client".into()));
    let tokens =
        audit_events(app, &auditor, &form(&[("type", &format!("{DICOM}|110114")), ("outcome", "4")]), 1)
            .await;
    assert!(tokens.iter().all(|e| e["agent"][0].get("altId").is_none() && e["outcomeDesc"] == "HTTP 401"));

    // Each event reads back as itself, and the trail has a history per event and per type.
    let id = read["id"].as_str().unwrap();
    let (status, again) = get_with(app, &auditor, &format!("AuditEvent/{id}")).await;
    assert_eq!((status, &again), (200, read));
    let (status, history) = get_with(app, &auditor, &format!("AuditEvent/{id}/_history")).await;
    assert_eq!((status, history["entry"].as_array().map(Vec::len)), (200, Some(1)));
    let (status, history) = get_with(app, &auditor, "AuditEvent/_history?_count=5").await;
    assert_eq!((status, history["entry"].as_array().map(Vec::len)), (200, Some(5)));
}

async fn the_trail_is_searched_by_each_advertised_parameter(app: &TestApp) {
    let patient = app.create_patient(&somchai()).await;
    let id = patient["id"].as_str().unwrap();
    let reference = format!("Patient/{id}");
    assert_eq!(app.get(&reference).await.0, 200);
    assert_eq!(app.get("Patient/424242").await.0, 404);
    let touching = audit_events(app, &app.client, &form(&[("entity", &reference)]), 2).await;
    // Its read and its create (the response touched it too).
    let subtypes: Vec<&str> = touching.iter().map(subtype).collect();
    assert_eq!(subtypes, ["read", "create"]);

    let count = |pairs: &'static [(&'static str, &'static str)]| {
        let extra = form(pairs);
        let reference = reference.clone();
        async move {
            let (status, bundle) =
                app.get(&format!("AuditEvent?{}&{extra}&_count=0", form(&[("entity", &reference)]))).await;
            assert_eq!(status, 200, "{extra}: {bundle}");
            bundle["total"].as_u64().unwrap()
        }
    };
    assert_eq!(count(&[("subtype", "read")]).await, 1);
    assert_eq!(count(&[("subtype", "http://hl7.org/fhir/restful-interaction|create")]).await, 1);
    assert_eq!(count(&[("subtype", "other-system|read")]).await, 0);
    assert_eq!(count(&[("action", "C")]).await, 1);
    assert_eq!(count(&[("action", "R,U")]).await, 1);
    assert_eq!(count(&[("action:not", "C")]).await, 1);
    assert_eq!(count(&[("outcome", "0")]).await, 2);
    assert_eq!(count(&[("outcome", "http://hl7.org/fhir/audit-event-outcome|4")]).await, 0);
    assert_eq!(count(&[("type", "rest")]).await, 2);
    assert_eq!(count(&[("type", "http://dicom.nema.org/resources/ontology/DCM|110114")]).await, 0);
    assert_eq!(count(&[("address", "127.0")]).await, 2);
    assert_eq!(count(&[("address:exact", "10.0.0.1")]).await, 0);
    assert_eq!(count(&[("date", "ge2026-01-01")]).await, 2);
    assert_eq!(count(&[("date", "lt2026-01-01")]).await, 0);
    assert_eq!(count(&[("altid", "ck_nobody")]).await, 0);

    // patient= is entity= limited to Patients; a type-less id matches that id of any type.
    let (_, bundle) = app.get(&format!("AuditEvent?{}&_count=0", form(&[("patient", id)]))).await;
    assert_eq!(bundle["total"], 2);
    let (_, bundle) = app.get(&format!("AuditEvent?{}&_count=0", form(&[("patient", "Encounter/1")]))).await;
    assert_eq!(bundle["total"], 0);
    // The 404 touched nothing, and ids are matched whole.
    for other in ["Patient/424242".to_owned(), format!("{reference}0")] {
        let (_, bundle) = app.get(&format!("AuditEvent?{}&_count=0", form(&[("entity", &other)]))).await;
        assert_eq!(bundle["total"], 0, "{other}");
    }
    let (status, outcome) = app.get("AuditEvent?entity:Patient.family=x").await;
    assert_eq!(status, 400, "{outcome}");

    // _sort by date both ways; the patient compartment holds its events.
    let (_, newest) = app.get("AuditEvent?_sort=-date&_count=1").await;
    let (_, oldest) = app.get("AuditEvent?_sort=date&_count=1").await;
    let recorded = |bundle: &Value| bundle["entry"][0]["resource"]["recorded"].as_str().unwrap().to_owned();
    assert!(recorded(&newest) >= recorded(&oldest));
    let (status, compartment) = app.get(&format!("{reference}/AuditEvent?_count=0")).await;
    assert_eq!((status, &compartment["total"]), (200, &json!(2)));
    // A patient's events can come with the patient.
    let (_, bundle) = app.get(&format!("{reference}/AuditEvent?_include=AuditEvent:patient")).await;
    assert!(bundle["entry"].as_array().unwrap().iter().any(|e| e["resource"]["id"] == id));
    // The audit trail is not in the system history: it would list this very request.
    let (_, history) = app.get("_history?_count=1000").await;
    assert!(
        history["entry"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["fullUrl"].as_str().unwrap().contains("/AuditEvent/"))
    );
}

async fn reading_the_trail_needs_the_audit_event_right(app: &TestApp) {
    assert_eq!(app.get("metadata").await.0, 200);
    let first = audit_events(app, &app.client, "", 1).await;
    let event_path = format!("AuditEvent/{}", first[0]["id"].as_str().unwrap());

    let patients_only = app.create_key("system/Patient.rs", 1000).await;
    let patients_only = app.client_with(&app.token_for(&patients_only, None).await.unwrap());
    for path in
        [event_path.as_str(), "AuditEvent", "AuditEvent/_history", "Patient?_revinclude=AuditEvent:patient"]
    {
        let (status, outcome) = get_with(app, &patients_only, path).await;
        assert_eq!((status, &outcome["issue"][0]["code"]), (403, &json!("forbidden")), "{path}: {outcome}");
    }

    let auditor = app.create_key("system/AuditEvent.rs", 1000).await;
    let auditor = app.client_with(&app.token_for(&auditor, None).await.unwrap());
    assert_eq!(get_with(app, &auditor, &event_path).await.0, 200);
    // Retrieving the trail is all there is: even a key with every right cannot write it.
    let (_, event) = app.get(&event_path).await;
    for (method, path) in [(reqwest::Method::POST, "AuditEvent"), (reqwest::Method::PUT, event_path.as_str())]
    {
        let (status, outcome) =
            json_of(app.fhir_json(method.clone(), path, &event).send().await.unwrap()).await;
        assert_eq!(status, 405, "{method} {path}: {outcome}");
    }
    let (status, _) = json_of(app.client.delete(app.url(&event_path)).send().await.unwrap()).await;
    assert_eq!(status, 405);
    assert_eq!(app.get(&event_path).await.1, event);

    // Every served type can name its audit events.
    let (_, capability) = app.get("metadata").await;
    for resource in
        capability["rest"][0]["resource"].as_array().unwrap().iter().filter(|r| r.get("profile").is_some())
    {
        let revincludes = resource["searchRevInclude"].as_array().unwrap();
        assert!(revincludes.contains(&json!("AuditEvent:entity")), "{}", resource["type"]);
    }
}

async fn the_trail_cannot_be_changed(app: &TestApp) {
    assert_eq!(app.get("Patient?_count=1").await.0, 200);
    let before = audit_events(app, &app.client, "", 1).await;
    for sql in
        ["DELETE FROM fhir_audit_events", "UPDATE fhir_audit_events SET status = 200, client_id = NULL"]
    {
        let result = app
            .database
            .run(move |conn| {
                diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn).map_err(clinic_db::DbError::from)
            })
            .await;
        let error = result.expect_err(sql).to_string();
        assert!(error.contains("append-only"), "{sql}: {error}");
    }
    let (_, first) = app.get(&format!("AuditEvent/{}", before.last().unwrap()["id"].as_str().unwrap())).await;
    assert_eq!(&first, before.last().unwrap());
}
