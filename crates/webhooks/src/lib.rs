//! Delivers the outbox (`fhir_store::outbox`): each event a POST to its subscription's endpoint,
//! signed with HMAC-SHA256 under the subscription's secret, retried with exponential backoff,
//! and after the last retry the subscription put in `error`. Any number of instances may run
//! this worker: rows are claimed in the database, one stream head at a time, so a
//! subscription's events arrive in order and at least once. MOPH Connect messages go through
//! the same outbox, retries and failure records.

use std::time::Duration;

use api_keys::{KeyManager, Permissions};
use chrono::Utc;
use fhir_store::Store;
use fhir_store::outbox::{Delivery, MOPH_NOTIFY, MOPH_QUEUE, MOPH_SCHEDULE, REST_HOOK};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Headers every delivery carries (besides the subscription's own `channel.header`).
pub const EVENT_ID_HEADER: &str = "X-Event-Id";
pub const EVENT_NAME_HEADER: &str = "X-Event-Name";
pub const EVENT_TIMESTAMP_HEADER: &str = "X-Event-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Signature";
/// How long a delivered event stays in the outbox (for a look at what went out).
const DELIVERED_KEPT_FOR: chrono::Duration = chrono::Duration::days(7);

#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The server's key the subscriptions' secrets are derived from; every instance needs the
    /// same one, and it must outlive restarts, or receivers could not check signatures.
    pub signing_key: Vec<u8>,
    /// Retries after the first attempt before a subscription goes to `error`.
    pub max_retries: i32,
    /// The wait before the first retry; each later one waits twice as long.
    pub first_retry_after: Duration,
    /// How long an endpoint has to answer.
    pub timeout: Duration,
    /// How often the outbox is looked at when it was empty.
    pub poll_interval: Duration,
    /// Where MOPH Connect messages go, when the connector is configured.
    pub moph: Option<MophEndpoint>,
}

/// The MOPH Connect service and this hospital's credentials for it.
#[derive(Clone)]
pub struct MophEndpoint {
    /// `{base}/queue`, `{base}/queue/schedule` and `{base}/queue/notify` are posted to.
    pub base_url: String,
    pub client_key: String,
    pub secret_key: String,
}

impl std::fmt::Debug for MophEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MophEndpoint").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl WebhookConfig {
    pub fn new(signing_key: Vec<u8>) -> WebhookConfig {
        WebhookConfig {
            signing_key,
            max_retries: 5,
            first_retry_after: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            poll_interval: Duration::from_millis(500),
            moph: None,
        }
    }
}

fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The secret a subscription's deliveries are signed with: derived from the server's key, so
/// it is never stored; its owner reads it with `Subscription/[id]/$signing-secret`.
pub fn subscription_secret(signing_key: &[u8], subscription_id: &str) -> String {
    hmac_hex(signing_key, &[b"Subscription/", subscription_id.as_bytes()])
}

/// `sha256=<hex>`: HMAC-SHA256 under `secret` of `<event id>.<timestamp>.<body>`, so a receiver
/// can check the body, and that the event id and time it de-duplicates and dates by are ours.
pub fn signature(secret: &str, event_id: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hmac_hex(secret.as_bytes(), &[event_id.as_bytes(), b".", timestamp.as_bytes(), b".", body])
    )
}

/// Runs forever: claims due deliveries and makes them.
pub async fn run(store: Store, keys: KeyManager, config: WebhookConfig) {
    let client = match reqwest::Client::builder().timeout(config.timeout).build() {
        Ok(client) => client,
        Err(cause) => {
            tracing::error!(%cause, "webhook deliveries disabled: no HTTP client");
            return;
        }
    };
    let lease = chrono::Duration::from_std(config.timeout * 2).unwrap_or(chrono::Duration::minutes(1));
    let mut next_purge = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_purge {
            next_purge += Duration::from_secs(3600);
            if let Err(cause) = store.purge_delivered(DELIVERED_KEPT_FOR).await {
                tracing::warn!(%cause, "removing old outbox deliveries");
            }
        }
        let claimed = match store.claim_deliveries(32, lease).await {
            Ok(claimed) => claimed,
            Err(cause) => {
                tracing::warn!(%cause, "claiming outbox deliveries");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            tokio::time::sleep(config.poll_interval).await;
            continue;
        }
        let mut sending = tokio::task::JoinSet::new();
        for delivery in claimed {
            let (store, keys, client, config) = (store.clone(), keys.clone(), client.clone(), config.clone());
            sending.spawn(async move { deliver(&store, &keys, &client, &config, delivery).await });
        }
        while sending.join_next().await.is_some() {}
    }
}

