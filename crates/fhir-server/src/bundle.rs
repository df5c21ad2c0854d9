//! `POST [base]` with a `batch` or `transaction` Bundle (http.html#transaction).
//!
//! A transaction's writes run in one database transaction, in the specification's order
//! (DELETE, POST, PUT and PATCH), with `urn:uuid:`/`urn:oid:` fullUrls and conditional references resolved
//! in every entry: all are done or none, and a failure names its entry. Its GETs run after the
//! writes. A batch runs each entry on its own; a failing entry gets its own status and
//! OperationOutcome. Rights are checked per entry: any entry a transaction may not do refuses it
//! whole. A PATCH entry's resource is a Binary holding a JSON Patch (http.html#patch).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use fhir_outcome::{Issue, IssueType};
use fhir_search::{Handling, SearchRequest};
use fhir_store::{TransactionEntry, TransactionError, Write, Written};
use serde_json::{Value, json};

use crate::auth::{Need, require, require_search};
use crate::handlers::{base_url, body_of, header_text, negotiated, respond, version_of_etag};
use crate::search::searchset;
use crate::subset::Subset;
use crate::write::{JSON_PATCH, json_patch_of, patched, version_precondition};
use crate::{ApiError, AppState, Format};

/// What one entry asks for.
enum Action {
    Read {
        resource_type: &'static str,
        id: String,
        if_none_match: Option<String>,
    },
    Search {
        resource_type: &'static str,
        search: SearchRequest,
    },
    /// Becomes the update of the patched current version before it runs ([`prepare`]).
    Patch {
        resource_type: &'static str,
        id: String,
        operations: json_patch::Patch,
    },
    Write(Write),
}

struct Entry {
    index: usize,
    full_url: Option<String>,
    /// The version `request.ifMatch` names.
    if_match: Option<i32>,
    action: Action,
}

fn entry_error(index: usize, status: StatusCode, diagnostics: String) -> ApiError {
    ApiError::new(
        status,
        Issue::error(IssueType::Invalid, diagnostics).at(format!("Bundle.entry[{index}].request")),
    )
}

/// An error of entry `index`, its issues located in the Bundle: element paths become paths
/// into the entry's resource (`Bundle.entry[2].resource.birthDate`), and the entry comes first
/// among the other locations (a header, a search parameter of the entry's URL).
fn in_entry(index: usize, error: ApiError) -> ApiError {
    let status = error.status();
    let entry = format!("Bundle.entry[{index}]");
    let issues = error
        .into_issues()
        .into_iter()
        .map(|mut issue| {
            let in_resource = issue.expression.first().and_then(|path| {
                let (head, rest) = path.split_once('.')?;
                head.starts_with(|c: char| c.is_ascii_uppercase()).then(|| format!("{entry}.resource.{rest}"))
            });
            match in_resource {
                Some(path) => issue.expression[0] = path,
                None => issue.expression.insert(0, entry.clone()),
            }
            issue
        })
        .collect();
    ApiError::with_issues(status, issues)
}

/// A conditional reference (`Patient?identifier=...`) is resolved by a search, whose answer
/// (which resource matched) the caller must be allowed to learn.
fn require_conditional_references(request: &HttpRequest, value: &Value) -> Result<(), ApiError> {
    match value {
        Value::Object(members) => {
            members.iter().try_for_each(|(name, member)| match (name.as_str(), member) {
                ("reference", Value::String(reference)) => match reference.split_once('?') {
                    Some((resource_type, query)) if !resource_type.contains(':') => {
                        let resource_type = crate::handlers::served_type(resource_type)?;
                        let criteria = fhir_search::parse(resource_type, query, Handling::Strict)
                            .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))?;
                        require_search(request, resource_type, &criteria)
                    }
                    _ => Ok(()),
                },
                _ => require_conditional_references(request, member),
            })
        }
        Value::Array(items) => {
            items.iter().try_for_each(|item| require_conditional_references(request, item))
        }
        _ => Ok(()),
    }
}

