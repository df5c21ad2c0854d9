//! The outbox: every write that matches an active Subscription leaves a row here in the same
//! database transaction, so a committed change is always announced and a rolled-back one never
//! is. Delivery workers (any instance) claim the oldest undelivered row of each stream, so a
//! subscription's events go out one at a time, in order.

use chrono::{Duration, NaiveDateTime, Utc};
use clinic_db::schema::{fhir_outbox, fhir_subscriptions};
use clinic_db::{DbConnection, SubscriptionRow};
use diesel::prelude::*;
use fhir_mapping::{MappingContext, SUBSCRIPTION_ACTIVE, SUBSCRIPTION_ERROR};
use fhir_search::Total;
use serde_json::Value;

use crate::subscription::criteria_search;
use crate::{Store, StoreError, Written, kind_of, profiled};

pub const REST_HOOK: &str = "rest-hook";
/// MOPH Connect messages for a booked appointment: the queue, the reminders the service
/// schedules (09:00 the day before, 06:00 on the day), and the call shortly before it.
pub const MOPH_QUEUE: &str = "moph-queue";
pub const MOPH_SCHEDULE: &str = "moph-schedule";
pub const MOPH_NOTIFY: &str = "moph-notify";

/// What the MOPH Connect messages of this deployment say besides the appointment.
#[derive(Debug, Clone)]
pub struct MophConnect {
    pub hospital_name: String,
    /// The hospital's affiliation, as MOPH Connect names it.
    pub origin: String,
    /// `{id}` is replaced by the appointment id.
    pub details_link: String,
    pub current_queue_link: String,
    /// How long before the appointment the patient is told their queue is about to be called.
    pub notify_before: Duration,
}

/// What a write did to a resource, as the outbox names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    Deleted,
}

/// The active subscriptions whose criteria `resource_type/id` meets as it is now.
pub(crate) fn matching_subscriptions(
    conn: &mut DbConnection,
    resource_type: &str,
    id: &str,
    ctx: &MappingContext,
) -> Result<Vec<SubscriptionRow>, StoreError> {
    let now = crate::local_now(ctx);
    let candidates: Vec<SubscriptionRow> = fhir_subscriptions::table
        .filter(fhir_subscriptions::criteria_type.eq(resource_type))
        .filter(fhir_subscriptions::status.eq(SUBSCRIPTION_ACTIVE))
        .filter(fhir_subscriptions::end_time.is_null().or(fhir_subscriptions::end_time.gt(now)))
        .select(SubscriptionRow::as_select())
        .load(conn)?;
    if candidates.is_empty() {
        return Ok(candidates);
    }
    let kind = kind_of(resource_type)?;
    let mut this_one = form_urlencoded::Serializer::new(String::new());
    this_one.append_pair("_id", id);
    let this_one = fhir_search::parse(resource_type, &this_one.finish(), fhir_search::Handling::Strict)
        .map_err(|issues| StoreError::InvalidSearch(format!("{issues:?}")))?;
    let mut matching = Vec::new();
    for subscription in candidates {
        // Checked when written; a criteria that no longer parses matches nothing.
        let Ok((_, mut search)) = criteria_search(&subscription.fields.criteria) else { continue };
        search.params.extend(this_one.params.iter().cloned());
        search.count = 1;
        search.total = Total::None;
        if !kind.search(conn, &search, ctx)?.resources.is_empty() {
            matching.push(subscription);
        }
    }
    Ok(matching)
}

