//! Schedule (doctor_schedules rows) and Slot (those weekly blocks cut into slots on the dates
//! they apply to, busy when a live appointment starts in them). Read-only: availability
//! changes by booking an Appointment.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use clinic_db::{DbConnection, DoctorScheduleRow};
use diesel::QueryableByName;
use diesel::sql_types::Timestamp;
use fhir_mapping::{MappingContext, parse_slot_id, schedule_to_fhir, slot_starts, slot_to_fhir};
use fhir_search::{DatePrefix, DateValue, SearchRequest, SearchValue};
use serde_json::Value;

use crate::kind::{ResourceKind, RowSource};
use crate::row_search::{self, HasRowKey, Rows, unsupported};
use crate::sql::{Bind, Sql};
use crate::{SearchPage, StoreError, local_now, predicate};

const SCHEDULES: Rows =
    Rows { resource_type: "Schedule", columns: "s.*", from: "doctor_schedules s", alias: "s", id_prefix: "" };

/// How far ahead a Slot search looks without a `start` bound, and the most it will look at.
const DEFAULT_DAYS: i64 = 14;
const MAX_DAYS: i64 = 93;

impl HasRowKey for DoctorScheduleRow {
    fn row_key(&self) -> i64 {
        self.id
    }
}

pub struct ScheduleKind;

impl ResourceKind for ScheduleKind {
    fn resource_type(&self) -> &'static str {
        "Schedule"
    }

    fn sources(&self) -> &'static [RowSource] {
        const SOURCES: &[RowSource] = &[RowSource::rows_of("doctor_schedules")];
        SOURCES
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        Ok(schedule_to_fhir(&row_search::found(conn, &SCHEDULES, id)?, ctx))
    }

    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        let page = row_search::search::<DoctorScheduleRow>(
            conn,
            &SCHEDULES,
            request,
            ctx,
            |sql, name, _, value| {
                match (name, value) {
                    ("actor", SearchValue::Reference { resource_type: Some(t), .. }) if t == "Location" => {
                        predicate::reference(sql, "s.branch_id", "Location", value)
                    }
                    ("actor", value) => predicate::reference(sql, "s.doctor_id", "Practitioner", value),
                    ("active", SearchValue::Token(token)) => predicate::boolean(sql, "s.active", token),
                    _ => return Err(unsupported("Schedule", name)),
                }
                Ok(())
            },
        )?;
        Ok(page.into_resources(|row| schedule_to_fhir(row, ctx)))
    }
}

pub struct SlotKind;

impl ResourceKind for SlotKind {
    fn resource_type(&self) -> &'static str {
        "Slot"
    }

    /// Slots are computed, not stored: they have no history of their own.
    fn sources(&self) -> &'static [RowSource] {
        &[]
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let not_found = || StoreError::NotFound { resource_type: "Slot".into(), id: id.to_owned() };
        let (schedule_id, start) = parse_slot_id(id).ok_or_else(not_found)?;
        let schedule: DoctorScheduleRow =
            row_search::find(conn, &SCHEDULES, schedule_id)?.ok_or_else(not_found)?;
        // Only the starts the schedule really produces are slots.
        if !slot_starts(&schedule, start.date(), start.date() + Duration::days(1)).contains(&start) {
            return Err(not_found());
        }
        let busy = booked_starts(conn, &schedule, start.date(), start.date() + Duration::days(1))?;
        Ok(slot_to_fhir(&schedule, start, is_busy(&schedule, start, &busy), ctx))
    }

    /// Slots of the active schedules in the `start` window (default: the next 14 days), in start
    /// order; the cursor is the offset into that list.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        if request.params.iter().any(|p| matches!(p.def.name, "start" | "_lastUpdated") && p.values.len() > 1)
        {
            return Err(StoreError::InvalidSearch(
                "on Slot, repeat start/_lastUpdated instead of listing alternatives".into(),
            ));
        }
        let starts = date_values(request, "start");
        let (from, to) = window(&starts, ctx)?;
        let last_updated = date_values(request, "_lastUpdated");

        let mut schedules = Sql::new(conn.backend());
        schedules.push("SELECT s.* FROM doctor_schedules s WHERE s.active = ").bind(Bind::Bool(true));
        let mut wanted_statuses: Option<Vec<String>> = None;
        for param in &request.params {
            match param.def.name {
                "start" | "_lastUpdated" => {}
                "schedule" => {
                    schedules.push(" AND ");
                    predicate::any_of(&mut schedules, &param.values, |sql, value| {
                        predicate::reference(sql, "s.id", "Schedule", value);
                        Ok(())
                    })?;
                }
                "status" => {
                    let codes = param.values.iter().filter_map(|v| match v {
                        SearchValue::Token(token) => token.code.clone(),
                        _ => None,
                    });
                    wanted_statuses = Some(codes.collect());
                }
                "_id" => {
                    let ids: Vec<(i64, NaiveDateTime)> = param
                        .values
                        .iter()
                        .filter_map(|v| match v {
                            SearchValue::Token(token) => token.code.as_deref().and_then(parse_slot_id),
                            _ => None,
                        })
                        .collect();
                    schedules.push(" AND (1 = 0");
                    for (schedule_id, _) in &ids {
                        schedules.push(" OR s.id = ").bind(Bind::BigInt(*schedule_id));
                    }
                    schedules.push(")");
                }
                name => return Err(unsupported("Slot", name)),
            }
        }
        schedules.push(" ORDER BY s.id");
        let schedules = schedules.load::<DoctorScheduleRow>(conn)?;

        let mut slots: Vec<(NaiveDateTime, i64, Value)> = Vec::new();
        for schedule in &schedules {
            let busy = booked_starts(conn, schedule, from, to)?;
            for start in slot_starts(schedule, from, to) {
                let slot = slot_to_fhir(schedule, start, is_busy(schedule, start, &busy), ctx);
                let wanted =
                    wanted_statuses.as_ref().is_none_or(|codes| codes.iter().any(|c| slot["status"] == **c))
                        && starts.iter().all(|date| matches_date(date, start, ctx))
                        && last_updated.iter().all(|date| matches_date(date, schedule.updated_at, ctx))
                        && id_wanted(request, &slot);
                if wanted {
                    slots.push((start, schedule.id, slot));
                }
            }
        }
        slots.sort_by_key(|(start, schedule_id, _)| (*start, *schedule_id));
        let offset = match &request.cursor {
            Some(cursor) => cursor
                .parse::<usize>()
                .map_err(|_| StoreError::InvalidSearch("the paging cursor is not valid".into()))?,
            None => 0,
        };
        let total = slots.len();
        let end = (offset + request.count as usize).min(total);
        let resources: Vec<Value> = slots
            .into_iter()
            .skip(offset)
            .take(end.saturating_sub(offset))
            .map(|(_, _, slot)| slot)
            .collect();
        Ok(SearchPage { resources, total: total as u64, next_cursor: (end < total).then(|| end.to_string()) })
    }
}

