//! Schedules per doctor and branch, and their Slots: booking an appointment makes its slot
//! busy, cancelling it (a FHIR delete) frees the slot again.

use serde_json::{Value, json};

use crate::app::TestApp;
use crate::on_both_backends;

on_both_backends!(booking_and_cancelling_move_a_slot_between_busy_and_free);

async fn booking_and_cancelling_move_a_slot_between_busy_and_free(app: &TestApp) {
    app.seed_clinic(5).await;
    let (_, schedules) = app.get("Schedule?active=true&_count=1").await;
    let schedule = &schedules["entry"][0]["resource"];
    let schedule_id = schedule["id"].as_str().unwrap();
    let (doctor, location) = (&schedule["actor"][0], &schedule["actor"][1]);
    assert!(doctor["reference"].as_str().unwrap().starts_with("Practitioner/"));
    assert!(location["reference"].as_str().unwrap().starts_with("Location/"));

    let (status, free) = app.get(&format!("Slot?schedule=Schedule/{schedule_id}&status=free&_count=1")).await;
    assert_eq!(status, 200, "{free}");
    let slot = free["entry"][0]["resource"].clone();
    let slot_path = format!("Slot/{}", slot["id"].as_str().unwrap());
    assert_eq!(slot["schedule"]["reference"], format!("Schedule/{schedule_id}"));
    let minutes = (chrono::DateTime::parse_from_rfc3339(slot["end"].as_str().unwrap()).unwrap()
        - chrono::DateTime::parse_from_rfc3339(slot["start"].as_str().unwrap()).unwrap())
    .num_minutes();

    // An appointment of a seeded patient with that doctor, at that branch, in that slot.
    let (_, appointments) = app.get("Appointment?_count=1").await;
    let mut booking = appointments["entry"][0]["resource"].clone();
    for own in ["id", "meta", "identifier", "created"] {
        booking.as_object_mut().unwrap().remove(own);
    }
    booking["status"] = json!("booked");
    booking["start"] = slot["start"].clone();
    booking["end"] = slot["end"].clone();
    booking["minutesDuration"] = json!(minutes);
    let patient = booking["participant"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["actor"]["reference"].as_str().unwrap().starts_with("Patient/"))
        .unwrap()
        .clone();
    booking["participant"] = json!([
        patient,
        {"actor": doctor, "status": "accepted"},
        {"actor": location, "status": "accepted"},
    ]);
    let (status, booked) = app.post_json("Appointment", &booking).await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(slot_status(app, &slot_path).await, "busy");

    let appointment = format!("Appointment/{}", booked["id"].as_str().unwrap());
    assert_eq!(app.client.delete(app.url(&appointment)).send().await.unwrap().status(), 200);
    assert_eq!(slot_status(app, &slot_path).await, "free");

    let (status, _) = app.get(&format!("Schedule/{schedule_id}9")).await;
    assert_eq!(status, 404);
    let (status, outcome) = app.get("Slot?start=ge2026-01-01&start=lt2027-01-01").await;
    assert_eq!(status, 400, "a year of slots is refused: {outcome}");
}

async fn slot_status(app: &TestApp, path: &str) -> Value {
    let (status, slot) = app.get(path).await;
    assert_eq!(status, 200, "{slot}");
    slot["status"].clone()
}
