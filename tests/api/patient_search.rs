use serde_json::{Value, json};

use crate::app::{HN_SYSTEM, TestApp, somchai};
use crate::on_both_backends;

on_both_backends!(
    search_by_each_parameter,
    paging_follows_next_links_to_the_end,
    broad_searches_count_only_when_asked,
    string_search_ignores_accents_and_case_but_keeps_thai_as_written,
);

fn ids(bundle: &Value) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .map(|entries| entries.iter().map(|e| e["resource"]["id"].as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

async fn search_by_each_parameter(app: &TestApp) {
    let somchai = app.create_patient(&somchai()).await;
    let malee = app
        .create_patient(&json!({
            "resourceType": "Patient",
            "identifier": [{"system": "http://hl7.org/fhir/sid/passport-MMR", "value": "MB123456"}],
            "name": [{"family": "Aung", "given": ["Malee"]}],
            "gender": "female",
            "birthDate": "1995-12-31",
            "active": false
        }))
        .await;
    let (s, m) = (somchai["id"].as_str().unwrap().to_owned(), malee["id"].as_str().unwrap().to_owned());
    let hn = somchai["identifier"][0]["value"].as_str().unwrap();
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).format("%Y-%m-%d");
    let cases: Vec<(String, Vec<&String>)> = vec![
        (format!("_id={s}"), vec![&s]),
        (format!("_id={s},{m}"), vec![&s, &m]),
        ("identifier=https://terms.sil-th.org/id/th-cid|1103700123458".into(), vec![&s]),
        ("identifier=1103700123458".into(), vec![&s]),
        (format!("identifier={HN_SYSTEM}|{hn}"), vec![&s]),
        ("identifier=http://hl7.org/fhir/sid/passport-MMR|MB123456".into(), vec![&m]),
        ("identifier=urn:other|1103700123458".into(), vec![]),
        ("family=jai".into(), vec![&s]),
        ("family=ใจ".into(), vec![&s]),
        ("family:exact=Jaidee".into(), vec![&s]),
        ("family:exact=jaidee".into(), vec![]),
        ("family:contains=DE".into(), vec![&s]),
        ("given=mal".into(), vec![&m]),
        ("name=som".into(), vec![&s]),
        ("name=aung,somchai".into(), vec![&s, &m]),
        ("name=%25".into(), vec![]),
        ("birthdate=1980".into(), vec![&s]),
        ("birthdate=1980-05-17".into(), vec![&s]),
        ("birthdate=lt1990-01-01".into(), vec![&s]),
        ("birthdate=ge1995-12-31".into(), vec![&m]),
        ("birthdate=gt1995-12".into(), vec![]),
        ("birthdate=ge1980&birthdate=le1995".into(), vec![&s, &m]),
        ("birthdate=ne1980-05-17".into(), vec![&m]),
        // `ap`: a tenth of the distance from now either side; decades back, years.
        ("birthdate=ap1981".into(), vec![&s]),
        ("birthdate=ap1996-01-01".into(), vec![&m]),
        ("birthdate=ap1990".into(), vec![]),
        (format!("_lastUpdated=ap{today}"), vec![&s, &m]),
        ("_lastUpdated=ap2000".into(), vec![]),
        ("gender=female".into(), vec![&m]),
        ("gender=http://hl7.org/fhir/administrative-gender|male".into(), vec![&s]),
        ("active=false".into(), vec![&m]),
        ("gender=male&family=aung".into(), vec![]),
        ("gender:not=male".into(), vec![&m]),
        ("gender:not=male,female".into(), vec![]),
        ("active:not=true".into(), vec![&m]),
        ("identifier:not=1103700123458".into(), vec![&m]),
    ];
    for (query, expected) in cases {
        let (status, bundle) = app.get(&format!("Patient?{query}")).await;
        assert_eq!(status, 200, "{query}: {bundle}");
        assert_eq!(bundle["type"], "searchset");
        let mut expected: Vec<String> = expected.into_iter().cloned().collect();
        expected.sort();
        let mut found = ids(&bundle);
        found.sort();
        assert_eq!(found, expected, "{query}");
        assert_eq!(bundle["total"], expected.len(), "{query}");
    }
    // _total: none leaves the count out; estimate gives it (exactly); a bad value is named.
    let (_, bundle) = app.get("Patient?gender=female&_total=none").await;
    assert!(bundle.get("total").is_none() && ids(&bundle) == vec![m.clone()], "{bundle}");
    assert!(bundle["link"][0]["url"].as_str().unwrap().contains("_total=none"));
    let (_, bundle) = app.get("Patient?gender=female&_total=estimate").await;
    assert_eq!(bundle["total"], 1);
    let (status, outcome) = app.get("Patient?_total=some").await;
    assert_eq!((status, outcome["issue"][0]["expression"][0].as_str()), (400, Some("_total")));
    // The same search by POST.
    let response = app
        .client
        .post(app.url("Patient/_search"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("family=aung")
        .send()
        .await
        .unwrap();
    let (status, bundle) = crate::app::json_of(response).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&bundle), vec![m]);
}

async fn string_search_ignores_accents_and_case_but_keeps_thai_as_written(app: &TestApp) {
    let mut id_of = std::collections::HashMap::new();
    for (key, name) in [
        ("jose", json!({"family": "Müller", "given": ["José"]})),
        ("anh", json!({"family": "Nguyễn", "given": ["Ánh"]})),
        // Rice and white: the same letters but for a tone mark.
        ("rice", json!({"family": "ข้าวหอม", "given": ["มะลิ"]})),
        ("white", json!({"family": "ขาวสะอาด", "given": ["มณี"]})),
    ] {
        let patient = json!({"resourceType": "Patient", "name": [name], "gender": "unknown"});
        id_of.insert(key, app.create_patient(&patient).await["id"].as_str().unwrap().to_owned());
    }
    let cases: &[(&str, &[&str])] = &[
        ("name=jose", &["jose"]),
        ("name=JOSÉ", &["jose"]),
        ("given=jos%C3%A9", &["jose"]),
        ("family=muller", &["jose"]),
        ("family=MÜL", &["jose"]),
        // A decomposed ü (u and a combining diaeresis) is the same letter.
        ("family=Mu%CC%88ller", &["jose"]),
        // Folding drops accents; it does not transliterate.
        ("family=mueller", &[]),
        ("family:contains=ULL", &["jose"]),
        ("family:exact=Müller", &["jose"]),
        ("family:exact=Muller", &[]),
        ("name=nguyen", &["anh"]),
        ("given=anh", &["anh"]),
        ("name=anh,jose", &["anh", "jose"]),
        // Thai tone marks are spelling, not accents: each search finds its own word.
        ("family=ข้าว", &["rice"]),
        ("family=ขาว", &["white"]),
        ("family=ข", &["rice", "white"]),
        ("name=มะ", &["rice"]),
        ("family:contains=หอม", &["rice"]),
    ];
    for (query, expected) in cases {
        let (status, bundle) = app.get(&format!("Patient?{query}")).await;
        assert_eq!(status, 200, "{query}: {bundle}");
        let mut expected: Vec<&String> = expected.iter().map(|key| &id_of[key]).collect();
        expected.sort();
        let mut found = ids(&bundle);
        found.sort();
        assert_eq!(found.iter().collect::<Vec<_>>(), expected, "{query}");
    }
}

async fn paging_follows_next_links_to_the_end(app: &TestApp) {
    let mut created = Vec::new();
    for i in 0..7 {
        let mut patient = somchai();
        patient.as_object_mut().unwrap().remove("identifier");
        patient["name"][1]["given"] = json!([format!("Pager{i}")]);
        created.push(app.create_patient(&patient).await["id"].as_str().unwrap().to_owned());
    }
    let mut url = app.url("Patient?given=pager&_count=3");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let response = app.client.get(&url).send().await.unwrap();
        let (status, bundle) = crate::app::json_of(response).await;
        assert_eq!(status, 200, "{bundle}");
        assert_eq!(bundle["total"], 7);
        pages += 1;
        seen.extend(ids(&bundle));
        let links = bundle["link"].as_array().unwrap();
        assert_eq!(links[0]["relation"], "self");
        match links.iter().find(|l| l["relation"] == "next") {
            Some(next) => url = next["url"].as_str().unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created);
}

/// Without `_total` a search counts up to 10,000 matches and leaves `total` out beyond;
/// `_total=accurate` counts them all, and its next link keeps asking for it.
async fn broad_searches_count_only_when_asked(app: &TestApp) {
    let inserted = app
        .clinic_sql(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) \
             INSERT INTO patients (hn, sex, active, deceased, created_at, updated_at, version) \
             SELECT 'BULK' || i, 'O', true, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1 FROM n"
                .into(),
        )
        .await;
    assert_eq!(inserted, 10_001);
    let (status, bundle) = app.get("Patient?gender=other&_count=5").await;
    assert_eq!(status, 200, "{bundle}");
    assert!(bundle.get("total").is_none(), "{}", bundle["total"]);
    assert_eq!(ids(&bundle).len(), 5);
    let (_, bundle) = app.get("Patient?gender=other&_count=5&_total=accurate").await;
    assert_eq!(bundle["total"], 10_001);
    let next = bundle["link"].as_array().unwrap().iter().find(|l| l["relation"] == "next").unwrap();
    let response = app.client.get(next["url"].as_str().unwrap()).send().await.unwrap();
    let (_, page) = crate::app::json_of(response).await;
    assert_eq!(page["total"], 10_001, "{next}");
    app.clinic_sql("DELETE FROM patients WHERE hn = 'BULK1'".into()).await;
    let (_, bundle) = app.get("Patient?gender=other&_count=5").await;
    assert_eq!(bundle["total"], 10_000);
}
