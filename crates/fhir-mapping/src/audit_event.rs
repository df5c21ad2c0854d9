//! AuditEvent <- `fhir_audit_events` (read-only): one request the server answered.
//!
//! | FHIR                                            | audit column                                 |
//! |-------------------------------------------------|----------------------------------------------|
//! | id                                              | id                                           |
//! | type                                            | interaction: `token` is DICOM 110114 User Authentication, everything else `rest` |
//! | subtype (restful-interaction)                   | interaction, when it is a FHIR interaction   |
//! | action                                          | interaction (see [`AUDIT_ACTIONS`])          |
//! | recorded                                        | updated_at (clinic time, with the offset)    |
//! | outcome, outcomeDesc                            | status (`0` below 400, `4` for 4xx, `8` for 5xx; `HTTP <status>`) |
//! | agent[0] (the requestor)                        | client_id as altId, source_address (IP)      |
//! | source                                          | always this server (observer `clinic-fhir`, Application Server) |
//! | entity[].what                                   | resources (`Type/id` each), or only the type (resource_type) when none was touched |
//!
//! The audit trail keeps no query string, body or token, so an AuditEvent names what was
//! touched but never how it was asked for.

use clinic_db::AuditEventRow;
use serde_json::{Map, Value, json};

use crate::systems::{AUDIT_EVENT_TYPE, DICOM, RESTFUL_INTERACTION, SECURITY_SOURCE_TYPE};
use crate::{MappingContext, meta};

/// The interaction the OAuth token endpoint is recorded with.
pub const TOKEN_INTERACTION: &str = "token";
/// `type` of a request to the token endpoint.
pub const USER_AUTHENTICATION: (&str, &str) = ("110114", "User Authentication");
/// `type` of every other request.
pub const RESTFUL_OPERATION: (&str, &str) = ("rest", "RESTful Operation");

/// The codes of http://hl7.org/fhir/restful-interaction (R4): the interactions that are a
/// `subtype` of an AuditEvent.
pub const RESTFUL_INTERACTIONS: [&str; 18] = [
    "read",
    "vread",
    "update",
    "patch",
    "delete",
    "history",
    "history-instance",
    "history-type",
    "history-system",
    "create",
    "search",
    "search-type",
    "search-system",
    "search-compartment",
    "capabilities",
    "transaction",
    "batch",
    "operation",
];

/// The AuditEvent.action of each interaction the server records, as (action, interaction):
/// key management (`admin`) and token requests execute a function, like an operation.
pub const AUDIT_ACTIONS: [(&str, &str); 14] = [
    ("C", "create"),
    ("R", "read"),
    ("R", "vread"),
    ("R", "search-type"),
    ("R", "history-instance"),
    ("R", "history-type"),
    ("R", "history-system"),
    ("R", "capabilities"),
    ("U", "update"),
    ("U", "patch"),
    ("D", "delete"),
    ("E", "operation"),
    ("E", TOKEN_INTERACTION),
    ("E", "admin"),
];

/// AuditEvent.outcome of HTTP statuses `[from, to)`, with its display.
pub const AUDIT_OUTCOMES: [(&str, &str, i32, i32); 3] =
    [("0", "Success", 100, 400), ("4", "Minor failure", 400, 500), ("8", "Serious failure", 500, 600)];

/// The action of a recorded interaction; `None` for a route the server does not serve.
fn audit_action(interaction: &str) -> Option<&'static str> {
    AUDIT_ACTIONS.iter().find(|(_, recorded)| *recorded == interaction).map(|(action, _)| *action)
}

/// The outcome code of an HTTP status: below 400 success, 4xx minor failure (the client's
/// request), 5xx serious failure (the server's fault).
fn audit_outcome(status: i32) -> &'static str {
    AUDIT_OUTCOMES
        .iter()
        .find(|(_, _, from, to)| (*from..*to).contains(&status))
        .map_or("8", |(code, _, _, _)| *code)
}

