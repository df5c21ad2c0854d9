//! Bulk Data export (HL7 Bulk Data Access 2.0): `GET /$export`, `/Patient/$export` and
//! `/Group/[id]/$export` start a job (202 + `Content-Location`); its status URL answers 202 with `X-Progress` while it runs and
//! the manifest when done, `DELETE` cancels it; the NDJSON files (one per type) are served to
//! the key that started it only. Jobs live in the database: any instance runs them (the worker
//! below), answers their status and serves their files from the shared export directory.

use std::path::PathBuf;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use api_keys::Permissions;
use fhir_outcome::{Issue, IssueType};
use fhir_search::Handling;
use fhir_store::{ExportJob, NewExport, Store};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::auth::{Need, caller, require, require_search};
use crate::handlers::{base_url, header_text};
use crate::{ApiError, AppState};

/// Resources read per query while exporting.
const PAGE: u32 = 1000;
/// How long outputs are kept.
const KEEP_OUTPUTS: chrono::Duration = chrono::Duration::hours(24);

/// Types never exported: Slots are computed without end; the audit trail and the webhooks
/// (whose headers may hold receivers' credentials) are not clinic data.
fn exportable(resource_type: &str) -> bool {
    !matches!(resource_type, "Slot" | "AuditEvent" | "Subscription")
}

fn patient_compartment(resource_type: &str) -> bool {
    resource_type == "Patient" || crate::everything::points_at_patients(resource_type)
}

fn not_found(diagnostics: String) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, Issue::error(IssueType::NotFound, diagnostics))
}

fn invalid(parameter: &str, diagnostics: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        Issue::error(IssueType::Invalid, diagnostics).at(parameter.to_owned()),
    )
}

/// What an export covers.
enum Exported {
    Everything,
    /// Every patient's compartment.
    Patients,
    /// The compartments of a Group's members.
    Group(String),
}

pub async fn kick_off_system(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    kick_off(request, state, Exported::Everything).await
}

pub async fn kick_off_patients(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    kick_off(request, state, Exported::Patients).await
}

pub async fn kick_off_group(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    kick_off(request, state, Exported::Group(path.into_inner())).await
}

async fn kick_off(
    request: HttpRequest,
    state: web::Data<AppState>,
    exported: Exported,
) -> Result<HttpResponse, ApiError> {
    if !header_text(&request, "prefer").is_some_and(|p| p.contains("respond-async")) {
        return Err(invalid("Prefer", "$export runs asynchronously: send Prefer: respond-async".into()));
    }
    if let Exported::Group(id) = &exported {
        require(&request, "Group", Need::Read, None)?;
        state.store.read("Group", id).await?;
    }
    let patient_only = !matches!(exported, Exported::Everything);
    let access = caller(&request)?;
    let in_scope = |t: &&str| exportable(t) && (!patient_only || patient_compartment(t));
    let mut types: Vec<String> = fhir_store::resource_types()
        .filter(in_scope)
        .filter(|t| access.scopes.allows(t, Permissions::SEARCH))
        .map(str::to_owned)
        .collect();
    let mut since = None;
    let mut type_filters = Vec::new();
    for (name, value) in form_urlencoded::parse(request.query_string().as_bytes()) {
        match &*name {
            "_outputFormat" => {
                // An unencoded `+` arrives as a space.
                if !["application/fhir+ndjson", "application/fhir ndjson", "application/ndjson", "ndjson"]
                    .contains(&&*value)
                {
                    return Err(invalid(
                        "_outputFormat",
                        format!("'{value}' is not supported; use application/fhir+ndjson"),
                    ));
                }
            }
            "_type" => {
                types = Vec::new();
                for resource_type in value.split(',') {
                    let served = fhir_store::resource_types().find(|t| *t == resource_type);
                    let resource_type = served
                        .ok_or_else(|| invalid("_type", format!("'{resource_type}' is not served here")))?;
                    require(&request, resource_type, Need::Search, Some("_type"))?;
                    if !in_scope(&resource_type) {
                        return Err(invalid(
                            "_type",
                            format!("{resource_type} is not exported by this operation"),
                        ));
                    }
                    types.push(resource_type.to_owned());
                }
            }
            "_typeFilter" => {
                for filter in value.split(',') {
                    type_filters.push(type_filter(&request, filter, &type_filters)?);
                }
            }
            "_since" => {
                let parsed = fhir_search::DateValue::parse(&value)
                    .filter(|date| date.prefix == fhir_search::Prefix::Eq && date.offset.is_some());
                if parsed.is_none() {
                    return Err(invalid(
                        "_since",
                        format!("_since '{value}' is not an instant with a time zone"),
                    ));
                }
                since = Some(value.into_owned());
            }
            other => return Err(invalid(other, format!("'{other}' is not a parameter of $export here"))),
        }
    }
    if types.is_empty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            Issue::error(IssueType::Forbidden, "this key may not search any type $export could export"),
        ));
    }
    let base = base_url(&request, &state);
    let path = request.path().rsplit_once("/fhir/r4").map_or("", |(_, path)| path);
    let query = request.query_string();
    let request_url = format!("{base}{path}{}{query}", if query.is_empty() { "" } else { "?" });
    let job = state
        .store
        .start_export(NewExport {
            client_id: access.client_id,
            request: request_url,
            types,
            since,
            patient_only,
            group_id: match exported {
                Exported::Group(id) => Some(id),
                _ => None,
            },
            type_filters,
        })
        .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::CONTENT_LOCATION, format!("{base}/$export-status/{}", job.id)))
        .finish())
}

