//! Claim over claims + claim_items, with the diagnoses of the claim's visit restated.

use fhir_mapping::systems;
use serde_json::{Value, json};

use crate::app::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_claim_is_created_read_and_updated,
    references_diagnoses_and_codes_are_checked,
    claims_are_found_by_every_parameter,
);

/// The seeded claims (their visits have diagnoses) after seeding a small clinic.
async fn seeded_claims(app: &TestApp) -> Vec<Value> {
    app.seed_clinic(6).await;
    let (claims, total) = app.search("Claim", &[]).await;
    assert!(total > 1 && claims.iter().all(|c| c["diagnosis"].is_array()), "seeded claims: {claims:?}");
    claims
}

/// A new claim like `seeded`: the same patient, visit, coverage and lines, without its number.
fn copy_of(seeded: &Value) -> Value {
    let mut claim = seeded.clone();
    for own in ["id", "meta", "identifier"] {
        claim.as_object_mut().unwrap().remove(own);
    }
    claim
}

fn extension_index(claim: &Value, url: &str) -> usize {
    claim["extension"].as_array().unwrap().iter().position(|e| e["url"] == url).unwrap()
}

fn ids(resources: &[Value]) -> Vec<&str> {
    resources.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

async fn a_claim_is_created_read_and_updated(app: &TestApp) {
    let claims = seeded_claims(app).await;
    let seeded = &claims[0];
    let (status, created) = app.post_json("Claim", &copy_of(seeded)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    // Sent without a number, the claim is numbered from its row key.
    let number = format!("CLM{:08}", id.parse::<i64>().unwrap());
    assert_eq!(created["identifier"], json!([{"system": systems::CLINIC_CLAIM_NUMBER, "value": number}]));
    let mut expected = copy_of(seeded);
    for own in ["id", "meta", "identifier"] {
        expected[own] = created[own].clone();
    }
    assert_eq!(created, expected, "the claim is stored as sent");
    let (status, read) = app.get(&format!("Claim/{id}")).await;
    assert_eq!((status, &read), (200, &created));

    // The lines are replaced by those sent, sequences kept; the clinic status refines `active`.
    let mut changed = created.clone();
    changed.as_object_mut().unwrap().remove("identifier");
    let status_at = extension_index(&changed, systems::CLAIM_STATUS_EXTENSION);
    changed["extension"][status_at]["valueCode"] = json!("paid");
    changed["status"] = json!("active");
    let mut line = changed["item"][0].clone();
    line["sequence"] = json!(7);
    changed["item"] = json!([line]);
    changed["total"] = line["net"].clone();
    let (status, updated) = app.put_json(&format!("Claim/{id}"), &changed).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["meta"]["versionId"], "2");
    assert_eq!(updated["item"], json!([line]));
    assert_eq!(updated["total"], line["net"]);
    assert_eq!(updated["extension"][status_at]["valueCode"], "paid");
    assert_eq!(updated["status"], "active");
    // Leaving the number out keeps it.
    assert_eq!(updated["identifier"], created["identifier"]);
    let (_, read) = app.get(&format!("Claim/{id}")).await;
    assert_eq!(read, updated);
    // The seeded claim it was copied from keeps its own lines.
    let (_, original) = app.get(&format!("Claim/{}", seeded["id"].as_str().unwrap())).await;
    assert_eq!(original, *seeded);

    // A number the client sends is kept, and belongs to one claim only.
    let mut numbered = copy_of(seeded);
    numbered["identifier"] = json!([{"system": systems::CLINIC_CLAIM_NUMBER, "value": "INS-2026-0001"}]);
    let (status, created) = app.post_json("Claim", &numbered).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["identifier"], numbered["identifier"]);
    let (status, outcome) = app.post_json("Claim", &numbered).await;
    assert_eq!(status, 409, "{outcome}");
    assert!(outcome["issue"][0]["diagnostics"].as_str().unwrap().contains("claim number"), "{outcome}");
}

