//! The repository: reads, writes and searches FHIR resources in the clinic database.
//!
//! Each served resource type has one [`kind::ResourceKind`] that knows its table; the server
//! never builds SQL and this crate never sees HTTP. Every write runs in one database transaction
//! that also keeps the versions it writes and replaces (`versions`).

mod appointment;
mod audit;
mod audit_event;
mod availability;
mod claim;
mod clinical_reads;
mod encounter;
mod error;
pub mod export;
mod group;
mod includes;
mod keyset;
mod kind;
mod medication;
mod note;
mod observation;
pub mod outbox;
mod patient;
mod predicate;
mod reference_data;
mod row_search;
mod subscription;
mod transaction;
mod versions;
mod writes;

use std::collections::HashMap;

use clinic_db::{Database, DbConnection, sql};
use fhir_mapping::MappingContext;
use fhir_mapping::without_elements;
use fhir_outcome::{Issue, IssueType};
use fhir_search::{Handling, HistoryRequest, SearchRequest, Total};
use serde_json::Value;

pub use crate::audit::AuditRecord;
pub use crate::export::{ExportJob, NewExport};
use crate::kind::ResourceKind;
use crate::sql::{Bind, Sql};
pub use crate::transaction::{TransactionEntry, TransactionError, Write};

pub use error::StoreError;

const KINDS: [&dyn ResourceKind; 17] = [
    &patient::PatientKind,
    &reference_data::PractitionerKind,
    &reference_data::OrganizationKind,
    &reference_data::LocationKind,
    &clinical_reads::CoverageKind,
    &clinical_reads::ConditionKind,
    &encounter::EncounterKind,
    &observation::ObservationKind,
    &medication::MedicationRequestKind,
    &appointment::AppointmentKind,
    &claim::ClaimKind,
    &note::DocumentReferenceKind,
    &availability::ScheduleKind,
    &availability::SlotKind,
    &audit_event::AuditEventKind,
    &group::GroupKind,
    &subscription::SubscriptionKind,
];

/// The resource types this store serves.
pub fn resource_types() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|kind| kind.resource_type())
}

/// Whether `resource_type` has versions to list in a history (computed resources do not).
pub fn has_history(resource_type: &str) -> bool {
    kind_of(resource_type).is_ok_and(|kind| !kind.sources().is_empty())
}

/// Whether the system-wide history lists `resource_type` (see [`ResourceKind::in_system_history`]).
pub fn in_system_history(resource_type: &str) -> bool {
    kind_of(resource_type).is_ok_and(|kind| !kind.sources().is_empty() && kind.in_system_history())
}

/// Whether clients may create, update and patch `resource_type`.
pub fn writable(resource_type: &str) -> bool {
    kind_of(resource_type).is_ok_and(|kind| kind.writable())
}

/// What a FHIR delete does to the clinic record of `resource_type`; `None` if it is not allowed.
pub fn delete_effect(resource_type: &str) -> Option<&'static str> {
    kind_of(resource_type).ok()?.delete_effect()
}

/// One page of search results.
#[derive(Debug)]
pub struct SearchPage {
    pub resources: Vec<Value>,
    /// `None` when the search asked for no count (`_total=none`).
    pub total: Option<u64>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Where the previous page ends; `None` on the first page.
    pub previous_cursor: Option<String>,
    /// What `_include`/`_revinclude` added (not matches).
    pub included: Vec<Value>,
}

/// A page of a Bulk Data export: its resources as NDJSON, how many, and the position after
/// them (`None` at the end).
#[derive(Debug)]
pub struct ExportPage {
    pub ndjson: Vec<u8>,
    pub count: u64,
    pub next: Option<String>,
}

impl ExportPage {
    fn new(next: Option<String>) -> ExportPage {
        ExportPage { ndjson: Vec::new(), count: 0, next }
    }

    /// Appends `resource` (anything that serializes as a resource, with its profile) as a line.
    fn push(&mut self, resource: &impl serde::Serialize) -> Result<(), StoreError> {
        serde_json::to_writer(&mut self.ndjson, resource)
            .map_err(|cause| StoreError::Corrupt(format!("a resource did not serialize: {cause}")))?;
        self.ndjson.push(b'\n');
        self.count += 1;
        Ok(())
    }