async fn deliver(
    store: &Store,
    keys: &KeyManager,
    client: &reqwest::Client,
    config: &WebhookConfig,
    delivery: Delivery,
) {
    let outcome = match delivery.channel.as_str() {
        REST_HOOK => post_rest_hook(store, keys, client, config, &delivery).await,
        MOPH_QUEUE | MOPH_SCHEDULE | MOPH_NOTIFY => post_to_moph(store, client, config, &delivery).await,
        other => Err(Failure::Final(format!("unknown channel '{other}'"))),
    };
    let recorded = match outcome {
        Ok(()) => store.delivered(delivery.id).await,
        Err(failure) => {
            let attempts = delivery.attempts + 1;
            let (reason, retry_at) = match failure {
                Failure::Retry(reason) if attempts <= config.max_retries => {
                    let wait = config.first_retry_after * 2u32.pow((attempts - 1).clamp(0, 20) as u32);
                    (
                        reason,
                        Some(Utc::now().naive_utc() + chrono::Duration::from_std(wait).unwrap_or_default()),
                    )
                }
                Failure::Retry(reason) => (format!("{reason} (gave up after {attempts} attempts)"), None),
                Failure::Final(reason) => (reason, None),
            };
            tracing::info!(delivery = delivery.id, attempts, %reason, "webhook delivery failed");
            store.delivery_failed(&delivery, reason, retry_at).await
        }
    };
    if let Err(cause) = recorded {
        // The lease runs out and the delivery is made again: at least once.
        tracing::warn!(delivery = delivery.id, %cause, "recording a webhook delivery");
    }
}

enum Failure {
    /// Worth trying again (the endpoint failed or could not be reached).
    Retry(String),
    /// Trying again cannot help (the subscription or its owner's rights are gone).
    Final(String),
}

async fn post_rest_hook(
    store: &Store,
    keys: &KeyManager,
    client: &reqwest::Client,
    config: &WebhookConfig,
    delivery: &Delivery,
) -> Result<(), Failure> {
    let Some(subscription_id) = delivery.subscription_id else {
        return Err(Failure::Final("a rest-hook event without a subscription".into()));
    };
    let target = store
        .delivery_target(subscription_id)
        .await
        .map_err(|cause| Failure::Retry(format!("reading the subscription: {cause}")))?
        .ok_or_else(|| Failure::Final("the subscription no longer exists".into()))?;
    // Deliveries carry only what the owner's key may read now: revoked, expired or narrowed
    // keys stop them.
    let owner = keys.show(&target.owner_client_id).await.ok();
    let now = Utc::now();
    let allowed = owner.is_some_and(|key| {
        key.revoked_at.is_none()
            && key.expires_at.is_none_or(|expiry| expiry > now)
            && key.scopes.allows(&delivery.resource_type, Permissions::READ)
    });
    if !allowed {
        return Err(Failure::Final(format!(
            "the subscription's key ({}) may no longer read {}",
            target.owner_client_id, delivery.resource_type
        )));
    }
    let event_id = delivery.id.to_string();
    let timestamp = now.timestamp().to_string();
    let secret = subscription_secret(&config.signing_key, &subscription_id.to_string());
    let mut request = client
        .post(&target.endpoint)
        .header(EVENT_ID_HEADER, &event_id)
        .header(EVENT_NAME_HEADER, &delivery.event_name)
        .header(EVENT_TIMESTAMP_HEADER, &timestamp)
        .header(SIGNATURE_HEADER, signature(&secret, &event_id, &timestamp, delivery.body.as_bytes()));
    if !delivery.body.is_empty() {
        request = request.header("Content-Type", "application/fhir+json");
    }
    for (name, value) in &target.headers {
        request = request.header(name, value);
    }
    let response = request
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|cause| Failure::Retry(format!("POST {}: {}", target.endpoint, without_url(&cause))))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(Failure::Retry(format!("POST {} answered {}", target.endpoint, response.status())))
    }
}