/// Queues one delivery per subscription in `subscriptions` for `written`.
pub(crate) fn announce(
    conn: &mut DbConnection,
    subscriptions: &[SubscriptionRow],
    written: &Written,
    change: Change,
) -> Result<(), StoreError> {
    if subscriptions.is_empty() {
        return Ok(());
    }
    let resource = profiled(written.resource.clone());
    let resource_type = resource["resourceType"].as_str().unwrap_or_default().to_owned();
    let event_name = event_name(&resource, written.replaced.as_ref(), change);
    let now = Utc::now().naive_utc();
    for subscription in subscriptions {
        let body = if subscription.fields.payload.is_some() { resource.to_string() } else { String::new() };
        diesel::insert_into(fhir_outbox::table)
            .values((
                fhir_outbox::stream.eq(format!("Subscription/{}", subscription.id)),
                fhir_outbox::subscription_id.eq(Some(subscription.id)),
                fhir_outbox::channel.eq(REST_HOOK),
                fhir_outbox::event_name.eq(&event_name),
                fhir_outbox::resource_type.eq(&resource_type),
                fhir_outbox::resource_id.eq(resource["id"].as_str().unwrap_or_default()),
                fhir_outbox::body.eq(body),
                fhir_outbox::created_at.eq(now),
                fhir_outbox::due_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The name clinic integrators know a change by (README, "Subscriptions"): a few changes of
/// state have their own; otherwise `<thing>.created|updated|deleted`.
pub fn event_name(resource: &Value, replaced: Option<&Value>, change: Change) -> String {
    let became = |status: &str| {
        resource["status"] == status && replaced.is_none_or(|before| before["status"] != status)
    };
    let laboratory = resource["category"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["coding"][0]["code"] == "laboratory"));
    let thing = match resource["resourceType"].as_str().unwrap_or_default() {
        "Patient" => "patient",
        "Encounter" => "visit",
        "Observation" if laboratory => "lab",
        "Observation" => "vital_signs",
        "MedicationRequest" => "prescription",
        "Appointment" => "appointment",
        "Claim" => "claim",
        "DocumentReference" => "note",
        other => return format!("{}.{}", other.to_lowercase(), change.verb()),
    };
    // `scheduled` and `confirmed` are both `booked`: the patient participant's acceptance tells.
    let confirmed = |appointment: &Value| {
        appointment["status"] == "booked"
            && appointment["participant"].as_array().is_some_and(|participants| {
                participants.iter().any(|p| {
                    p["status"] == "accepted"
                        && p["actor"]["reference"].as_str().is_some_and(|r| r.starts_with("Patient/"))
                })
            })
    };
    let special = match thing {
        "appointment" if became("cancelled") => Some("cancelled"),
        "appointment"
            if change == Change::Updated && confirmed(resource) && !replaced.is_some_and(confirmed) =>
        {
            Some("confirmed")
        }
        "visit" if became("finished") => Some("completed"),
        "lab" if change != Change::Deleted && (became("final") || became("amended")) => Some("result_ready"),
        "note" if change == Change::Created => Some("written"),
        _ => None,
    };
    format!("{thing}.{}", special.unwrap_or(change.verb()))
}

impl Change {
    fn verb(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Deleted => "deleted",
        }
    }
}

/// An outbox row claimed for delivery.
#[derive(Debug, Clone, Queryable)]
pub struct Delivery {
    pub id: i64,
    pub stream: String,
    pub subscription_id: Option<i64>,
    pub channel: String,
    pub event_name: String,
    pub resource_type: String,
    pub resource_id: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub due_at: NaiveDateTime,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub claimed_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
}

/// Where and as whom a rest-hook delivery goes.
#[derive(Debug, Clone)]
pub struct Target {
    pub endpoint: String,
    pub headers: Vec<(String, String)>,
    pub owner_client_id: String,
}

impl Store {
    /// Claims up to `limit` due deliveries for `lease`: the oldest undelivered row of each
    /// stream whose subscription (if any) is active. Another instance may claim a row again
    /// once its lease has run out (its claimer is taken for dead).
    pub async fn claim_deliveries(&self, limit: i64, lease: Duration) -> Result<Vec<Delivery>, StoreError> {
        self.db
            .run(move |conn| {
                conn.write_transaction(|conn| {
                    let now = Utc::now().naive_utc();
                    let undelivered = || {
                        fhir_outbox::table
                            .filter(fhir_outbox::delivered_at.is_null())
                            .filter(fhir_outbox::failed_at.is_null())
                    };
                    let heads = undelivered()
                        .group_by(fhir_outbox::stream)
                        .select(diesel::dsl::min(fhir_outbox::id))
                        .load::<Option<i64>>(conn)?;
                    let heads: Vec<i64> = heads.into_iter().flatten().collect();
                    let active: Vec<Option<i64>> = fhir_subscriptions::table
                        .filter(fhir_subscriptions::status.eq(SUBSCRIPTION_ACTIVE))
                        .select(fhir_subscriptions::id.nullable())
                        .load(conn)?;
                    let due: Vec<Delivery> = undelivered()
                        .filter(fhir_outbox::id.eq_any(heads))
                        .filter(fhir_outbox::due_at.le(now))
                        .filter(fhir_outbox::claimed_until.is_null().or(fhir_outbox::claimed_until.lt(now)))
                        .filter(
                            fhir_outbox::subscription_id
                                .is_null()
                                .or(fhir_outbox::subscription_id.eq_any(active)),
                        )
                        .order(fhir_outbox::id)
                        .limit(limit)
                        .load(conn)?;
                    let mut claimed = Vec::with_capacity(due.len());
                    for delivery in due {
                        // Conditional on the lease still being free: of two instances that
                        // read the same row, one claims it.
                        let won = diesel::update(fhir_outbox::table.find(delivery.id).filter(
                            fhir_outbox::claimed_until.is_null().or(fhir_outbox::claimed_until.lt(now)),
                        ))
                        .set(fhir_outbox::claimed_until.eq(now + lease))
                        .execute(conn)?;
                        if won == 1 {
                            claimed.push(delivery);
                        }
                    }
                    Ok(claimed)
                })
            })
            .await
    }

    /// Where a subscription's deliveries go, if it still exists.
    pub async fn delivery_target(&self, subscription_id: i64) -> Result<Option<Target>, StoreError> {
        self.db
            .run(move |conn| {
                let row: Option<SubscriptionRow> = fhir_subscriptions::table
                    .find(subscription_id)
                    .select(SubscriptionRow::as_select())
                    .first(conn)
                    .optional()?;
                Ok(row.map(|row| Target {
                    endpoint: row.fields.endpoint.clone(),
                    headers: row
                        .fields
                        .headers
                        .lines()
                        .filter_map(|h| h.split_once(':'))
                        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                        .collect(),
                    owner_client_id: row.fields.owner_client_id,
                }))
            })
            .await
    }

    /// Removes deliveries made more than `kept_for` ago (failed ones stay, to be inspected).
    pub async fn purge_delivered(&self, kept_for: Duration) -> Result<usize, StoreError> {
        self.db
            .run(move |conn| {
                let before = Utc::now().naive_utc() - kept_for;
                Ok(diesel::delete(fhir_outbox::table.filter(fhir_outbox::delivered_at.lt(before)))
                    .execute(conn)?)
            })
            .await
    }

    pub async fn delivered(&self, delivery_id: i64) -> Result<(), StoreError> {
        self.db
            .run(move |conn| {
                diesel::update(fhir_outbox::table.find(delivery_id))
                    .set((
                        fhir_outbox::delivered_at.eq(Some(Utc::now().naive_utc())),
                        fhir_outbox::attempts.eq(fhir_outbox::attempts + 1),
                        fhir_outbox::claimed_until.eq(None::<NaiveDateTime>),
                    ))
                    .execute(conn)?;
                Ok(())
            })
            .await
    }

    /// Records a failed attempt: tried again at `retry_at`, or, without one, given up, and the
    /// subscription (if any) put in `error` with `reason`.
    pub async fn delivery_failed(
        &self,
        delivery: &Delivery,
        reason: String,
        retry_at: Option<NaiveDateTime>,
    ) -> Result<(), StoreError> {
        let (id, subscription_id) = (delivery.id, delivery.subscription_id);
        let ctx = self.ctx.clone();
        self.db
            .run(move |conn| {
                conn.write_transaction(|conn| {
                    let now = Utc::now().naive_utc();
                    diesel::update(fhir_outbox::table.find(id))
                        .set((
                            fhir_outbox::attempts.eq(fhir_outbox::attempts + 1),
                            fhir_outbox::last_error.eq(Some(&reason)),
                            fhir_outbox::claimed_until.eq(None::<NaiveDateTime>),
                            fhir_outbox::due_at.eq(retry_at.unwrap_or(now)),
                            fhir_outbox::failed_at.eq(retry_at.is_none().then_some(now)),
                        ))
                        .execute(conn)?;
                    if let (None, Some(subscription_id)) = (retry_at, subscription_id) {
                        diesel::update(fhir_subscriptions::table.find(subscription_id))
                            .set((
                                fhir_subscriptions::status.eq(SUBSCRIPTION_ERROR),
                                fhir_subscriptions::error.eq(Some(&reason)),
                                fhir_subscriptions::updated_at.eq(crate::local_now(&ctx)),
                                fhir_subscriptions::version.eq(fhir_subscriptions::version + 1),
                            ))
                            .execute(conn)?;
                    }
                    Ok(())
                })
            })
            .await
    }
}

/// Queues the MOPH Connect messages of an appointment that has just become booked, when its
/// patient has a MOPH Connect user id: queue and schedule now, notify `notify_before` the start.
pub(crate) fn announce_to_moph(
    conn: &mut DbConnection,
    moph: &MophConnect,
    written: &Written,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    let appointment = &written.resource;
    let booked = |a: &Value| a["resourceType"] == "Appointment" && a["status"] == "booked";
    if !booked(appointment) || written.replaced.as_ref().is_some_and(booked) {
        return Ok(());
    }
    let patient_id = appointment["participant"].as_array().into_iter().flatten().find_map(|p| {
        p["actor"]["reference"].as_str().and_then(|r| r.strip_prefix("Patient/")).map(str::to_owned)
    });
    let Some(patient_id) = patient_id else { return Ok(()) };
    let patient = kind_of("Patient")?.read(conn, &patient_id, ctx)?;
    let user_id = patient["identifier"].as_array().into_iter().flatten().find_map(|i| {
        (i["system"] == fhir_mapping::systems::MOPH_CONNECT_USER).then(|| i["value"].as_str()).flatten()
    });
    let Some(user_id) = user_id else { return Ok(()) };
    let local = |element: &str| {
        appointment[element]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&ctx.utc_offset))
    };
    let Some(start) = local("start") else { return Ok(()) };
    let time = match local("end") {
        Some(end) => format!("{}-{}", start.format("%H:%M"), end.format("%H:%M")),
        None => start.format("%H:%M").to_string(),
    };
    let id = appointment["id"].as_str().unwrap_or_default();
    let queue_number = appointment["identifier"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|i| {
            (i["system"] == fhir_mapping::systems::CLINIC_QUEUE_NUMBER).then(|| i["value"].as_str()).flatten()
        })
        .unwrap_or(id);
    let payload = serde_json::json!({
        "userId": user_id,
        "hospitalName": moph.hospital_name,
        "origin": moph.origin,
        "queueNumber": queue_number,
        "patientName": patient_name(&patient),
        "appointmentDate": start.format("%Y-%m-%d").to_string(),
        "appointmentTime": time,
        "detailsLink": moph.details_link.replace("{id}", id),
        "currentQueueLink": moph.current_queue_link.replace("{id}", id),
    })
    .to_string();
    let now = Utc::now().naive_utc();
    let call_at = (start.naive_utc() - moph.notify_before).max(now);
    for (channel, due_at) in [(MOPH_QUEUE, now), (MOPH_SCHEDULE, now), (MOPH_NOTIFY, call_at)] {
        diesel::insert_into(fhir_outbox::table)
            .values((
                fhir_outbox::stream.eq(format!("moph/Appointment/{id}")),
                fhir_outbox::channel.eq(channel),
                fhir_outbox::event_name.eq("appointment.booked"),
                fhir_outbox::resource_type.eq("Appointment"),
                fhir_outbox::resource_id.eq(id),
                fhir_outbox::body.eq(&payload),
                fhir_outbox::created_at.eq(now),
                fhir_outbox::due_at.eq(due_at),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The name a patient is addressed by: the first name as written (Thai first), with its title.
fn patient_name(patient: &Value) -> String {
    let name = &patient["name"][0];
    let parts = name["prefix"]
        .as_array()
        .into_iter()
        .chain(name["given"].as_array())
        .flatten()
        .chain(std::iter::once(&name["family"]))
        .filter_map(Value::as_str);
    parts.collect::<Vec<_>>().join(" ")
}
