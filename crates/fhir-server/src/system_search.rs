//! System search: `GET [base]?_type=...&...` and `POST [base]/_search`, the common parameters
//! over several types, one type after another, paged with one token across the types.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use api_keys::Permissions;
use fhir_outcome::{Issue, IssueType};
use fhir_search::{Handling, SearchRequest};
use fhir_store::SearchPage;
use serde_json::json;

use crate::auth::{Need, caller, require};
use crate::handlers::{base_url, negotiated, respond};
use crate::search::{form_query, page_across_types, searchset};
use crate::subset::Subset;
use crate::{ApiError, AppState, page_token};

/// The parameters every type has, the only criteria a search over several types can take.
const COMMON: [&str; 2] = ["_id", "_lastUpdated"];

/// What shapes the answer rather than choosing resources.
const RESULT: [&str; 6] = ["_count", "_total", "_summary", "_elements", "_format", "_pretty"];

fn invalid(parameter: &str, diagnostics: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        Issue::error(IssueType::Invalid, diagnostics).at(parameter.to_owned()),
    )
}

/// A system search as asked: its types, its criteria and result parameters (as query pairs).
struct SystemSearch {
    types: Vec<&'static str>,
    pairs: Vec<(String, String)>,
    count: u32,
    counted: bool,
    cursor: Option<String>,
}

/// The search's types are those `_type` names, each searchable by the caller (403 naming
/// `_type` otherwise), or without it every type the caller may search.
fn parse(request: &HttpRequest, query: &str) -> Result<SystemSearch, ApiError> {
    let access = caller(request)?;
    let mut search = SystemSearch {
        types: fhir_store::resource_types()
            .filter(|t| access.scopes.allows(t, Permissions::SEARCH))
            .collect(),
        pairs: Vec::new(),
        count: fhir_search::DEFAULT_COUNT,
        counted: false,
        cursor: None,
    };
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*name {
            "_type" => {
                let mut types = Vec::new();
                for name in value.split(',') {
                    let resource_type = fhir_store::resource_types()
                        .find(|t| *t == name)
                        .ok_or_else(|| invalid("_type", format!("'{name}' is not a type served here")))?;
                    require(request, resource_type, Need::Search, Some("_type"))?;
                    types.push(resource_type);
                }
                search.types = types;
            }
            "_cursor" => search.cursor = Some(value.into_owned()),
            "_count" => {
                search.count = value
                    .parse::<u32>()
                    .map_err(|_| invalid("_count", "_count must be a non-negative integer".into()))?
                    .min(fhir_search::MAX_COUNT)
            }
            "_total" => {
                search.counted = value != "none";
                search.pairs.push((name.into_owned(), value.into_owned()));
            }
            name if COMMON.contains(&name) || RESULT.contains(&name) => {
                search.pairs.push((name.to_owned(), value.into_owned()));
            }
            // Leaving it out would widen the search to every resource of every type.
            other => {
                return Err(invalid(
                    other,
                    format!(
                        "'{other}' is not a parameter every type has; a search of several types takes {} only",
                        COMMON.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(search)
}

impl SystemSearch {
    /// The search as a query string (without the cursor), for links and tokens.
    fn query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("_type", &self.types.join(","));
        for (name, value) in &self.pairs {
            query.append_pair(name, value);
        }
        query.append_pair("_count", &self.count.to_string());
        query.finish()
    }

    /// The search of `resource_type` for at most `count` matches (and no total).
    fn search_of(&self, resource_type: &str, count: usize, total: &str) -> Result<SearchRequest, ApiError> {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.pairs.iter().filter(|(name, _)| COMMON.contains(&name.as_str())) {
            query.append_pair(name, value);
        }
        query.append_pair("_count", &count.to_string());
        query.append_pair("_total", total);
        fhir_search::parse(resource_type, &query.finish(), Handling::Strict)
            .map_err(|issues| ApiError::with_issues(StatusCode::BAD_REQUEST, issues))
    }
}

pub async fn search(request: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let query = request.query_string().to_owned();
    run(request, query, state).await
}

pub async fn search_by_post(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let query = form_query(&request, payload, &state).await?;
    run(request, query, state).await
}

async fn run(
    request: HttpRequest,
    query: String,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    negotiated(request, move |format, request| async move {
        let search = parse(&request, &query)?;
        let subset = Subset::of_request(&request)?;
        let canonical = search.query_string();
        let start = match &search.cursor {
            None => (0, None),
            Some(token) => page_token::open(&canonical, token)
                .and_then(|inner| crate::search::position_of(&inner))
                .ok_or_else(|| invalid("_cursor", "_cursor is not a page of this search".into()))?,
        };
        let total = if search.counted || subset == Subset::Count {
            let mut total = 0;
            for resource_type in &search.types {
                let counting = search.search_of(resource_type, 0, "accurate")?;
                total += state.store.search(resource_type, counting).await?.total.unwrap_or_default();
            }
            Some(total)
        } else {
            None
        };
        let wanted = if subset == Subset::Count { 0 } else { search.count as usize };
        let (resources, next) = page_across_types(&state, &search.types, start, wanted, |resource_type, count| {
            search.search_of(resource_type, count, "none")
        })
        .await?;
        let base = base_url(&request, &state);
        let first = format!("{base}?{canonical}");
        let with_token = |token: &str| {
            let pair = form_urlencoded::Serializer::new(String::new()).append_pair("_cursor", token).finish();
            format!("{first}&{pair}")
        };
        let mut links = vec![
            json!({"relation": "self", "url": search.cursor.as_deref().map_or_else(|| first.clone(), with_token)}),
            json!({"relation": "first", "url": first}),
        ];
        if let Some(next) = next.filter(|_| wanted > 0) {
            links.push(json!({"relation": "next", "url": with_token(&page_token::seal(&canonical, &next))}));
        }
        let page = SearchPage { resources, total, next_cursor: None, previous_cursor: None, included: Vec::new() };
        respond(StatusCode::OK, &searchset(page, &subset, &base, links), format, &request)
    })
    .await
}