/// One `_typeFilter`, `[type]?[search criteria]`: a search the caller must be allowed to run,
/// which narrows what is exported of that type. One per type: the IG's alternatives for a type
/// (several filters, ORed) would need every exported id kept to drop the duplicates.
fn type_filter(
    request: &HttpRequest,
    filter: &str,
    earlier: &[(String, String)],
) -> Result<(String, String), ApiError> {
    let refused = |diagnostics: String| invalid("_typeFilter", format!("'{filter}': {diagnostics}"));
    let (resource_type, query) =
        filter.split_once('?').ok_or_else(|| refused("not [type]?[search criteria]".into()))?;
    let resource_type = fhir_store::resource_types()
        .find(|t| *t == resource_type)
        .ok_or_else(|| refused(format!("{resource_type} is not served here")))?;
    if earlier.iter().any(|(filtered, _)| filtered == resource_type) {
        return Err(refused(format!("one _typeFilter per type is supported, {resource_type} has several")));
    }
    // Criteria only: paging, sorting and includes belong to the export.
    let criteria_only = form_urlencoded::parse(query.as_bytes()).all(|(name, _)| {
        !name.starts_with('_') || ["_id", "_lastUpdated"].contains(&&*name) || name.starts_with("_has:")
    });
    let search = fhir_search::parse(resource_type, query, Handling::Strict).map_err(|issues| {
        let reasons: Vec<String> = issues.into_iter().map(|issue| issue.diagnostics).collect();
        refused(reasons.join("; "))
    })?;
    if !criteria_only || search.params.is_empty() {
        return Err(refused("a _typeFilter takes search criteria only".into()));
    }
    require_search(request, resource_type, &search)?;
    Ok((resource_type.to_owned(), query.to_owned()))
}

/// The job `id`, if the caller started it (others get 404: a job id reveals nothing).
async fn own_job(request: &HttpRequest, state: &AppState, id: &str) -> Result<ExportJob, ApiError> {
    let access = caller(request)?;
    match state.store.export_job(id).await? {
        Some(job) if job.client_id == access.client_id => Ok(job),
        _ => Err(not_found(format!("no export job {id} of this key"))),
    }
}

pub async fn status(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let job = own_job(&request, &state, &path).await?;
    match job.status.as_str() {
        fhir_store::export::IN_PROGRESS => Ok(HttpResponse::Accepted()
            .insert_header(("x-progress", job.progress.clone().unwrap_or_else(|| "queued".into())))
            .insert_header((header::RETRY_AFTER, 1))
            .finish()),
        fhir_store::export::COMPLETE => {
            let outputs: Value =
                job.outputs.as_deref().and_then(|o| serde_json::from_str(o).ok()).unwrap_or(json!([]));
            Ok(HttpResponse::Ok().insert_header((header::EXPIRES, expiry(&job))).json(json!({
                "transactionTime": job.transaction_time().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "request": job.request,
                "requiresAccessToken": true,
                "output": outputs,
                "error": [],
            })))
        }
        fhir_store::export::FAILED => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Issue::error(IssueType::Exception, job.error.unwrap_or_else(|| "the export failed".into())),
        )),
        _ => Err(not_found(format!("export job {} was cancelled", job.id))),
    }
}

fn expiry(job: &ExportJob) -> String {
    crate::handlers::http_date_of(job.created_at() + KEEP_OUTPUTS)
}

pub async fn cancel(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let job = own_job(&request, &state, &path).await?;
    state.store.cancel_export(&job.id).await?;
    let _ = tokio::fs::remove_dir_all(state.config.export_dir.join(&job.id)).await;
    Ok(HttpResponse::Accepted().finish())
}

pub async fn file(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let job = own_job(&request, &state, &id).await?;
    let resource_type = name.strip_suffix(".ndjson").filter(|t| job.types().contains(t));
    let (Some(resource_type), fhir_store::export::COMPLETE) = (resource_type, job.status.as_str()) else {
        return Err(not_found(format!("no file {name} in export {id}")));
    };
    // Rights may have been narrowed since the job started.
    require(&request, resource_type, Need::Search, None)?;
    let file = tokio::fs::File::open(state.config.export_dir.join(&job.id).join(&name))
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/fhir+ndjson")
        .streaming(tokio_util::io::ReaderStream::new(file)))
}

