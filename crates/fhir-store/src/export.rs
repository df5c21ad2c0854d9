//! Bulk Data export jobs, kept in the database so every instance sees the same jobs: one
//! instance claims a job and heartbeats while it runs; a job whose heartbeat stops is claimed
//! again by any instance and restarted.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use clinic_db::schema::fhir_export_jobs;
use diesel::prelude::*;

use crate::{Store, StoreError};

pub const IN_PROGRESS: &str = "in-progress";
pub const COMPLETE: &str = "complete";
pub const FAILED: &str = "error";
pub const CANCELLED: &str = "cancelled";

#[derive(Debug, Clone, Queryable)]
pub struct ExportJob {
    pub id: String,
    pub client_id: String,
    pub request: String,
    types: String,
    pub since: Option<String>,
    pub patient_only: bool,
    pub status: String,
    pub progress: Option<String>,
    /// The manifest's `output` array (JSON), once complete.
    pub outputs: Option<String>,
    pub error: Option<String>,
    _claimed_by: Option<String>,
    _heartbeat: Option<NaiveDateTime>,
    transaction_time: NaiveDateTime,
    created_at: NaiveDateTime,
    /// Group/[id]/$export: the Group whose members' compartments are exported.
    pub group_id: Option<String>,
    type_filters: Option<String>,
}

impl ExportJob {
    pub fn types(&self) -> Vec<&str> {
        self.types.split_whitespace().collect()
    }

    /// The search (`_typeFilter`) that narrows what is exported of `resource_type`, if any.
    pub fn type_filter(&self, resource_type: &str) -> Option<&str> {
        self.type_filters.as_deref()?.lines().find_map(|filter| {
            let (filtered, query) = filter.split_once('?')?;
            (filtered == resource_type).then_some(query)
        })
    }

    pub fn transaction_time(&self) -> DateTime<Utc> {
        self.transaction_time.and_utc()
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at.and_utc()
    }
}

pub struct NewExport {
    pub client_id: String,
    pub request: String,
    pub types: Vec<String>,
    pub since: Option<String>,
    pub patient_only: bool,
    pub group_id: Option<String>,
    /// `(type, query)` per filtered type.
    pub type_filters: Vec<(String, String)>,
}

impl Store {
    pub async fn start_export(&self, new: NewExport) -> Result<ExportJob, StoreError> {
        let id = format!("{:032x}", rand::random::<u128>());
        let filters: Option<String> = (!new.type_filters.is_empty()).then(|| {
            new.type_filters.iter().map(|(t, query)| format!("{t}?{query}")).collect::<Vec<_>>().join("\n")
        });
        self.db
            .run(move |conn| {
                let now = Utc::now().naive_utc();
                diesel::insert_into(fhir_export_jobs::table)
                    .values((
                        fhir_export_jobs::id.eq(&id),
                        fhir_export_jobs::client_id.eq(&new.client_id),
                        fhir_export_jobs::request.eq(&new.request),
                        fhir_export_jobs::types.eq(new.types.join(" ")),
                        fhir_export_jobs::since.eq(&new.since),
                        fhir_export_jobs::patient_only.eq(new.patient_only),
                        fhir_export_jobs::group_id.eq(&new.group_id),
                        fhir_export_jobs::type_filters.eq(&filters),
                        fhir_export_jobs::status.eq(IN_PROGRESS),
                        fhir_export_jobs::transaction_time.eq(now),
                        fhir_export_jobs::created_at.eq(now),
                    ))
                    .execute(conn)?;
                Ok(fhir_export_jobs::table.find(&id).first::<ExportJob>(conn)?)
            })
            .await
    }

    pub async fn export_job(&self, id: &str) -> Result<Option<ExportJob>, StoreError> {
        let id = id.to_owned();
        self.db
            .run(move |conn| Ok(fhir_export_jobs::table.find(&id).first::<ExportJob>(conn).optional()?))
            .await
    }

