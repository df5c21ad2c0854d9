//! Schedule (a doctor's weekly consulting blocks at one branch) and Slot (those blocks cut into
//! slots on the dates they apply to, busy when a live appointment starts in them). Both are
//! computed from `doctor_schedules`, so they have no history; read-only: availability changes by
//! booking an Appointment. The blocks are few (doctors x weekdays), so they are grouped here.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use clinic_db::{DbConnection, DoctorScheduleRow};
use diesel::QueryableByName;
use diesel::sql_types::Timestamp;
use fhir_mapping::{MappingContext, ScheduleKey, parse_slot_id, schedule_to_fhir, slot_starts, slot_to_fhir};
use fhir_search::{DateValue, Prefix, SearchRequest, SearchValue};
use serde_json::Value;

use crate::kind::{ResourceKind, RowSource};
use crate::row_search::unsupported;
use crate::sql::{Bind, Sql};
use crate::{SearchPage, StoreError, local_now, predicate};

/// How far ahead a Slot search looks without a `start` bound, and the most it will look at.
const DEFAULT_DAYS: i64 = 14;
const MAX_DAYS: i64 = 93;

pub struct ScheduleKind;

impl ResourceKind for ScheduleKind {
    fn resource_type(&self) -> &'static str {
        "Schedule"
    }

    fn sources(&self) -> &'static [RowSource] {
        &[]
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let not_found = || StoreError::NotFound { resource_type: "Schedule".into(), id: id.to_owned() };
        let key = ScheduleKey::parse(id).ok_or_else(not_found)?;
        let blocks = blocks(conn, &[key], false)?;
        schedule_to_fhir(blocks.get(&key).map_or(&[], Vec::as_slice), ctx).ok_or_else(not_found)
    }

    /// Every doctor-at-branch with blocks, filtered in memory; the cursor is an offset.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        refuse_modifiers(request)?;
        if let Some(param) =
            request.params.iter().find(|p| !matches!(p.def.name, "actor" | "active" | "_id" | "_lastUpdated"))
        {
            return Err(unsupported("Schedule", param.def.name));
        }
        let mut schedules: Vec<Value> = Vec::new();
        for rows in blocks(conn, &[], false)?.values() {
            let Some(schedule) = schedule_to_fhir(rows, ctx) else { continue };
            let wanted = request.params.iter().all(|param| {
                param.values.iter().any(|value| match (param.def.name, value) {
                    ("actor", SearchValue::Reference { resource_type, id }) => schedule["actor"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|actor| actor["reference"].as_str())
                        .any(|reference| match resource_type {
                            Some(t) => reference == format!("{t}/{id}"),
                            None => reference.rsplit('/').next() == Some(id.as_str()),
                        }),
                    ("active", SearchValue::Token(token)) => {
                        token.code.as_deref()
                            == schedule["active"].as_bool().map(|a| if a { "true" } else { "false" })
                    }
                    ("_id", SearchValue::Token(token)) => token.code.as_deref() == schedule["id"].as_str(),
                    ("_lastUpdated", SearchValue::Date(date)) => rows
                        .iter()
                        .map(|b| b.updated_at)
                        .max()
                        .is_some_and(|updated| matches_date(date, updated, ctx)),
                    _ => false,
                })
            });
            if wanted {
                schedules.push(schedule);
            }
        }
        page_of(sorted(schedules, request, "Schedule", SCHEDULE_SORTS)?, request)
    }
}

pub struct SlotKind;

