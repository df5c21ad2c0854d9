//! The rights matrix: every served resource type x every interaction x every right a practice
//! can grant (retrieve, create, update, delete), each on its own key. A request is served only
//! when the key holds what the interaction needs; otherwise it is a 403 OperationOutcome and
//! nothing of the type changed.

use reqwest::Method;
use serde_json::{Value, json};

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(
    every_interaction_needs_exactly_its_rights,
    every_reference_needs_its_target_to_be_searched
);

/// What an interaction needs, as SMART v2 letters; `validate` needs create or update.
#[derive(Clone, Copy)]
enum Needs {
    All(&'static str),
    Either(&'static str, &'static str),
}

impl Needs {
    fn met_by(self, granted: &str) -> bool {
        let has = |letters: &str| letters.chars().all(|l| granted.contains(l));
        match self {
            Needs::All(letters) => has(letters),
            Needs::Either(a, b) => has(a) || has(b),
        }
    }
}

struct Probe {
    name: &'static str,
    needs: Needs,
    writes: bool,
}

/// In this order: the deletes come last, so a key that may delete leaves nothing for the
/// probes after them to trip over (a second delete of a deleted resource changes nothing).
const PROBES: [Probe; 19] = [
    Probe { name: "read", needs: Needs::All("r"), writes: false },
    Probe { name: "vread", needs: Needs::All("r"), writes: false },
    Probe { name: "search", needs: Needs::All("s"), writes: false },
    Probe { name: "search by POST", needs: Needs::All("s"), writes: false },
    Probe { name: "history-instance", needs: Needs::All("r"), writes: false },
    Probe { name: "history-type", needs: Needs::All("s"), writes: false },
    Probe { name: "validate", needs: Needs::Either("c", "u"), writes: false },
    Probe { name: "create", needs: Needs::All("c"), writes: true },
    Probe { name: "conditional create", needs: Needs::All("cs"), writes: true },
    Probe { name: "update", needs: Needs::All("u"), writes: true },
    Probe { name: "conditional update", needs: Needs::All("cus"), writes: true },
    Probe { name: "patch", needs: Needs::All("ru"), writes: true },
    Probe { name: "export", needs: Needs::All("s"), writes: false },
    Probe { name: "transaction read", needs: Needs::All("r"), writes: false },
    Probe { name: "transaction search", needs: Needs::All("s"), writes: false },
    Probe { name: "transaction create", needs: Needs::All("c"), writes: true },
    Probe { name: "transaction update", needs: Needs::All("u"), writes: true },
    Probe { name: "delete", needs: Needs::All("d"), writes: true },
    Probe { name: "transaction delete", needs: Needs::All("d"), writes: true },
];

/// The practice rights and the SMART letters each grants.
const RIGHTS: [(&str, &str); 4] = [("retrieve", "rs"), ("create", "c"), ("update", "u"), ("delete", "d")];

fn request(app: &TestApp, client: &reqwest::Client, probe: &str, sample: &Value) -> reqwest::RequestBuilder {
    let resource_type = sample["resourceType"].as_str().unwrap();
    let id = sample["id"].as_str().unwrap();
    let version = sample["meta"]["versionId"].as_str().unwrap_or("1");
    let mut body = sample.clone();
    let fhir_json = |method: Method, path: &str, body: &Value| {
        client
            .request(method, app.url(path))
            .header("content-type", "application/fhir+json")
            .body(body.to_string())
    };
    match probe {
        "read" => client.get(app.url(&format!("{resource_type}/{id}"))),
        "vread" => client.get(app.url(&format!("{resource_type}/{id}/_history/{version}"))),
        "search" => client.get(app.url(&format!("{resource_type}?_id={id}"))),
        "search by POST" => client
            .post(app.url(&format!("{resource_type}/_search")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("_id={id}")),
        "history-instance" => client.get(app.url(&format!("{resource_type}/{id}/_history"))),
        "history-type" => client.get(app.url(&format!("{resource_type}/_history"))),
        "validate" => fhir_json(Method::POST, &format!("{resource_type}/$validate"), sample),
        "create" | "conditional create" => {
            body.as_object_mut().unwrap().remove("id");
            let request = fhir_json(Method::POST, resource_type, &body);
            if probe == "create" { request } else { request.header("if-none-exist", format!("_id={id}")) }
        }
        "update" => fhir_json(Method::PUT, &format!("{resource_type}/{id}"), sample),
        "conditional update" => fhir_json(Method::PUT, &format!("{resource_type}?_id={id}"), sample),
        "patch" => client
            .patch(app.url(&format!("{resource_type}/{id}")))
            .header("content-type", "application/json-patch+json")
            .body("[]"),
        "delete" => client.delete(app.url(&format!("{resource_type}/{id}"))),
        "export" => {
            client.get(app.url(&format!("$export?_type={resource_type}"))).header("prefer", "respond-async")
        }
        transaction => {
            let entry = match transaction {
                "transaction read" => {
                    json!({"request": {"method": "GET", "url": format!("{resource_type}/{id}")}})
                }
                "transaction search" => {
                    json!({"request": {"method": "GET", "url": format!("{resource_type}?_id={id}")}})
                }
                "transaction create" => {
                    body.as_object_mut().unwrap().remove("id");
                    json!({"resource": body, "request": {"method": "POST", "url": resource_type}})
                }
                "transaction update" => {
                    json!({"resource": sample, "request": {"method": "PUT", "url": format!("{resource_type}/{id}")}})
                }
                "transaction delete" => {
                    json!({"request": {"method": "DELETE", "url": format!("{resource_type}/{id}")}})
                }
                other => unreachable!("{other}"),
            };
            let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [entry]});
            fhir_json(Method::POST, "", &bundle)
        }
    }
}