    fn of(resources: Vec<Value>, next: Option<String>) -> Result<ExportPage, StoreError> {
        let mut page = ExportPage::new(next);
        for resource in resources {
            page.push(&profiled(resource))?;
        }
        Ok(page)
    }
}

/// What a successful write did.
#[derive(Debug)]
pub struct Written {
    pub resource: Value,
    /// False when a conditional create found the resource already there.
    pub created: bool,
    /// The version an update replaced (it may have come from the clinic application).
    pub replaced: Option<Value>,
    /// Warnings for the elements a lenient write left out because the clinic cannot hold them.
    pub dropped: Vec<Issue>,
}

impl Written {
    fn profiled(self) -> Written {
        Written { resource: profiled(self.resource), ..self }
    }

    pub(crate) fn new(resource: Value, created: bool, replaced: Option<Value>) -> Written {
        Written { resource, created, replaced, dropped: Vec::new() }
    }
}

/// Which resources a history interaction covers.
#[derive(Debug, Clone)]
pub enum HistoryScope {
    /// Every type with history among these (the types the client may see).
    System(Vec<String>),
    Type(String),
    Instance(String, String),
}

/// One version in a history.
#[derive(Debug)]
pub struct HistoryEntry {
    pub resource_type: String,
    pub id: String,
    pub version: i32,
    pub last_updated: String,
    /// The interaction that wrote the version: POST, PUT, PATCH or DELETE.
    pub method: String,
    /// `None` for a delete.
    pub resource: Option<Value>,
}

impl HistoryEntry {
    fn profiled(self) -> HistoryEntry {
        HistoryEntry { resource: self.resource.map(profiled), ..self }
    }
}

#[derive(Debug)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Clone)]
pub struct Store {
    db: Database,
    ctx: MappingContext,
    moph: Option<std::sync::Arc<outbox::MophConnect>>,
}

impl Store {
    pub fn new(db: Database, ctx: MappingContext) -> Store {
        Store { db, ctx, moph: None }
    }

