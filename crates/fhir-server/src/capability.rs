//! The CapabilityStatement, generated from what is implemented: the store's resource types
//! and the search registry.

use fhir_store::RESOURCE_TYPES;
use serde_json::{Value, json};

const INTERACTIONS: [&str; 5] = ["read", "vread", "update", "create", "search-type"];

pub fn statement() -> Value {
    let resources: Vec<Value> = RESOURCE_TYPES
        .iter()
        .map(|resource_type| {
            let params: Vec<Value> = fhir_search::registry::COMMON
                .iter()
                .chain(fhir_search::registry::for_type(resource_type).unwrap_or_default())
                .map(|p| {
                    json!({
                        "name": p.name,
                        "definition": p.definition,
                        "type": p.kind.code(),
                        "documentation": p.documentation,
                    })
                })
                .collect();
            json!({
                "type": resource_type,
                "interaction": INTERACTIONS.iter().map(|code| json!({"code": code})).collect::<Vec<_>>(),
                "versioning": "versioned",
                "readHistory": false,
                "conditionalRead": "full-support",
                "updateCreate": false,
                "searchParam": params,
            })
        })
        .collect();
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "publisher": "clinic-fhir",
        "kind": "instance",
        "software": {"name": "clinic-fhir", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "FHIR R4 facade over the clinic database"},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "application/fhir+xml"],
        "rest": [{
            "mode": "server",
            "resource": resources,
        }],
    })
}
