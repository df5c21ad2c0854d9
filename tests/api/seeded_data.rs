use serde_json::Value;

use crate::app::{Backend, TestApp, json_of};

/// Every served type over a seeded clinic: each resource read back is valid R4 (every response
/// is checked by `json_of`), and each resource of a writable type survives a PUT of itself
/// unchanged but for its version: the mapping keeps all the clinic's data on realistic rows.
async fn seeded_resources_read_and_round_trip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.seed_clinic(40).await;

    let (_, statement) = app.get("metadata").await;
    for capability in statement["rest"][0]["resource"].as_array().unwrap() {
        let resource_type = capability["type"].as_str().unwrap();
        if capability.get("supportedProfile").is_none() {
            continue; // the server's own conformance resources, not clinic data
        }
        let writable = capability["interaction"].as_array().unwrap().iter().any(|i| i["code"] == "update");
        let resources = all_of(&app, resource_type).await;
        assert!(!resources.is_empty(), "the seed has no {resource_type}");
        conforms_to_its_profile(&app, capability, &resources).await;
        if !writable {
            continue;
        }
        for resource in resources {
            let path = format!("{resource_type}/{}", resource["id"].as_str().unwrap());
            let (status, updated) = app.put_json(&path, &resource).await;
            assert_eq!(status, 200, "PUT {path}: {updated}");
            let mut expected = resource.clone();
            expected["meta"] = updated["meta"].clone();
            assert_eq!(updated, expected, "{path} changed on a PUT of itself");
            assert_ne!(updated["meta"]["versionId"], resource["meta"]["versionId"]);
            let (_, read) = app.get(&path).await;
            assert_eq!(read, updated, "{path} reads back differently");
        }
    }
}

/// Resources validate against the clinic profile the CapabilityStatement names, and every
/// element that profile marks mustSupport is really produced by the mapping somewhere.
async fn conforms_to_its_profile(app: &TestApp, capability: &Value, resources: &[Value]) {
    let resource_type = capability["type"].as_str().unwrap();
    // A BMI is derived from weight and height: $validate rightly says it cannot be written.
    let writable = |r: &&Value| !r["id"].as_str().is_some_and(|id| id.ends_with("-bmi"));
    for resource in resources.iter().filter(writable).take(20) {
        let (status, outcome) = app.post_json(&format!("{resource_type}/$validate"), resource).await;
        assert_eq!(status, 200, "{outcome}");
        let errors: Vec<&Value> =
            outcome["issue"].as_array().unwrap().iter().filter(|i| i["severity"] == "error").collect();
        assert!(errors.is_empty(), "{resource_type}/{} does not validate: {outcome}", resource["id"]);
    }
    let profile_url = capability["supportedProfile"][0].as_str().unwrap();
    let id = profile_url.rsplit('/').next().unwrap();
    let (_, profile) = app.get(&format!("StructureDefinition/{id}")).await;
    assert_eq!(profile["url"], profile_url);
    for element in
        profile["differential"]["element"].as_array().unwrap().iter().filter(|e| e["mustSupport"] == true)
    {
        let name = element["path"].as_str().unwrap().split_once('.').unwrap().1;
        let choice = name.strip_suffix("[x]");
        let produced = resources.iter().any(|r| {
            r.as_object().unwrap().keys().any(|key| match choice {
                Some(prefix) => key.starts_with(prefix),
                None => key == name,
            })
        });
        assert!(produced, "{resource_type}.{name} is mustSupport but no seeded resource has it");
    }
}

/// Every resource of a type, page by page (at most 200: enough to cover the seed's variety).
async fn all_of(app: &TestApp, resource_type: &str) -> Vec<Value> {
    let mut url = app.url(&format!("{resource_type}?_count=50"));
    let mut resources: Vec<Value> = Vec::new();
    while resources.len() < 200 {
        let (status, bundle) = json_of(app.client.get(&url).send().await.unwrap()).await;
        assert_eq!(status, 200, "{url}: {bundle}");
        let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
        resources.extend(entries.into_iter().map(|e| e["resource"].clone()));
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    resources
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_resources_read_and_round_trip_on_postgres() {
    seeded_resources_read_and_round_trip(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_resources_read_and_round_trip_on_sqlite() {
    seeded_resources_read_and_round_trip(Backend::Sqlite).await;
}