    /// Claims a job in progress that nobody holds (or whose holder's heartbeat is older than
    /// `stale`), atomically across instances.
    pub async fn claim_export(&self, worker: &str, stale: Duration) -> Result<Option<ExportJob>, StoreError> {
        let worker = worker.to_owned();
        self.db
            .run(move |conn| {
                let now = Utc::now().naive_utc();
                let candidates: Vec<String> = fhir_export_jobs::table
                    .filter(fhir_export_jobs::status.eq(IN_PROGRESS))
                    .filter(
                        fhir_export_jobs::heartbeat.is_null().or(fhir_export_jobs::heartbeat.lt(now - stale)),
                    )
                    .select(fhir_export_jobs::id)
                    .order(fhir_export_jobs::created_at)
                    .limit(5)
                    .load(conn)?;
                for id in candidates {
                    // The heartbeat condition again: only one instance's update can win.
                    let claimed = diesel::update(
                        fhir_export_jobs::table
                            .find(&id)
                            .filter(fhir_export_jobs::status.eq(IN_PROGRESS))
                            .filter(
                                fhir_export_jobs::heartbeat
                                    .is_null()
                                    .or(fhir_export_jobs::heartbeat.lt(now - stale)),
                            ),
                    )
                    .set((fhir_export_jobs::claimed_by.eq(&worker), fhir_export_jobs::heartbeat.eq(now)))
                    .execute(conn)?;
                    if claimed == 1 {
                        return Ok(Some(fhir_export_jobs::table.find(&id).first::<ExportJob>(conn)?));
                    }
                }
                Ok(None)
            })
            .await
    }

    /// Records progress; false when the job is no longer this worker's to run (cancelled, or
    /// claimed by another instance after a missed heartbeat).
    pub async fn export_heartbeat(
        &self,
        id: &str,
        worker: &str,
        progress: String,
    ) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        self.update_held(id, worker, None, (Some(progress), None, None), now).await
    }

    pub async fn finish_export(&self, id: &str, worker: &str, outputs: String) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        self.update_held(id, worker, Some(COMPLETE), (None, Some(outputs), None), now).await
    }

    pub async fn fail_export(&self, id: &str, worker: &str, error: String) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        self.update_held(id, worker, Some(FAILED), (None, None, Some(error)), now).await
    }

    /// Marks a job cancelled (DELETE on its status URL); its worker stops at its next heartbeat.
    pub async fn cancel_export(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.db
            .run(move |conn| {
                diesel::update(fhir_export_jobs::table.find(&id))
                    .set(fhir_export_jobs::status.eq(CANCELLED))
                    .execute(conn)?;
                Ok(())
            })
            .await
    }

    /// Jobs created before `before` (their files are the caller's to remove), deleted.
    pub async fn expire_exports(&self, before: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.db
            .run(move |conn| {
                let old = fhir_export_jobs::table.filter(fhir_export_jobs::created_at.lt(before.naive_utc()));
                let ids: Vec<String> = old.select(fhir_export_jobs::id).load(conn)?;
                diesel::delete(old).execute(conn)?;
                Ok(ids)
            })
            .await
    }

    /// Updates the job if `worker` still holds it and it is in progress: its status (when
    /// given), progress, outputs and error (those given), and the heartbeat.
    async fn update_held(
        &self,
        id: &str,
        worker: &str,
        status: Option<&'static str>,
        (progress, outputs, error): (Option<String>, Option<String>, Option<String>),
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let (id, worker) = (id.to_owned(), worker.to_owned());
        self.db
            .run(move |conn| {
                let job = fhir_export_jobs::table
                    .find(&id)
                    .filter(fhir_export_jobs::claimed_by.eq(&worker))
                    .filter(fhir_export_jobs::status.eq(IN_PROGRESS));
                let current: Option<ExportJob> = job.first(conn).optional()?;
                let Some(current) = current else { return Ok(false) };
                let updated = diesel::update(job)
                    .set((
                        fhir_export_jobs::status.eq(status.unwrap_or(IN_PROGRESS)),
                        fhir_export_jobs::progress.eq(progress.or(current.progress)),
                        fhir_export_jobs::outputs.eq(outputs.or(current.outputs)),
                        fhir_export_jobs::error.eq(error.or(current.error)),
                        fhir_export_jobs::heartbeat.eq(now),
                    ))
                    .execute(conn)?;
                Ok(updated == 1)
            })
            .await
    }
}
