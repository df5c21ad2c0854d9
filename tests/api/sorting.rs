//! `_sort` with keyset paging: pages in the requested order, every match exactly once, even
//! while rows are inserted between pages; `previous` links walk back over the same pages.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(
    sorted_pages_cover_every_match_once_in_order,
    every_type_sorts_including_the_observation_index_and_computed_availability,
    previous_links_walk_back_over_the_same_pages,
    deep_paging_with_concurrent_inserts_returns_every_match_once,
);

/// Every resource the search finds, following `next` links; `between` runs after each page.
async fn walk(app: &TestApp, query: &str, between: impl AsyncFnMut()) -> Vec<Value> {
    pages(app, &app.url(query), "next", between)
        .await
        .into_iter()
        .flat_map(|(resources, _)| resources)
        .collect()
}

/// The pages from `url` on, following the links of `relation`, each with its bundle's links;
/// `between` runs after each page.
async fn pages(
    app: &TestApp,
    url: &str,
    relation: &str,
    mut between: impl AsyncFnMut(),
) -> Vec<(Vec<Value>, Vec<Value>)> {
    let mut url = url.to_owned();
    let mut pages = Vec::new();
    loop {
        let (status, bundle) = json_of(app.client.get(&url).send().await.unwrap()).await;
        assert_eq!(status, 200, "{url}: {bundle}");
        let resources = bundle["entry"].as_array().into_iter().flatten().map(|e| e["resource"].clone());
        let links = bundle["link"].as_array().unwrap().clone();
        let followed = link(&links, relation);
        pages.push((resources.collect(), links));
        match followed {
            Some(next) => url = next,
            None => return pages,
        }
        between().await;
    }
}

/// What [`walk`] finds, without checking each page against the R4 schemas: for walks of hundreds
/// of full pages, which those checks (unoptimised in tests) would take minutes over.
async fn walk_unchecked(app: &TestApp, query: &str) -> Vec<Value> {
    let mut url = Some(app.url(query));
    let mut found = Vec::new();
    while let Some(page) = url {
        let response = app.client.get(&page).send().await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        let bundle: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        found.extend(bundle["entry"].as_array().into_iter().flatten().map(|e| e["resource"].clone()));
        url = link(bundle["link"].as_array().unwrap(), "next");
    }
    found
}

fn link(links: &[Value], relation: &str) -> Option<String> {
    links.iter().find(|l| l["relation"] == relation).map(|l| l["url"].as_str().unwrap().to_owned())
}

fn ids(resources: &[Value]) -> Vec<String> {
    resources.iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

fn instant(text: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text.as_str().unwrap()).unwrap()
}

/// Whether every consecutive pair of `keys` is in order.
fn ordered<K: std::fmt::Debug>(keys: &[K], in_order: impl Fn(&K, &K) -> bool) -> bool {
    keys.windows(2).all(|pair| {
        let ok = in_order(&pair[0], &pair[1]);
        if !ok {
            eprintln!("out of order: {pair:?}");
        }
        ok
    })
}

/// Whether `a` may precede `b` sorted descending, where a missing value is above every value.
fn newest_first_missing_first<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a >= b,
        (a, _) => a.is_none(),
    }
}

