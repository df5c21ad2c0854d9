use serde_json::{Value, json};

use crate::app::{TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(
    conditional_create_matches_none_one_or_many,
    racing_conditional_creates_never_duplicate,
    conditional_update_matches_none_one_or_many,
);

fn create_if_none_exist(app: &TestApp, body: &Value, criteria: &str) -> reqwest::RequestBuilder {
    app.fhir_json(reqwest::Method::POST, "Patient", body).header("if-none-exist", criteria)
}

async fn conditional_create_matches_none_one_or_many(app: &TestApp) {
    let criteria = "identifier=https://terms.sil-th.org/id/th-cid|1103700123458";
    let response = create_if_none_exist(app, &somchai(), criteria).send().await.unwrap();
    assert!(response.headers().contains_key("location"));
    let (status, created) = json_of(response).await;
    assert_eq!(status, 201, "{created}");

    // The same request again finds it: 200 with the existing resource, nothing new.
    let (status, found) =
        json_of(create_if_none_exist(app, &somchai(), criteria).send().await.unwrap()).await;
    assert_eq!((status, &found["id"]), (200, &created["id"]));
    // Clients may also send the criteria as `[type]?[query]`.
    let prefixed = format!("Patient?{criteria}");
    let (status, _) = json_of(create_if_none_exist(app, &somchai(), &prefixed).send().await.unwrap()).await;
    assert_eq!(status, 200);

    let mut other = somchai();
    other.as_object_mut().unwrap().remove("identifier");
    app.create_patient(&other).await;
    let (status, outcome) =
        json_of(create_if_none_exist(app, &other, "gender=male").send().await.unwrap()).await;
    assert_eq!(status, 412, "{outcome}");
    assert_eq!(outcome["issue"][0]["code"], "multiple-matches");
    assert_eq!(outcome["issue"][0]["expression"][0], "If-None-Exist");

    for (criteria, expression) in
        [("", "If-None-Exist"), ("colour=blue", "colour"), ("birthdate=1980-13", "birthdate")]
    {
        let (status, outcome) =
            json_of(create_if_none_exist(app, &other, criteria).send().await.unwrap()).await;
        assert_eq!(status, 400, "{criteria}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], expression, "{criteria}");
    }
    let (_, bundle) = app.get("Patient?_summary=count").await;
    assert_eq!(bundle["total"], 2);
}

/// Two identical conditional creates at once, 100 times: each pair leaves exactly one row. The
/// criteria (name and birth date) are not unique in the clinic schema, so only the server's
/// serialisation of conditional writes can prevent a duplicate.
async fn racing_conditional_creates_never_duplicate(app: &TestApp) {
    for round in 0..100 {
        let family = format!("Race{round}");
        let body = json!({
            "resourceType": "Patient",
            "name": [{"family": family, "given": ["Twin"]}],
            "gender": "female",
            "birthDate": "1990-01-01",
        });
        let criteria = format!("family:exact={family}&birthdate=1990-01-01");
        let (first, second) = tokio::join!(
            create_if_none_exist(app, &body, &criteria).send(),
            create_if_none_exist(app, &body, &criteria).send()
        );
        let (first, first_body) = json_of(first.unwrap()).await;
        let (second, second_body) = json_of(second.unwrap()).await;
        let mut statuses = [first, second];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "round {round}: {first_body} {second_body}");
        assert_eq!(first_body["id"], second_body["id"], "round {round}");
        let (_, bundle) = app.get(&format!("Patient?family:exact={family}&_summary=count")).await;
        assert_eq!(bundle["total"], 1, "round {round}");
    }
}

async fn conditional_update_matches_none_one_or_many(app: &TestApp) {
    let criteria = "Patient?identifier=1103700123458";
    // No match and no id: created.
    let (status, created) = app.put_json(criteria, &somchai()).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    // One match: that resource is updated, with or without the id in the body.
    let mut changed = somchai();
    changed["telecom"][0]["value"] = json!("0899999999");
    let (status, updated) = app.put_json(criteria, &changed).await;
    assert_eq!(
        (status, updated["id"].as_str(), updated["meta"]["versionId"].as_str()),
        (200, Some(&*id), Some("2"))
    );
    changed["id"] = json!(id);
    let (status, updated) = app.put_json(criteria, &changed).await;
    assert_eq!((status, updated["meta"]["versionId"].as_str()), (200, Some("3")));
    let (_, read) = app.get(&format!("Patient/{id}")).await;
    assert_eq!(read["telecom"][0]["value"], "0899999999");

    // The body's id must be the match's.
    changed["id"] = json!("999999");
    let (status, outcome) = app.put_json(criteria, &changed).await;
    assert_eq!(status, 400, "{outcome}");
    assert_eq!(outcome["issue"][0]["expression"][0], "id");

    // If-Match applies to the match.
    let stale = app
        .fhir_json(reqwest::Method::PUT, criteria, &somchai())
        .header("if-match", "W/\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);

    // Two matches: 412; no criteria at all: 400.
    let mut other = somchai();
    other.as_object_mut().unwrap().remove("identifier");
    app.create_patient(&other).await;
    let (status, outcome) = app.put_json("Patient?gender=male", &other).await;
    assert_eq!(status, 412, "{outcome}");
    assert_eq!(outcome["issue"][0]["code"], "multiple-matches");
    let (status, _) = app.put_json("Patient", &other).await;
    assert_eq!(status, 400);
}
