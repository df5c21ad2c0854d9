//! System search: the common parameters over several types, paged across them, within the
//! key's search rights.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(system_search_pages_the_common_parameters_across_types_within_rights);

/// `Type/id` of every resource found from `url` on, following `next` links, with the totals
/// the pages gave.
async fn walk(client: &reqwest::Client, url: String) -> (Vec<String>, Vec<Value>) {
    let mut url = url;
    let (mut found, mut totals) = (Vec::new(), Vec::new());
    loop {
        let (status, bundle) = json_of(client.get(&url).send().await.unwrap()).await;
        assert_eq!((status, bundle["type"].as_str()), (200, Some("searchset")), "{url}: {bundle}");
        for entry in bundle["entry"].as_array().into_iter().flatten() {
            let resource = &entry["resource"];
            found.push(format!(
                "{}/{}",
                resource["resourceType"].as_str().unwrap(),
                resource["id"].as_str().unwrap()
            ));
        }
        totals.push(bundle["total"].clone());
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => return (found, totals),
        }
    }
}

async fn references(app: &TestApp, resource_type: &str, params: &[(&str, &str)]) -> Vec<String> {
    let (resources, _) = app.search(resource_type, params).await;
    resources.iter().map(|r| format!("{resource_type}/{}", r["id"].as_str().unwrap())).collect()
}

async fn system_search_pages_the_common_parameters_across_types_within_rights(app: &TestApp) {
    app.seed_clinic(6).await;
    let changed = [("_lastUpdated", "ge2000")];
    let expected: Vec<String> =
        [references(app, "Patient", &changed).await, references(app, "Encounter", &changed).await].concat();
    assert!(expected.len() > 14);

    // Patients then Encounters, in pages of 5 across the two types, each once; the total counts both.
    let (found, totals) =
        walk(&app.client, app.url("?_type=Patient,Encounter&_lastUpdated=ge2000&_count=5&_total=accurate"))
            .await;
    assert_eq!(found, expected);
    assert!(totals.iter().all(|total| *total == expected.len()), "{totals:?}");
    let (_, totals) = walk(&app.client, app.url("?_type=Patient&_count=100")).await;
    assert_eq!(totals, vec![Value::Null], "no total unless asked");

    // POST [base]/_search with a form body, and _id across types.
    let response = app
        .client
        .post(app.url("_search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("_type=Patient,Practitioner&_id=1")
        .send()
        .await
        .unwrap();
    let (status, bundle) = json_of(response).await;
    assert_eq!(status, 200, "{bundle}");
    let found: Vec<&str> = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["Patient", "Practitioner"]);
    let (status, nothing) = app.get("?_type=Patient,Encounter&_lastUpdated=lt2000").await;
    assert_eq!((status, nothing["entry"].is_null()), (200, true));

    // Only what every type has; an unknown type, a forged or replayed page is refused.
    let (_, first) = app.get("?_type=Patient,Encounter&_count=3").await;
    let next = first["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next").unwrap()["url"]
        .as_str()
        .unwrap()
        .replace("_count=3", "_count=4");
    let (status, outcome) = json_of(app.client.get(&next).send().await.unwrap()).await;
    assert_eq!((status, outcome["issue"][0]["expression"][0].as_str()), (400, Some("_cursor")));
    for (query, parameter) in [
        ("?_type=Patient&name=som", "name"),
        ("?_type=Patient,Encounter&_sort=_id", "_sort"),
        ("?_type=Spaceship", "_type"),
        ("?_type=Patient&_lastUpdated=yesterday", "_lastUpdated"),
        ("?_type=Patient&_cursor=forged", "_cursor"),
    ] {
        let (status, outcome) = app.get(query).await;
        assert_eq!(
            (status, outcome["issue"][0]["expression"][0].as_str()),
            (400, Some(parameter)),
            "{query}: {outcome}"
        );
    }

    // A key searches the types it may: naming another is 403 naming _type; without _type, its own.
    let key = app.create_key("system/Patient.rs system/Coverage.r", 1000).await;
    let client = app.client_with(&app.token_for(&key, None).await.unwrap());
    let response = client.get(app.url("?_type=Patient,Coverage")).send().await.unwrap();
    let (status, outcome) = json_of(response).await;
    assert_eq!((status, outcome["issue"][0]["expression"][0].as_str()), (403, Some("_type")), "{outcome}");
    let (own, _) = walk(&client, app.url("?_count=50")).await;
    let types: BTreeSet<&str> = own.iter().map(|r| r.split('/').next().unwrap()).collect();
    assert_eq!(types, BTreeSet::from(["Patient"]));
    assert_eq!(own, references(app, "Patient", &[]).await);
}
