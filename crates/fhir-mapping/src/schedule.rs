//! Schedule <- a doctor's weekly consulting blocks (`doctor_schedules` rows) at one branch, and
//! Slot <- those blocks cut into `slot_minutes` pieces on each date they apply to, busy when a
//! live appointment of that doctor at that branch starts within the slot. Read-only.
//!
//! | FHIR Schedule (id `{doctor}-{branch}`) | clinic columns of the doctor's blocks at the branch   |
//! |----------------------------------------|-------------------------------------------------------|
//! | active                                 | any block active                                      |
//! | actor                                  | Practitioner/doctor_id, Location/branch_id            |
//! | planningHorizon                        | earliest valid_from .. latest valid_to (open if any)  |
//! | comment                                | each block's weekday, hours and slot length           |
//! | meta.versionId / lastUpdated           | sum of the blocks' versions / latest updated_at       |
//!
//! Slot ids are `{doctor}-{branch}-{YYYYMMDDHHMM}` of the slot's start in clinic time.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use clinic_db::DoctorScheduleRow;
use serde_json::{Map, Value, json};

use crate::{MappingContext, meta, reference};

const WEEKDAYS: [&str; 7] =
    ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];

/// Which Schedule a block belongs to: its doctor at its branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ScheduleKey {
    pub doctor_id: i64,
    pub branch_id: i64,
}

impl ScheduleKey {
    pub fn of(block: &DoctorScheduleRow) -> ScheduleKey {
        ScheduleKey { doctor_id: block.doctor_id, branch_id: block.branch_id }
    }

    pub fn id(self) -> String {
        format!("{}-{}", self.doctor_id, self.branch_id)
    }

    /// The key a Schedule id names (only the form `id` writes).
    pub fn parse(id: &str) -> Option<ScheduleKey> {
        let (doctor, branch) = id.split_once('-')?;
        let key = ScheduleKey { doctor_id: doctor.parse().ok()?, branch_id: branch.parse().ok()? };
        (key.id() == id).then_some(key)
    }
}

/// The Schedule of `blocks`, all of one [`ScheduleKey`]; `None` when there are none.
pub fn schedule_to_fhir(blocks: &[DoctorScheduleRow], ctx: &MappingContext) -> Option<Value> {
    let first = blocks.first()?;
    let key = ScheduleKey::of(first);
    let version = blocks.iter().map(|b| b.version).sum();
    let updated_at = blocks.iter().map(|b| b.updated_at).max()?;
    let mut schedule = Map::new();
    schedule.insert("resourceType".into(), json!("Schedule"));
    schedule.insert("id".into(), json!(key.id()));
    schedule.insert("meta".into(), meta(version, updated_at, ctx));
    schedule.insert("active".into(), json!(blocks.iter().any(|b| b.active)));
    schedule.insert(
        "actor".into(),
        json!([reference("Practitioner", key.doctor_id), reference("Location", key.branch_id)]),
    );
    let mut horizon = Map::new();
    horizon.insert("start".into(), json!(blocks.iter().map(|b| b.valid_from).min()?.to_string()));
    let ends: Option<Vec<NaiveDate>> = blocks.iter().map(|b| b.valid_to).collect();
    if let Some(end) = ends.and_then(|ends| ends.into_iter().max()) {
        horizon.insert("end".into(), json!(end.to_string()));
    }
    schedule.insert("planningHorizon".into(), Value::Object(horizon));
    let mut ordered: Vec<&DoctorScheduleRow> = blocks.iter().collect();
    ordered.sort_by_key(|b| (b.weekday, b.start_time));
    let comment: Vec<String> = ordered
        .iter()
        .map(|b| {
            let weekday = usize::try_from(b.weekday - 1).ok().and_then(|i| WEEKDAYS.get(i)).unwrap_or(&"?");
            format!(
                "{weekday} {}-{}, {}-minute slots",
                b.start_time.format("%H:%M"),
                b.end_time.format("%H:%M"),
                b.slot_minutes
            )
        })
        .collect();
    schedule.insert("comment".into(), json!(comment.join("; ")));
    Some(Value::Object(schedule))
}

/// The starts of a block's slots on the dates in `[from, to)`, in order.
pub fn slot_starts(block: &DoctorScheduleRow, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDateTime> {
    let first = from.max(block.valid_from);
    let last = block.valid_to.map_or(to, |valid_to| to.min(valid_to + Duration::days(1)));
    let step = Duration::minutes(i64::from(block.slot_minutes.max(1)));
    let mut starts = Vec::new();
    let mut date = first;
    while date < last {
        if i64::from(date.weekday().number_from_monday()) == i64::from(block.weekday) {
            let mut start = date.and_time(block.start_time);
            while start + step <= date.and_time(block.end_time) {
                starts.push(start);
                start += step;
            }
        }
        date += Duration::days(1);
    }
    starts
}

pub fn slot_id(key: ScheduleKey, start: NaiveDateTime) -> String {
    format!("{}-{}", key.id(), start.format("%Y%m%d%H%M"))
}

/// The Schedule and start a slot id names.
pub fn parse_slot_id(id: &str) -> Option<(ScheduleKey, NaiveDateTime)> {
    let (schedule, start) = id.rsplit_once('-')?;
    Some((ScheduleKey::parse(schedule)?, NaiveDateTime::parse_from_str(start, "%Y%m%d%H%M").ok()?))
}

/// One slot of `block`; `busy` when an appointment takes it.
pub fn slot_to_fhir(
    block: &DoctorScheduleRow,
    start: NaiveDateTime,
    busy: bool,
    ctx: &MappingContext,
) -> Value {
    let key = ScheduleKey::of(block);
    let end = start + Duration::minutes(i64::from(block.slot_minutes));
    json!({
        "resourceType": "Slot",
        "id": slot_id(key, start),
        "meta": meta(block.version, block.updated_at, ctx),
        "schedule": {"reference": format!("Schedule/{}", key.id())},
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
        let key = ScheduleKey { doctor_id: 3, branch_id: 1 };
        assert_eq!(slot["id"], "3-1-202611230920");
        assert_eq!(parse_slot_id("3-1-202611230920"), Some((key, start)));
        assert_eq!(slot["schedule"]["reference"], "Schedule/3-1");
        assert_eq!(slot["status"], "busy");
        assert_eq!(slot["end"], "2026-11-23T09:40:00+07:00");
        assert_eq!(parse_slot_id("3-1-2026"), None);
        assert_eq!(ScheduleKey::parse("03-1"), None);

        let thursdays = DoctorScheduleRow { id: 13, weekday: 4, valid_to: None, version: 3, ..row.clone() };
        let schedule = schedule_to_fhir(&[thursdays, row], &ctx).unwrap();
        assert_eq!(schedule["id"], "3-1");
        assert_eq!(schedule["meta"]["versionId"], "5");
        assert_eq!(
            schedule["comment"],
            "Mondays 09:00-10:00, 20-minute slots; Thursdays 09:00-10:00, 20-minute slots"
        );
        assert_eq!(schedule["actor"][1]["reference"], "Location/1");
        assert!(schedule["planningHorizon"].get("end").is_none(), "one block has no end");
    }
}