    /// The store with MOPH Connect messages queued for every appointment booked through it.
    pub fn with_moph_connect(self, moph: outbox::MophConnect) -> Store {
        Store { moph: Some(std::sync::Arc::new(moph)), ..self }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub async fn read(&self, resource_type: &str, id: &str) -> Result<Value, StoreError> {
        let kind = kind_of(resource_type)?;
        let id = id.to_owned();
        let ctx = self.ctx.clone();
        self.db.run(move |conn| current(conn, kind, &id, &ctx)).await.map(profiled)
    }

    /// Everything that stops `resource` conforming to its clinic profile and being stored as
    /// sent, without storing anything (`$validate`).
    pub fn validate(&self, resource: &Value) -> Result<Vec<Issue>, StoreError> {
        let kind = kind_of(resource_type_of(resource)?)?;
        let mut issues = fhir_conformance::profile_issues(resource);
        for issue in kind.check(resource, &self.ctx) {
            // The profile already names an element it forbids; the mapping would say it again.
            if !issues.iter().any(|known| known.expression == issue.expression) {
                issues.push(issue);
            }
        }
        Ok(issues)
    }

    /// A version of a resource: the current one, or one the facade kept.
    pub async fn vread(&self, resource_type: &str, id: &str, version: &str) -> Result<Value, StoreError> {
        let kind = kind_of(resource_type)?;
        let not_found = StoreError::NotFound {
            resource_type: resource_type.to_owned(),
            id: format!("{id}/_history/{version}"),
        };
        let Ok(version) = version.parse::<i64>() else { return Err(not_found) };
        let id = id.to_owned();
        let ctx = self.ctx.clone();
        self.db
            .run(move |conn| {
                let resource = kind.read(conn, &id, &ctx)?;
                if version_of(&resource) == version {
                    return gone_if_deleted(conn, kind, &id, resource);
                }
                match versions::find(conn, kind.resource_type(), &id, version)? {
                    None => Err(not_found),
                    Some(kept) if kept.deleted => Err(gone(kind, &id)),
                    Some(kept) => Ok(kept.resource),
                }
            })
            .await
            .map(profiled)
    }

    /// Creates `resource`. With `condition` (`If-None-Exist`) nothing is created when it already
    /// matches one resource (that one is returned); two or more matches fail.
    pub async fn create(
        &self,
        resource: Value,
        condition: Option<SearchRequest>,
        handling: Handling,
    ) -> Result<Written, StoreError> {
        self.write(Write::Create { resource, condition }, handling).await
    }

    /// Replaces the resource `id`; the body's `id` must be `id`. With `expected_version` (from
    /// `If-Match`) the write happens only if that is still the current version. `method` is the
    /// interaction history shows (PUT or PATCH).
    pub async fn update(
        &self,
        resource_type: &str,
        id: &str,
        resource: Value,
        expected_version: Option<i32>,
        method: &'static str,
        handling: Handling,
    ) -> Result<Written, StoreError> {
        let write = Write::Update {
            resource_type: resource_type.to_owned(),
            id: id.to_owned(),
            resource,
            expected_version,
            method,
        };
        self.write(write, handling).await
    }

    /// `PUT [type]?[criteria]`: updates the one match (the body's `id`, if any, must be its id),
    /// creates when nothing matches and the body has no `id`, fails on two or more matches.
    pub async fn conditional_update(
        &self,
        resource_type: &str,
        criteria: SearchRequest,
        resource: Value,
        expected_version: Option<i32>,
        handling: Handling,
    ) -> Result<Written, StoreError> {
        let write = Write::ConditionalUpdate {
            resource_type: resource_type.to_owned(),
            criteria,
            resource,
            expected_version,
        };
        self.write(write, handling).await
    }

    /// Deletes as the type's [`ResourceKind::delete_effect`] says. Deleting a deleted resource
    /// changes nothing; the result is the version that records the delete.
    pub async fn delete(&self, resource_type: &str, id: &str) -> Result<Written, StoreError> {
        let write = Write::Delete { resource_type: resource_type.to_owned(), id: id.to_owned() };
        self.write(write, Handling::Strict).await
    }

    /// One write in its own transaction.
    pub async fn write(&self, write: Write, handling: Handling) -> Result<Written, StoreError> {
        let (ctx, moph) = (self.ctx.clone(), self.moph.clone());
        self.db
            .run(move |conn| {
                conn.write_transaction(|conn| write.apply(conn, handling, &ctx, moph.as_deref()))
            })
            .await
            .map(Written::profiled)
    }

    /// Every write in one database transaction, in the order given: all are done or none.
    /// Before each write, the references in its resource to an earlier entry's `full_url`
    /// (`urn:uuid:...`) become that resource's `Type/id`, and conditional references
    /// (`Patient?identifier=...`) the one resource they match. A failure names its entry.
    pub async fn transaction(
        &self,
        entries: Vec<TransactionEntry>,
    ) -> Result<Vec<Written>, TransactionError> {
        let (ctx, moph) = (self.ctx.clone(), self.moph.clone());
        self.db
            .run(move |conn| {
                let mut failed = 0;
                let outcome = conn.write_transaction(|conn| {
                    let mut assigned = HashMap::new();
                    let mut written = Vec::with_capacity(entries.len());
                    for (position, entry) in entries.into_iter().enumerate() {
                        failed = position;
                        let write = entry.write.with_references_resolved(conn, &assigned, &ctx)?;
                        let done = write.apply(conn, Handling::Strict, &ctx, moph.as_deref())?;
                        if let Some(full_url) = entry.full_url {
                            let resource = &done.resource;
                            let reference = format!(
                                "{}/{}",
                                resource["resourceType"].as_str().unwrap_or_default(),
                                resource["id"].as_str().unwrap_or_default()
                            );
                            assigned.insert(full_url, reference);
                        }
                        written.push(done.profiled());
                    }
                    Ok(written)
                });
                outcome.map_err(|error| match error {
                    StoreError::Database(cause) => TransactionError::Store(StoreError::Database(cause)),
                    error => TransactionError::Entry(failed, error),
                })
            })
            .await
    }

    pub async fn history(
        &self,
        scope: HistoryScope,
        request: HistoryRequest,
    ) -> Result<HistoryPage, StoreError> {
        let (kinds, id): (Vec<&'static dyn ResourceKind>, Option<String>) = match scope {
            HistoryScope::System(types) => (
                KINDS
                    .iter()
                    .copied()
                    .filter(|k| {
                        in_system_history(k.resource_type()) && types.iter().any(|t| t == k.resource_type())
                    })
                    .collect(),
                None,
            ),
            HistoryScope::Type(resource_type) => (vec![kind_of(&resource_type)?], None),
            HistoryScope::Instance(resource_type, id) => (vec![kind_of(&resource_type)?], Some(id)),
        };
        if kinds.iter().any(|kind| kind.sources().is_empty()) {
            return Err(StoreError::NoHistory(kinds[0].resource_type().to_owned()));
        }
        let ctx = self.ctx.clone();
        self.db
            .run(move |conn| {
                if let Some(id) = &id {
                    // An unknown instance is 404, not an empty history.
                    kinds[0].read(conn, id, &ctx)?;
                }
                versions::history(conn, &kinds, id.as_deref(), &request, &ctx)
            })
            .await
            .map(|page| HistoryPage {
                entries: page.entries.into_iter().map(HistoryEntry::profiled).collect(),
                ..page
            })
    }

    /// A page of a Bulk Data export of `resource_type`: what `request` selects, from its
    /// cursor (a position an earlier page returned), at most `request.count` resources. Types
    /// with their own walk ([`ResourceKind::export_page`]) use it; others page through their
    /// search.
    pub async fn export_page(
        &self,
        resource_type: &str,
        request: SearchRequest,
    ) -> Result<ExportPage, StoreError> {
        let kind = kind_of(resource_type)?;
        let ctx = self.ctx.clone();
        self.db
            .run(move |conn| match kind.export_page(conn, &request, &ctx)? {
                Some(page) => Ok(page),
                None => {
                    let page = kind.search(conn, &request, &ctx)?;
                    ExportPage::of(page.resources, page.next_cursor)
                }
            })
            .await
    }

    pub async fn search(
        &self,
        resource_type: &str,
        request: SearchRequest,
    ) -> Result<SearchPage, StoreError> {
        let kind = kind_of(resource_type)?;
        let ctx = self.ctx.clone();
        self.db
            .run(move |conn| {
                let page = kind.search(conn, &request, &ctx)?;
                let included = includes::resolve(conn, &page.resources, &request, &ctx)?;
                Ok(SearchPage { included, ..page })
            })
            .await
            .map(|page| SearchPage {
                resources: page.resources.into_iter().map(profiled).collect(),
                included: page.included.into_iter().map(profiled).collect(),
                ..page
            })
    }
}

/// Names the clinic profile in `meta.profile` of a resource the store hands out.
fn profiled(mut resource: Value) -> Value {
    let url = resource["resourceType"].as_str().and_then(fhir_conformance::profile_url);
    if let (Some(url), Some(meta)) = (url, resource.get_mut("meta").and_then(Value::as_object_mut)) {
        let profiles = meta.entry("profile").or_insert_with(|| Value::Array(Vec::new()));
        if let Some(profiles) = profiles.as_array_mut().filter(|p| !p.iter().any(|p| *p == url)) {
            profiles.push(Value::String(url));
        }
    }
    resource
}

fn kind_of(resource_type: &str) -> Result<&'static dyn ResourceKind, StoreError> {
    KINDS
        .iter()
        .copied()
        .find(|kind| kind.resource_type() == resource_type)
        .ok_or_else(|| StoreError::UnsupportedType(resource_type.to_owned()))
}