/// Parses entry `index` and checks the caller may do it.
fn plan(request: &HttpRequest, base: &str, index: usize, entry: &Value) -> Result<Entry, ApiError> {
    let invalid = |diagnostics: String| entry_error(index, StatusCode::BAD_REQUEST, diagnostics);
    let method =
        entry["request"]["method"].as_str().ok_or_else(|| invalid("request.method is missing".into()))?;
    let url = entry["request"]["url"].as_str().ok_or_else(|| invalid("request.url is missing".into()))?;
    let relative = url.strip_prefix(base).unwrap_or(url).trim_start_matches('/');
    let (path, query) = relative.split_once('?').map_or((relative, None), |(p, q)| (p, Some(q)));
    let mut segments = path.split('/');
    let resource_type = segments.next().unwrap_or_default();
    let id = segments.next().filter(|id| !id.is_empty()).map(str::to_owned);
    if segments.next().is_some() {
        return Err(invalid(format!("request.url '{url}' is not [type], [type]/[id] or [type]?[criteria]")));
    }
    let resource_type = crate::handlers::served_type(resource_type).map_err(|e| in_entry(index, e))?;
    let resource = entry.get("resource").cloned();
    let request_field = |name: &str| entry["request"][name].as_str().map(str::to_owned);
    let criteria = |query: &str, location: &str| -> Result<SearchRequest, ApiError> {
        let criteria = fhir_search::parse(resource_type, query, Handling::Strict)
            .map_err(|issues| in_entry(index, ApiError::with_issues(StatusCode::BAD_REQUEST, issues)))?;
        if criteria.params.is_empty() {
            return Err(entry_error(
                index,
                StatusCode::BAD_REQUEST,
                format!("{location} names no search parameter"),
            ));
        }
        require_search(request, resource_type, &criteria).map_err(|e| in_entry(index, e))?;
        Ok(criteria)
    };
    let needs = |needs: &[Need]| -> Result<(), ApiError> {
        needs
            .iter()
            .try_for_each(|need| require(request, resource_type, *need, None))
            .map_err(|e| in_entry(index, e))
    };
    let body = |resource: Option<Value>| {
        let resource = resource
            .filter(|r| r["resourceType"] == resource_type)
            .ok_or_else(|| invalid(format!("{method} {url} needs a {resource_type} resource")))?;
        require_conditional_references(request, &resource).map_err(|e| in_entry(index, e))?;
        crate::subscriptions::owned_by_caller(request, resource)
    };
    let if_match = match request_field("ifMatch") {
        Some(tag) => Some(
            version_of_etag(&tag)
                .ok_or_else(|| invalid(format!("ifMatch '{tag}' is not W/\"<version>\"")))?,
        ),
        None => None,
    };
    let action = match (method, id, query) {
        ("GET", Some(id), None) => {
            needs(&[Need::Read])?;
            Action::Read { resource_type, id, if_none_match: request_field("ifNoneMatch") }
        }
        ("GET", None, query) => {
            let search = fhir_search::parse(resource_type, query.unwrap_or_default(), Handling::Lenient)
                .map_err(|issues| in_entry(index, ApiError::with_issues(StatusCode::BAD_REQUEST, issues)))?;
            require_search(request, resource_type, &search).map_err(|e| in_entry(index, e))?;
            Action::Search { resource_type, search }
        }
        ("POST", None, None) => {
            needs(&[Need::Create])?;
            let condition = match request_field("ifNoneExist") {
                Some(query) => Some(criteria(query.rsplit('?').next().unwrap_or_default(), "ifNoneExist")?),
                None => None,
            };
            Action::Write(Write::Create { resource: body(resource)?, condition })
        }
        ("PUT", Some(id), None) => {
            needs(&[Need::Update])?;
            let resource = body(resource)?;
            Action::Write(Write::Update {
                resource_type: resource_type.to_owned(),
                id,
                resource,
                expected_version: if_match,
                method: "PUT",
            })
        }
        ("PUT", None, Some(query)) => {
            needs(&[Need::Update, Need::Create])?;
            let criteria = criteria(query, "request.url")?;
            let resource = body(resource)?;
            Action::Write(Write::ConditionalUpdate {
                resource_type: resource_type.to_owned(),
                criteria,
                resource,
                expected_version: if_match,
            })
        }
        ("PATCH", Some(id), None) => {
            // As PATCH itself: the patch is applied to the current version, which the answer shows.
            needs(&[Need::Update, Need::Read])?;
            Action::Patch { resource_type, id, operations: patch_document(index, resource)? }
        }
        ("DELETE", Some(id), None) => {
            needs(&[Need::Delete])?;
            Action::Write(Write::Delete { resource_type: resource_type.to_owned(), id })
        }
        _ => {
            return Err(entry_error(
                index,
                StatusCode::BAD_REQUEST,
                format!(
                    "{method} {url} is not supported in a Bundle (GET, POST [type], PUT [type]/[id] or \
                     [type]?[criteria], PATCH [type]/[id], DELETE [type]/[id]; conditional PATCH and \
                     DELETE are not)"
                ),
            ));
        }
    };
    Ok(Entry { index, full_url: entry["fullUrl"].as_str().map(str::to_owned), if_match, action })
}