/// The AuditEvent of an audit trail row.
pub fn audit_event_to_fhir(row: &AuditEventRow, ctx: &MappingContext) -> Value {
    let mut event = Map::new();
    event.insert("resourceType".into(), json!("AuditEvent"));
    event.insert("id".into(), json!(row.id.to_string()));
    event.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    let (system, (code, display)) = if row.interaction == TOKEN_INTERACTION {
        (DICOM, USER_AUTHENTICATION)
    } else {
        (AUDIT_EVENT_TYPE, RESTFUL_OPERATION)
    };
    event.insert("type".into(), json!({"system": system, "code": code, "display": display}));
    if RESTFUL_INTERACTIONS.contains(&row.interaction.as_str()) {
        event.insert(
            "subtype".into(),
            json!([{"system": RESTFUL_INTERACTION, "code": row.interaction, "display": row.interaction}]),
        );
    }
    if let Some(action) = audit_action(&row.interaction) {
        event.insert("action".into(), json!(action));
    }
    event.insert("recorded".into(), json!(ctx.instant(row.updated_at)));
    event.insert("outcome".into(), json!(audit_outcome(row.status)));
    event.insert("outcomeDesc".into(), json!(format!("HTTP {}", row.status)));
    event.insert("agent".into(), json!([requestor(row)]));
    event.insert(
        "source".into(),
        json!({
            "observer": {"display": "clinic-fhir"},
            "type": [{"system": SECURITY_SOURCE_TYPE, "code": "4", "display": "Application Server"}],
        }),
    );
    let entities = entities(row);
    if !entities.is_empty() {
        event.insert("entity".into(), Value::Array(entities));
    }
    Value::Object(event)
}

/// The client that made the request: its client id when it had a valid token, and its address.
fn requestor(row: &AuditEventRow) -> Value {
    let mut agent = Map::new();
    if let Some(client_id) = &row.client_id {
        agent.insert("altId".into(), json!(client_id));
    }
    agent.insert("requestor".into(), json!(true));
    // FHIR strings are never empty: an unknown address is left out.
    if !row.source_address.is_empty() {
        // Network access point type 2: an IP address.
        agent.insert("network".into(), json!({"address": row.source_address, "type": "2"}));
    }
    Value::Object(agent)
}

