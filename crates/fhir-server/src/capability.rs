//! The CapabilityStatement, generated from what is implemented: the store's resource types and
//! what each allows, and the search registry.

use serde_json::{Value, json};

const HISTORY: &str = "With _since, _at, _count and paging.";
const SYSTEM_HISTORY: &str = "Every type with history but AuditEvent (the audit trail records every \
     request, history requests included); with _since, _at, _count and paging.";

/// Where the Bulk Data Access IG (2.0) publishes its OperationDefinitions.
const BULK_DATA: &str = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition";
/// How every kind of `$export` behaves.
const EXPORT: &str = "GET with Prefer: respond-async (202 and Content-Location of the status URL); \
     _type (only types the key may search), _since, _outputFormat application/fhir+ndjson, _typeFilter \
     (search criteria, one filter per type). One NDJSON \
     file per type, served only to the key that started the job; DELETE on the status URL cancels.";

/// Interactions every served type supports, with how this server behaves where R4 leaves a choice.
const READ_INTERACTIONS: [(&str, &str); 5] = [
    ("read", "A resource deleted through FHIR reads as 410 Gone."),
    (
        "vread",
        "Versions the facade wrote or replaced; versions the clinic application wrote and \
         replaced before the facade saw them are not kept.",
    ),
    ("history-instance", HISTORY),
    ("history-type", HISTORY),
    (
        "search-type",
        "GET and POST _search; unknown parameters are ignored and left out of the self link, or \
         refused (400) with Prefer: handling=strict.",
    ),
];

/// Interactions of the types clients may write.
const WRITE_INTERACTIONS: [(&str, &str); 3] = [
    (
        "update",
        "PUT with If-Match (412 when stale); every update is conditional on the version read, so \
         a concurrent writer gets 409 instead of a lost update. Ids are server-assigned: no \
         update-as-create.",
    ),
    ("patch", "application/json-patch+json with If-Match; the result is validated and stored as an update."),
    ("create", "With If-None-Exist: 0 matches creates (201), 1 returns it (200), 2+ fail (412)."),
];

/// `Type:param` for each reference parameter of `resource_type`.
fn references_from(resource_type: &str) -> Vec<String> {
    let params = fhir_search::registry::for_type(resource_type).unwrap_or_default();
    let references = params.iter().filter(|p| p.kind == fhir_search::ParamType::Reference);
    references.map(|p| format!("{resource_type}:{}", p.name)).collect()
}

/// `Source:param` for each served type's reference parameter that can point at `resource_type`.
fn references_to(resource_type: &str) -> Vec<String> {
    fhir_store::resource_types()
        .flat_map(references_from)
        .filter(|include| {
            let (source, param) = include.split_once(':').unwrap_or_default();
            fhir_search::registry::reference_path(source, param)
                .is_some_and(|(_, targets)| targets.contains(&resource_type))
        })
        .collect()
}