impl ResourceKind for SlotKind {
    fn resource_type(&self) -> &'static str {
        "Slot"
    }

    fn sources(&self) -> &'static [RowSource] {
        &[]
    }

    fn read(&self, conn: &mut DbConnection, id: &str, ctx: &MappingContext) -> Result<Value, StoreError> {
        let not_found = || StoreError::NotFound { resource_type: "Slot".into(), id: id.to_owned() };
        let (key, start) = parse_slot_id(id).ok_or_else(not_found)?;
        let day = (start.date(), start.date() + Duration::days(1));
        let blocks = blocks(conn, &[key], true)?;
        // Only the starts the doctor's blocks really produce are slots.
        let block = blocks
            .get(&key)
            .into_iter()
            .flatten()
            .find(|block| slot_starts(block, day.0, day.1).contains(&start))
            .ok_or_else(not_found)?;
        let busy = booked_starts(conn, key, day.0, day.1)?;
        Ok(slot_to_fhir(block, start, is_busy(block, start, &busy), ctx))
    }

    /// Slots of the active blocks in the `start` window (default: the next 14 days), in start
    /// order; the cursor is the offset into that list.
    fn search(
        &self,
        conn: &mut DbConnection,
        request: &SearchRequest,
        ctx: &MappingContext,
    ) -> Result<SearchPage, StoreError> {
        refuse_modifiers(request)?;
        if request.params.iter().any(|p| matches!(p.def.name, "start" | "_lastUpdated") && p.values.len() > 1)
        {
            return Err(StoreError::InvalidSearch(
                "on Slot, repeat start/_lastUpdated instead of listing alternatives".into(),
            ));
        }
        let starts = date_values(request, "start");
        let (from, to) = window(&starts, ctx)?;
        let last_updated = date_values(request, "_lastUpdated");
        let mut keys: Option<Vec<ScheduleKey>> = None;
        let mut wanted_statuses: Option<Vec<String>> = None;
        let mut wanted_ids: Option<Vec<String>> = None;
        for param in &request.params {
            match param.def.name {
                "start" | "_lastUpdated" => {}
                "schedule" => {
                    let named = param.values.iter().filter_map(|v| match v {
                        SearchValue::Reference { resource_type, id }
                            if resource_type.as_deref().is_none_or(|t| t == "Schedule") =>
                        {
                            ScheduleKey::parse(id)
                        }
                        _ => None,
                    });
                    keys = Some(named.collect());
                }
                "status" => wanted_statuses = Some(tokens(&param.values)),
                "_id" => wanted_ids = Some(tokens(&param.values)),
                name => return Err(unsupported("Slot", name)),
            }
        }
        if keys.as_ref().is_some_and(Vec::is_empty) {
            return page_of(Vec::new(), request); // `schedule` named no schedule there can be
        }
        let mut slots: Vec<(NaiveDateTime, ScheduleKey, Value)> = Vec::new();
        for (key, blocks) in blocks(conn, keys.as_deref().unwrap_or_default(), true)? {
            let busy = booked_starts(conn, key, from, to)?;
            for block in &blocks {
                for start in slot_starts(block, from, to) {
                    let slot = slot_to_fhir(block, start, is_busy(block, start, &busy), ctx);
                    let listed = |wanted: &Option<Vec<String>>, element: &str| {
                        wanted.as_ref().is_none_or(|codes| codes.iter().any(|c| slot[element] == **c))
                    };
                    let wanted = listed(&wanted_statuses, "status")
                        && listed(&wanted_ids, "id")
                        && starts.iter().all(|date| matches_date(date, start, ctx))
                        && last_updated.iter().all(|date| matches_date(date, block.updated_at, ctx));
                    if wanted {
                        slots.push((start, key, slot));
                    }
                }
            }
        }
        slots.sort_by_key(|(start, key, _)| (*start, *key));
        let slots = slots.into_iter().map(|(_, _, slot)| slot).collect();
        page_of(sorted(slots, request, "Slot", SLOT_SORTS)?, request)
    }
}

/// The blocks of each doctor-at-branch in `keys` (all of them when empty), optionally only
/// the active ones.
fn blocks(
    conn: &mut DbConnection,
    keys: &[ScheduleKey],
    active_only: bool,
) -> Result<BTreeMap<ScheduleKey, Vec<DoctorScheduleRow>>, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT * FROM doctor_schedules WHERE 1 = 1");
    if active_only {
        sql.push(" AND active = ").bind(Bind::Bool(true));
    }
    if !keys.is_empty() {
        sql.push(" AND (1 = 0");
        for key in keys {
            sql.push(" OR (doctor_id = ").bind(Bind::BigInt(key.doctor_id));
            sql.push(" AND branch_id = ").bind(Bind::BigInt(key.branch_id)).push(")");
        }
        sql.push(")");
    }
    sql.push(" ORDER BY doctor_id, branch_id, weekday, start_time");
    let mut grouped: BTreeMap<ScheduleKey, Vec<DoctorScheduleRow>> = BTreeMap::new();
    for block in sql.load::<DoctorScheduleRow>(conn)? {
        grouped.entry(ScheduleKey::of(&block)).or_default().push(block);
    }
    Ok(grouped)
}

/// The codes of token values.
pub(crate) fn tokens(values: &[SearchValue]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| match v {
            SearchValue::Token(token) => token.code.clone(),
            _ => None,
        })
        .collect()
}

/// What `_sort` sorts computed resources by: each parameter's element, as a JSON pointer.
const SCHEDULE_SORTS: &[(&str, &str)] = &[
    ("_id", "/id"),
    ("_lastUpdated", "/meta/lastUpdated"),
    ("actor", "/actor/0/reference"),
    ("active", "/active"),
];
const SLOT_SORTS: &[(&str, &str)] = &[
    ("_id", "/id"),
    ("_lastUpdated", "/meta/lastUpdated"),
    // Every start is in clinic time with its offset, so the text sorts as the instant.
    ("start", "/start"),
    ("status", "/status"),
    ("schedule", "/schedule/reference"),
];

