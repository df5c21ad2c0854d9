//! search-type by GET and by `POST _search`, answered as `searchset` Bundles.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use fhir_outcome::{Issue, IssueType};
use fhir_search::{Handling, SearchRequest};
use serde_json::{Value, json};

use crate::auth::require_search;
use crate::format::query_value;
use crate::handlers::{base_url, body_of, handling, negotiated, respond, served_type};
use crate::page_token;
use crate::subset::Subset;
use crate::{ApiError, AppState};
use fhir_store::SearchPage;

pub async fn search(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = request.query_string().to_owned();
    run_search(request, path.into_inner(), query, state).await
}

/// `GET Patient/[id]/[type]?...`: the patient compartment, i.e. the search with
/// `patient=Patient/[id]` added. Only the Patient compartment is served.
pub async fn compartment(
    request: HttpRequest,
    path: web::Path<(String, String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (compartment, id, resource_type) = path.into_inner();
    if compartment != "Patient" || !crate::everything::points_at_patients(&resource_type) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            Issue::error(
                IssueType::NotSupported,
                format!("{compartment}/{id}/{resource_type} is not a compartment search this server offers"),
            ),
        ));
    }
    let member = form_urlencoded::Serializer::new(String::new())
        .append_pair("patient", &format!("Patient/{id}"))
        .finish();
    let query = [member.as_str(), request.query_string()]
        .iter()
        .filter(|q| !q.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("&");
    run_search(request, resource_type, query, state).await
}

/// `POST [type]/_search` with the parameters form-encoded in the body (and maybe the URL).
pub async fn search_by_post(
    request: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = form_query(&request, payload, &state).await?;
    run_search(request, path.into_inner(), query, state).await
}

/// The parameters of a `POST _search`: those of the URL and of the form body.
pub async fn form_query(
    request: &HttpRequest,
    payload: web::Payload,
    state: &AppState,
) -> Result<String, ApiError> {
    let body = body_of(payload, state).await?;
    let form = std::str::from_utf8(&body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            Issue::error(IssueType::Structure, "the form body is not UTF-8"),
        )
    })?;
    Ok([request.query_string(), form].iter().filter(|q| !q.is_empty()).copied().collect::<Vec<_>>().join("&"))
}

/// One page of up to `wanted` matches of the searches of `types`, one type after another,
/// from `start` (a type's index and the cursor within its search); and where the next page
/// starts, as the text of a page token (read back by [`position_of`]).
pub async fn page_across_types(
    state: &AppState,
    types: &[&'static str],
    start: (usize, Option<String>),
    wanted: usize,
    search_of: impl Fn(&str, usize) -> Result<SearchRequest, ApiError>,
) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let (mut position, mut cursor) = start;
    let mut resources = Vec::new();
    while position < types.len() && resources.len() < wanted {
        let resource_type = types[position];
        let mut search = search_of(resource_type, wanted - resources.len())?;
        search.cursor = cursor.take();
        let page = state.store.search(resource_type, search).await?;
        resources.extend(page.resources);
        match page.next_cursor {
            Some(inner) => return Ok((resources, Some(format!("{position}|{inner}")))),
            None => position += 1,
        }
    }
    Ok((resources, (position < types.len()).then(|| format!("{position}|"))))
}

/// The position in a search across types that [`page_across_types`] wrote.
pub fn position_of(token: &str) -> Option<(usize, Option<String>)> {
    let (position, cursor) = token.split_once('|')?;
    Some((position.parse().ok()?, Some(cursor.to_owned()).filter(|c| !c.is_empty())))
}

async fn run_search(
    request: HttpRequest,
    resource_type: String,
    query: String,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let resource_type = served_type(&resource_type)?;
        let mut search = fhir_search::parse(resource_type, &query, handling(&request, Handling::Lenient))
            .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))?;
        require_search(&request, resource_type, &search)?;
        let canonical = search.query_string();
        let token = search.cursor.take();
        if let Some(token) = &token {
            search.cursor = Some(page_token::open(&canonical, token).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    Issue::error(
                        IssueType::Invalid,
                        "_cursor is not a page of this search; start again from the first page",
                    )
                    .at("_cursor"),
                )
            })?);
        }
        let subset = Subset::of_request(&request)?;
        let base = base_url(&request, &state);
        let mut first_link = format!("{base}/{resource_type}?{canonical}");
        for shaping in ["_summary", "_elements"] {
            if let Some(value) = query_value(&request, shaping) {
                let pair =
                    form_urlencoded::Serializer::new(String::new()).append_pair(shaping, &value).finish();
                first_link = format!("{first_link}&{pair}");
            }
        }
        let page = state.store.search(resource_type, search.clone()).await?;
        let at_token = |token: &str| {
            let pair = form_urlencoded::Serializer::new(String::new()).append_pair("_cursor", token).finish();
            format!("{first_link}&{pair}")
        };
        let self_link = token.as_deref().map_or_else(|| first_link.clone(), at_token);
        let mut links = vec![
            json!({"relation": "self", "url": self_link}),
            json!({"relation": "first", "url": first_link}),
        ];
        if subset != Subset::Count {
            for (relation, cursor) in [("next", &page.next_cursor), ("previous", &page.previous_cursor)] {
                if let Some(cursor) = cursor {
                    let url = at_token(&page_token::seal(&canonical, cursor));
                    links.push(json!({"relation": relation, "url": url}));
                }
            }
        }
        let page = if subset == Subset::Count {
            SearchPage { resources: Vec::new(), included: Vec::new(), ..page }
        } else {
            page
        };
        let bundle = searchset(page, &subset, &base, links);
        respond(StatusCode::OK, &bundle, format, &request)
    })
    .await
}

/// A `searchset` Bundle of a page: its matches, then what it included.
pub fn searchset(page: SearchPage, subset: &Subset, base: &str, links: Vec<Value>) -> Value {
    let entry = |resource: Value, mode: &str| {
        let resource = subset.apply(resource);
        json!({
            "fullUrl": format!(
                "{base}/{}/{}",
                resource["resourceType"].as_str().unwrap_or_default(),
                resource["id"].as_str().unwrap_or_default()
            ),
            "resource": resource,
            "search": {"mode": mode},
        })
    };
    let entries: Vec<Value> = page
        .resources
        .into_iter()
        .map(|resource| entry(resource, "match"))
        .chain(page.included.into_iter().map(|resource| entry(resource, "include")))
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "id": format!("{:032x}", rand::random::<u128>()),
        "meta": {"lastUpdated": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)},
        "type": "searchset",
    });
    if let Some(total) = page.total {
        bundle["total"] = json!(total);
    }
    bundle["link"] = Value::Array(links);
    if !entries.is_empty() {
        bundle["entry"] = Value::Array(entries);
    }
    bundle
}
