//! `_sort` with keyset paging: pages in the requested order, every match exactly once, even
//! while rows are inserted between pages.

use serde_json::{Value, json};

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(sorted_pages_cover_every_match_once_in_order);

/// Every resource the search finds, following `next` links, with pages of `count`; `between`
/// runs after each page.
async fn walk(app: &TestApp, query: &str, mut between: impl AsyncFnMut()) -> Vec<Value> {
    let mut url = app.url(query);
    let mut found = Vec::new();
    loop {
        let (status, bundle) = json_of(app.client.get(&url).send().await.unwrap()).await;
        assert_eq!(status, 200, "{url}: {bundle}");
        found.extend(bundle["entry"].as_array().into_iter().flatten().map(|e| e["resource"].clone()));
        match bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => return found,
        }
        between().await;
    }
}

async fn sorted_pages_cover_every_match_once_in_order(app: &TestApp) {
    app.seed_clinic(30).await;
    let (_, all) = app.get("Patient?_count=1000").await;
    let before: Vec<String> = all["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect();

    // Sorted by birth date, newest first, then English family name; new patients arrive while
    // paging (born 2001-01-01, inside the range already walked or not).
    let mut inserted = 0;
    let patients = walk(app, "Patient?_sort=-birthdate,family&_count=7", async || {
        inserted += 1;
        let born = json!({"resourceType": "Patient", "name": [{"family": format!("Late{inserted}")}], "gender": "unknown", "birthDate": "2001-01-01"});
        assert_eq!(app.post_json("Patient", &born).await.0, 201);
    })
    .await;
    let ids: Vec<&str> = patients.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "a patient came twice");
    for id in &before {
        assert!(ids.contains(&id.as_str()), "Patient/{id} was missed");
    }
    let keys: Vec<(String, String)> = patients
        .iter()
        .map(|p| {
            let family = p["name"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|n| n["family"].as_str().filter(|f| f.is_ascii()))
                .unwrap_or_default();
            (p["birthDate"].as_str().unwrap_or_default().to_owned(), family.to_owned())
        })
        .collect();
    for pair in keys.windows(2) {
        let ((born_a, family_a), (born_b, family_b)) = (&pair[0], &pair[1]);
        assert!(born_a > born_b || (born_a == born_b && family_a <= family_b), "{pair:?} out of order");
    }

    // Encounters by start, oldest first, then by id.
    let encounters = walk(app, "Encounter?_sort=date&_count=9", async || {}).await;
    let (_, counted) = app.get("Encounter?_summary=count").await;
    assert_eq!(encounters.len() as u64, counted["total"].as_u64().unwrap());
    let starts: Vec<chrono::DateTime<chrono::FixedOffset>> = encounters
        .iter()
        .map(|e| chrono::DateTime::parse_from_rfc3339(e["period"]["start"].as_str().unwrap()).unwrap())
        .collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));

    for (query, parameter) in
        [("Patient?_sort=colour", "_sort"), ("Patient?_sort=active", ""), ("Patient?_sort=a,b,c,d", "_sort")]
    {
        let (status, outcome) = app.get(query).await;
        assert_eq!(status, 400, "{query}: {outcome}");
        if !parameter.is_empty() {
            assert_eq!(outcome["issue"][0]["expression"][0], parameter, "{query}");
        }
    }
    let (status, _) = app.get("Patient?_sort=family&_cursor=%5B%5B%22x%22%5D%2C%22y%22%5D").await;
    assert_eq!(status, 400, "a forged cursor is refused");
    // A page token belongs to its search: replayed on another query it is refused.
    let (_, page) = app.get("Patient?gender=male&_count=2").await;
    let links = page["link"].as_array().unwrap();
    assert_eq!(links[1]["relation"], "first");
    let next = links.iter().find(|l| l["relation"] == "next").unwrap()["url"].as_str().unwrap();
    let (status, second) = json_of(app.client.get(next).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(second["link"][0]["url"], next, "self is the page itself");
    let replayed = next.replace("gender=male", "gender=female");
    let (status, outcome) = json_of(app.client.get(&replayed).send().await.unwrap()).await;
    assert_eq!((status, outcome["issue"][0]["expression"][0].as_str()), (400, Some("_cursor")));
}
