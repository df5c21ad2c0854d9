//! Bulk Data `$export`: kick-off, status, manifest and NDJSON files whose line counts match the
//! database, only for the key that started the job and only of types it may search.

use std::time::Duration;

use std::collections::BTreeSet;

use serde_json::Value;

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(
    an_export_writes_every_resource_once_for_its_key_only,
    a_group_is_a_panel_and_exports_its_members_compartments,
);

pub async fn kick_off(app: &TestApp, client: &reqwest::Client, path: &str) -> reqwest::Response {
    client.get(app.url(path)).header("prefer", "respond-async").send().await.unwrap()
}

/// Polls the status URL until the manifest is there.
pub async fn manifest(client: &reqwest::Client, status_url: &str) -> Value {
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

/// Starts an export (`path` with its query); the status URL.
pub async fn started(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
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
        if matches!(resource_type, "Observation" | "Group") {
            // Types with their own export walk: each line is the resource a read returns.
            for line in &lines {
                let (status, read) =
                    app.get(&format!("{resource_type}/{}", line["id"].as_str().unwrap())).await;
                assert_eq!((status, &read), (200, line), "{resource_type}");
            }
        }
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

    // _typeFilter narrows a type to a search's matches.
    let filter = crate::app::form(&[
        ("_type", "Patient,Observation"),
        ("_typeFilter", "Observation?category=vital-signs"),
    ]);
    let filtered =
        manifest(&app.client, &started(app, &app.client, &format!("$export?{filter}")).await).await;
    for (resource_type, criteria) in [("Patient", vec![]), ("Observation", vec![("category", "vital-signs")])]
    {
        let (_, expected) = app.search(resource_type, &[criteria, vec![("_count", "0")]].concat()).await;
        let output =
            filtered["output"].as_array().unwrap().iter().find(|o| o["type"] == resource_type).unwrap();
        assert_eq!(output["count"].as_u64(), Some(expected), "{resource_type} with {filter}");
    }
    let (_, all_observations) = app.search("Observation", &[("_count", "0")]).await;
    assert!(filtered["output"][1]["count"].as_u64() < Some(all_observations), "the seed has lab results too");
    let (code, outcome) = json_of(
        kick_off(
            app,
            &patients_only,
            "$export?_typeFilter=Patient%3F_has%3AEncounter%3Apatient%3Astatus%3Dfinished",
        )
        .await,
    )
    .await;
    assert_eq!(code, 403, "a filter is a search, within the key's rights: {outcome}");

    for (query, parameter) in [
        ("_outputFormat=text/csv", "_outputFormat"),
        ("_since=yesterday", "_since"),
        ("_elements=id", "_elements"),
        ("_typeFilter=Observation%3Fcolour%3Dred", "_typeFilter"),
        ("_typeFilter=Observation%3F_count%3D5", "_typeFilter"),
        ("_typeFilter=Observation%3Fcode%3D1,Observation%3Fcode%3D2", "_typeFilter"),
        ("_typeFilter=Spaceship%3Fname%3Dx", "_typeFilter"),
        ("_typeFilter=Observation", "_typeFilter"),
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

/// The patients (`Patient/id`) of the visits and appointments a search finds.
async fn patients_of(app: &TestApp, searches: [(&str, &str, String); 2]) -> BTreeSet<String> {
    let mut patients = BTreeSet::new();
    for (resource_type, param, value) in &searches {
        let (found, _) = app.search(resource_type, &[(param, value)]).await;
        for resource in &found {
            let references = [&resource["subject"]]
                .into_iter()
                .chain(resource["participant"].as_array().into_iter().flatten().map(|p| &p["actor"]));
            patients.extend(
                references
                    .filter_map(|r| r["reference"].as_str())
                    .filter(|r| r.starts_with("Patient/"))
                    .map(str::to_owned),
            );
        }
    }
    patients
}

/// The lines of an export's file of `resource_type`, if the manifest lists one.
async fn lines_of(client: &reqwest::Client, manifest: &Value, resource_type: &str) -> Option<Vec<Value>> {
    let output = manifest["output"].as_array().unwrap().iter().find(|o| o["type"] == resource_type)?;
    let text = client.get(output["url"].as_str().unwrap()).send().await.unwrap().text().await.unwrap();
    let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(output["count"].as_u64(), Some(lines.len() as u64), "{resource_type}");
    Some(lines)
}

async fn a_group_is_a_panel_and_exports_its_members_compartments(app: &TestApp) {
    app.seed_clinic(6).await;
    let (_, doctors) = app.search("Practitioner", &[("_count", "0")]).await;
    let (_, branches) = app.search("Location", &[("_count", "0")]).await;
    let (groups, total) = app.search("Group", &[("type", "person")]).await;
    assert_eq!(total, doctors + branches, "one panel per doctor and per branch");

    // Each panel lists the patients of its doctor's (branch's) visits and appointments.
    for group in &groups {
        let id = group["id"].as_str().unwrap();
        let expected = match id.split_once('-').unwrap() {
            ("doctor", key) => {
                let doctor = format!("Practitioner/{key}");
                patients_of(
                    app,
                    [("Encounter", "practitioner", doctor.clone()), ("Appointment", "practitioner", doctor)],
                )
                .await
            }
            (_, key) => {
                let searches = [
                    ("Encounter", "service-provider", format!("Organization/{key}")),
                    ("Appointment", "location", format!("Location/{key}")),
                ];
                patients_of(app, searches).await
            }
        };
        let members: BTreeSet<String> = group["member"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["entity"]["reference"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(members, expected, "{id}");
        assert_eq!(group["quantity"].as_u64(), Some(members.len() as u64), "{id}");
        assert_eq!((group["type"].as_str(), group["actual"].as_bool()), (Some("person"), Some(true)));
        let (status, read) = app.get(&format!("Group/{id}")).await;
        assert_eq!((status, &read), (200, group));
    }
    let panel = groups.iter().max_by_key(|g| g["quantity"].as_u64()).unwrap();
    let id = panel["id"].as_str().unwrap();
    let members: Vec<&str> = panel["member"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity"]["reference"].as_str().unwrap())
        .collect();
    let (with_member, _) = app.search("Group", &[("member", members[0])]).await;
    let with_member: BTreeSet<&str> = with_member.iter().map(|g| g["id"].as_str().unwrap()).collect();
    let listing: BTreeSet<&str> = groups
        .iter()
        .filter(|g| {
            g["member"].as_array().into_iter().flatten().any(|m| m["entity"]["reference"] == members[0])
        })
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(with_member, listing, "member={}", members[0]);
    // Its members as a search: _has:Group:member, which takes _id only.
    let (found, total) = app.search("Patient", &[("_has:Group:member:_id", id)]).await;
    let found: BTreeSet<String> =
        found.iter().map(|p| format!("Patient/{}", p["id"].as_str().unwrap())).collect();
    assert_eq!((found, total), (members.iter().map(|m| m.to_string()).collect(), members.len() as u64));
    let (code, outcome) = app.get("Patient?_has:Group:member:type=person").await;
    assert_eq!(
        (code, &outcome["issue"][0]["expression"][0]),
        (400, &serde_json::json!("_has:Group:member:type"))
    );
    for unknown in ["Group/doctor-999999", "Group/nurse-1", "Group/doctor-01"] {
        assert_eq!(app.get(unknown).await.0, 404, "{unknown}");
    }

    // The export holds exactly the members' compartments, type by type.
    let panel_export =
        manifest(&app.client, &started(app, &app.client, &format!("Group/{id}/$export")).await).await;
    assert!(panel_export["request"].as_str().unwrap().ends_with(&format!("/Group/{id}/$export")));
    let patients = lines_of(&app.client, &panel_export, "Patient").await.unwrap();
    let exported: BTreeSet<String> =
        patients.iter().map(|p| format!("Patient/{}", p["id"].as_str().unwrap())).collect();
    assert_eq!(exported, members.iter().map(|m| m.to_string()).collect::<BTreeSet<_>>());
    let of_members = members.join(",");
    for resource_type in
        ["Coverage", "Condition", "Encounter", "Observation", "MedicationRequest", "Appointment", "Claim"]
            .into_iter()
            .chain(["DocumentReference"])
    {
        let (_, expected) = app.search(resource_type, &[("patient", &of_members), ("_count", "0")]).await;
        let lines = lines_of(&app.client, &panel_export, resource_type).await.unwrap_or_default();
        assert_eq!(lines.len() as u64, expected, "{resource_type} of {id}'s members");
        assert!(expected > 0 || resource_type != "Encounter", "{id}'s members have visits");
    }

    // Group retrieve to start it; only the types the key may search are exported.
    let no_group = app.create_key("system/Patient.rs system/Encounter.rs", 1000).await;
    let no_group = app.client_with(&app.token_for(&no_group, None).await.unwrap());
    let (code, _) = json_of(kick_off(app, &no_group, &format!("Group/{id}/$export")).await).await;
    assert_eq!(code, 403);
    let patients_only = app.create_key("system/Group.rs system/Patient.rs", 1000).await;
    let patients_only = app.client_with(&app.token_for(&patients_only, None).await.unwrap());
    let status = started(app, &patients_only, &format!("Group/{id}/$export")).await;
    let types: Vec<Value> = manifest(&patients_only, &status).await["output"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].clone())
        .collect();
    assert_eq!(types, ["Patient"]);
    for (path, expected) in [
        ("Group/doctor-999999/$export".to_owned(), 404),
        (format!("Group/{id}/$export?_type=Practitioner"), 400),
    ] {
        let (code, outcome) = json_of(kick_off(app, &app.client, &path).await).await;
        assert_eq!(code, expected, "{path}: {outcome}");
    }
}
