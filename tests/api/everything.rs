//! `Patient/[id]/$everything`: the patient and their compartment, paged across types, within
//! the caller's rights.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::app::TestApp;
use crate::on_both_backends;

on_both_backends!(everything_of_a_patient_is_their_compartment_paged_across_types);

/// Every `Type/id` of a search through all its pages, followed by `next` links.
async fn collect(app: &TestApp, client: &reqwest::Client, first: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut url = Some(app.url(first));
    while let Some(next) = url {
        let (status, bundle) = crate::app::json_of(client.get(&next).send().await.unwrap()).await;
        assert_eq!(status, 200, "{next}: {bundle}");
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            let resource = &entry["resource"];
            found.push(format!(
                "{}/{}",
                resource["resourceType"].as_str().unwrap(),
                resource["id"].as_str().unwrap()
            ));
        }
        url = bundle["link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["relation"] == "next")
            .map(|l| l["url"].as_str().unwrap().to_owned());
    }
    found
}

async fn compartment(app: &TestApp, patient: &str, types: &[&str]) -> BTreeSet<String> {
    let mut members = BTreeSet::from([format!("Patient/{patient}")]);
    for resource_type in types {
        let (resources, _) = app.search(resource_type, &[("patient", &format!("Patient/{patient}"))]).await;
        members.extend(
            resources.iter().map(|r: &Value| format!("{resource_type}/{}", r["id"].as_str().unwrap())),
        );
    }
    members
}

async fn everything_of_a_patient_is_their_compartment_paged_across_types(app: &TestApp) {
    app.seed_clinic(4).await;
    let all_types = [
        "Coverage",
        "Condition",
        "Encounter",
        "Observation",
        "MedicationRequest",
        "Appointment",
        "Claim",
        "DocumentReference",
    ];
    // A patient with visits on at least two days, for start and end.
    let mut chosen = None;
    for candidate in 1..=4 {
        let (visits, _) = app.search("Encounter", &[("patient", &format!("Patient/{candidate}"))]).await;
        let days: BTreeSet<&str> =
            visits.iter().map(|v| &v["period"]["start"].as_str().unwrap()[..10]).collect();
        if days.len() >= 2 {
            chosen = Some(candidate.to_string());
            break;
        }
    }
    let patient = chosen.expect("the seeded clinic has a patient with visits on two days");
    let everything = |query: &str| format!("Patient/{patient}/$everything?{query}");
    let expected = compartment(app, &patient, &all_types).await;
    assert!(expected.len() > 10, "{expected:?}");

    let whole = collect(app, &app.client, &everything("_count=1000")).await;
    assert_eq!(whole[0], format!("Patient/{patient}"));
    assert_eq!(whole.iter().cloned().collect::<BTreeSet<_>>(), expected);
    assert_eq!(whole.len(), expected.len(), "no resource twice");
    // Small pages cross type boundaries and find the same, in the same order.
    assert_eq!(collect(app, &app.client, &everything("_count=3")).await, whole);

    let visits = collect(app, &app.client, &everything("_type=Encounter")).await;
    assert_eq!(
        visits.iter().cloned().collect::<BTreeSet<_>>(),
        compartment(app, &patient, &["Encounter"]).await
    );
    let (encounters, _) =
        app.search("Encounter", &[("patient", &format!("Patient/{patient}")), ("_sort", "date")]).await;
    let first_day = encounters[0]["period"]["start"].as_str().unwrap()[..10].to_owned();
    let from_first_day =
        collect(app, &app.client, &everything(&format!("_type=Encounter&start={first_day}"))).await;
    let to_first_day =
        collect(app, &app.client, &everything(&format!("_type=Encounter&end={first_day}"))).await;
    assert_eq!(from_first_day, visits);
    assert!(to_first_day.len() >= 2 && to_first_day.len() < visits.len(), "{to_first_day:?} of {visits:?}");

    // A key sees only the types it may search; asking for another is refused.
    let key = app.create_key("system/Patient.rs system/Encounter.rs", 1000).await;
    let client = app.client_with(&app.token_for(&key, None).await.unwrap());
    let seen = collect(app, &client, &everything("")).await;
    assert_eq!(
        seen.iter().cloned().collect::<BTreeSet<_>>(),
        compartment(app, &patient, &["Encounter"]).await
    );
    assert_eq!(client.get(app.url(&everything("_type=Claim"))).send().await.unwrap().status(), 403);
    let no_patient = app.create_key("system/Encounter.rs", 1000).await;
    let no_patient = app.client_with(&app.token_for(&no_patient, None).await.unwrap());
    assert_eq!(no_patient.get(app.url(&everything(""))).send().await.unwrap().status(), 403);

    for bad in ["start=yesterday", "_type=Spaceship", "colour=red", "_cursor=forged"] {
        let response = app.client.get(app.url(&everything(bad))).send().await.unwrap();
        let (status, outcome) = crate::app::json_of(response).await;
        assert_eq!(status, 400, "{bad}: {outcome}");
    }
    assert_eq!(app.client.get(app.url("Patient/999999/$everything")).send().await.unwrap().status(), 404);
}