/// The JSON Patch of a PATCH entry: its resource is a Binary of that content type, the
/// document base64 in `data`.
fn patch_document(index: usize, resource: Option<Value>) -> Result<json_patch::Patch, ApiError> {
    let refused = |element: &str, diagnostics: String| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(IssueType::Invalid, diagnostics)
                .at(format!("Bundle.entry[{index}].resource{element}")),
        )
    };
    let resource = resource.unwrap_or_default();
    if resource["resourceType"] != "Binary" {
        return Err(refused(
            "",
            format!(
                "a PATCH entry's resource is a Binary holding a JSON Patch ({JSON_PATCH}); FHIRPath Patch is not supported"
            ),
        ));
    }
    if resource["contentType"] != JSON_PATCH {
        return Err(refused(".contentType", format!("the Binary's contentType must be {JSON_PATCH}")));
    }
    let data = resource["data"].as_str().unwrap_or_default();
    let document = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| refused(".data", format!("data is not base64: {e}")))?;
    json_patch_of(&document).map_err(|e| in_entry(index, e))
}

/// A PATCH entry made the update it stands for: the patch applied to the current version
/// (`ifMatch` checked, 412 when stale), stored only if that version is still current when the
/// write runs (with the other PUTs and PATCHes of a transaction).
async fn prepare(request: &HttpRequest, state: &AppState, entry: Entry) -> Result<Entry, ApiError> {
    let Action::Patch { resource_type, id, operations } = entry.action else { return Ok(entry) };
    let (resource, base_version) = patched(request, state, resource_type, &id, &operations, entry.if_match)
        .await
        .map_err(|e| in_entry(entry.index, e))?;
    let update = Write::Update {
        resource_type: resource_type.to_owned(),
        id,
        resource,
        expected_version: base_version,
        method: "PATCH",
    };
    Ok(Entry { action: Action::Write(update), ..entry })
}

pub async fn process(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let body = body_of(payload, &state).await?;
        let bundle = Format::of_body(&request)?.read(&body)?;
        if bundle["resourceType"] != "Bundle" {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                Issue::error(IssueType::Invalid, "POST to the base takes a batch or transaction Bundle")
                    .at("resourceType"),
            ));
        }
        let entries = bundle["entry"].as_array().cloned().unwrap_or_default();
        let limit = state.config.max_bundle_entries;
        if entries.len() > limit {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Issue::error(IssueType::TooLong, format!("a Bundle may have at most {limit} entries"))
                    .at("Bundle.entry"),
            ));
        }
        let base = base_url(&request, &state);
        let minimal = header_text(&request, "prefer").is_some_and(|p| p.contains("return=minimal"));
        let (kind, answers) = match bundle["type"].as_str() {
            Some("transaction") => {
                let planned = entries
                    .iter()
                    .enumerate()
                    .map(|(index, entry)| plan(&request, &base, index, entry))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut prepared = Vec::with_capacity(planned.len());
                for entry in planned {
                    prepared.push(prepare(&request, &state, entry).await?);
                }
                ("transaction-response", transaction(&state, prepared, &base, minimal).await?)
            }
            Some("batch") => {
                let mut answers = Vec::with_capacity(entries.len());
                for (index, entry) in entries.iter().enumerate() {
                    let answer = match plan(&request, &base, index, entry) {
                        Ok(entry) => match prepare(&request, &state, entry).await {
                            Ok(entry) => {
                                run_alone(&state, entry, &base, minimal).await.map_err(|e| in_entry(index, e))
                            }
                            Err(error) => Err(error),
                        },
                        Err(error) => Err(error),
                    };
                    answers.push(answer.unwrap_or_else(failed_entry));
                }
                ("batch-response", answers)
            }
            _ => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    Issue::error(IssueType::Invalid, "Bundle.type must be batch or transaction")
                        .at("Bundle.type"),
                ));
            }
        };
        let response = json!({
            "resourceType": "Bundle",
            "id": format!("{:032x}", rand::random::<u128>()),
            "type": kind,
            "entry": answers,
        });
        respond(StatusCode::OK, &response, format, &request)
    })
    .await
}