/// The MOPH Connect path each message goes to.
fn moph_path(channel: &str) -> &'static str {
    match channel {
        MOPH_QUEUE => "/queue",
        MOPH_SCHEDULE => "/queue/schedule",
        _ => "/queue/notify",
    }
}

/// The fields every MOPH Connect message carries, in the order the service lists them.
pub const MOPH_FIELDS: [&str; 9] = [
    "userId",
    "hospitalName",
    "origin",
    "queueNumber",
    "patientName",
    "appointmentDate",
    "appointmentTime",
    "detailsLink",
    "currentQueueLink",
];

/// What makes a MOPH Connect message one the service would refuse: found here, so that a bad
/// configuration or record is reported as ours, not as the service's.
pub fn moph_payload_problems(body: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(payload)) = serde_json::from_str::<serde_json::Value>(body) else {
        return vec!["the message is not a JSON object".into()];
    };
    let mut problems = Vec::new();
    for field in MOPH_FIELDS {
        match payload.get(field).and_then(|v| v.as_str()) {
            Some(value) if !value.trim().is_empty() => {}
            _ => problems.push(format!("{field} is missing")),
        }
    }
    for link in ["detailsLink", "currentQueueLink"] {
        let value = payload.get(link).and_then(|v| v.as_str()).unwrap_or_default();
        let linked = value.is_empty() || value.starts_with("http://") || value.starts_with("https://");
        if !linked {
            problems.push(format!("{link} must start with http:// or https://"));
        }
    }
    let date = payload.get("appointmentDate").and_then(|v| v.as_str()).unwrap_or_default();
    match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        // A year in the Buddhist era (Christian + 543) would read as five centuries away.
        Ok(day) if chrono::Datelike::year(&day) < 2400 && date.len() == 10 => {}
        _ if date.is_empty() => {}
        _ => problems.push(format!("appointmentDate '{date}' is not YYYY-MM-DD in the Christian era")),
    }
    if payload.len() != MOPH_FIELDS.len() {
        problems.push("the message has fields MOPH Connect does not take".into());
    }
    problems
}

async fn post_to_moph(
    store: &Store,
    client: &reqwest::Client,
    config: &WebhookConfig,
    delivery: &Delivery,
) -> Result<(), Failure> {
    let Some(moph) = &config.moph else {
        return Err(Failure::Final("MOPH Connect is not configured on this instance".into()));
    };
    let problems = moph_payload_problems(&delivery.body);
    if !problems.is_empty() {
        return Err(Failure::Final(format!("invalid MOPH Connect message: {}", problems.join("; "))));
    }
    if delivery.channel == MOPH_NOTIFY {
        // Told long after booking: only if the appointment is still on.
        let still_booked = match store.read("Appointment", &delivery.resource_id).await {
            Ok(appointment) => appointment["status"] == "booked",
            Err(fhir_store::StoreError::Gone { .. } | fhir_store::StoreError::NotFound { .. }) => false,
            Err(cause) => return Err(Failure::Retry(format!("reading the appointment: {cause}"))),
        };
        if !still_booked {
            return Err(Failure::Final("the appointment is no longer booked: not notified".into()));
        }
    }
    let url = format!("{}{}", moph.base_url.trim_end_matches('/'), moph_path(&delivery.channel));
    let response = client
        .post(&url)
        .header("Content-Type", "application/json")
        .header("client-key", &moph.client_key)
        .header("secret-key", &moph.secret_key)
        .header(EVENT_ID_HEADER, delivery.id.to_string())
        .body(delivery.body.clone())
        .send()
        .await
        .map_err(|cause| Failure::Retry(format!("POST {url}: {}", without_url(&cause))))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(Failure::Retry(format!("POST {url} answered {}", response.status())))
    }
}

/// A reqwest error's cause without its URL (already named) repeated.
fn without_url(error: &reqwest::Error) -> String {
    let mut cause = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(error) = source {
        cause = error.to_string();
        source = error.source();
    }
    cause
}
