use serde_json::{Value, json};

use crate::app::{TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(
    json_patch_is_applied_and_validated_like_an_update,
    delete_marks_the_patient_inactive_and_reads_as_gone,
);

fn patch(app: &TestApp, path: &str, operations: &Value) -> reqwest::RequestBuilder {
    app.client
        .patch(app.url(path))
        .header("content-type", "application/json-patch+json")
        .body(operations.to_string())
}

async fn json_patch_is_applied_and_validated_like_an_update(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let path = format!("Patient/{}", created["id"].as_str().unwrap());

    let operations = json!([
        {"op": "test", "path": "/gender", "value": "male"},
        {"op": "replace", "path": "/telecom/0/value", "value": "0899999999"},
        {"op": "add", "path": "/active", "value": false},
    ]);
    let response = patch(app, &path, &operations).header("if-match", "W/\"1\"").send().await.unwrap();
    assert_eq!(response.headers()["etag"], "W/\"2\"");
    let (status, patched) = json_of(response).await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["telecom"][0]["value"], "0899999999");
    assert_eq!(patched["active"], false);
    let (_, read) = app.get(&path).await;
    assert_eq!(read, patched);

    // A stale If-Match fails before anything is applied.
    let (status, outcome) =
        json_of(patch(app, &path, &operations).header("if-match", "W/\"1\"").send().await.unwrap()).await;
    assert_eq!(status, 412, "{outcome}");
    assert_eq!(outcome["issue"][0]["expression"][0], "If-Match");

    for (operations, expected, expression) in [
        // A failing test operation and a path that does not exist name the path.
        (json!([{"op": "test", "path": "/gender", "value": "female"}]), 422, Some("/gender")),
        (json!([{"op": "replace", "path": "/contact/0/name", "value": {}}]), 422, Some("/contact/0/name")),
        // A result that is not valid R4, or that the clinic cannot keep.
        (json!([{"op": "replace", "path": "/gender", "value": "robot"}]), 422, None),
        (json!([{"op": "add", "path": "/photo", "value": [{"url": "http://x/y.png"}]}]), 422, None),
        // Not a JSON Patch document; the id may not change.
        (json!({"op": "replace"}), 400, None),
        (json!([{"op": "replace", "path": "/id", "value": "77"}]), 400, Some("id")),
    ] {
        let (status, outcome) = json_of(patch(app, &path, &operations).send().await.unwrap()).await;
        assert_eq!(status, expected, "{operations}: {outcome}");
        if let Some(expression) = expression {
            assert_eq!(outcome["issue"][0]["expression"][0], expression, "{operations}");
        }
    }
    let (_, read) = app.get(&path).await;
    assert_eq!(read["meta"]["versionId"], "2", "no failed patch wrote anything");

    let wrong_type =
        app.client.patch(app.url(&path)).header("content-type", "application/fhir+json").body("{}");
    let (status, _) = json_of(wrong_type.send().await.unwrap()).await;
    assert_eq!(status, 415);
    let (status, _) = json_of(patch(app, "Patient/424242", &json!([])).send().await.unwrap()).await;
    assert_eq!(status, 404);
}

async fn delete_marks_the_patient_inactive_and_reads_as_gone(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("Patient/{id}");

    let (status, outcome) = json_of(app.client.delete(app.url(&path)).send().await.unwrap()).await;
    assert_eq!(status, 200, "{outcome}");
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    let (status, outcome) = app.get(&path).await;
    assert_eq!(status, 410, "{outcome}");
    assert_eq!(outcome["issue"][0]["code"], "deleted");
    let (status, _) = app.get(&format!("{path}/_history/2")).await;
    assert_eq!(status, 410);
    let (status, version_1) = app.get(&format!("{path}/_history/1")).await;
    assert_eq!((status, &version_1["active"]), (200, &json!(true)));
    let (_, bundle) = app.get(&format!("Patient?_id={id}")).await;
    assert_eq!(bundle["total"], 0, "deleted resources are not found by search");

    // The clinic row stays, marked inactive.
    let db = app.database.clone();
    let key = id.parse::<i64>().unwrap();
    let active = db
        .run(move |conn| {
            use clinic_db::schema::patients;
            use diesel::prelude::*;
            patients::table
                .find(key)
                .select(patients::active)
                .first::<bool>(conn)
                .map_err(clinic_db::DbError::from)
        })
        .await
        .unwrap();
    assert!(!active);

    // Deleting again changes nothing; unknown ids are 404.
    let again = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["etag"], "W/\"2\"");
    let (status, _) = json_of(app.client.delete(app.url("Patient/424242")).send().await.unwrap()).await;
    assert_eq!(status, 404);

    // An update brings it back as a new version.
    let mut revived = somchai();
    revived["id"] = json!(id);
    let (status, updated) = app.put_json(&path, &revived).await;
    assert_eq!((status, updated["meta"]["versionId"].as_str()), (200, Some("3")), "{updated}");
    let (status, _) = app.get(&path).await;
    assert_eq!(status, 200);
}
