use serde_json::Value;

use crate::app::{Backend, TestApp, json_of};

/// Every seeded patient reads as valid R4 (checked by `json_of`) and survives a PUT of itself
/// unchanged but for its version: the mapping keeps all the clinic's data on realistic rows.
async fn seeded_patients_read_and_round_trip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let options = clinic_seed::SeedOptions { patients: 60, random_seed: 7, show_progress: false };
    let db = app.database.clone();
    tokio::task::spawn_blocking(move || clinic_seed::seed(&db, &options)).await.unwrap().unwrap();

    let mut url = app.url("Patient?_count=25");
    let mut patients: Vec<Value> = Vec::new();
    loop {
        let (status, bundle) = json_of(app.client.get(&url).send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(bundle["total"], 60);
        patients.extend(bundle["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()));
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(patients.len(), 60);
    for patient in patients {
        let id = patient["id"].as_str().unwrap();
        let (status, updated) = app.put_json(&format!("Patient/{id}"), &patient).await;
        assert_eq!(status, 200, "{updated}");
        let mut expected = patient.clone();
        expected["meta"] = updated["meta"].clone();
        assert_eq!(updated, expected);
        assert_ne!(updated["meta"]["versionId"], patient["meta"]["versionId"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_patients_read_and_round_trip_on_postgres() {
    seeded_patients_read_and_round_trip(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_patients_read_and_round_trip_on_sqlite() {
    seeded_patients_read_and_round_trip(Backend::Sqlite).await;
}
