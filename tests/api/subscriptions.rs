//! Subscriptions: writes that match arrive at a real local HTTP receiver, signed, in order, at
//! least once; failures are retried with backoff, then the subscription is put in error.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::app::{TestApp, json_of, somchai};

/// One POST the receiver got, and what it answered.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub answered: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> &str {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map_or("", |(_, v)| v.as_str())
    }

    pub fn resource(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A webhook receiver on a free local port, answering 500 to the first `failures` requests
/// (every request when `None`) and 200 after.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub fn start(failures: Option<usize>) -> Receiver {
        let received = Arc::new(Mutex::new(Vec::<Received>::new()));
        let shared = received.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            let shared = shared.clone();
            App::new().default_service(web::to(move |request: HttpRequest, body: web::Bytes| {
                let shared = shared.clone();
                async move {
                    let mut received = shared.lock().unwrap();
                    let answered = if failures.is_none_or(|n| received.len() < n) { 500 } else { 200 };
                    let headers = request
                        .headers()
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
                        .collect();
                    let path = request.path().to_owned();
                    received.push(Received { path, headers, body: body.to_vec(), answered });
                    HttpResponse::build(actix_web::http::StatusCode::from_u16(answered).unwrap()).finish()
                }
            }))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        Receiver { url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 20 s) until `count` requests have arrived; what arrived.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        for _ in 0..400 {
            if self.received().len() >= count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.received()
    }
}

/// A rest-hook Subscription to `criteria` delivering full resources to `endpoint`.
pub fn subscription(criteria: &str, endpoint: &str) -> Value {
    json!({
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "tell the LIS",
        "criteria": criteria,
        "channel": {
            "type": "rest-hook",
            "endpoint": endpoint,
            "payload": "application/fhir+json",
            "header": ["Authorization: Bearer receiver-token"]
        }
    })
}

