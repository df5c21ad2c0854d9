//! Appointment <-> `appointments`.
//!
//! | FHIR                                                  | clinic column                      |
//! |-------------------------------------------------------|------------------------------------|
//! | identifier (clinic queue-number system)               | queue_no                           |
//! | status + the patient participant's status             | status (see below)                 |
//! | appointmentType: clinic coding, plus v2-0276 where    | appt_type                          |
//! |   one fits (new ROUTINE, follow_up FOLLOWUP,          |                                    |
//! |   check_up CHECKUP)                                   |                                    |
//! | reasonCode[0].text                                    | reason                             |
//! | start / end (start + duration) / minutesDuration      | start_at, duration_min             |
//! | created                                               | created_at (set by the server)     |
//! | comment                                               | note                               |
//! | participant: Patient / Practitioner / Location actor  | patient_id, doctor_id, branch_id   |
//!
//! `scheduled` and `confirmed` are both `booked`; the patient participant tells them apart:
//! `needs-action` (not yet confirmed) or `accepted`. Every other participant status is
//! `accepted`. `created` is the server's record of creation: a write may restate it and it is
//! not changed.

use chrono::{Duration, NaiveDateTime};
use clinic_db::{AppointmentFields, AppointmentRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{
    array, clinic_code, coding_code, date_time, missing, read_reference, text, whole_number,
};
use crate::{MappingContext, meta, reference, round_trip::unstored_elements, systems};

/// The clinic status an appointment gets when FHIR deletes it.
pub const APPOINTMENT_CANCELLED: &str = "cancelled";

/// Clinic statuses and the Appointment.status each reads as.
pub const APPOINTMENT_STATUSES: [(&str, &str); 6] = [
    ("confirmed", "booked"),
    ("scheduled", "booked"),
    ("arrived", "arrived"),
    ("completed", "fulfilled"),
    ("cancelled", "cancelled"),
    ("no_show", "noshow"),
];
/// http://hl7.org/fhir/ValueSet/appointmentstatus (required binding).
const STATUS_VALUE_SET: [&str; 10] = [
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "checked-in",
    "waitlist",
];
/// The patient participant's status of a `scheduled` appointment: the patient has not confirmed.
const UNCONFIRMED: &str = "needs-action";
const ACCEPTED: &str = "accepted";

/// Clinic appointment types (the codes of `systems::CLINIC_APPOINTMENT_TYPE`) with an English
/// display and the v2-0276 code that fits, if any.
pub const APPOINTMENT_TYPES: [(&str, &str, Option<&str>); 6] = [
    ("new", "New patient", Some("ROUTINE")),
    ("follow_up", "Follow-up", Some("FOLLOWUP")),
    ("check_up", "Check-up", Some("CHECKUP")),
    ("procedure", "Procedure", None),
    ("telemedicine", "Telemedicine", None),
    ("vaccination", "Vaccination", None),
];

pub fn appointment_to_fhir(row: &AppointmentRow, ctx: &MappingContext) -> Value {
    let a = &row.fields;
    let mut appointment = Map::new();
    appointment.insert("resourceType".into(), json!("Appointment"));
    appointment.insert("id".into(), json!(row.id.to_string()));
    appointment.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    if let Some(queue_no) = &a.queue_no {
        appointment.insert(
            "identifier".into(),
            json!([{"system": systems::CLINIC_QUEUE_NUMBER, "value": queue_no}]),
        );
    }
    let status = APPOINTMENT_STATUSES
        .iter()
        .find(|(clinic, _)| *clinic == a.status)
        .map_or("booked", |(_, fhir)| fhir);
    appointment.insert("status".into(), json!(status));
    appointment.insert("appointmentType".into(), appointment_type(&a.appt_type));
    if let Some(reason) = &a.reason {
        appointment.insert("reasonCode".into(), json!([{"text": reason}]));
    }
    appointment.insert("start".into(), json!(ctx.instant(a.start_at)));
    let end = a.start_at + Duration::minutes(i64::from(a.duration_min));
    appointment.insert("end".into(), json!(ctx.instant(end)));
    appointment.insert("minutesDuration".into(), json!(a.duration_min));
    appointment.insert("created".into(), json!(ctx.instant(row.created_at)));
    if let Some(note) = &a.note {
        appointment.insert("comment".into(), json!(note));
    }
    let patient_status = if a.status == "scheduled" { UNCONFIRMED } else { ACCEPTED };
    let mut participants =
        vec![json!({"actor": reference("Patient", a.patient_id), "status": patient_status})];
    if let Some(doctor) = a.doctor_id {
        participants.push(json!({"actor": reference("Practitioner", doctor), "status": ACCEPTED}));
    }
    participants.push(json!({"actor": reference("Location", a.branch_id), "status": ACCEPTED}));
    appointment.insert("participant".into(), Value::Array(participants));
    Value::Object(appointment)
}

fn appointment_type(appt_type: &str) -> Value {
    let mut coding = Vec::new();
    let known = APPOINTMENT_TYPES.iter().find(|(code, _, _)| *code == appt_type);
    if let Some((_, _, Some(v2))) = known {
        coding.push(json!({"system": systems::APPOINTMENT_REASON_V2, "code": v2}));
    }
    let mut clinic = json!({"system": systems::CLINIC_APPOINTMENT_TYPE, "code": appt_type});
    if let Some((_, display, _)) = known {
        clinic["display"] = json!(display);
    }
    coding.push(clinic);
    json!({ "coding": coding })
}

/// The appointments columns for an Appointment a client sent, or every problem that stops it
/// being stored exactly as sent.
pub fn appointment_from_fhir(
    resource: &Value,
    ctx: &MappingContext,
) -> Result<AppointmentFields, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut a = AppointmentFields::default();
    for (index, identifier) in array(resource, "identifier").iter().enumerate() {
        if identifier["system"] == systems::CLINIC_QUEUE_NUMBER && a.queue_no.is_none() {
            a.queue_no = text(&identifier["value"]);
        } else {
            issues.push(
                Issue::error(
                    IssueType::NotSupported,
                    format!(
                        "the only identifier kept is one queue number ({})",
                        systems::CLINIC_QUEUE_NUMBER
                    ),
                )
                .at(format!("Appointment.identifier[{index}].system")),
            );
        }
    }
    a.status = clinic_code(
        &resource["status"],
        &APPOINTMENT_STATUSES,
        &STATUS_VALUE_SET,
        "Appointment.status",
        &mut issues,
    )
    .unwrap_or_default()
    .into();
    a.appt_type = read_type(&resource["appointmentType"], &mut issues).unwrap_or_default();
    a.reason = text(&resource["reasonCode"][0]["text"]);
    a.note = text(&resource["comment"]);
    match date_time(&resource["start"], "Appointment.start", ctx, &mut issues) {
        Some(start) => {
            a.start_at = start;
            a.duration_min = read_duration(resource, start, ctx, &mut issues).unwrap_or_default();
        }
        None if resource["start"].is_null() => {
            issues.push(missing("Appointment.start", "the clinic books a time"))
        }
        None => {}
    }
    let created = date_time(&resource["created"], "Appointment.created", ctx, &mut issues);
    read_participants(resource, &mut a, &mut issues);

    if issues.is_empty() {
        let stored = AppointmentRow {
            id: 0,
            fields: a.clone(),
            created_at: created.unwrap_or_default(),
            updated_at: Default::default(),
            version: 1,
        };
        issues = unstored_elements(resource, &appointment_to_fhir(&stored, ctx), "Appointment");
    }
    if issues.is_empty() { Ok(a) } else { Err(issues) }
}