fn current(
    conn: &mut DbConnection,
    kind: &dyn ResourceKind,
    id: &str,
    ctx: &MappingContext,
) -> Result<Value, StoreError> {
    let resource = kind.read(conn, id, ctx)?;
    gone_if_deleted(conn, kind, id, resource)
}

fn gone_if_deleted(
    conn: &mut DbConnection,
    kind: &dyn ResourceKind,
    id: &str,
    resource: Value,
) -> Result<Value, StoreError> {
    if kind.in_deleted_state(&resource)
        && versions::is_deleted(conn, kind.resource_type(), id, version_of(&resource))?
    {
        Err(gone(kind, id))
    } else {
        Ok(resource)
    }
}

fn gone(kind: &dyn ResourceKind, id: &str) -> StoreError {
    StoreError::Gone { resource_type: kind.resource_type().to_owned(), id: id.to_string() }
}

fn create(
    conn: &mut DbConnection,
    kind: &dyn ResourceKind,
    resource: &Value,
    ctx: &MappingContext,
) -> Result<Written, StoreError> {
    let written = kind.create(conn, resource, ctx)?;
    keep_versions(conn, &written, "POST", ctx)?;
    Ok(written)
}

fn update(
    conn: &mut DbConnection,
    kind: &dyn ResourceKind,
    id: &str,
    resource: &Value,
    expected_version: Option<i32>,
    method: &str,
    ctx: &MappingContext,
) -> Result<Written, StoreError> {
    let written = kind.update(conn, id, resource, expected_version, ctx)?;
    keep_versions(conn, &written, method, ctx)?;
    Ok(written)
}