async fn references_diagnoses_and_codes_are_checked(app: &TestApp) {
    let claims = seeded_claims(app).await;
    let claim = copy_of(&claims[0]);
    let other = claims.iter().find(|c| c["patient"] != claim["patient"]).expect("claims of two patients");
    let encounter_at = extension_index(&claim, systems::CLAIM_ENCOUNTER_EXTENSION);
    let encounter_path = format!("Claim.extension[{encounter_at}].valueReference");
    let with = |change: &dyn Fn(&mut Value)| {
        let mut changed = claim.clone();
        change(&mut changed);
        changed
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown patient",
            with(&|c| c["patient"] = json!({"reference": "Patient/999999"})),
            "Claim.patient",
        ),
        (
            "unknown insurer",
            with(&|c| c["insurer"] = json!({"reference": "Organization/insurer-999999"})),
            "Claim.insurer",
        ),
        (
            "unknown provider",
            with(&|c| c["provider"] = json!({"reference": "Organization/999999"})),
            "Claim.provider",
        ),
        (
            "unknown coverage",
            with(&|c| c["insurance"][0]["coverage"] = json!({"reference": "Coverage/999999"})),
            "Claim.insurance[0].coverage",
        ),
        (
            "unknown visit",
            with(&|c| {
                c["extension"][encounter_at]["valueReference"] = json!({"reference": "Encounter/999999"})
            }),
            &encounter_path,
        ),
        (
            "another patient's coverage",
            with(&|c| c["insurance"][0]["coverage"] = other["insurance"][0]["coverage"].clone()),
            "Claim.insurance[0].coverage",
        ),
        (
            "another patient's visit",
            with(&|c| {
                let other_at = extension_index(other, systems::CLAIM_ENCOUNTER_EXTENSION);
                c["extension"][encounter_at] = other["extension"][other_at].clone();
            }),
            "Claim.patient",
        ),
        (
            "diagnoses left out",
            with(&|c| {
                c.as_object_mut().unwrap().remove("diagnosis");
            }),
            "Claim.diagnosis",
        ),
        (
            "a diagnosis of another type",
            with(&|c| {
                c["diagnosis"][0]["type"] =
                    json!([{"coding": [{"system": systems::DIAGNOSIS_TYPE, "code": "3"}]}])
            }),
            "Claim.diagnosis",
        ),
        ("a status not in fm-status", with(&|c| c["status"] = json!("approved")), "Claim.status"),
        ("a use not in claim-use", with(&|c| c["use"] = json!("refund")), "Claim.use"),
    ];
    for (case, claim, path) in cases {
        let (status, outcome) = app.post_json("Claim", &claim).await;
        assert_eq!(status, 422, "{case}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], path, "{case}: {outcome}");
    }
    // Nothing was written by any of them.
    let (_, total) = app.search("Claim", &[]).await;
    assert_eq!(total, claims.len() as u64);
}

async fn claims_are_found_by_every_parameter(app: &TestApp) {
    let claims = seeded_claims(app).await;
    let seeded = &claims[0];
    let mut preauthorization = copy_of(seeded);
    preauthorization["use"] = json!("preauthorization");
    preauthorization["status"] = json!("draft");
    let status_at = extension_index(&preauthorization, systems::CLAIM_STATUS_EXTENSION);
    preauthorization["extension"][status_at]["valueCode"] = json!("draft");
    preauthorization["created"] = json!("2031-01-15T10:00:00+07:00");
    let (status, created) = app.post_json("Claim", &preauthorization).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let all = claims.len() as u64 + 1;

    // Reference parameters: every match names the value, and the new claim is among them.
    for (name, element) in [("patient", "patient"), ("insurer", "insurer"), ("provider", "provider")] {
        let reference = created[element]["reference"].as_str().unwrap();
        let (found, _) = app.search("Claim", &[(name, reference)]).await;
        assert!(ids(&found).contains(&id), "{name}={reference}");
        assert!(found.iter().all(|c| c[element] == created[element]), "{name}={reference}");
    }
    // An insurer is not a provider, nor a branch an insurer.
    let (_, total) =
        app.search("Claim", &[("provider", created["insurer"]["reference"].as_str().unwrap())]).await;
    assert_eq!(total, 0);
    let (_, total) =
        app.search("Claim", &[("insurer", created["provider"]["reference"].as_str().unwrap())]).await;
    assert_eq!(total, 0);

    for claim in [&created, seeded] {
        let number =
            format!("{}|{}", systems::CLINIC_CLAIM_NUMBER, claim["identifier"][0]["value"].as_str().unwrap());
        let (found, _) = app.search("Claim", &[("identifier", &number)]).await;
        assert_eq!(ids(&found), [claim["id"].as_str().unwrap()], "identifier={number}");
    }

    // The clinic's statuses submitted, approved, rejected and paid all read as active.
    let (drafts, draft_total) = app.search("Claim", &[("status", "draft")]).await;
    assert!(ids(&drafts).contains(&id));
    assert!(drafts.iter().all(|c| c["status"] == "draft"));
    let (active, active_total) =
        app.search("Claim", &[("status", "http://hl7.org/fhir/fm-status|active")]).await;
    assert!(active.iter().all(|c| c["status"] == "active"));
    let clinic_statuses: Vec<&Value> = active
        .iter()
        .map(|c| &c["extension"][extension_index(c, systems::CLAIM_STATUS_EXTENSION)]["valueCode"])
        .collect();
    assert!(
        clinic_statuses.iter().any(|s| *s != clinic_statuses[0]),
        "several clinic statuses: {clinic_statuses:?}"
    );
    let (_, cancelled_total) = app.search("Claim", &[("status", "cancelled")]).await;
    assert_eq!(draft_total + active_total + cancelled_total, all);

    let (found, _) = app.search("Claim", &[("use", "preauthorization")]).await;
    assert_eq!(ids(&found), [id]);
    let (_, total) = app.search("Claim", &[("use", "claim")]).await;
    assert_eq!(total, all - 1);

    let (found, _) = app.search("Claim", &[("created", "2031-01-15")]).await;
    assert_eq!(ids(&found), [id]);
    let (_, total) = app.search("Claim", &[("created", "lt2031-01-01")]).await;
    assert_eq!(total, all - 1);
}