/// The values of date parameter `name`; all must hold.
fn date_values<'r>(request: &'r SearchRequest, name: &str) -> Vec<&'r DateValue> {
    request
        .params
        .iter()
        .filter(|p| p.def.name == name)
        .flat_map(|p| p.values.iter())
        .filter_map(|v| match v {
            SearchValue::Date(date) => Some(date),
            _ => None,
        })
        .collect()
}

fn id_wanted(request: &SearchRequest, slot: &Value) -> bool {
    request.params.iter().filter(|p| p.def.name == "_id").all(|p| {
        p.values
            .iter()
            .any(|v| matches!(v, SearchValue::Token(token) if token.code.as_deref() == slot["id"].as_str()))
    })
}

/// The dates `[from, to)` the `start` criteria allow, bounded to [`MAX_DAYS`].
fn window(starts: &[&DateValue], ctx: &MappingContext) -> Result<(NaiveDate, NaiveDate), StoreError> {
    let mut from: Option<NaiveDateTime> = None;
    let mut to: Option<NaiveDateTime> = None;
    for date in starts {
        let (start, end) = predicate::local_range(date, ctx);
        let (lower, upper) = match date.prefix {
            DatePrefix::Eq => (Some(start), Some(end)),
            DatePrefix::Ge => (Some(start), None),
            DatePrefix::Gt | DatePrefix::Sa => (Some(end), None),
            DatePrefix::Lt | DatePrefix::Eb => (None, Some(start)),
            DatePrefix::Le => (None, Some(end)),
            DatePrefix::Ne | DatePrefix::Ap => {
                return Err(StoreError::InvalidSearch("Slot start supports eq, ge, gt, le and lt".into()));
            }
        };
        from = from.max(lower);
        to = match (to, upper) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let from = from.map_or_else(|| local_now(ctx).date(), |t| t.date());
    let to = to.map_or(from + Duration::days(DEFAULT_DAYS), |t| t.date() + Duration::days(1));
    if to - from > Duration::days(MAX_DAYS) {
        return Err(StoreError::InvalidSearch(format!(
            "Slot searches cover at most {MAX_DAYS} days: narrow the start range"
        )));
    }
    Ok((from, to))
}

/// Whether a clinic-time instant satisfies a date criterion (as `predicate::date` does in SQL).
fn matches_date(date: &DateValue, t: NaiveDateTime, ctx: &MappingContext) -> bool {
    let (start, end) = predicate::local_range(date, ctx);
    match date.prefix {
        DatePrefix::Eq => start <= t && t < end,
        DatePrefix::Ne => !(start <= t && t < end),
        DatePrefix::Ge => t >= start,
        DatePrefix::Gt | DatePrefix::Sa => t >= end,
        DatePrefix::Lt | DatePrefix::Eb => t < start,
        DatePrefix::Le => t < end,
        DatePrefix::Ap => false,
    }
}

#[derive(QueryableByName)]
struct Booked {
    #[diesel(sql_type = Timestamp)]
    start_at: NaiveDateTime,
}

/// Starts of the live (not cancelled) appointments with the schedule's doctor at its branch.
fn booked_starts(
    conn: &mut DbConnection,
    schedule: &DoctorScheduleRow,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDateTime>, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT start_at FROM appointments WHERE doctor_id = ").bind(Bind::BigInt(schedule.doctor_id));
    sql.push(" AND branch_id = ").bind(Bind::BigInt(schedule.branch_id));
    sql.push(" AND status <> 'cancelled' AND start_at >= ")
        .bind(Bind::Timestamp(from.and_time(Default::default())));
    sql.push(" AND start_at < ").bind(Bind::Timestamp(to.and_time(Default::default())));
    Ok(sql.load::<Booked>(conn)?.into_iter().map(|b| b.start_at).collect())
}

fn is_busy(schedule: &DoctorScheduleRow, start: NaiveDateTime, booked: &[NaiveDateTime]) -> bool {
    let end = start + Duration::minutes(i64::from(schedule.slot_minutes));
    booked.iter().any(|b| start <= *b && *b < end)
}