/// Runs a write; with lenient handling, a resource the clinic cannot hold entirely is written
/// again without the elements it cannot hold, each reported as a warning. Mapping refuses
/// before anything is written, so the first attempt leaves nothing behind.
fn leniently(
    resource: &Value,
    handling: Handling,
    mut write: impl FnMut(&Value) -> Result<Written, StoreError>,
) -> Result<Written, StoreError> {
    let droppable = |issue: &Issue| issue.code == IssueType::NotSupported && !issue.expression.is_empty();
    match write(resource) {
        Err(StoreError::Unprocessable(issues))
            if handling == Handling::Lenient && !issues.is_empty() && issues.iter().all(droppable) =>
        {
            let paths: Vec<String> = issues.iter().flat_map(|issue| issue.expression.clone()).collect();
            let mut written = write(&without_elements(resource, &paths))?;
            written.dropped = issues
                .into_iter()
                .map(|issue| Issue {
                    severity: fhir_outcome::Severity::Warning,
                    diagnostics: format!("not stored (Prefer: handling=lenient): {}", issue.diagnostics),
                    ..issue
                })
                .collect();
            Ok(written)
        }
        other => other,
    }
}

/// Keeps the version a write replaced (as the clinic had it) and the one it wrote.
fn keep_versions(
    conn: &mut DbConnection,
    written: &Written,
    method: &str,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    if let Some(replaced) = &written.replaced {
        versions::record(conn, replaced, None, ctx)?;
    }
    versions::record(conn, &written.resource, Some(method), ctx)
}

/// The one resource `criteria` match, if any; two or more are an error.
fn single_match(
    conn: &mut DbConnection,
    kind: &dyn ResourceKind,
    criteria: &SearchRequest,
    ctx: &MappingContext,
) -> Result<Option<Value>, StoreError> {
    let probe = SearchRequest { count: 2, cursor: None, total: Total::Accurate, ..criteria.clone() };
    let page = kind.search(conn, &probe, ctx)?;
    match page.total.unwrap_or_default() {
        0 => Ok(None),
        1 => Ok(page.resources.into_iter().next()),
        matches => Err(StoreError::MultipleMatches(matches)),
    }
}

/// Serialises conditional writes with the same criteria until the transaction ends, so two
/// racing identical requests cannot both see "no match" and both create. On SQLite the write
/// transaction already serialises every writer.
fn lock_criteria(
    conn: &mut DbConnection,
    kind: &dyn ResourceKind,
    criteria: &SearchRequest,
) -> Result<(), StoreError> {
    if let DbConnection::Postgres(_) = conn {
        let mut pairs: Vec<_> = criteria.params.iter().map(|p| p.raw.clone()).collect();
        pairs.sort();
        let key = format!("{}?{pairs:?}", kind.resource_type());
        let mut sql = Sql::new(conn.backend());
        sql.push("SELECT pg_advisory_xact_lock(hashtextextended(").bind(Bind::Text(key)).push(", 0))");
        sql.execute(conn)?;
    }
    Ok(())
}

fn resource_type_of(resource: &Value) -> Result<&str, StoreError> {
    resource["resourceType"].as_str().ok_or(StoreError::WrongType { expected: "a resource".into() })
}

fn version_of(resource: &Value) -> i64 {
    resource["meta"]["versionId"].as_str().and_then(|v| v.parse().ok()).unwrap_or_default()
}

/// The clinic's wall-clock time now, to the millisecond (both backends keep that precision).
fn local_now(ctx: &MappingContext) -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().with_timezone(&ctx.utc_offset).naive_local();
    chrono::SubsecRound::trunc_subsecs(now, 3)
}
