use serde_json::Value;

use crate::app::{TestApp, json_of, somchai};
use crate::on_both_backends;

on_both_backends!(conditional_read_answers_304, prefer_shapes_write_responses);

async fn conditional_read_answers_304(app: &TestApp) {
    let created = app.create_patient(&somchai()).await;
    let url = app.url(&format!("Patient/{}", created["id"].as_str().unwrap()));
    let fresh = app.client.get(&url).send().await.unwrap();
    let etag = fresh.headers()["etag"].to_str().unwrap().to_owned();
    let last_modified = fresh.headers()["last-modified"].to_str().unwrap().to_owned();
    assert_eq!(etag, "W/\"1\"");

    for (header, value, expected) in [
        ("if-none-match", etag.as_str(), 304),
        ("if-none-match", "\"1\"", 304),
        ("if-none-match", "*", 304),
        ("if-none-match", "W/\"0\"", 200),
        ("if-modified-since", last_modified.as_str(), 304),
        ("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT", 200),
    ] {
        let response = app.client.get(&url).header(header, value).send().await.unwrap();
        assert_eq!(response.status(), expected, "{header}: {value}");
        assert_eq!(response.headers()["etag"], etag.as_str());
        if expected == 304 {
            assert!(response.bytes().await.unwrap().is_empty());
        }
    }
}

async fn prefer_shapes_write_responses(app: &TestApp) {
    let post = |prefer: &'static str, body: Value| {
        app.fhir_json(reqwest::Method::POST, "Patient", &body).header("prefer", prefer)
    };
    let mut patient = somchai();
    patient.as_object_mut().unwrap().remove("identifier");

    let minimal = post("return=minimal", patient.clone()).send().await.unwrap();
    assert_eq!(minimal.status(), 201);
    assert!(minimal.headers().contains_key("location"));
    assert_eq!(minimal.headers()["etag"], "W/\"1\"");
    assert!(minimal.bytes().await.unwrap().is_empty());

    let (status, outcome) =
        json_of(post("return=OperationOutcome", patient.clone()).send().await.unwrap()).await;
    assert_eq!(status, 201);
    assert_eq!(outcome["resourceType"], "OperationOutcome");
    assert_eq!(outcome["issue"][0]["severity"], "information");

    let (status, created) = json_of(post("return=representation", patient).send().await.unwrap()).await;
    assert_eq!(status, 201);
    assert_eq!(created["resourceType"], "Patient");

    let update = app
        .fhir_json(reqwest::Method::PUT, &format!("Patient/{}", created["id"].as_str().unwrap()), &created)
        .header("prefer", "return=minimal")
        .send()
        .await
        .unwrap();
    assert_eq!(update.status(), 200);
    assert_eq!(update.headers()["etag"], "W/\"2\"");
    assert!(update.bytes().await.unwrap().is_empty());
}

mod if_match {
    use super::*;

    on_both_backends!(update_with_a_stale_if_match_is_412);

    async fn update_with_a_stale_if_match_is_412(app: &TestApp) {
        let created = app.create_patient(&somchai()).await;
        let path = format!("Patient/{}", created["id"].as_str().unwrap());
        let put = |if_match: &'static str| {
            app.fhir_json(reqwest::Method::PUT, &path, &created).header("if-match", if_match)
        };
        let (status, updated) = json_of(put("W/\"1\"").send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(updated["meta"]["versionId"], "2");
        let (status, outcome) = json_of(put("W/\"1\"").send().await.unwrap()).await;
        assert_eq!(status, 412);
        assert_eq!(outcome["issue"][0]["expression"][0], "If-Match");
        let (status, _) = json_of(put("banana").send().await.unwrap()).await;
        assert_eq!(status, 400);
        let (_, read) = app.get(&format!("Patient/{}", created["id"].as_str().unwrap())).await;
        assert_eq!(read["meta"]["versionId"], "2");
    }
}

mod subsets {
    use super::*;

    on_both_backends!(summary_and_elements_subset_reads_and_searches);

    fn subsetted(resource: &Value) -> bool {
        resource["meta"]["tag"].as_array().is_some_and(|tags| tags.iter().any(|t| t["code"] == "SUBSETTED"))
    }