/// `resources` in the order `_sort` asks for (absent elements last either way); the order they
/// were computed in breaks ties.
fn sorted(
    mut resources: Vec<Value>,
    request: &SearchRequest,
    resource_type: &str,
    sortable: &[(&str, &str)],
) -> Result<Vec<Value>, StoreError> {
    let keys = request
        .sort
        .iter()
        .map(|key| match sortable.iter().find(|(param, _)| *param == key.param) {
            Some((_, pointer)) => Ok((*pointer, key.descending)),
            None => {
                Err(StoreError::InvalidSearch(format!("{resource_type} cannot be sorted by '{}'", key.param)))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    resources.sort_by(|a, b| {
        keys.iter()
            .map(|(pointer, descending)| match (a.pointer(pointer), b.pointer(pointer)) {
                (Some(a), Some(b)) => {
                    let order = match (a, b) {
                        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
                        (a, b) => a.as_str().cmp(&b.as_str()),
                    };
                    if *descending { order.reverse() } else { order }
                }
                (a, b) => a.is_none().cmp(&b.is_none()),
            })
            .find(|order| order.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(resources)
}

/// One page of computed items, and how many there are in all.
pub(crate) struct OffsetPage<T> {
    pub items: Vec<T>,
    pub total: u64,
    /// The offsets of the next and the previous page; `None` on the last and the first.
    pub next_cursor: Option<String>,
    pub previous_cursor: Option<String>,
}

/// The page of `items` the request's cursor (an offset) and count select.
pub(crate) fn offset_page<T>(items: Vec<T>, request: &SearchRequest) -> Result<OffsetPage<T>, StoreError> {
    let offset = match &request.cursor {
        Some(cursor) => cursor
            .parse::<usize>()
            .map_err(|_| StoreError::InvalidSearch("the paging cursor is not valid".into()))?,
        None => 0,
    };
    let total = items.len();
    let end = (offset + request.count as usize).min(total);
    Ok(OffsetPage {
        items: items.into_iter().skip(offset).take(end.saturating_sub(offset)).collect(),
        total: total as u64,
        next_cursor: (end < total).then(|| end.to_string()),
        previous_cursor: (offset > 0).then(|| offset.saturating_sub(request.count as usize).to_string()),
    })
}

/// One page of computed resources.
fn page_of(resources: Vec<Value>, request: &SearchRequest) -> Result<SearchPage, StoreError> {
    let page = offset_page(resources, request)?;
    Ok(SearchPage {
        resources: page.items,
        total: Some(page.total),
        next_cursor: page.next_cursor,
        previous_cursor: page.previous_cursor,
        included: Vec::new(),
    })
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

/// The dates `[from, to)` the `start` criteria allow, bounded to [`MAX_DAYS`].
fn window(starts: &[&DateValue], ctx: &MappingContext) -> Result<(NaiveDate, NaiveDate), StoreError> {
    let mut from: Option<NaiveDateTime> = None;
    let mut to: Option<NaiveDateTime> = None;
    for date in starts {
        let (start, end) = predicate::local_range(date, ctx);
        let (lower, upper) = match date.prefix {
            Prefix::Eq => (Some(start), Some(end)),
            Prefix::Ge => (Some(start), None),
            Prefix::Gt | Prefix::Sa => (Some(end), None),
            Prefix::Lt | Prefix::Eb => (None, Some(start)),
            Prefix::Le => (None, Some(end)),
            Prefix::Ap => {
                let (low, high) = predicate::approximate_local_range(date, ctx);
                (Some(low), Some(high))
            }
            Prefix::Ne => {
                return Err(StoreError::InvalidSearch("Slot start supports every prefix but ne".into()));
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
pub(crate) fn matches_date(date: &DateValue, t: NaiveDateTime, ctx: &MappingContext) -> bool {
    let (start, end) = predicate::local_range(date, ctx);
    match date.prefix {
        Prefix::Eq => start <= t && t < end,
        Prefix::Ne => !(start <= t && t < end),
        Prefix::Ge => t >= start,
        Prefix::Gt | Prefix::Sa => t >= end,
        Prefix::Lt | Prefix::Eb => t < start,
        Prefix::Le => t < end,
        Prefix::Ap => {
            let (low, high) = predicate::approximate_local_range(date, ctx);
            low <= t && t < high
        }
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
    key: ScheduleKey,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NaiveDateTime>, StoreError> {
    let mut sql = Sql::new(conn.backend());
    sql.push("SELECT start_at FROM appointments WHERE doctor_id = ").bind(Bind::BigInt(key.doctor_id));
    sql.push(" AND branch_id = ").bind(Bind::BigInt(key.branch_id));
    sql.push(" AND status <> 'cancelled' AND start_at >= ")
        .bind(Bind::Timestamp(from.and_time(Default::default())));
    sql.push(" AND start_at < ").bind(Bind::Timestamp(to.and_time(Default::default())));
    Ok(sql.load::<Booked>(conn)?.into_iter().map(|b| b.start_at).collect())
}

fn is_busy(schedule: &DoctorScheduleRow, start: NaiveDateTime, booked: &[NaiveDateTime]) -> bool {
    let end = start + Duration::minutes(i64::from(schedule.slot_minutes));
    booked.iter().any(|b| start <= *b && *b < end)
}

/// Computed resources (availability, panels) are filtered as they are made: only plain values
/// (no modifiers, no `:missing`).
pub(crate) fn refuse_modifiers(request: &SearchRequest) -> Result<(), StoreError> {
    let plain =
        request.params.iter().all(|p| p.modifier.is_none() && !p.values.contains(&SearchValue::Present));
    if plain {
        return Ok(());
    }
    Err(StoreError::InvalidSearch(
        "modifiers are not supported on computed resources (Schedule, Slot, Group)".into(),
    ))
}
