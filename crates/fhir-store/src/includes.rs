//! `_include` and `_revinclude`: the resources a page of matches points at, and the resources
//! that point at them, found through the same kinds and searches as everything else.

use std::collections::HashSet;

use clinic_db::DbConnection;
use fhir_mapping::MappingContext;
use fhir_search::{Handling, Include, MAX_COUNT, SearchRequest, registry};
use serde_json::Value;

use crate::{StoreError, kind_of};

/// How many rounds `:iterate` follows included resources.
const MAX_ROUNDS: usize = 3;

/// The resources the includes of `request` add to `matches`, each once and none of the matches.
pub fn resolve(
    conn: &mut DbConnection,
    matches: &[Value],
    request: &SearchRequest,
    ctx: &MappingContext,
) -> Result<Vec<Value>, StoreError> {
    if request.includes.is_empty() && request.revincludes.is_empty() {
        return Ok(Vec::new());
    }
    let mut seen: HashSet<String> = matches.iter().map(reference_to).collect();
    let mut included = Vec::new();
    let mut frontier: Vec<Value> = matches.to_vec();
    for round in 0..MAX_ROUNDS {
        let applies = |include: &&Include| round == 0 || include.iterate;
        let mut found = Vec::new();
        for include in request.includes.iter().filter(applies) {
            for reference in frontier.iter().flat_map(|resource| references(resource, include)) {
                if !seen.insert(reference.clone()) {
                    continue;
                }
                let Some((resource_type, id)) = reference.split_once('/') else { continue };
                match kind_of(resource_type).and_then(|kind| kind.read(conn, id, ctx)) {
                    Ok(resource) => found.push(resource),
                    // A reference to something not served or no longer there is left out.
                    Err(
                        StoreError::NotFound { .. }
                        | StoreError::UnsupportedType(_)
                        | StoreError::Gone { .. },
                    ) => {}
                    Err(other) => return Err(other),
                }
            }
        }
        for include in request.revincludes.iter().filter(applies) {
            let targets: Vec<String> = frontier
                .iter()
                .filter(|r| include.target.as_deref().is_none_or(|t| r["resourceType"] == t))
                .map(reference_to)
                .collect();
            if targets.is_empty() {
                continue;
            }
            // Clinic ids never contain commas, so the references need no escaping.
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair(include.param, &targets.join(","))
                .append_pair("_count", &MAX_COUNT.to_string())
                .finish();
            let search = fhir_search::parse(&include.source_type, &query, Handling::Strict)
                .map_err(|_| StoreError::InvalidSearch(format!("cannot revinclude {}", include.param)))?;
            let kind = kind_of(&include.source_type)?;
            for resource in kind.search(conn, &search, ctx)?.resources {
                if seen.insert(reference_to(&resource)) {
                    found.push(resource);
                }
            }
        }
        if found.is_empty() {
            break;
        }
        included.extend(found.iter().cloned());
        frontier = found;
    }
    Ok(included)
}

/// `Type/id` of a resource.
fn reference_to(resource: &Value) -> String {
    format!(
        "{}/{}",
        resource["resourceType"].as_str().unwrap_or_default(),
        resource["id"].as_str().unwrap_or_default()
    )
}

/// The `Type/id` references `resource` makes through the include's parameter.
fn references(resource: &Value, include: &Include) -> Vec<String> {
    if resource["resourceType"] != include.source_type.as_str() {
        return Vec::new();
    }
    let Some((path, targets)) = registry::reference_path(&include.source_type, include.param) else {
        return Vec::new();
    };
    let mut values = vec![resource];
    for step in path.split('.') {
        values = values
            .into_iter()
            .filter_map(|v| v.get(step))
            .flat_map(|v| v.as_array().map_or_else(|| vec![v], |items| items.iter().collect()))
            .collect();
    }
    let points_at =
        |reference: &str, resource_type: &str| reference.starts_with(&format!("{resource_type}/"));
    values
        .into_iter()
        .filter_map(|v| v["reference"].as_str())
        .filter(|r| targets.iter().any(|t| points_at(r, t)))
        .filter(|r| include.target.as_deref().is_none_or(|t| points_at(r, t)))
        .map(str::to_owned)
        .collect()
}
