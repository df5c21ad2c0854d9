use serde_json::{Value, json};

use crate::app::{TestApp, form, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(instance_history_lists_every_version_newest_first, history_pages_and_filters_by_time);

fn methods_and_versions(bundle: &Value) -> Vec<(String, String, String)> {
    bundle["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    (
                        e["request"]["method"].as_str().unwrap().to_owned(),
                        e["response"]["etag"].as_str().unwrap().to_owned(),
                        e["response"]["status"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn entry(method: &str, version: u32, status: &str) -> (String, String, String) {
    (method.to_owned(), format!("W/\"{version}\""), status.to_owned())
}

/// The clinic's wall-clock time `seconds` from now, as the clinic application writes it.
fn clinic_time(seconds: i64) -> String {
    let thailand = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    (chrono::Utc::now() + chrono::Duration::seconds(seconds))
        .with_timezone(&thailand)
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

async fn instance_history_lists_every_version_newest_first(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("Patient/{id}");
    let mut updated = created.clone();
    updated["telecom"][0]["value"] = json!("0899999999");
    assert_eq!(app.put_json(&path, &updated).await.0, 200);
    // The clinic application changes the row itself: the facade sees that version when it
    // next reads the row.
    let changed = app
        .clinic_sql(format!(
            "UPDATE patients SET phone = '0811111111', version = version + 1, updated_at = '{}' WHERE id = {id}",
            clinic_time(0)
        ))
        .await;
    assert_eq!(changed, 1);

    let (status, bundle) = app.get(&format!("{path}/_history")).await;
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(bundle["type"], "history");
    assert_eq!(
        methods_and_versions(&bundle),
        vec![entry("PUT", 3, "200 OK"), entry("PUT", 2, "200 OK"), entry("POST", 1, "201 Created")]
    );
    assert_eq!(bundle["entry"][0]["resource"]["telecom"][0]["value"], "0811111111");
    assert_eq!(bundle["entry"][2]["request"]["url"], "Patient");
    assert_eq!(bundle["entry"][1]["request"]["url"], path);

    // Delete and patch are recorded with their method; the delete entry has no resource.
    let deleted = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(deleted.status(), 200);
    let mut revived = somchai();
    revived["id"] = json!(id);
    assert_eq!(app.put_json(&path, &revived).await.0, 200);
    let patched = app
        .client
        .patch(app.url(&path))
        .header("content-type", "application/json-patch+json")
        .body(json!([{"op": "add", "path": "/active", "value": true}]).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    let (_, bundle) = app.get(&format!("{path}/_history")).await;
    let history = methods_and_versions(&bundle);
    assert_eq!(
        history[..3],
        [entry("PATCH", 6, "200 OK"), entry("PUT", 5, "200 OK"), entry("DELETE", 4, "200 OK")]
    );
    assert!(bundle["entry"][2].get("resource").is_none());
    assert_eq!(history.len(), 6);

    let (status, _) = app.get("Patient/424242/_history").await;
    assert_eq!(status, 404);
    let (status, outcome) = app.get(&format!("{path}/_history?family=x")).await;
    assert_eq!(status, 400);
    assert_eq!(outcome["issue"][0]["expression"][0], "family");
}

async fn history_pages_and_filters_by_time(app: &TestApp) {
    let first = app.create_patient(&somchai()).await;
    let mut other = somchai();
    other.as_object_mut().unwrap().remove("identifier");
    for _ in 0..4 {
        app.create_patient(&other).await;
    }
    let first_path = format!("Patient/{}", first["id"].as_str().unwrap());
    assert_eq!(app.put_json(&first_path, &first).await.0, 200);

    // Type history walked in pages of two: six versions, newest first, none twice.
    let mut url = app.url("Patient/_history?_count=2");
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut times: Vec<String> = Vec::new();
    loop {
        let (status, bundle) = json_of(app.client.get(&url).send().await.unwrap()).await;
        assert_eq!(status, 200, "{bundle}");
        for e in bundle["entry"].as_array().unwrap() {
            seen.push((
                e["fullUrl"].as_str().unwrap().to_owned(),
                e["response"]["etag"].as_str().unwrap().to_owned(),
            ));
            times.push(e["response"]["lastModified"].as_str().unwrap().to_owned());
        }
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert_eq!(seen[0], (app.url(&first_path), "W/\"2\"".to_owned()));
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 6);
    let instants: Vec<_> = times.iter().map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap()).collect();
    assert!(instants.windows(2).all(|w| w[0] >= w[1]), "{times:?}");

    // _since keeps versions from that instant on; _at the versions current then.
    let update_time = times[0].clone();
    let since = form(&[("_since", &update_time)]);
    let (_, bundle) = app.get(&format!("Patient/_history?{since}")).await;
    assert_eq!(methods_and_versions(&bundle), vec![entry("PUT", 2, "200 OK")]);
    let (_, bundle) = app.get(&format!("{first_path}/_history?{}", form(&[("_at", &times[5])]))).await;
    assert_eq!(methods_and_versions(&bundle), vec![entry("POST", 1, "201 Created")]);
    let (_, bundle) = app.get(&format!("{first_path}/_history?{}", form(&[("_at", &update_time)]))).await;
    assert_eq!(methods_and_versions(&bundle)[0], entry("PUT", 2, "200 OK"));
    let (_, bundle) = app.get("Patient/_history?_since=2999-01-01T00:00:00Z").await;
    assert!(bundle.get("entry").is_none());

    // System history covers every served type.
    let (status, bundle) = app.get("_history?_count=100").await;
    assert_eq!((status, bundle["entry"].as_array().map(Vec::len)), (200, Some(6)));

    for (query, expression) in
        [("_since=2026-01-01", "_since"), ("_count=x", "_count"), ("_cursor=nonsense", "")]
    {
        let (status, outcome) = app.get(&format!("Patient/_history?{query}")).await;
        assert_eq!(status, 400, "{query}: {outcome}");
        if !expression.is_empty() {
            assert_eq!(outcome["issue"][0]["expression"][0], expression, "{query}");
        }
    }
}