fn read_type(concept: &Value, issues: &mut Vec<Issue>) -> Option<String> {
    const PATH: &str = "Appointment.appointmentType";
    if concept.is_null() {
        issues.push(missing(PATH, "the clinic records the kind of appointment"));
        return None;
    }
    let by_clinic_code = coding_code(concept, systems::CLINIC_APPOINTMENT_TYPE)
        .map(|code| (code, APPOINTMENT_TYPES.iter().find(|(clinic, _, _)| *clinic == code)));
    let found = match by_clinic_code {
        Some((_, Some((clinic, _, _)))) => Some(clinic),
        Some((code, None)) => {
            issues.push(
                Issue::error(IssueType::CodeInvalid, format!("unknown clinic appointment type '{code}'"))
                    .at(format!("{PATH}.coding")),
            );
            return None;
        }
        None => coding_code(concept, systems::APPOINTMENT_REASON_V2).and_then(|v2| {
            APPOINTMENT_TYPES.iter().find(|(_, _, fits)| *fits == Some(v2)).map(|(clinic, _, _)| clinic)
        }),
    };
    if found.is_none() {
        issues.push(
            Issue::error(
                IssueType::NotSupported,
                format!(
                    "the type needs a coding from {} or one of ROUTINE, FOLLOWUP, CHECKUP from {}",
                    systems::CLINIC_APPOINTMENT_TYPE,
                    systems::APPOINTMENT_REASON_V2
                ),
            )
            .at(PATH),
        );
    }
    found.map(|code| (*code).to_owned())
}