/// Checks a delivery's `X-Signature` against `secret` the way a receiver would.
pub fn signed_by(received: &Received, secret: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(received.header("x-event-id").as_bytes());
    mac.update(b".");
    mac.update(received.header("x-event-timestamp").as_bytes());
    mac.update(b".");
    mac.update(&received.body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    received.header("x-signature") == format!("sha256={expected}")
}

fn female(family: &str) -> Value {
    let mut patient = somchai();
    patient["gender"] = json!("female");
    patient["name"] = json!([{"family": family, "given": ["Malee"]}]);
    patient.as_object_mut().unwrap().remove("identifier");
    patient
}

async fn create_subscription(client: &reqwest::Client, app: &TestApp, body: &Value) -> (Value, String) {
    let response = client
        .post(app.url("Subscription"))
        .header("content-type", "application/fhir+json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(response).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = client.get(app.url(&format!("Subscription/{id}/$signing-secret"))).send().await.unwrap();
    let (status, parameters) = json_of(secret).await;
    assert_eq!(status, 200, "{parameters}");
    (created, parameters["parameter"][0]["valueString"].as_str().unwrap().to_owned())
}

async fn matching_writes_arrive_signed_and_in_order(app: &TestApp) {
    let key = app.create_key("system/Patient.crus system/Subscription.crus", 10_000).await;
    let client = app.client_with(&app.token_for(&key, None).await.unwrap());
    let receiver = Receiver::start(Some(0));
    let (created, secret) =
        create_subscription(&client, app, &subscription("Patient?gender=female", &receiver.url)).await;
    assert_eq!(created["status"], "active");
    assert_eq!(created["extension"][0]["valueString"], key.key.client_id.as_str(), "{created}");

    // A key may not subscribe to what it may not search, nor read another key's secret.
    let (status, outcome) =
        app.post_json("Subscription", &subscription("Appointment?status=booked", &receiver.url)).await;
    assert_eq!(status, 201, "{outcome}");
    let narrow = app.create_key("system/Subscription.crus", 10_000).await;
    let narrow = app.client_with(&app.token_for(&narrow, None).await.unwrap());
    let response = narrow
        .post(app.url("Subscription"))
        .header("content-type", "application/fhir+json")
        .body(subscription("Patient", &receiver.url).to_string())
        .send()
        .await
        .unwrap();
    let (status, outcome) = json_of(response).await;
    assert_eq!(status, 403, "{outcome}");
    assert_eq!(outcome["issue"][0]["expression"][0], "Subscription.criteria");
    let id = created["id"].as_str().unwrap();
    let response = narrow.get(app.url(&format!("Subscription/{id}/$signing-secret"))).send().await.unwrap();
    assert_eq!(response.status(), 403);

    // Matching writes: a create, an update, two entries of a transaction.
    let (_, first) = app.post_json("Patient", &female("Sukjai")).await;
    let (status, _) = app.post_json("Patient", &somchai()).await;
    assert_eq!(status, 201, "a male patient: no event");
    let mut renamed = first.clone();
    renamed["name"][0]["family"] = json!("Sukjai-Dee");
    let (status, _) = app.put_json(&format!("Patient/{}", first["id"].as_str().unwrap()), &renamed).await;
    assert_eq!(status, 200);
    let entry =
        |patient: Value| json!({"resource": patient, "request": {"method": "POST", "url": "Patient"}});
    let bundle =
        |entries: Vec<Value>| json!({"resourceType": "Bundle", "type": "transaction", "entry": entries});
    let (status, response) =
        app.post_json("", &bundle(vec![entry(female("Rakdee")), entry(female("Meesuk"))])).await;
    assert_eq!(status, 200, "{response}");
    // A transaction that fails on its last entry is rolled back and announces nothing.
    let mut broken = female("Broken");
    broken["birthDate"] = json!("not a date");
    let (status, _) = app.post_json("", &bundle(vec![entry(female("Rolledback")), entry(broken)])).await;
    assert!(status >= 400);

    let received = receiver.wait_for(4).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received_after = receiver.received();
    assert_eq!(received_after.len(), 4, "{received_after:#?}");
    let names: Vec<&str> = received.iter().map(|r| r.header("x-event-name")).collect();
    assert_eq!(names, ["patient.created", "patient.updated", "patient.created", "patient.created"]);
    let families: Vec<String> =
        received.iter().map(|r| r.resource()["name"][0]["family"].as_str().unwrap().to_owned()).collect();
    assert_eq!(families, ["Sukjai", "Sukjai-Dee", "Rakdee", "Meesuk"]);
    for delivery in &received {
        assert!(signed_by(delivery, &secret), "{delivery:?}");
        assert!(!signed_by(delivery, "another secret"));
        assert_eq!(delivery.header("authorization"), "Bearer receiver-token");
        assert_eq!(delivery.header("content-type"), "application/fhir+json");
        assert_eq!(delivery.answered, 200);
    }
    let mut ids: Vec<&str> = received.iter().map(|r| r.header("x-event-id")).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4, "every event has its own id");

    // Revoking the owner's key stops its deliveries: the subscription errs with the reason.
    app.keys.revoke(&key.key.client_id).await.unwrap();
    app.post_json("Patient", &female("Afterrevoke")).await;
    let mut subscription_now = Value::Null;
    for _ in 0..100 {
        subscription_now = app.get(&format!("Subscription/{id}")).await.1;
        if subscription_now["status"] == "error" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(subscription_now["status"], "error", "{subscription_now}");
    assert!(subscription_now["error"].as_str().unwrap().contains("may no longer read Patient"));
    assert_eq!(receiver.received().len(), 4);
}

async fn failing_endpoints_are_retried_then_the_subscription_errs(app: &TestApp) {
    let recovering = Receiver::start(Some(4));
    let down = Receiver::start(None);
    let (recovering_subscription, _) =
        create_subscription(&app.client, app, &subscription("Patient?gender=female", &recovering.url)).await;
    let (down_subscription, _) =
        create_subscription(&app.client, app, &subscription("Patient", &down.url)).await;
    let (status, patient) = app.post_json("Patient", &female("Retried")).await;
    assert_eq!(status, 201);

    // Four failures, then the fifth attempt succeeds: the same event each time, and no more.
    let attempts = recovering.wait_for(5).await;
    let answered: Vec<u16> = attempts.iter().map(|r| r.answered).collect();
    assert_eq!(answered, [500, 500, 500, 500, 200]);
    assert!(attempts.iter().all(|r| r.header("x-event-id") == attempts[0].header("x-event-id")));
    assert!(attempts.iter().all(|r| r.resource()["id"] == patient["id"]));

    // Always failing: the first attempt and 5 retries, then the subscription is in error.
    let id = down_subscription["id"].as_str().unwrap();
    let mut status_now = Value::Null;
    for _ in 0..200 {
        status_now = app.get(&format!("Subscription/{id}")).await.1;
        if status_now["status"] == "error" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status_now["status"], "error", "{status_now}");
    assert!(status_now["error"].as_str().unwrap().contains("500"), "{status_now}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(down.received().len(), 6);
    assert_eq!(recovering.received().len(), 5);
    let (_, recovering_now) =
        app.get(&format!("Subscription/{}", recovering_subscription["id"].as_str().unwrap())).await;
    assert_eq!(recovering_now["status"], "active");
    // The given-up event stays in the outbox to be inspected.
    let failed = app.table_text("fhir_outbox").await;
    assert!(failed.contains("answered 500"), "{failed}");
}

async fn subscriptions_are_checked_and_deleted_by_turning_them_off(app: &TestApp) {
    let receiver = Receiver::start(Some(0));
    for (body_change, path) in [
        (json!({"criteria": "Slot?status=free"}), "Subscription.criteria"),
        (json!({"criteria": "Patient?colour=blue"}), "Subscription.criteria"),
        (json!({"status": "paused"}), "Subscription.status"),
        (json!({"channel": {"type": "websocket", "endpoint": receiver.url}}), "Subscription.channel.type"),
        (json!({"channel": {"type": "rest-hook", "endpoint": "ftp://lis"}}), "Subscription.channel.endpoint"),
        (
            json!({"channel": {"type": "rest-hook", "endpoint": receiver.url, "payload": "text/plain"}}),
            "Subscription.channel.payload",
        ),
    ] {
        let mut body = subscription("Patient", &receiver.url);
        for (name, value) in body_change.as_object().unwrap() {
            body[name] = value.clone();
        }
        let (status, outcome) = app.post_json("Subscription", &body).await;
        assert!(status == 422 || status == 400, "{body}: {status} {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], path, "{outcome}");
    }
    let (_, created) = app.post_json("Subscription", &subscription("Patient", &receiver.url)).await;
    let id = created["id"].as_str().unwrap();
    let (_, found) = app.get("Subscription?status=active&criteria=Patient").await;
    assert_eq!(found["entry"][0]["resource"]["id"], id, "{found}");
    let deleted = app.client.delete(app.url(&format!("Subscription/{id}"))).send().await.unwrap();
    assert_eq!(deleted.status(), 200);
    let (status, _) = app.get(&format!("Subscription/{id}")).await;
    assert_eq!(status, 410);
    app.post_json("Patient", &female("Nobodylistens")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.received().is_empty());
}

crate::on_both_backends!(
    matching_writes_arrive_signed_and_in_order,
    failing_endpoints_are_retried_then_the_subscription_errs,
    subscriptions_are_checked_and_deleted_by_turning_them_off,
);
