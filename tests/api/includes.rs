//! `_include` and `_revinclude` over seeded data: included resources follow the matches once
//! each, marked `search.mode = include`.

use serde_json::Value;

use crate::app::TestApp;
use crate::on_both_backends;

on_both_backends!(includes_follow_references_both_ways);

fn by_mode<'b>(bundle: &'b Value, mode: &str) -> Vec<&'b Value> {
    let entries = bundle["entry"].as_array().map(Vec::as_slice).unwrap_or_default();
    entries.iter().filter(|e| e["search"]["mode"] == mode).map(|e| &e["resource"]).collect()
}

fn reference(resource: &Value) -> String {
    format!("{}/{}", resource["resourceType"].as_str().unwrap(), resource["id"].as_str().unwrap())
}

async fn includes_follow_references_both_ways(app: &TestApp) {
    app.seed_clinic(6).await;

    // Encounters with their patients and doctors: each included once, exactly those referenced.
    let (status, bundle) =
        app.get("Encounter?_count=5&_include=Encounter:subject&_include=Encounter:practitioner").await;
    assert_eq!(status, 200, "{bundle}");
    let matches = by_mode(&bundle, "match");
    let included: Vec<String> = by_mode(&bundle, "include").into_iter().map(reference).collect();
    let mut expected: Vec<String> = matches
        .iter()
        .flat_map(|e| {
            let doctors = e["participant"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["individual"]["reference"].clone());
            std::iter::once(e["subject"]["reference"].clone()).chain(doctors)
        })
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    expected.sort();
    expected.dedup();
    let mut got = included.clone();
    got.sort();
    assert_eq!(got, expected);
    let (_, without) = app.get("Encounter?_count=5").await;
    assert_eq!(bundle["total"], without["total"], "total counts matches only");
    assert!(bundle["link"][0]["url"].as_str().unwrap().contains("_include=Encounter%3Asubject"));

    // A patient with everything that points at it through encounter.subject and, iterating,
    // the observations of those encounters.
    let patient = by_mode(&bundle, "match")[0]["subject"]["reference"].as_str().unwrap().to_owned();
    let id = patient.trim_start_matches("Patient/");
    let (status, bundle) = app
        .get(&format!(
            "Patient?_id={id}&_revinclude=Encounter:subject&_revinclude:iterate=Observation:encounter"
        ))
        .await;
    assert_eq!(status, 200, "{bundle}");
    let included = by_mode(&bundle, "include");
    let encounters: Vec<&&Value> = included.iter().filter(|r| r["resourceType"] == "Encounter").collect();
    let (_, direct) = app.get(&format!("Encounter?subject={patient}&_count=1000")).await;
    assert_eq!(encounters.len() as u64, direct["total"].as_u64().unwrap());
    assert!(encounters.iter().all(|e| e["subject"]["reference"] == patient.as_str()));
    let observations = included.iter().filter(|r| r["resourceType"] == "Observation").count();
    let (_, direct) = app.get(&format!("Observation?subject={patient}&_count=1000")).await;
    assert_eq!(
        observations as u64,
        direct["total"].as_u64().unwrap(),
        "every observation of the patient's visits"
    );

    for bad in [
        "_include=Encounter:status",
        "_include=Observation:subject",
        "_revinclude=Spaceship:x",
        "_include:deep=Encounter:subject",
    ] {
        let (status, outcome) = app.get(&format!("Encounter?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {outcome}");
        assert!(outcome["issue"][0]["expression"][0].as_str().unwrap().starts_with('_'), "{bad}");
    }
}