/// The entry answering a failed batch entry.
fn failed_entry(error: ApiError) -> Value {
    let status = error.status();
    json!({
        "response": {
            "status": status_text(status),
            "outcome": fhir_outcome::operation_outcome(&error.into_issues()),
        }
    })
}

fn status_text(status: StatusCode) -> String {
    format!("{} {}", status.as_u16(), status.canonical_reason().unwrap_or_default())
}

/// The entry answering a write.
fn written_entry(written: &Written, status: StatusCode, base: &str, minimal: bool) -> Value {
    let resource = &written.resource;
    let resource_type = resource["resourceType"].as_str().unwrap_or_default();
    let id = resource["id"].as_str().unwrap_or_default();
    let version = resource["meta"]["versionId"].as_str().unwrap_or_default();
    let mut entry = json!({
        "fullUrl": format!("{base}/{resource_type}/{id}"),
        "response": {
            "status": status_text(status),
            "location": format!("{resource_type}/{id}/_history/{version}"),
            "etag": format!("W/\"{version}\""),
            "lastModified": resource["meta"]["lastUpdated"],
        }
    });
    if !minimal {
        entry["resource"] = resource.clone();
    }
    entry
}

/// The entry answering a delete: no resource, as the interaction has none.
fn deleted_entry(written: &Written) -> Value {
    let version = written.resource["meta"]["versionId"].as_str().unwrap_or_default();
    json!({"response": {"status": status_text(StatusCode::OK), "etag": format!("W/\"{version}\"")}})
}

fn answer(write: &Write, written: &Written, base: &str, minimal: bool) -> Value {
    match write {
        Write::Delete { .. } => deleted_entry(written),
        _ => written_entry(written, write_status(write, written), base, minimal),
    }
}

fn write_status(write: &Write, written: &Written) -> StatusCode {
    match write {
        Write::Create { .. } | Write::ConditionalUpdate { .. } if written.created => StatusCode::CREATED,
        _ => StatusCode::OK,
    }
}

/// Runs a GET entry.
async fn read_or_search(state: &AppState, action: Action, base: &str) -> Result<Value, ApiError> {
    match action {
        Action::Read { resource_type, id, if_none_match } => {
            let resource = state.store.read(resource_type, &id).await?;
            let version = resource["meta"]["versionId"].as_str().unwrap_or_default().to_owned();
            let unchanged = if_none_match.and_then(|tag| version_of_etag(&tag)).map(|v| v.to_string())
                == Some(version.clone());
            let mut entry = json!({
                "fullUrl": format!("{base}/{resource_type}/{id}"),
                "response": {
                    "status": status_text(if unchanged { StatusCode::NOT_MODIFIED } else { StatusCode::OK }),
                    "etag": format!("W/\"{version}\""),
                    "lastModified": resource["meta"]["lastUpdated"],
                }
            });
            if !unchanged {
                entry["resource"] = resource;
            }
            Ok(entry)
        }
        Action::Search { resource_type, search } => {
            let self_link = format!("{base}/{resource_type}?{}", search.query_string());
            let page = state.store.search(resource_type, search).await?;
            let bundle =
                searchset(page, &Subset::Full, base, vec![json!({"relation": "self", "url": self_link})]);
            Ok(json!({"resource": bundle, "response": {"status": status_text(StatusCode::OK)}}))
        }
        Action::Write(_) | Action::Patch { .. } => unreachable!("writes are not GETs"),
    }
}

