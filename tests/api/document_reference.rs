//! DocumentReference over clinical_notes: SOAP notes, retracted by delete.

use serde_json::{Value, json};

use crate::app::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_note_is_created_read_updated_and_retracted,
    references_and_codes_are_checked,
    notes_are_found_by_every_parameter,
);

const PROGRESS_NOTE: &str = "11506-3";
const OUTPATIENT_NOTE: &str = "34108-1";

/// The seeded notes (one outpatient note per visit) after seeding a small clinic.
async fn seeded_notes(app: &TestApp) -> Vec<Value> {
    app.seed_clinic(4).await;
    let (notes, total) = app.search("DocumentReference", &[]).await;
    assert!(total > 1, "seeded notes: {notes:?}");
    notes
}

/// A new note like `seeded`: the same visit, author and text.
fn copy_of(seeded: &Value) -> Value {
    let mut note = seeded.clone();
    for own in ["id", "meta"] {
        note.as_object_mut().unwrap().remove(own);
    }
    note
}

fn ids(resources: &[Value]) -> Vec<&str> {
    resources.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

async fn a_note_is_created_read_updated_and_retracted(app: &TestApp) {
    let notes = seeded_notes(app).await;
    let (status, created) = app.post_json("DocumentReference", &copy_of(&notes[0])).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let path = format!("DocumentReference/{id}");
    let mut expected = copy_of(&notes[0]);
    expected["id"] = created["id"].clone();
    expected["meta"] = created["meta"].clone();
    assert_eq!(created, expected, "the note is stored as sent");
    let (status, read) = app.get(&path).await;
    assert_eq!((status, &read), (200, &created));

    // Another note's text (with its size and hash), as a progress note, amended.
    let mut changed = created.clone();
    changed["content"] = notes[1]["content"].clone();
    changed["type"] = json!({"coding": [{"system": "http://loinc.org", "code": PROGRESS_NOTE}]});
    changed["docStatus"] = json!("amended");
    let (status, updated) = app.put_json(&path, &changed).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["meta"]["versionId"], "2");
    assert_eq!(updated["content"], notes[1]["content"]);
    assert_eq!(updated["type"]["coding"][0]["code"], PROGRESS_NOTE);
    assert_eq!((&updated["status"], &updated["docStatus"]), (&json!("current"), &json!("amended")));
    let (_, read) = app.get(&path).await;
    assert_eq!(read, updated);

    // Delete retracts the note: a new version that reads as gone and is found by no search.
    let response = app.client.delete(app.url(&path)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(app.get(&path).await.0, 410);
    let (found, _) = app.search("DocumentReference", &[("_id", id)]).await;
    assert!(found.is_empty());
    let (status, retracted) = app.get(&format!("{path}/_history/3")).await;
    assert_eq!(status, 410, "{retracted}");
    let (status, history) = app.get(&format!("{path}/_history")).await;
    assert_eq!(status, 200);
    assert_eq!(history["entry"][0]["request"]["method"], "DELETE");
    // The clinic row is kept, retracted (counted by an update that changes nothing).
    let retracted_rows = app
        .clinic_sql(format!(
            "UPDATE clinical_notes SET status = status WHERE id = {id} AND status = 'retracted'"
        ))
        .await;
    assert_eq!(retracted_rows, 1);

    // A later update brings the note back.
    let (status, restored) = app.put_json(&path, &updated).await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["meta"]["versionId"], "4");
    assert_eq!(restored["status"], "current");
    assert_eq!(app.get(&path).await.0, 200);
}

async fn references_and_codes_are_checked(app: &TestApp) {
    let notes = seeded_notes(app).await;
    let note = copy_of(&notes[0]);
    let other = notes.iter().find(|n| n["subject"] != note["subject"]).expect("notes of two patients");
    let with = |change: &dyn Fn(&mut Value)| {
        let mut changed = note.clone();
        change(&mut changed);
        changed
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown visit",
            with(&|n| n["context"]["encounter"][0] = json!({"reference": "Encounter/999999"})),
            "DocumentReference.context.encounter[0]",
        ),
        (
            "unknown author",
            with(&|n| n["author"][0] = json!({"reference": "Practitioner/999999"})),
            "DocumentReference.author[0]",
        ),
        (
            "another patient's visit",
            with(&|n| n["context"]["encounter"] = other["context"]["encounter"].clone()),
            "DocumentReference.subject",
        ),
        (
            "a subject that is not the visit's patient",
            with(&|n| n["subject"] = other["subject"].clone()),
            "DocumentReference.subject",
        ),
        (
            "a status not in its value set",
            with(&|n| n["status"] = json!("final")),
            "DocumentReference.status",
        ),
        (
            "a note type the clinic does not keep",
            with(&|n| n["type"] = json!({"coding": [{"system": "http://loinc.org", "code": "18842-5"}]})),
            "DocumentReference.type",
        ),
    ];
    for (case, note, path) in cases {
        let (status, outcome) = app.post_json("DocumentReference", &note).await;
        assert_eq!(status, 422, "{case}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], path, "{case}: {outcome}");
    }
    // Nothing was written by any of them.
    let (_, total) = app.search("DocumentReference", &[]).await;
    assert_eq!(total, notes.len() as u64);
}

async fn notes_are_found_by_every_parameter(app: &TestApp) {
    let notes = seeded_notes(app).await;
    let all = notes.len() as u64 + 1;
    let mut progress = copy_of(&notes[0]);
    progress["type"] = json!({"coding": [{"system": "http://loinc.org", "code": PROGRESS_NOTE}]});
    progress["date"] = json!("2031-02-01T09:00:00+07:00");
    progress["status"] = json!("entered-in-error");
    progress.as_object_mut().unwrap().remove("docStatus");
    let (status, created) = app.post_json("DocumentReference", &progress).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();

    // Reference parameters: every match names the value, and the new note is among them.
    for (name, element) in [
        ("patient", "/subject"),
        ("subject", "/subject"),
        ("encounter", "/context/encounter/0"),
        ("author", "/author/0"),
    ] {
        let value = created.pointer(element).unwrap();
        let reference = value["reference"].as_str().unwrap();
        let (found, _) = app.search("DocumentReference", &[(name, reference)]).await;
        assert!(ids(&found).contains(&id), "{name}={reference}");
        assert!(found.iter().all(|n| n.pointer(element) == Some(value)), "{name}={reference}");
    }

    let (found, _) =
        app.search("DocumentReference", &[("type", &format!("http://loinc.org|{PROGRESS_NOTE}"))]).await;
    assert_eq!(ids(&found), [id]);
    let (_, total) = app.search("DocumentReference", &[("type", OUTPATIENT_NOTE)]).await;
    assert_eq!(total, all - 1);

    let (found, _) = app.search("DocumentReference", &[("date", "2031-02-01")]).await;
    assert_eq!(ids(&found), [id]);
    let (_, total) = app.search("DocumentReference", &[("date", "lt2031-01-01")]).await;
    assert_eq!(total, all - 1);

    // A note retracted by the clinic (not deleted through FHIR) is found as entered-in-error.
    let (found, _) = app.search("DocumentReference", &[("status", "entered-in-error")]).await;
    assert_eq!(ids(&found), [id]);
    let (found, total) = app.search("DocumentReference", &[("status", "current")]).await;
    assert_eq!(total, all - 1);
    assert!(found.iter().all(|n| n["status"] == "current"));
}