/// The newest version of any `resource_type` resource, as the full-access client sees it:
/// any create, update or delete changes it. `None` for types without history (never written).
/// The audit trail grows with every request, this one included: there, `sample` as it reads now
/// (no write of the trail is allowed, with any right).
async fn newest_version(app: &TestApp, resource_type: &str, sample: &Value) -> Option<Value> {
    if resource_type == "AuditEvent" {
        return Some(app.get(&format!("AuditEvent/{}", sample["id"].as_str().unwrap())).await.1);
    }
    let (status, bundle) = app.get(&format!("{resource_type}/_history?_count=1")).await;
    (status == 200).then(|| json!([bundle["entry"][0]["fullUrl"], bundle["entry"][0]["response"]["etag"]]))
}

async fn every_interaction_needs_exactly_its_rights(app: &TestApp) {
    app.seed_clinic(10).await;
    let (_, capability) = app.get("metadata").await;
    let types: Vec<String> = capability["rest"][0]["resource"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap().to_owned())
        .filter(|t| t != "StructureDefinition")
        .collect();
    assert!(types.len() >= 14, "{types:?}");
    let mut served = 0;
    let mut refused = 0;
    for resource_type in &types {
        let (samples, _) = app.search(resource_type, &[("_count", "1")]).await;
        let sample = samples.first().unwrap_or_else(|| panic!("the seeded clinic has no {resource_type}"));
        for (right, letters) in RIGHTS {
            // Writing a Subscription also needs its criteria's search (tested in subscriptions.rs).
            let criteria_search = if resource_type == "Subscription" { " system/Patient.s" } else { "" };
            let key =
                app.create_key(&format!("system/{resource_type}.{letters}{criteria_search}"), 100_000).await;
            let client = app.client_with(&app.token_for(&key, None).await.unwrap());
            for probe in &PROBES {
                let before =
                    if probe.writes { newest_version(app, resource_type, sample).await } else { None };
                let response = request(app, &client, probe.name, sample).send().await.unwrap();
                let what = format!("{} {resource_type} with only {right}", probe.name);
                let status = response.status().as_u16();
                if probe.needs.met_by(letters) {
                    assert!(![401, 403].contains(&status), "{what}: refused with {status}");
                    served += 1;
                    continue;
                }
                let (status, outcome) = json_of(response).await;
                assert_eq!(status, 403, "{what}: {outcome}");
                assert_eq!(outcome["resourceType"], "OperationOutcome", "{what}");
                assert_eq!(outcome["issue"][0]["code"], "forbidden", "{what}: {outcome}");
                if probe.writes {
                    assert_eq!(
                        newest_version(app, resource_type, sample).await,
                        before,
                        "{what} changed data"
                    );
                }
                refused += 1;
            }
        }
    }
    // Every type x right x interaction was tried, and both answers happened throughout.
    assert_eq!(served + refused, types.len() * RIGHTS.len() * PROBES.len());
    assert!(served >= types.len() * 8 && refused >= types.len() * 40, "{served} served, {refused} refused");
}

/// For every reference a search can follow (each `Source:param` the CapabilityStatement lists
/// as a revinclude of a target type): `_include`, a chain and `_revinclude` through it are
/// refused with 403 naming the parameter when the key may not search the other type, and
/// served when it may.
async fn every_reference_needs_its_target_to_be_searched(app: &TestApp) {
    let (_, capability) = app.get("metadata").await;
    let mut references = Vec::new();
    for resource in capability["rest"][0]["resource"].as_array().unwrap() {
        let target = resource["type"].as_str().unwrap();
        for revinclude in resource["searchRevInclude"].as_array().into_iter().flatten() {
            let (source, param) = revinclude.as_str().unwrap().split_once(':').unwrap();
            if source != target {
                references.push((source.to_owned(), param.to_owned(), target.to_owned()));
            }
        }
    }
    assert!(references.len() >= 30, "{references:?}");
    // One key per set of scopes (keys cost an Argon2 hash and a token each).
    let mut clients: std::collections::HashMap<String, reqwest::Client> = std::collections::HashMap::new();
    for (source, param, target) in &references {
        let probes = [
            (source, format!("{source}?_include={source}:{param}:{target}"), "_include".to_owned()),
            (source, format!("{source}?{param}:{target}._id=1"), format!("{param}:{target}._id")),
            (target, format!("{target}?_revinclude={source}:{param}:{target}"), "_revinclude".to_owned()),
        ];
        for (searched, query, parameter) in probes {
            let other = if searched == source { target } else { source };
            for scopes in [format!("system/{searched}.s"), format!("system/{searched}.s system/{other}.s")] {
                if !clients.contains_key(&scopes) {
                    let key = app.create_key(&scopes, 100_000).await;
                    clients
                        .insert(scopes.clone(), app.client_with(&app.token_for(&key, None).await.unwrap()));
                }
            }
            let narrow = &clients[&format!("system/{searched}.s")];
            let (status, outcome) = json_of(narrow.get(app.url(&query)).send().await.unwrap()).await;
            assert_eq!(status, 403, "{query} without {other}: {outcome}");
            assert_eq!(outcome["issue"][0]["expression"][0], parameter.as_str(), "{query}");
            let wide = &clients[&format!("system/{searched}.s system/{other}.s")];
            let status = wide.get(app.url(&query)).send().await.unwrap().status().as_u16();
            assert!(![401, 403].contains(&status), "{query} with {other}: {status}");
        }
    }
}
