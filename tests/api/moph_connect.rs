//! The MOPH Connect connector against a local receiver: a booked appointment of a patient with
//! a MOPH Connect user id is posted to `/queue` and `/queue/schedule` at once and to
//! `/queue/notify` its lead time before the start, with exactly the service's fields.

use std::time::Duration;

use chrono::{FixedOffset, Utc};
use serde_json::{Value, json};

use crate::app::{Backend, TestApp, somchai};
use crate::subscriptions::Receiver;

const MOPH_USER: &str = "https://connect.moph.go.th/fhir/sid/user-id";

async fn app_with_moph(backend: Backend, receiver: &Receiver, details_link: &str) -> TestApp {
    let messages = fhir_store::outbox::MophConnect {
        hospital_name: "คลินิกเวชกรรมสุขใจ".into(),
        origin: "สำนักงานสาธารณสุขจังหวัดนนทบุรี".into(),
        details_link: details_link.into(),
        current_queue_link: "https://clinic.example.th/queue/{id}".into(),
        notify_before: chrono::Duration::seconds(60),
    };
    let endpoint = webhooks::MophEndpoint {
        base_url: receiver.url.clone(),
        client_key: "client-key-1".into(),
        secret_key: "secret-key-1".into(),
    };
    let app = TestApp::spawn_with_moph(backend, Some((messages, endpoint))).await;
    app.seed_clinic(30).await;
    app
}

/// A booked appointment of `patient_id` starting `in_seconds` from now, for 30 minutes.
async fn book(app: &TestApp, patient_id: &str, in_seconds: i64) -> Value {
    let (_, appointments) = app.get("Appointment?_count=1").await;
    let mut booking = appointments["entry"][0]["resource"].clone();
    for own in ["id", "meta", "identifier", "created"] {
        booking.as_object_mut().unwrap().remove(own);
    }
    let thailand = FixedOffset::east_opt(7 * 3600).unwrap();
    let start = (Utc::now() + chrono::Duration::seconds(in_seconds)).with_timezone(&thailand);
    booking["status"] = json!("booked");
    booking["start"] = json!(start.format("%Y-%m-%dT%H:%M:%S%:z").to_string());
    booking["end"] =
        json!((start + chrono::Duration::minutes(30)).format("%Y-%m-%dT%H:%M:%S%:z").to_string());
    booking["minutesDuration"] = json!(30);
    let others: Vec<Value> = booking["participant"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["actor"]["reference"].as_str().unwrap().starts_with("Patient/"))
        .cloned()
        .collect();
    let mut participants =
        vec![json!({"actor": {"reference": format!("Patient/{patient_id}")}, "status": "accepted"})];
    participants.extend(others);
    booking["participant"] = Value::Array(participants);
    let (status, booked) = app.post_json("Appointment", &booking).await;
    assert_eq!(status, 201, "{booked}");
    booked
}