/// A batch entry, on its own.
async fn run_alone(state: &AppState, entry: Entry, base: &str, minimal: bool) -> Result<Value, ApiError> {
    match entry.action {
        Action::Write(write) => {
            let written = state
                .store
                .write(write.clone(), Handling::Strict)
                .await
                .map_err(|error| version_precondition(error, entry.if_match))?;
            Ok(answer(&write, &written, base, minimal))
        }
        action => read_or_search(state, action, base).await,
    }
}

/// The writes in one database transaction (DELETE, then POST in an order where every entry
/// comes after those it refers to, then PUT and PATCH), then the GETs; answers in the Bundle's
/// order.
async fn transaction(
    state: &AppState,
    planned: Vec<Entry>,
    base: &str,
    minimal: bool,
) -> Result<Vec<Value>, ApiError> {
    let total = planned.len();
    let (writes, reads): (Vec<Entry>, Vec<Entry>) =
        planned.into_iter().partition(|entry| matches!(entry.action, Action::Write(_)));
    let rank = |entry: &Entry| match &entry.action {
        Action::Write(Write::Delete { .. }) => 0,
        Action::Write(Write::Create { .. }) => 1,
        _ => 2,
    };
    let mut ordered: Vec<Entry> = Vec::with_capacity(writes.len());
    let (mut creates, others): (Vec<Entry>, Vec<Entry>) = writes.into_iter().partition(|e| rank(e) == 1);
    let (deletes, updates): (Vec<Entry>, Vec<Entry>) = others.into_iter().partition(|e| rank(e) == 0);
    ordered.extend(deletes);
    // Creates referring to other creates' fullUrls come after them.
    while !creates.is_empty() {
        let pending: Vec<String> = creates.iter().filter_map(|e| e.full_url.clone()).collect();
        let (ready, waiting): (Vec<Entry>, Vec<Entry>) = creates.into_iter().partition(|entry| {
            let text = match &entry.action {
                Action::Write(Write::Create { resource, .. }) => resource.to_string(),
                _ => String::new(),
            };
            !pending
                .iter()
                .any(|url| Some(url) != entry.full_url.as_ref() && text.contains(&format!("\"{url}\"")))
        });
        if ready.is_empty() {
            let index = waiting[0].index;
            return Err(entry_error(
                index,
                StatusCode::BAD_REQUEST,
                "the entries this transaction creates refer to each other in a cycle".into(),
            ));
        }
        ordered.extend(ready);
        creates = waiting;
    }
    ordered.extend(updates);

    let indexes: Vec<usize> = ordered.iter().map(|e| e.index).collect();
    let if_matches: Vec<Option<i32>> = ordered.iter().map(|e| e.if_match).collect();
    let mut kinds = Vec::with_capacity(ordered.len());
    let transaction_entries: Vec<TransactionEntry> = ordered
        .into_iter()
        .map(|entry| match entry.action {
            Action::Write(write) => {
                kinds.push(write.clone());
                TransactionEntry { full_url: entry.full_url, write }
            }
            _ => unreachable!("only writes were kept"),
        })
        .collect();
    let written = state.store.transaction(transaction_entries).await.map_err(|error| match error {
        TransactionError::Entry(position, error) => {
            in_entry(indexes[position], version_precondition(error, if_matches[position]))
        }
        TransactionError::Store(error) => ApiError::from(error),
    })?;
    let mut answers = vec![Value::Null; total];
    for ((index, write), written) in indexes.into_iter().zip(&kinds).zip(&written) {
        answers[index] = answer(write, written, base, minimal);
    }
    for entry in reads {
        let index = entry.index;
        // The writes are committed: a failing GET is answered in its own entry.
        answers[index] = read_or_search(state, entry.action, base).await.unwrap_or_else(failed_entry);
    }
    Ok(answers)
}