pub fn statement() -> Value {
    let resources: Vec<Value> = fhir_store::resource_types()
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
            let writable = fhir_store::writable(resource_type);
            let history = fhir_store::has_history(resource_type);
            let mut interactions: Vec<Value> = READ_INTERACTIONS
                .iter()
                .filter(|(code, _)| history || !code.starts_with("history"))
                .chain(if writable { &WRITE_INTERACTIONS[..] } else { &[] })
                .map(|(code, documentation)| json!({"code": code, "documentation": documentation}))
                .collect();
            if let Some(effect) = fhir_store::delete_effect(resource_type) {
                interactions.push(json!({"code": "delete", "documentation": effect}));
            }
            let profile = fhir_conformance::profile_url(resource_type);
            let mut capability = json!({
                "type": resource_type,
                "profile": profile,
                "supportedProfile": [profile],
                "interaction": interactions,
                "versioning": "versioned-update",
                "readHistory": history,
                "updateCreate": false,
                "conditionalCreate": writable,
                "conditionalRead": "full-support",
                "conditionalUpdate": writable,
                "conditionalDelete": "not-supported",
                "searchInclude": references_from(resource_type),
                "searchRevInclude": references_to(resource_type),
                "searchParam": params,
                "operation": [{
                    "name": "validate",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Resource-validate",
                    "documentation": "Checks a resource against the clinic profile and whether it can be stored as sent; never stores it.",
                }],
            });
            let operations: Vec<Value> = match resource_type {
                "Patient" => vec![
                    json!({
                        "name": "everything",
                        "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                        "documentation": "The patient and every resource of their compartment the caller may search (_type, _since, start and end on each type's clinical date, _count), paged across types.",
                    }),
                    json!({
                        "name": "export",
                        "definition": format!("{BULK_DATA}/patient-export"),
                        "documentation": format!("Bulk Data export of every patient's compartment. {EXPORT}"),
                    }),
                ],
                "Group" => vec![json!({
                    "name": "export",
                    "definition": format!("{BULK_DATA}/group-export"),
                    "documentation": format!("Bulk Data export of the compartments of the Group's members; needs Group retrieve. {EXPORT}"),
                })],
                _ => Vec::new(),
            };
            if let Some(all) = capability["operation"].as_array_mut() {
                all.extend(operations);
            }
            // FHIR has no empty arrays: a type nothing references lists no revincludes.
            if let Some(members) = capability.as_object_mut() {
                members.retain(|_, value| value.as_array().is_none_or(|items| !items.is_empty()));
            }
            capability
        })
        .chain(std::iter::once(json!({
            "type": "StructureDefinition",
            "documentation": "The clinic profiles, one per served type (also under fhir-profiles/ in the source).",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": "_id", "definition": "http://hl7.org/fhir/SearchParameter/Resource-id", "type": "token"},
                {"name": "url", "definition": "http://hl7.org/fhir/SearchParameter/conformance-url", "type": "uri"},
            ],
        })))
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
        "patchFormat": [crate::write::JSON_PATCH],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": true,
                "service": [{
                    "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }],
                    "text": "OAuth 2.0 client credentials",
                }],
                "description": "Every request but this statement and .well-known/smart-configuration needs a bearer token from the OAuth 2.0 token endpoint (client credentials, SMART v2 system scopes; the discovery document names it). A key's scopes decide per resource type what it may read (r), search (s), create (c), update (u) and delete (d); each key has a per-minute rate limit.",
            },
            "resource": resources,
            "operation": [{
                "name": "export",
                "definition": format!("{BULK_DATA}/export"),
                "documentation": format!("Bulk Data export of every resource but Slots, the audit trail and Subscriptions. {EXPORT}"),
            }],
            "interaction": [
                {"code": "transaction", "documentation": "POST a transaction Bundle to the base: its writes in one database transaction (DELETE, POST, PUT and PATCH; urn:uuid and conditional references resolved), then its GETs; all or nothing, a failure names its entry. PATCH entries carry a JSON Patch in a Binary (contentType application/json-patch+json, ifMatch honoured) and run with the PUTs; conditional DELETE and PATCH entries are not supported."},
                {"code": "batch", "documentation": "POST a batch Bundle to the base: each entry on its own, with its own status and OperationOutcome."},
                {"code": "history-system", "documentation": SYSTEM_HISTORY},
                {"code": "search-system", "documentation": "GET [base]?_type=A,B&... or POST [base]/_search: the parameters every type has (_id, _lastUpdated) over the types _type lists (each must be searchable by the key, else 403), or every type the key may search; one type after another, one next link across them; _total=accurate counts every type; any other parameter is a 400."},
            ],
            "searchParam": [
                {"name": "_id", "definition": "http://hl7.org/fhir/SearchParameter/Resource-id", "type": "token"},
                {"name": "_lastUpdated", "definition": "http://hl7.org/fhir/SearchParameter/Resource-lastUpdated", "type": "date"},
            ],
        }],
    })
}