async fn booked_appointments_reach_moph_connect(backend: Backend) {
    let receiver = Receiver::start(Some(0));
    let app = app_with_moph(backend, &receiver, "https://clinic.example.th/appointments/{id}").await;
    let mut patient = somchai();
    patient["identifier"].as_array_mut().unwrap().push(json!({"system": MOPH_USER, "value": "U4f1c9a"}));
    let patient = app.create_patient(&patient).await;
    let (_, found) = app.get(&format!("Patient?identifier={MOPH_USER}|U4f1c9a")).await;
    assert_eq!(found["entry"][0]["resource"]["id"], patient["id"], "{found}");
    let without_moph = app.create_patient(&json!({"resourceType": "Patient", "gender": "female"})).await;

    let appointment = book(&app, patient["id"].as_str().unwrap(), 65).await;
    book(&app, without_moph["id"].as_str().unwrap(), 65).await;
    // Booked, then cancelled before its queue is called: no notify for it.
    let cancelled = book(&app, patient["id"].as_str().unwrap(), 70).await;
    let cancel = app.client.delete(app.url(&format!("Appointment/{}", cancelled["id"].as_str().unwrap())));
    assert_eq!(cancel.send().await.unwrap().status(), 200);

    let received = receiver.wait_for(4).await;
    let path_of = |appointment: &Value, path: &str| {
        received.iter().any(|r| {
            r.path == path
                && r.resource()["detailsLink"]
                    .as_str()
                    .unwrap()
                    .ends_with(appointment["id"].as_str().unwrap())
        })
    };
    assert!(
        path_of(&appointment, "/hook/queue") && path_of(&appointment, "/hook/queue/schedule"),
        "{received:#?}"
    );
    assert!(path_of(&cancelled, "/hook/queue") && path_of(&cancelled, "/hook/queue/schedule"));
    let queue = received.iter().find(|r| r.path == "/hook/queue").unwrap();
    assert_eq!(queue.header("client-key"), "client-key-1");
    assert_eq!(queue.header("secret-key"), "secret-key-1");
    let start = chrono::DateTime::parse_from_rfc3339(appointment["start"].as_str().unwrap()).unwrap();
    let end = chrono::DateTime::parse_from_rfc3339(appointment["end"].as_str().unwrap()).unwrap();
    let id = appointment["id"].as_str().unwrap();
    let queue_number = appointment["identifier"][0]["value"].as_str().unwrap_or(id);
    let expected = json!({
        "userId": "U4f1c9a",
        "hospitalName": "คลินิกเวชกรรมสุขใจ",
        "origin": "สำนักงานสาธารณสุขจังหวัดนนทบุรี",
        "queueNumber": queue_number,
        "patientName": "นาย สมชาย ใจดี",
        "appointmentDate": start.format("%Y-%m-%d").to_string(),
        "appointmentTime": format!("{}-{}", start.format("%H:%M"), end.format("%H:%M")),
        "detailsLink": format!("https://clinic.example.th/appointments/{id}"),
        "currentQueueLink": format!("https://clinic.example.th/queue/{id}"),
    });
    let first = received
        .iter()
        .find(|r| r.path == "/hook/queue" && r.resource()["detailsLink"] == expected["detailsLink"])
        .unwrap();
    assert_eq!(first.resource(), expected);
    let keys: Vec<String> = first.resource().as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, webhooks::MOPH_FIELDS, "the fields, in the service's order");

    // The call comes 60 s before the start (5 s from the booking), only for the one still booked.
    let received = receiver.wait_for(5).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let notified: Vec<Value> =
        receiver.received().iter().filter(|r| r.path == "/hook/queue/notify").map(|r| r.resource()).collect();
    assert_eq!(notified, [expected], "{received:#?}");
    assert_eq!(receiver.received().len(), 5, "nothing for the patient without a MOPH Connect id");
    assert!(app.table_text("fhir_outbox").await.contains("no longer booked"));
}

async fn bad_messages_are_local_errors(backend: Backend) {
    let receiver = Receiver::start(Some(0));
    let app = app_with_moph(backend, &receiver, "clinic.example.th/appointments/{id}").await;
    let mut patient = somchai();
    patient["identifier"].as_array_mut().unwrap().push(json!({"system": MOPH_USER, "value": "U77"}));
    let patient = app.create_patient(&patient).await;
    book(&app, patient["id"].as_str().unwrap(), 3600).await;
    let mut outbox = String::new();
    for _ in 0..100 {
        outbox = app.table_text("fhir_outbox").await;
        if outbox.matches("detailsLink must start with http:// or https://").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(outbox.contains("invalid MOPH Connect message: detailsLink must start with http"), "{outbox}");
    assert!(receiver.received().is_empty(), "nothing invalid is sent");
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn booked_appointments_reach_moph_connect() {
        super::booked_appointments_reach_moph_connect(crate::app::Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_messages_are_local_errors() {
        super::bad_messages_are_local_errors(crate::app::Backend::Postgres).await;
    }
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn booked_appointments_reach_moph_connect() {
        super::booked_appointments_reach_moph_connect(crate::app::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_messages_are_local_errors() {
        super::bad_messages_are_local_errors(crate::app::Backend::Sqlite).await;
    }
}