    async fn summary_and_elements_subset_reads_and_searches(app: &TestApp) {
        let mut patient = somchai();
        patient["extension"] = serde_json::json!([{
            "url": "http://hl7.org/fhir/StructureDefinition/patient-nationality",
            "extension": [{"url": "code", "valueCodeableConcept": {"coding": [{"system": "urn:iso:std:iso:3166", "code": "THA"}]}}]
        }]);
        let created = app.create_patient(&patient).await;
        let id = created["id"].as_str().unwrap();
        let (status, summary) = app.get(&format!("Patient/{id}?_summary=true")).await;
        assert_eq!(status, 200);
        assert!(subsetted(&summary));
        assert_eq!(summary["name"], created["name"]);
        assert!(summary.get("extension").is_none(), "nationality is not a summary element");
        let (_, elements) = app.get(&format!("Patient/{id}?_elements=gender,birthDate")).await;
        assert!(subsetted(&elements));
        let mut names: Vec<&String> = elements.as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(names, ["birthDate", "gender", "id", "meta", "resourceType"]);
        let (_, full) = app.get(&format!("Patient/{id}?_summary=false")).await;
        assert_eq!(full, created);

        let (status, count) = app.get("Patient?_summary=count").await;
        assert_eq!(status, 200);
        assert_eq!(count["total"], 1);
        assert!(count.get("entry").is_none());
        let (_, bundle) = app.get("Patient?_elements=gender").await;
        assert!(subsetted(&bundle["entry"][0]["resource"]));
        assert!(bundle["link"][0]["url"].as_str().unwrap().ends_with("&_elements=gender"));
        let (status, outcome) = app.get(&format!("Patient/{id}?_summary=maybe")).await;
        assert_eq!(status, 400);
        assert_eq!(outcome["issue"][0]["expression"][0], "_summary");
    }
}

mod cors {
    use super::*;

    on_both_backends!(browser_apps_get_cors_headers);

    async fn browser_apps_get_cors_headers(app: &TestApp) {
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, app.url("Patient"))
            .header("origin", "https://app.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), 200);
        assert_eq!(preflight.headers()["access-control-allow-origin"], "https://app.example");
        let response =
            app.client.get(app.url("metadata")).header("origin", "https://app.example").send().await.unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example");
        let exposed =
            response.headers()["access-control-expose-headers"].to_str().unwrap().to_ascii_lowercase();
        assert!(exposed.contains("etag") && exposed.contains("location"), "{exposed}");
        assert_eq!(json_of(response).await.0, 200);
    }
}

mod compression {
    use super::*;

    on_both_backends!(responses_are_gzipped_when_asked);

    async fn responses_are_gzipped_when_asked(app: &TestApp) {
        let gzipped =
            app.client.get(app.url("metadata")).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(gzipped.headers()["content-encoding"], "gzip");
        // gzip magic number: the body really is compressed.
        assert_eq!(&gzipped.bytes().await.unwrap()[..2], &[0x1f, 0x8b]);
        let plain = app.client.get(app.url("metadata")).send().await.unwrap();
        assert!(!plain.headers().contains_key("content-encoding"));
    }
}

mod vread {
    use super::*;

    on_both_backends!(every_version_written_reads_back);

    async fn every_version_written_reads_back(app: &TestApp) {
        let created = app.create_patient(&somchai()).await;
        let id = created["id"].as_str().unwrap();
        let mut changed = created.clone();
        changed["birthDate"] = serde_json::json!("1979-01-01");
        let (status, updated) = app.put_json(&format!("Patient/{id}"), &changed).await;
        assert_eq!(status, 200);

        let (status, first) = app.get(&format!("Patient/{id}/_history/1")).await;
        assert_eq!(status, 200);
        assert_eq!(first, created);
        let (status, second) = app.get(&format!("Patient/{id}/_history/2")).await;
        assert_eq!(status, 200);
        assert_eq!(second, updated);
        for missing in [
            format!("Patient/{id}/_history/3"),
            format!("Patient/{id}/_history/x"),
            "Patient/987654/_history/1".into(),
        ] {
            let (status, outcome) = app.get(&missing).await;
            assert_eq!(status, 404, "{missing}");
            assert_eq!(outcome["resourceType"], "OperationOutcome");
        }
    }
}
