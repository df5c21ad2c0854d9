//! Subscription <-> `fhir_subscriptions` (the facade's own table): rest-hook webhooks.
//!
//! | FHIR Subscription                      | fhir_subscriptions                                  |
//! |----------------------------------------|-----------------------------------------------------|
//! | extension subscription-owner           | owner_client_id (set by the server from the caller) |
//! | status                                 | status (`requested` is stored as `active`)          |
//! | contact                                | contact (the ContactPoints as JSON)                 |
//! | end                                    | end_time                                            |
//! | reason, criteria                       | reason, criteria (+ criteria_type, its type)        |
//! | error                                  | error (written by the delivery worker only)         |
//! | channel.type                           | always `rest-hook`                                  |
//! | channel.endpoint, payload, header      | endpoint, payload, headers (one per line)           |

use clinic_db::{SubscriptionFields, SubscriptionRow};
use fhir_outcome::{Issue, IssueType};
use serde_json::{Map, Value, json};

use crate::elements::{array, date_time, missing, text};
use crate::round_trip::unstored_elements;
use crate::{MappingContext, meta, systems};

pub const SUBSCRIPTION_ACTIVE: &str = "active";
pub const SUBSCRIPTION_ERROR: &str = "error";
pub const SUBSCRIPTION_OFF: &str = "off";
/// The one payload this server delivers as content; without `payload`, a notification is empty.
pub const FHIR_JSON: &str = "application/fhir+json";

pub fn subscription_to_fhir(row: &SubscriptionRow, ctx: &MappingContext) -> Value {
    let s = &row.fields;
    let mut out = Map::new();
    out.insert("resourceType".into(), json!("Subscription"));
    out.insert("id".into(), json!(row.id.to_string()));
    out.insert("meta".into(), meta(row.version, row.updated_at, ctx));
    out.insert(
        "extension".into(),
        json!([{"url": systems::SUBSCRIPTION_OWNER, "valueString": s.owner_client_id}]),
    );
    out.insert("status".into(), json!(s.status));
    if let Some(contact) = s.contact.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()) {
        out.insert("contact".into(), contact);
    }
    if let Some(end) = s.end_time {
        out.insert("end".into(), json!(ctx.instant(end)));
    }
    out.insert("reason".into(), json!(s.reason));
    out.insert("criteria".into(), json!(s.criteria));
    if let Some(error) = &s.error {
        out.insert("error".into(), json!(error));
    }
    let mut channel = Map::new();
    channel.insert("type".into(), json!("rest-hook"));
    channel.insert("endpoint".into(), json!(s.endpoint));
    if let Some(payload) = &s.payload {
        channel.insert("payload".into(), json!(payload));
    }
    let headers: Vec<&str> = s.headers.lines().collect();
    if !headers.is_empty() {
        channel.insert("header".into(), json!(headers));
    }
    out.insert("channel".into(), Value::Object(channel));
    Value::Object(out)
}

/// The columns of a Subscription a client sends; `requested` is stored as `active` (the server
/// puts a failing one in `error` with the reason in `error`).
pub fn subscription_from_fhir(
    resource: &Value,
    ctx: &MappingContext,
) -> Result<SubscriptionFields, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut s = SubscriptionFields::default();
    let owners: Vec<&Value> =
        array(resource, "extension").iter().filter(|e| e["url"] == systems::SUBSCRIPTION_OWNER).collect();
    match owners.as_slice() {
        [owner] => s.owner_client_id = text(&owner["valueString"]).unwrap_or_default(),
        _ => issues.push(missing("Subscription.extension", "the owner (set by the server)")),
    }
    s.status = match resource["status"].as_str() {
        Some("requested" | "active") => SUBSCRIPTION_ACTIVE.into(),
        // As read back (a client may send what it read): resuming takes requested.
        Some(status @ ("error" | "off")) => status.into(),
        Some(other) => {
            issues.push(
                Issue::error(IssueType::CodeInvalid, format!("unknown status '{other}'"))
                    .at("Subscription.status"),
            );
            String::new()
        }
        None => {
            issues.push(missing("Subscription.status", "requested (or off)"));
            String::new()
        }
    };
    s.error = text(&resource["error"]);
    if resource.get("contact").is_some() {
        s.contact = Some(resource["contact"].to_string());
    }
    s.end_time = date_time(&resource["end"], "Subscription.end", ctx, &mut issues);
    match text(&resource["reason"]) {
        Some(reason) => s.reason = reason,
        None => issues.push(missing("Subscription.reason", "why the subscription is made")),
    }
    match text(&resource["criteria"]) {
        Some(criteria) => {
            s.criteria_type = criteria.split('?').next().unwrap_or_default().to_owned();
            s.criteria = criteria;
        }
        None => issues.push(missing("Subscription.criteria", "a search such as Appointment?status=booked")),
    }
    let channel = &resource["channel"];
    match channel["type"].as_str() {
        Some("rest-hook") => {}
        Some(other) => issues.push(
            Issue::error(
                IssueType::NotSupported,
                format!("channel type '{other}': this server delivers rest-hook only"),
            )
            .at("Subscription.channel.type"),
        ),
        None => issues.push(missing("Subscription.channel.type", "rest-hook")),
    }
    match channel["endpoint"].as_str() {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => s.endpoint = url.into(),
        Some(_) => issues.push(
            Issue::error(IssueType::Value, "the endpoint must be an http:// or https:// URL")
                .at("Subscription.channel.endpoint"),
        ),
        None => issues.push(missing("Subscription.channel.endpoint", "where events are POSTed")),
    }
    match channel["payload"].as_str() {
        None => {}
        Some(FHIR_JSON) => s.payload = Some(FHIR_JSON.into()),
        Some(other) => issues.push(
            Issue::error(
                IssueType::NotSupported,
                format!("payload '{other}': this server sends {FHIR_JSON} or, without payload, nothing"),
            )
            .at("Subscription.channel.payload"),
        ),
    }
    let mut headers = Vec::new();
    for (i, header) in array(channel, "header").iter().enumerate() {
        let path = format!("Subscription.channel.header[{i}]");
        match header.as_str().and_then(|h| h.split_once(':')) {
            Some((name, value))
                if !name.trim().is_empty()
                    && name.trim().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !value.contains(['\r', '\n']) =>
            {
                headers.push(format!("{}: {}", name.trim(), value.trim()))
            }
            _ => issues.push(Issue::error(IssueType::Value, "expected 'Name: value'").at(path)),
        }
    }
    s.headers = headers.join("\n");

    if issues.is_empty() {
        // What the server sets (or turns `requested` into) is not the client's to round-trip.
        let mut sent = resource.clone();
        sent["status"] = json!(s.status);
        if let Some(headers) = sent["channel"]["header"].as_array_mut() {
            for header in headers {
                if let Some((name, value)) = header.as_str().and_then(|h| h.split_once(':')) {
                    *header = json!(format!("{}: {}", name.trim(), value.trim()));
                }
            }
        }
        let stored = SubscriptionRow { id: 0, fields: s.clone(), updated_at: Default::default(), version: 1 };
        issues = unstored_elements(&sent, &subscription_to_fhir(&stored, ctx), "Subscription");
    }
    if issues.is_empty() { Ok(s) } else { Err(issues) }
}