/// The number in a `Type/n` reference.
fn referenced_key(reference: &Value) -> i64 {
    reference["reference"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap()
}

async fn every_type_sorts_including_the_observation_index_and_computed_availability(app: &TestApp) {
    app.seed_clinic(12).await;
    let (_, counted) = app.get("Observation?_summary=count").await;
    let total = counted["total"].as_u64().unwrap();
    assert!(total > 50, "the seed makes enough observations to page: {total}");

    // Newest first across vital signs and lab results, every one once; a missing date sorts
    // above every date, so those come first.
    let newest_first = walk(app, "Observation?_sort=-date&_count=17", async || {}).await;
    let mut unique = ids(&newest_first);
    unique.sort();
    unique.dedup();
    assert_eq!((newest_first.len(), unique.len()), (total as usize, total as usize));
    let dates: Vec<Option<DateTime<FixedOffset>>> =
        newest_first.iter().map(|o| o.get("effectiveDateTime").map(instant)).collect();
    assert!(ordered(&dates, newest_first_missing_first));

    // By patient, then newest first within each patient.
    let by_patient = walk(app, "Observation?_sort=patient,-date&_count=23", async || {}).await;
    assert_eq!(by_patient.len() as u64, total);
    let keys: Vec<(i64, Option<DateTime<FixedOffset>>)> = by_patient
        .iter()
        .map(|o| (referenced_key(&o["subject"]), o.get("effectiveDateTime").map(instant)))
        .collect();
    assert!(ordered(&keys, |(pa, da), (pb, db)| pa < pb || (pa == pb && newest_first_missing_first(da, db))));

    // The benchmark's search: one patient's heart rates, newest first.
    let rate = &by_patient
        .iter()
        .find(|o| o["code"]["coding"][0]["code"] == "8867-4")
        .expect("the seed records heart rates")["subject"]["reference"];
    let query = format!(
        "Observation?patient={}&code=http://loinc.org|8867-4&_sort=-date&_count=3",
        rate.as_str().unwrap()
    );
    let rates = walk(app, &query, async || {}).await;
    assert!(!rates.is_empty());
    assert!(
        rates
            .iter()
            .all(|o| o["subject"]["reference"] == *rate && o["code"]["coding"][0]["code"] == "8867-4")
    );
    let dates: Vec<DateTime<FixedOffset>> = rates.iter().map(|o| instant(&o["effectiveDateTime"])).collect();
    assert!(ordered(&dates, |a, b| a >= b));
    let (unsorted, _) = app
        .search("Observation", &[("patient", rate.as_str().unwrap()), ("code", "http://loinc.org|8867-4")])
        .await;
    let (mut expected, mut got) = (ids(&unsorted), ids(&rates));
    expected.sort();
    got.sort();
    assert_eq!(got, expected);

    // By code, then by id (the text ids sort as text).
    let by_code = walk(app, "Observation?_sort=code,_id&_count=29", async || {}).await;
    assert_eq!(by_code.len() as u64, total);
    let codes: Vec<(String, String)> = by_code
        .iter()
        .map(|o| {
            (
                o["code"]["coding"][0]["code"].as_str().unwrap().to_owned(),
                o["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(ordered(&codes, |a, b| a <= b));

    // Organizations: branches and insurers in one order.
    let (all, organizations) = app.search("Organization", &[]).await;
    let by_code = walk(app, "Organization?_sort=-identifier&_count=2", async || {}).await;
    assert_eq!(by_code.len() as u64, organizations);
    assert!(by_code.iter().any(|o| o["id"].as_str().unwrap().starts_with("insurer-")));
    let codes: Vec<&str> = by_code.iter().map(|o| o["identifier"][0]["value"].as_str().unwrap()).collect();
    assert!(ordered(&codes, |a, b| a >= b));
    let unsorted = walk(app, "Organization?_count=3", async || {}).await;
    assert_eq!(ids(&unsorted), ids(&all), "branches, then insurers, by key");

    // Computed availability sorts the list it computes.
    let latest = walk(app, "Slot?_sort=-start,schedule&_count=700", async || {}).await;
    let (_, slots) = app.get("Slot?_summary=count").await;
    assert_eq!(latest.len() as u64, slots["total"].as_u64().unwrap());
    let starts: Vec<DateTime<FixedOffset>> = latest.iter().map(|s| instant(&s["start"])).collect();
    assert!(ordered(&starts, |a, b| a >= b));
    let schedules = walk(app, "Schedule?_sort=-_id&_count=2", async || {}).await;
    assert!(ordered(&ids(&schedules), |a, b| a >= b));

    // Only what a type can sort by.
    for unsortable in ["Observation?_sort=value-quantity", "Organization?_sort=address"] {
        let (status, outcome) = app.get(unsortable).await;
        assert_eq!(status, 400, "{unsortable}: {outcome}");
    }
}

async fn previous_links_walk_back_over_the_same_pages(app: &TestApp) {
    app.seed_clinic(10).await;
    let (_, schedule) = app.get("Schedule?_count=1").await;
    let slots = format!(
        "Slot?schedule=Schedule/{}&_count=9",
        schedule["entry"][0]["resource"]["id"].as_str().unwrap()
    );
    for query in [
        "Patient?_sort=-birthdate,family&_count=3",
        "Patient?_count=4",
        "Observation?_sort=-date&_count=13",
        "Observation?_count=11",
        "Organization?_sort=name&_count=2",
        &slots,
    ] {
        let forward = pages(app, &app.url(query), "next", async || {}).await;
        assert!(forward.len() > 2, "{query} has several pages");
        assert_eq!(link(&forward[0].1, "previous"), None, "{query}: no previous before the first page");
        // From the last page back to the first, by `previous` links.
        let last = link(&forward.last().unwrap().1, "self").unwrap();
        let backward = pages(app, &last, "previous", async || {}).await;
        let forward_ids: Vec<Vec<String>> = forward.iter().map(|(page, _)| ids(page)).collect();
        let mut backward_ids: Vec<Vec<String>> = backward.iter().map(|(page, _)| ids(page)).collect();
        backward_ids.reverse();
        assert_eq!(backward_ids, forward_ids, "{query}");
        // Each page reached backwards leads forwards to the page after it.
        let next_of_first = link(&backward.last().unwrap().1, "next").unwrap();
        let (_, second) = json_of(app.client.get(&next_of_first).send().await.unwrap()).await;
        let second: Vec<Value> =
            second["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect();
        assert_eq!(ids(&second), forward_ids[1], "{query}");
    }

    // A previous token belongs to its search.
    let (_, first) = app.get("Patient?gender=female&_count=2").await;
    let second = link(first["link"].as_array().unwrap(), "next").unwrap();
    let (_, second) = json_of(app.client.get(&second).send().await.unwrap()).await;
    let previous = link(second["link"].as_array().unwrap(), "previous").unwrap();
    let (status, back) = json_of(app.client.get(&previous).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&back["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect::<Vec<_>>()),
        ids(&first["entry"].as_array().unwrap().iter().map(|e| e["resource"].clone()).collect::<Vec<_>>())
    );
    let replayed = previous.replace("gender=female", "gender=male");
    let (status, outcome) = json_of(app.client.get(&replayed).send().await.unwrap()).await;
    assert_eq!((status, outcome["issue"][0]["expression"][0].as_str()), (400, Some("_cursor")));
}

async fn sorted_pages_cover_every_match_once_in_order(app: &TestApp) {
    app.seed_clinic(30).await;
    // More patients without a birth date than a page holds, so pages start inside them.
    for unborn in 0..9 {
        let patient = json!({"resourceType": "Patient", "name": [{"family": format!("Unknown{unborn}")}], "gender": "unknown"});
        assert_eq!(app.post_json("Patient", &patient).await.0, 201);
    }
    let (_, all) = app.get("Patient?_count=1000").await;
    let before: Vec<String> = all["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect();

    // Sorted by birth date, newest first (those without one before them, a missing value being
    // above every value), then English family name; new patients arrive while paging (born
    // 2001-01-01, inside the range already walked or not).
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
    let keys: Vec<(Option<String>, String)> = patients
        .iter()
        .map(|p| {
            let family = p["name"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|n| n["family"].as_str().filter(|f| f.is_ascii()))
                .unwrap_or_default();
            (p["birthDate"].as_str().map(str::to_owned), family.to_owned())
        })
        .collect();
    assert_eq!(keys.iter().filter(|(born, _)| born.is_none()).count(), 9);
    for pair in keys.windows(2) {
        let ((born_a, family_a), (born_b, family_b)) = (&pair[0], &pair[1]);
        let in_order =
            if born_a == born_b { family_a <= family_b } else { newest_first_missing_first(born_a, born_b) };
        assert!(in_order, "{pair:?} out of order");
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

/// 100,000 matching patients paged through at the largest `_count` while another task keeps
/// inserting matches, some ahead of the page being read and some behind it (in id order and in
/// family order, whose many ties are broken by id): every patient
/// there before the walk is seen exactly once, and nothing is seen twice.
async fn deep_paging_with_concurrent_inserts_returns_every_match_once(app: &TestApp) {
    const BULK: i64 = 100_000;
    const FAMILIES: i64 = 997;
    // Even ids, so that later rows can land between them in id order as well; families shared
    // by about a hundred patients each, so that `_sort=family` relies on its tie-breaker.
    let inserted = app
        .clinic_sql(format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {BULK}) \
             INSERT INTO patients (id, hn, last_name_en, sex, active, deceased, created_at, updated_at, version) \
             SELECT 2 * i, 'BULK' || i, 'Bulk' || (i % {FAMILIES}), 'O', true, false, \
             CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1 FROM n"
        ))
        .await;
    assert_eq!(inserted as i64, BULK);
    let before: std::collections::HashSet<String> = (1..=BULK).map(|i| (2 * i).to_string()).collect();

    // `_elements` keeps the 200 pages of a walk light to serve and to check.
    for query in [
        "Patient?gender=other&_count=1000&_elements=gender",
        "Patient?gender=other&_sort=family&_count=1000&_elements=gender,name",
    ] {
        let walking = std::sync::atomic::AtomicBool::new(true);
        let mut late = Vec::new();
        let walked = async {
            let patients = walk_unchecked(app, query).await;
            walking.store(false, std::sync::atomic::Ordering::Relaxed);
            patients
        };
        let inserting = async {
            while walking.load(std::sync::atomic::Ordering::Relaxed) {
                // Odd ids spread over the whole range (and beyond it), families spread over
                // every family (and before and after them all).
                let rows: Vec<String> = (0..10)
                    .map(|_| {
                        let id = 2 * rand::random_range(0..BULK + BULK / 10) + 1;
                        let family = match rand::random_range(0..FAMILIES + 2) {
                            0 => "Aaa".to_owned(),
                            1 => "Zzz".to_owned(),
                            n => format!("Bulk{}", n - 2),
                        };
                        format!(
                            "({id}, 'LATE{id}', '{family}', 'O', true, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)"
                        )
                    })
                    .collect();
                let sql = format!(
                    "INSERT INTO patients (id, hn, last_name_en, sex, active, deceased, created_at, updated_at, \
                     version) VALUES {} ON CONFLICT DO NOTHING",
                    rows.join(", ")
                );
                late.push(app.clinic_sql(sql).await);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        };
        let (patients, ()) = tokio::join!(walked, inserting);
        assert!(late.iter().sum::<usize>() > 100, "{query}: patients were inserted while paging: {late:?}");

        let seen = ids(&patients);
        let mut once = std::collections::HashSet::new();
        let twice: Vec<&String> = seen.iter().filter(|id| !once.insert(*id)).collect();
        assert!(twice.is_empty(), "{query}: seen twice: {:?}", &twice[..twice.len().min(10)]);
        let missed = before.iter().filter(|id| !once.contains(id)).count();
        assert_eq!(missed, 0, "{query}: pre-existing patients missed");
        assert!(patients.iter().all(|p| p["gender"] == "other"), "{query}: only matches");
        if query.contains("_sort=family") {
            let families: Vec<(&str, i64)> = patients
                .iter()
                .map(|p| {
                    (p["name"][0]["family"].as_str().unwrap(), p["id"].as_str().unwrap().parse().unwrap())
                })
                .collect();
            assert!(ordered(&families, |a, b| a <= b), "{query}: by family, then by id");
        }
    }
}