/// Minutes from `start` to `end`, or `minutesDuration`; both must agree when both are given.
fn read_duration(
    resource: &Value,
    start: NaiveDateTime,
    ctx: &MappingContext,
    issues: &mut Vec<Issue>,
) -> Option<i32> {
    let minutes = whole_number(&resource["minutesDuration"], "Appointment.minutesDuration", issues);
    if minutes.is_some_and(|m| m <= 0) {
        issues.push(
            Issue::error(IssueType::Value, "minutesDuration must be positive")
                .at("Appointment.minutesDuration"),
        );
        return None;
    }
    let Some(end) = date_time(&resource["end"], "Appointment.end", ctx, issues) else {
        if resource["end"].is_null() && minutes.is_none() {
            issues.push(missing("Appointment.end", "the clinic books a length (end or minutesDuration)"));
        }
        return minutes;
    };
    let length = end - start;
    let whole_minutes = i32::try_from(length.num_minutes()).ok().filter(|m| *m > 0);
    let Some(span) = whole_minutes.filter(|m| Duration::minutes(i64::from(*m)) == length) else {
        issues.push(
            Issue::error(IssueType::Value, "end must be a whole number of minutes after start")
                .at("Appointment.end"),
        );
        return None;
    };
    if minutes.is_some_and(|m| m != span) {
        issues.push(
            Issue::error(
                IssueType::Value,
                format!("minutesDuration must equal end - start ({span} minutes)"),
            )
            .at("Appointment.minutesDuration"),
        );
        return None;
    }
    Some(span)
}

