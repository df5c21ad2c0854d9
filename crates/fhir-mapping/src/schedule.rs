//! Schedule <- `doctor_schedules` (one weekly consulting block of a doctor at a branch) and
//! Slot <- the blocks cut into `slot_minutes` pieces on each date they apply to, busy when a
//! live appointment of that doctor at that branch starts within the slot. Read-only.
//!
//! | FHIR Schedule               | clinic column                                      |
//! |-----------------------------|----------------------------------------------------|
//! | active                      | active                                             |
//! | actor                       | Practitioner/doctor_id, Location/branch_id         |
//! | planningHorizon             | valid_from .. valid_to (dates)                     |
//! | comment                     | weekday, start_time-end_time, slot_minutes (text)  |
//!
//! Slot ids are `{schedule id}-{YYYYMMDDHHMM}` of the slot's start in clinic time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use clinic_db::DoctorScheduleRow;
use serde_json::{Map, Value, json};

use crate::{MappingContext, meta, reference};

const WEEKDAYS: [&str; 7] =
    ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];

pub fn schedule_to_fhir(row: &DoctorScheduleRow, ctx: &MappingContext) -> Value {
    let mut schedule = Map::new();
    schedule.insert("resourceType".into(), json!("Schedule"));
    schedule.insert("id".into(), json!(row.id.to_string()));
    schedule.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    schedule.insert("active".into(), json!(row.active));
    schedule.insert(
        "actor".into(),
        json!([reference("Practitioner", row.doctor_id), reference("Location", row.branch_id)]),
    );
    let mut horizon = Map::new();
    horizon.insert("start".into(), json!(row.valid_from.to_string()));
    if let Some(valid_to) = row.valid_to {
        horizon.insert("end".into(), json!(valid_to.to_string()));
    }
    schedule.insert("planningHorizon".into(), Value::Object(horizon));
    let weekday = usize::try_from(row.weekday - 1).ok().and_then(|i| WEEKDAYS.get(i)).unwrap_or(&"?");
    schedule.insert(
        "comment".into(),
        json!(format!(
            "{weekday} {}-{}, {}-minute slots",
            row.start_time.format("%H:%M"),
            row.end_time.format("%H:%M"),
            row.slot_minutes
        )),
    );
    Value::Object(schedule)
}

/// The starts of the schedule's slots on the dates in `[from, to)`, in order.
pub fn slot_starts(row: &DoctorScheduleRow, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDateTime> {
    let first = from.max(row.valid_from);
    let last = row.valid_to.map_or(to, |valid_to| to.min(valid_to + Duration::days(1)));
    let step = Duration::minutes(i64::from(row.slot_minutes.max(1)));
    let mut starts = Vec::new();
    let mut date = first;
    while date < last {
        if i64::from(date.weekday().number_from_monday()) == i64::from(row.weekday) {
            let mut start = date.and_time(row.start_time);
            while start + step <= date.and_time(row.end_time) {
                starts.push(start);
                start += step;
            }
        }
        date += Duration::days(1);
    }
    starts
}

pub fn slot_id(schedule_id: i64, start: NaiveDateTime) -> String {
    format!("{schedule_id}-{}", start.format("%Y%m%d%H%M"))
}

/// The schedule row key and start a slot id names.
pub fn parse_slot_id(id: &str) -> Option<(i64, NaiveDateTime)> {
    let (schedule, start) = id.split_once('-')?;
    Some((schedule.parse().ok()?, NaiveDateTime::parse_from_str(start, "%Y%m%d%H%M").ok()?))
}

/// One slot of the schedule; `busy` when an appointment takes it.
pub fn slot_to_fhir(
    row: &DoctorScheduleRow,
    start: NaiveDateTime,
    busy: bool,
    ctx: &MappingContext,
) -> Value {
    let end = start + Duration::minutes(i64::from(row.slot_minutes));
    json!({
        "resourceType": "Slot",
        "id": slot_id(row.id, start),
        "meta": meta(row.version, row.updated_at, ctx),
        "schedule": reference("Schedule", row.id),
        "status": if busy { "busy" } else { "free" },
        "start": ctx.instant(start),
        "end": ctx.instant(end),
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveTime;

    use super::*;

    fn monday_mornings() -> DoctorScheduleRow {
        DoctorScheduleRow {
            id: 12,
            doctor_id: 3,
            branch_id: 1,
            weekday: 1,
            start_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            slot_minutes: 20,
            valid_from: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            valid_to: Some(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()),
            active: true,
            updated_at: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap(),
            version: 2,
        }
    }

    #[test]
    fn slots_fall_on_the_weekday_within_validity() {
        let row = monday_mornings();
        let starts = slot_starts(
            &row,
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
        );
        // Mondays 23 and 30 November (valid to the 30th), three 20-minute slots each.
        let shown: Vec<String> = starts.iter().map(|s| s.format("%d %H:%M").to_string()).collect();
        assert_eq!(shown, ["23 09:00", "23 09:20", "23 09:40", "30 09:00", "30 09:20", "30 09:40"]);
    }

    #[test]
    fn slot_ids_round_trip_and_slots_carry_times_with_the_offset() {
        let ctx = MappingContext::thailand("urn:hn");
        let row = monday_mornings();
        let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(9, 20, 0).unwrap();
        let slot = slot_to_fhir(&row, start, true, &ctx);
        assert_eq!(slot["id"], "12-202611230920");
        assert_eq!(parse_slot_id("12-202611230920"), Some((12, start)));
        assert_eq!(slot["status"], "busy");
        assert_eq!(slot["end"], "2026-11-23T09:40:00+07:00");
        let schedule = schedule_to_fhir(&row, &ctx);
        assert_eq!(schedule["comment"], "Mondays 09:00-10:00, 20-minute slots");
        assert_eq!(schedule["actor"][1]["reference"], "Location/1");
        assert_eq!(parse_slot_id("12-2026"), None);
    }
}