/// Runs export jobs: claims one whenever it is idle (or one whose worker's heartbeat has been
/// silent for `stale_after`), writes its files, and once an hour removes expired jobs and their
/// files. Every instance runs one.
pub async fn worker(store: Store, export_dir: PathBuf, stale_after: std::time::Duration) {
    let stale = chrono::Duration::from_std(stale_after).unwrap_or_else(|_| chrono::Duration::days(1));
    let worker = format!("{:016x}", rand::random::<u64>());
    let mut last_sweep: Option<std::time::Instant> = None;
    loop {
        if last_sweep.is_none_or(|swept| swept.elapsed() >= std::time::Duration::from_secs(3600)) {
            last_sweep = Some(std::time::Instant::now());
            match store.expire_exports(chrono::Utc::now() - KEEP_OUTPUTS).await {
                Ok(expired) => {
                    for id in expired {
                        let _ = tokio::fs::remove_dir_all(export_dir.join(id)).await;
                    }
                }
                Err(cause) => tracing::warn!(%cause, "expiring export jobs"),
            }
        }
        match store.claim_export(&worker, stale).await {
            Ok(Some(job)) => {
                if let Err(cause) = run(&store, &worker, &export_dir, &job).await {
                    tracing::warn!(%cause, job = %job.id, "export failed");
                    let _ = store.fail_export(&job.id, &worker, format!("the export failed: {cause}")).await;
                }
            }
            Ok(None) => tokio::time::sleep(std::time::Duration::from_millis(500)).await,
            Err(cause) => {
                tracing::warn!(%cause, "claiming export jobs");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
        }
    }
}

/// Writes each type's resources, one per line, page by page (memory stays one page), and
/// records the manifest's outputs. Stops quietly when the job is cancelled or taken over.
async fn run(
    store: &Store,
    worker: &str,
    export_dir: &std::path::Path,
    job: &ExportJob,
) -> Result<(), String> {
    let dir = export_dir.join(&job.id);
    // A job restarted after its instance died begins again.
    let _ = tokio::fs::remove_dir_all(&dir).await;
    tokio::fs::create_dir_all(&dir).await.map_err(|e| e.to_string())?;
    let kicked_off_at = job.request.split("/$export").next().unwrap_or_default();
    let scope_path = match &job.group_id {
        Some(group) => format!("/Group/{group}"),
        None if job.patient_only => "/Patient".to_owned(),
        None => String::new(),
    };
    let base = kicked_off_at.strip_suffix(&scope_path).unwrap_or(kicked_off_at);
    let mut outputs = Vec::new();
    for resource_type in job.types() {
        let name = format!("{resource_type}.ndjson");
        let mut file = tokio::fs::File::create(dir.join(&name)).await.map_err(|e| e.to_string())?;
        let mut count = 0u64;
        let mut request = export_request(job, resource_type)?;
        loop {
            let page = store.export_page(resource_type, request.clone()).await.map_err(|e| e.to_string())?;
            file.write_all(&page.ndjson).await.map_err(|e| e.to_string())?;
            count += page.count;
            let progress = format!("{resource_type}: {count} resources");
            if !store.export_heartbeat(&job.id, worker, progress).await.map_err(|e| e.to_string())? {
                return Ok(());
            }
            match page.next {
                Some(next) => request.cursor = Some(next),
                None => break,
            }
        }
        file.flush().await.map_err(|e| e.to_string())?;
        if count > 0 {
            outputs.push(json!({"type": resource_type, "url": format!("{base}/$export-file/{}/{name}", job.id), "count": count}));
        }
    }
    store
        .finish_export(&job.id, worker, Value::Array(outputs).to_string())
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The search that selects what `job` exports of `resource_type`, a page at a time.
fn export_request(job: &ExportJob, resource_type: &str) -> Result<fhir_search::SearchRequest, String> {
    let query = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("_count", &PAGE.to_string()).append_pair("_total", "none");
        if let Some(group) = &job.group_id {
            // The members' compartments, selected in SQL: no member list in memory.
            let members = if resource_type == "Patient" { "" } else { "patient." };
            query.append_pair(&format!("{members}_has:Group:member:_id"), group);
        }
        if let Some(since) = &job.since {
            query.append_pair("_lastUpdated", &format!("ge{since}"));
        }
        let query = query.finish();
        match job.type_filter(resource_type) {
            Some(filter) => format!("{query}&{filter}"),
            None => query,
        }
    };
    fhir_search::parse(resource_type, &query, Handling::Strict).map_err(|issues| format!("{issues:?}"))
}