fn read_participants(resource: &Value, a: &mut AppointmentFields, issues: &mut Vec<Issue>) {
    let issues_before = issues.len();
    let (mut patient, mut doctor, mut branch) = (None, None, None);
    for (index, participant) in array(resource, "participant").iter().enumerate() {
        let path = format!("Appointment.participant[{index}]");
        let actor = &participant["actor"];
        let kind = actor["reference"].as_str().and_then(|r| r.split_once('/')).map(|(kind, _)| kind);
        let (slot, actor_type) = match kind {
            Some("Patient") => (&mut patient, "Patient"),
            Some("Practitioner") => (&mut doctor, "Practitioner"),
            Some("Location") => (&mut branch, "Location"),
            _ => {
                issues.push(
                    Issue::error(
                        IssueType::NotSupported,
                        "participants are one Patient, Practitioner and Location",
                    )
                    .at(format!("{path}.actor")),
                );
                continue;
            }
        };
        if slot.is_some() {
            issues.push(
                Issue::error(IssueType::NotSupported, "the clinic keeps one participant of each kind")
                    .at(path),
            );
            continue;
        }
        *slot = read_reference(actor, actor_type, &format!("{path}.actor"), issues);
    }
    match (patient, branch) {
        (Some(patient), Some(branch)) => {
            a.patient_id = patient;
            a.branch_id = branch;
        }
        _ if issues.len() > issues_before => {}
        _ => issues.push(missing("Appointment.participant", "a Patient and a Location participant")),
    }
    a.doctor_id = doctor;
    // `scheduled` is `booked` with a patient who has not yet accepted.
    let patient_status = array(resource, "participant")
        .iter()
        .find(|p| p["actor"]["reference"].as_str().is_some_and(|r| r.starts_with("Patient/")))
        .and_then(|p| p["status"].as_str());
    if a.status == "confirmed" && patient_status == Some(UNCONFIRMED) {
        a.status = "scheduled".into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, ctx};

    fn row() -> AppointmentRow {
        AppointmentRow {
            id: 12,
            fields: AppointmentFields {
                patient_id: 42,
                doctor_id: Some(7),
                branch_id: 1,
                start_at: at("2026-04-01 09:30"),
                duration_min: 15,
                appt_type: "follow_up".into(),
                status: "scheduled".into(),
                reason: Some("ติดตามความดัน".into()),
                note: Some("งดน้ำงดอาหาร".into()),
                queue_no: Some("A012".into()),
            },
            created_at: at("2026-03-20 14:00"),
            updated_at: at("2026-03-21 08:00"),
            version: 3,
        }
    }

    fn paths(issues: &[Issue]) -> Vec<String> {
        issues.iter().flat_map(|i| i.expression.clone()).collect()
    }

    #[test]
    fn an_appointment_reads_with_times_type_and_participants() {
        let appointment = appointment_to_fhir(&row(), &ctx());
        assert_eq!(appointment["identifier"][0]["value"], "A012");
        assert_eq!(appointment["status"], "booked");
        assert_eq!(appointment["appointmentType"]["coding"][0]["code"], "FOLLOWUP");
        assert_eq!(appointment["appointmentType"]["coding"][1]["code"], "follow_up");
        assert_eq!(appointment["reasonCode"][0]["text"], "ติดตามความดัน");
        assert_eq!(appointment["start"], "2026-04-01T09:30:00+07:00");
        assert_eq!(appointment["end"], "2026-04-01T09:45:00+07:00");
        assert_eq!(appointment["minutesDuration"], 15);
        assert_eq!(appointment["created"], "2026-03-20T14:00:00+07:00");
        assert_eq!(appointment["comment"], "งดน้ำงดอาหาร");
        let participants = &appointment["participant"];
        assert_eq!(participants[0], json!({"actor": {"reference": "Patient/42"}, "status": "needs-action"}));
        assert_eq!(participants[1]["actor"]["reference"], "Practitioner/7");
        assert_eq!(participants[2]["actor"]["reference"], "Location/1");
        let order: Vec<_> = appointment.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            order,
            [
                "resourceType",
                "id",
                "meta",
                "identifier",
                "status",
                "appointmentType",
                "reasonCode",
                "start",
                "end",
                "minutesDuration",
                "created",
                "comment",
                "participant"
            ]
        );
    }

    #[test]
    fn every_status_round_trips() {
        for (status, _) in APPOINTMENT_STATUSES {
            let mut row = row();
            row.fields.status = status.into();
            let fields = appointment_from_fhir(&appointment_to_fhir(&row, &ctx()), &ctx()).unwrap();
            assert_eq!(fields, row.fields);
        }
    }

    #[test]
    fn a_v2_type_and_minutes_alone_are_enough() {
        let appointment = json!({
            "resourceType": "Appointment",
            "status": "arrived",
            "appointmentType": {"coding": [{"system": systems::APPOINTMENT_REASON_V2, "code": "CHECKUP"}]},
            "start": "2026-04-01T02:30:00Z",
            "minutesDuration": 30,
            "participant": [
                {"actor": {"reference": "Location/2"}, "status": "accepted"},
                {"actor": {"reference": "Patient/42"}, "status": "accepted"}
            ]
        });
        let fields = appointment_from_fhir(&appointment, &ctx()).unwrap();
        assert_eq!(fields.appt_type, "check_up");
        assert_eq!(fields.start_at, at("2026-04-01 09:30"));
        assert_eq!(fields.duration_min, 30);
        assert_eq!((fields.patient_id, fields.branch_id, fields.doctor_id), (42, 2, None));
    }

    #[test]
    fn what_the_clinic_cannot_keep_is_refused_by_path() {
        let mut appointment = appointment_to_fhir(&row(), &ctx());
        appointment["priority"] = json!(5);
        appointment["participant"][1]["actor"] = json!({"reference": "RelatedPerson/3"});
        appointment["identifier"][0]["system"] = json!("urn:other");
        let issues = appointment_from_fhir(&appointment, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Appointment.identifier[0].system", "Appointment.participant[1].actor"]);

        appointment["participant"][1]["actor"] = json!({"reference": "Practitioner/7"});
        appointment["identifier"][0]["system"] = json!(systems::CLINIC_QUEUE_NUMBER);
        appointment["participant"][2]["status"] = json!("tentative");
        let issues = appointment_from_fhir(&appointment, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Appointment.participant[2].status", "Appointment.priority"]);
    }

    #[test]
    fn bad_codes_times_and_missing_participants_are_named() {
        let mut appointment = appointment_to_fhir(&row(), &ctx());
        appointment["status"] = json!("reserved");
        appointment["end"] = json!("2026-04-01T09:45:30+07:00");
        appointment["participant"] = json!([{"actor": {"reference": "Patient/42"}, "status": "accepted"}]);
        let issues = appointment_from_fhir(&appointment, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Appointment.status", "Appointment.end", "Appointment.participant"]);
        assert_eq!(issues[0].code, IssueType::CodeInvalid);

        let mut appointment = appointment_to_fhir(&row(), &ctx());
        appointment["minutesDuration"] = json!(20);
        appointment["status"] = json!("waitlist");
        let issues = appointment_from_fhir(&appointment, &ctx()).unwrap_err();
        assert_eq!(paths(&issues), ["Appointment.status", "Appointment.minutesDuration"]);
        assert_eq!(issues[0].code, IssueType::NotSupported);
    }
}
