//! Chained parameters: the reference must point at a resource matching the chained criterion,
//! compiled to a subquery (to any depth the served types allow).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::app::TestApp;
use crate::on_both_backends;

on_both_backends!(chains_match_what_the_referenced_resources_match);

/// The ids a search finds (one page of up to 1000).
pub async fn ids(app: &TestApp, query: &str) -> BTreeSet<String> {
    let (status, bundle) = app.get(&format!("{query}&_count=1000")).await;
    assert_eq!(status, 200, "{query}: {bundle}");
    bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn english_family(patient: &Value) -> String {
    let names = patient["name"].as_array().unwrap();
    names.iter().find_map(|n| n["family"].as_str().filter(|f| f.is_ascii())).unwrap().to_owned()
}

async fn chains_match_what_the_referenced_resources_match(app: &TestApp) {
    app.seed_clinic(12).await;
    let (_, patients) = app.get("Patient?_count=1").await;
    let patient = &patients["entry"][0]["resource"];
    let prefix: String = english_family(patient).chars().take(3).collect();
    let named = ids(app, &format!("Patient?family={prefix}")).await;
    assert!(!named.is_empty());

    // Encounters of those patients, by chain and by listing them.
    let listed: Vec<String> = named.iter().map(|id| format!("Patient/{id}")).collect();
    let expected = ids(app, &format!("Encounter?subject={}", listed.join(","))).await;
    assert!(!expected.is_empty());
    assert_eq!(ids(app, &format!("Encounter?subject.family={prefix}")).await, expected);
    assert_eq!(ids(app, &format!("Encounter?subject:Patient.family={prefix}")).await, expected);
    assert_eq!(
        ids(app, &format!("Encounter?patient.family={prefix}&status=finished")).await,
        ids(app, &format!("Encounter?subject={}&status=finished", listed.join(","))).await
    );

    // Two levels: observations of encounters of those patients.
    let encounters: Vec<String> = expected.iter().map(|id| format!("Encounter/{id}")).collect();
    let observations = ids(app, &format!("Observation?encounter={}", encounters.join(","))).await;
    assert_eq!(ids(app, &format!("Observation?encounter.subject.family={prefix}")).await, observations);

    // Through a doctor: prescriptions by doctors with a given licence number.
    let (_, doctors) = app.get("Practitioner?_count=1").await;
    let doctor = &doctors["entry"][0]["resource"];
    let licence = doctor["identifier"][0]["value"].as_str().unwrap();
    let direct =
        ids(app, &format!("MedicationRequest?requester=Practitioner/{}", doctor["id"].as_str().unwrap()))
            .await;
    assert_eq!(ids(app, &format!("MedicationRequest?requester.identifier={licence}")).await, direct);

    // Into Organization: branches from branch references, insurers from insurer references.
    let (_, encounter) = app.get("Encounter?_count=1").await;
    let branch =
        encounter["entry"][0]["resource"]["serviceProvider"]["reference"].as_str().unwrap().to_owned();
    let (_, organization) = app.get(&branch).await;
    let code = organization["identifier"][0]["value"].as_str().unwrap();
    assert_eq!(
        ids(app, &format!("Encounter?service-provider.identifier={code}")).await,
        ids(app, &format!("Encounter?service-provider={branch}")).await
    );
    let (_, coverage) = app.get("Coverage?_count=1").await;
    let payor = coverage["entry"][0]["resource"]["payor"][0]["reference"].as_str().unwrap().to_owned();
    let (_, insurer) = app.get(&payor).await;
    let insurer_code = insurer["identifier"][0]["value"].as_str().unwrap();
    let by_chain = ids(app, &format!("Coverage?payor.identifier={insurer_code}")).await;
    assert!(!by_chain.is_empty());
    assert_eq!(by_chain, ids(app, &format!("Coverage?payor={payor}")).await);

    // Reverse chains: patients some observation or visit points at.
    let subjects = |bundle: &Value| -> BTreeSet<String> {
        bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                e["resource"]["subject"]["reference"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("Patient/")
                    .to_owned()
            })
            .collect()
    };
    let (_, heart_rates) = app.get("Observation?code=8867-4&_count=1000").await;
    let measured = subjects(&heart_rates);
    assert!(!measured.is_empty());
    assert_eq!(ids(app, "Patient?_has:Observation:patient:code=8867-4").await, measured);
    let (_, finished) = app.get("Encounter?status=finished&_count=1000").await;
    assert_eq!(ids(app, "Patient?_has:Encounter:subject:status=finished").await, subjects(&finished));
    // Nested: patients with a visit in which a heart rate was measured.
    assert_eq!(
        ids(app, "Patient?_has:Encounter:patient:_has:Observation:encounter:code=8867-4").await,
        measured
    );
    let doctors: BTreeSet<String> = finished["entry"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| {
            e["resource"]["participant"].as_array().into_iter().flatten().map(|p| {
                p["individual"]["reference"].as_str().unwrap().trim_start_matches("Practitioner/").to_owned()
            })
        })
        .collect();
    assert_eq!(ids(app, "Practitioner?_has:Encounter:practitioner:status=finished").await, doctors);

    // The patient compartment is the search with that patient.
    let someone = named.iter().next().unwrap();
    for resource_type in ["Encounter", "Observation", "MedicationRequest", "Condition", "Claim"] {
        assert_eq!(
            ids(app, &format!("Patient/{someone}/{resource_type}?_total=accurate")).await,
            ids(app, &format!("{resource_type}?patient=Patient/{someone}"))
                .await
                .into_iter()
                .collect::<BTreeSet<_>>(),
            "{resource_type}"
        );
    }
    assert_eq!(
        ids(app, &format!("Patient/{someone}/Encounter?status=finished")).await,
        ids(app, &format!("Encounter?patient={someone}&status=finished")).await
    );
    assert_eq!(app.get(&format!("Patient/{someone}/Practitioner")).await.0, 404);
    assert_eq!(app.get("Encounter/1/Observation").await.0, 404);

    // :not over the Observation index, and refused where availability is computed.
    assert_eq!(
        ids(app, "Observation?category:not=vital-signs").await,
        ids(app, "Observation?category=laboratory").await
    );
    assert_eq!(app.get("Slot?status:not=free").await.0, 400);

    // Nothing matches when the chained criterion matches nothing.
    assert!(ids(app, "Encounter?subject.family=Zzzzzz").await.is_empty());

    for (query, parameter) in [
        ("Observation?_id=lab-1&subject.colour=x", "subject.colour"),
        ("Encounter?status.name=x", "status.name"),
        ("Encounter?subject.colour=x", "subject.colour"),
        ("Patient?_has:Encounter:service-provider:status=finished", "_has:Encounter:service-provider:status"),
        ("Patient?_has:Observation:patient:colour=x", "_has:Observation:patient:colour"),
    ] {
        let strict = app.client.get(app.url(query)).header("prefer", "handling=strict");
        let (status, outcome) = crate::app::json_of(strict.send().await.unwrap()).await;
        assert_eq!(status, 400, "{query}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], parameter, "{query}");
    }
}