/// Each touched resource; a request that touched none but was about a type (a refused read, an
/// empty search) names the type alone.
fn entities(row: &AuditEventRow) -> Vec<Value> {
    let touched: Vec<Value> =
        row.resources.split_whitespace().map(|what| json!({"what": {"reference": what}})).collect();
    match (&row.resource_type, touched.is_empty()) {
        (Some(resource_type), true) => vec![json!({"what": {"type": resource_type}})],
        _ => touched,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, ctx};

    fn row() -> AuditEventRow {
        AuditEventRow {
            id: 31,
            version: 1,
            updated_at: at("2026-11-23 09:15"),
            client_id: Some("ck_lab".into()),
            source_address: "10.0.0.7".into(),
            method: "GET".into(),
            interaction: "read".into(),
            resource_type: Some("Patient".into()),
            resources: "Patient/42".into(),
            status: 200,
        }
    }

    #[test]
    fn a_read_is_a_restful_read_by_its_client_from_its_address() {
        let event = audit_event_to_fhir(&row(), &ctx());
        assert_eq!(event["id"], "31");
        assert_eq!(event["meta"]["versionId"], "1");
        assert_eq!(
            event["type"],
            json!({"system": AUDIT_EVENT_TYPE, "code": "rest", "display": "RESTful Operation"})
        );
        assert_eq!(event["subtype"][0]["system"], RESTFUL_INTERACTION);
        assert_eq!(event["subtype"][0]["code"], "read");
        assert_eq!(event["action"], "R");
        assert_eq!(event["recorded"], "2026-11-23T09:15:00+07:00");
        assert_eq!(event["outcome"], "0");
        assert_eq!(event["outcomeDesc"], "HTTP 200");
        assert_eq!(
            event["agent"],
            json!([{"altId": "ck_lab", "requestor": true, "network": {"address": "10.0.0.7", "type": "2"}}])
        );
        assert_eq!(event["source"]["observer"]["display"], "clinic-fhir");
        assert_eq!(event["source"]["type"][0]["code"], "4");
        assert_eq!(event["entity"], json!([{"what": {"reference": "Patient/42"}}]));
    }

    #[test]
    fn elements_follow_the_r4_order() {
        let event = audit_event_to_fhir(&row(), &ctx());
        let names: Vec<_> = event.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            names,
            [
                "resourceType",
                "id",
                "meta",
                "type",
                "subtype",
                "action",
                "recorded",
                "outcome",
                "outcomeDesc",
                "agent",
                "source",
                "entity"
            ]
        );
    }

    #[test]
    fn a_token_request_is_a_user_authentication_without_a_restful_subtype() {
        let token = AuditEventRow {
            interaction: "token".into(),
            method: "POST".into(),
            resource_type: None,
            resources: String::new(),
            ..row()
        };
        let event = audit_event_to_fhir(&token, &ctx());
        assert_eq!(
            event["type"],
            json!({"system": DICOM, "code": "110114", "display": "User Authentication"})
        );
        assert!(event.get("subtype").is_none());
        assert_eq!(event["action"], "E");
        assert!(event.get("entity").is_none());
    }

    #[test]
    fn each_interaction_has_its_action() {
        let cases = [
            ("create", Some("C")),
            ("vread", Some("R")),
            ("search-type", Some("R")),
            ("history-system", Some("R")),
            ("capabilities", Some("R")),
            ("update", Some("U")),
            ("patch", Some("U")),
            ("delete", Some("D")),
            ("operation", Some("E")),
            ("admin", Some("E")),
            ("unknown", None),
        ];
        for (interaction, action) in cases {
            assert_eq!(audit_action(interaction), action, "{interaction}");
        }
        let admin = audit_event_to_fhir(&AuditEventRow { interaction: "admin".into(), ..row() }, &ctx());
        assert!(admin.get("subtype").is_none());
        let unknown = audit_event_to_fhir(&AuditEventRow { interaction: "unknown".into(), ..row() }, &ctx());
        assert!(unknown.get("action").is_none());
    }

    #[test]
    fn statuses_give_success_minor_or_serious_failure() {
        for (status, outcome) in
            [(101, "0"), (200, "0"), (304, "0"), (401, "4"), (403, "4"), (500, "8"), (503, "8")]
        {
            assert_eq!(audit_outcome(status), outcome, "{status}");
        }
        let refused = audit_event_to_fhir(&AuditEventRow { status: 403, ..row() }, &ctx());
        assert_eq!((&refused["outcome"], &refused["outcomeDesc"]), (&json!("4"), &json!("HTTP 403")));
    }

    #[test]
    fn an_unauthenticated_request_has_no_client_and_a_refused_one_names_only_its_type() {
        let anonymous = AuditEventRow {
            client_id: None,
            source_address: String::new(),
            resources: String::new(),
            status: 401,
            ..row()
        };
        let event = audit_event_to_fhir(&anonymous, &ctx());
        assert_eq!(event["agent"], json!([{"requestor": true}]));
        assert_eq!(event["entity"], json!([{"what": {"type": "Patient"}}]));
    }

    #[test]
    fn a_search_names_every_resource_it_returned() {
        let search = AuditEventRow {
            interaction: "search-type".into(),
            resources: "Encounter/1 Encounter/2 Patient/42".into(),
            resource_type: Some("Encounter".into()),
            ..row()
        };
        let event = audit_event_to_fhir(&search, &ctx());
        let whats: Vec<&Value> =
            event["entity"].as_array().unwrap().iter().map(|e| &e["what"]["reference"]).collect();
        assert_eq!(whats, ["Encounter/1", "Encounter/2", "Patient/42"]);
    }
}
