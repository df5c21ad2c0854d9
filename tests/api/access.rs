//! Scoped keys end to end: tokens by OAuth 2.0 client credentials (through the `oauth2`
//! crate), what a token may reach, revocation, expiry, rate limits and throttling.

use serde_json::Value;

use crate::app::{TestApp, json_of};
use crate::on_both_backends;

on_both_backends!(
    requests_without_a_valid_token_are_refused,
    token_endpoint_answers_as_rfc_6749_says,
    tokens_carry_at_most_their_keys_rights_and_die_with_it,
    searches_need_every_type_they_reach,
    rate_limits_count_every_request_and_refuse_past_the_limit,
    failed_client_authentications_are_throttled,
    secrets_and_tokens_are_never_stored_in_clear,
    keys_are_managed_over_http_by_managers_only,
);

async fn requests_without_a_valid_token_are_refused(app: &TestApp) {
    let anonymous = reqwest::Client::new();
    for (token, challenge) in
        [(None, r#"Bearer realm="clinic-fhir""#), (Some("not-a-token"), r#"error="invalid_token""#)]
    {
        let mut request = anonymous.get(app.url("Patient"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let www_authenticate = response.headers()["www-authenticate"].to_str().unwrap().to_owned();
        assert!(www_authenticate.contains(challenge), "{www_authenticate}");
        let (status, outcome) = json_of(response).await;
        assert_eq!(status, 401, "{outcome}");
        assert_eq!(outcome["issue"][0]["code"], "login");
    }
    // How to connect is public; data is not.
    let (status, capability) = json_of(anonymous.get(app.url("metadata")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(capability["rest"][0]["security"]["service"][0]["coding"][0]["code"], "SMART-on-FHIR");
    for discovery in [
        app.url(".well-known/smart-configuration"),
        format!("{}/.well-known/smart-configuration", app.root()),
    ] {
        let response = anonymous.get(&discovery).send().await.unwrap();
        assert_eq!(response.status(), 200, "{discovery}");
        let configuration: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(configuration["token_endpoint"], format!("{}/oauth/token", app.root()));
        assert_eq!(configuration["grant_types_supported"][0], "client_credentials");
        assert!(
            configuration["scopes_supported"].as_array().unwrap().iter().any(|s| s == "system/Patient.cruds")
        );
    }
    for path in ["StructureDefinition", "_history", "Patient/1/_history", "Patient/$validate"] {
        let status = anonymous.get(app.url(path)).send().await.unwrap().status();
        assert!(status == 401 || status == 405, "{path}: {status}");
    }
}

async fn token_request(app: &TestApp, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(format!("{}/oauth/token", app.root()));
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let response =
        request.header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.bytes().await.unwrap()).unwrap())
}

async fn token_endpoint_answers_as_rfc_6749_says(app: &TestApp) {
    let key = app.create_key("system/Patient.rs system/Observation.crus", 100).await;
    let (id, secret) = (key.key.client_id.as_str(), key.client_secret.as_str());
    let grant = ("grant_type", "client_credentials");

    // Client authentication in the body (client_secret_post) works like HTTP Basic.
    let (status, token) =
        token_request(app, &[grant, ("client_id", id), ("client_secret", secret)], None).await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 900);
    assert_eq!(token["scope"], "system/Observation.crus system/Patient.rs");
    let (status, token) =
        token_request(app, &[grant, ("scope", "system/Patient.r")], Some((id, secret))).await;
    assert_eq!((status, token["scope"].as_str()), (200, Some("system/Patient.r")));

    type Form<'f> = &'f [(&'f str, &'f str)];
    type Basic<'f> = Option<(&'f str, &'f str)>;
    let failures: [(Form, Basic, u16, &str); 8] = [
        (&[grant], Some((id, "cs_wrong")), 401, "invalid_client"),
        (&[grant], Some(("ck_nobody", secret)), 401, "invalid_client"),
        (&[grant], None, 401, "invalid_client"),
        (&[grant, ("client_secret", secret)], Some((id, secret)), 400, "invalid_request"),
        (&[("grant_type", "password")], Some((id, secret)), 400, "unsupported_grant_type"),
        (&[], Some((id, secret)), 400, "invalid_request"),
        (&[grant, ("scope", "system/Patient.rsu")], Some((id, secret)), 400, "invalid_scope"),
        (&[grant, ("scope", "system/Claim.rs")], Some((id, secret)), 400, "invalid_scope"),
    ];
    for (form, basic, expected_status, expected_error) in failures {
        let (status, error) = token_request(app, form, basic).await;
        assert_eq!(
            (status, error["error"].as_str()),
            (expected_status, Some(expected_error)),
            "{form:?}: {error}"
        );
        assert!(error["error_description"].is_string());
    }
    // The oauth2 crate sees the same errors.
    let wrong = api_keys::IssuedKey { key: key.key.clone(), client_secret: "cs_wrong".into() };
    assert_eq!(app.token_for(&wrong, None).await, Err("invalid_client".into()));
}

async fn tokens_carry_at_most_their_keys_rights_and_die_with_it(app: &TestApp) {
    let key = app.create_key("system/Patient.rs system/Encounter.rs", 100).await;
    assert_eq!(app.token_for(&key, Some("system/Claim.rs")).await, Err("invalid_scope".into()));
    let narrow = app.client_with(&app.token_for(&key, Some("system/Patient.rs")).await.unwrap());
    assert_eq!(narrow.get(app.url("Patient")).send().await.unwrap().status(), 200);
    assert_eq!(
        narrow.get(app.url("Encounter")).send().await.unwrap().status(),
        403,
        "asked for less, got less"
    );

    // Revocation takes effect on the very next request of a live token.
    let full = app.client_with(&app.token_for(&key, None).await.unwrap());
    assert_eq!(full.get(app.url("Encounter")).send().await.unwrap().status(), 200);
    let revoked = app.keys.revoke(&key.key.client_id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert_eq!(full.get(app.url("Encounter")).send().await.unwrap().status(), 401);
    assert_eq!(app.token_for(&key, None).await, Err("invalid_client".into()));

    // Rotation: the new secret works, the old one and its tokens do not.
    let key = app.create_key("system/Patient.rs", 100).await;
    let old_token = app.client_with(&app.token_for(&key, None).await.unwrap());
    let rotated = app.keys.rotate(&key.key.client_id).await.unwrap();
    assert_ne!(rotated.client_secret, key.client_secret);
    assert_eq!(old_token.get(app.url("Patient")).send().await.unwrap().status(), 401);
    assert_eq!(app.token_for(&key, None).await, Err("invalid_client".into()));
    let new_token = app.client_with(&app.token_for(&rotated, None).await.unwrap());
    assert_eq!(new_token.get(app.url("Patient")).send().await.unwrap().status(), 200);

    // An expired token, and a token of an expired key, are refused.
    app.clinic_sql("UPDATE fhir_access_tokens SET expires_at = '2001-01-01 00:00:00'".into()).await;
    assert_eq!(new_token.get(app.url("Patient")).send().await.unwrap().status(), 401);
    let expired_key = app.create_key("system/Patient.rs", 100).await;
    let token = app.client_with(&app.token_for(&expired_key, None).await.unwrap());
    let id = &expired_key.key.client_id;
    app.clinic_sql(format!(
        "UPDATE fhir_api_keys SET expires_at = '2001-01-01 00:00:00' WHERE client_id = '{id}'"
    ))
    .await;
    assert_eq!(token.get(app.url("Patient")).send().await.unwrap().status(), 401);
    assert_eq!(app.token_for(&expired_key, None).await, Err("invalid_client".into()));
}

/// Status and, for a refusal, the parameter it names.
async fn attempt(client: &reqwest::Client, url: String) -> (u16, Value) {
    json_of(client.get(url).send().await.unwrap()).await
}

async fn searches_need_every_type_they_reach(app: &TestApp) {
    app.seed_clinic(3).await;
    let encounters_only = app.create_key("system/Encounter.rs", 1000).await;
    let encounters_only = app.client_with(&app.token_for(&encounters_only, None).await.unwrap());
    let refused = [
        ("Encounter?_include=Encounter:subject", "_include"),
        ("Encounter?_include=Encounter:*", "_include"),
        ("Encounter?_revinclude=Observation:encounter", "_revinclude"),
        ("Encounter?subject.family=a", "subject.family"),
        ("Encounter?subject:Patient.birthdate=ge1900", "subject:Patient.birthdate"),
        ("Encounter?_has:Observation:encounter:code=8867-4", "_has:Observation:encounter:code"),
        ("Encounter?_id=1&_revinclude:iterate=MedicationRequest:encounter", "_revinclude"),
    ];
    for (query, parameter) in refused {
        let (status, outcome) = attempt(&encounters_only, app.url(query)).await;
        assert_eq!(status, 403, "{query}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], parameter, "{query}");
    }
    // The same searches are served once the key reaches the types.
    let wider = app.create_key("system/Encounter.rs system/Patient.s system/Practitioner.s system/Organization.s system/Observation.s system/MedicationRequest.s system/Condition.s system/Location.s system/Appointment.s", 1000).await;
    let wider = app.client_with(&app.token_for(&wider, None).await.unwrap());
    for (query, _) in refused {
        let (status, bundle) = attempt(&wider, app.url(query)).await;
        assert_eq!(status, 200, "{query}: {bundle}");
    }

    // The patient compartment is a search of the compartment's members.
    let (status, _) = attempt(&encounters_only, app.url("Patient/1/Encounter")).await;
    assert_eq!(status, 200);
    let (status, _) = attempt(&encounters_only, app.url("Patient/1/Observation")).await;
    assert_eq!(status, 403);

    // System history shows only the types the key may search.
    let (status, history) = attempt(&encounters_only, app.url("_history?_count=1000")).await;
    assert_eq!(status, 200);
    let entries = history["entry"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["fullUrl"].as_str().unwrap().contains("/Encounter/")), "{history}");
    let nothing = app.create_key("system/Patient.c", 1000).await;
    let nothing = app.client_with(&app.token_for(&nothing, None).await.unwrap());
    assert_eq!(attempt(&nothing, app.url("_history")).await.0, 403);
}

/// Waits for a fresh (clock-aligned) one-minute window when this one is nearly over, so that
/// counting in a test cannot straddle two windows.
async fn start_early_in_a_window(app: &TestApp) {
    let probe = app.client.get(app.url("Patient?_count=0")).send().await.unwrap();
    let reset = header(&probe, "x-ratelimit-reset");
    if reset < 25 {
        tokio::time::sleep(std::time::Duration::from_secs(reset as u64 + 1)).await;
    }
}

fn header(response: &reqwest::Response, name: &str) -> i64 {
    response.headers()[name].to_str().unwrap().parse().unwrap()
}

async fn rate_limits_count_every_request_and_refuse_past_the_limit(app: &TestApp) {
    let key = app.create_key("system/Patient.rs", 5).await;
    let client = app.client_with(&app.token_for(&key, None).await.unwrap());
    start_early_in_a_window(app).await;
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let response = client.get(app.url("Patient")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "x-ratelimit-limit"), 5);
        assert!((1..=60).contains(&header(&response, "x-ratelimit-reset")));
        remaining.push(header(&response, "x-ratelimit-remaining"));
    }
    assert_eq!(remaining, [4, 3, 2, 1, 0]);
    let response = client.get(app.url("Patient")).send().await.unwrap();
    let retry_after = header(&response, "retry-after");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&response, "x-ratelimit-remaining"), 0);
    let (status, outcome) = json_of(response).await;
    assert_eq!(status, 429);
    assert_eq!(outcome["issue"][0]["code"], "throttled");
    // Another key has its own budget.
    assert_eq!(app.client.get(app.url("Patient")).send().await.unwrap().status(), 200);
}

async fn failed_client_authentications_are_throttled(app: &TestApp) {
    start_early_in_a_window(app).await;
    let key = app.create_key("system/Patient.rs", 100).await;
    let wrong = api_keys::IssuedKey { key: key.key.clone(), client_secret: "cs_guess".into() };
    for _ in 0..10 {
        assert_eq!(app.token_for(&wrong, None).await, Err("invalid_client".into()));
    }
    // Past ten failures a minute even the right secret waits: guessing gets nowhere.
    let (status, error) = token_request(
        app,
        &[("grant_type", "client_credentials")],
        Some((&key.key.client_id, &key.client_secret)),
    )
    .await;
    assert_eq!((status, error["error"].as_str()), (429, Some("temporarily_unavailable")), "{error}");
    // Another client is not held up by it.
    let other = app.create_key("system/Patient.rs", 100).await;
    assert!(app.token_for(&other, None).await.is_ok());

    // Guessing across many client ids from one address is throttled by the address: after 30
    // failures this minute (10 so far) even a valid key from it waits.
    for guess in 0..20 {
        let unknown = api_keys::IssuedKey {
            key: api_keys::KeyInfo { client_id: format!("ck_guess{guess}"), ..other.key.clone() },
            client_secret: "cs_guess".into(),
        };
        assert_eq!(app.token_for(&unknown, None).await, Err("invalid_client".into()));
    }
    let (status, error) = token_request(
        app,
        &[("grant_type", "client_credentials")],
        Some((&other.key.client_id, &other.client_secret)),
    )
    .await;
    assert_eq!((status, error["error"].as_str()), (429, Some("temporarily_unavailable")), "{error}");
}

async fn secrets_and_tokens_are_never_stored_in_clear(app: &TestApp) {
    let key = app.create_key("system/Patient.rs", 100).await;
    let token = app.token_for(&key, None).await.unwrap();
    assert_eq!(app.client_with(&token).get(app.url("Patient")).send().await.unwrap().status(), 200);
    assert!(key.client_secret.len() >= 43, "at least 256 bits");
    let tables = ["fhir_api_keys", "fhir_access_tokens", "fhir_rate_windows", "fhir_audit_events"];
    for table in tables {
        let dump = app.table_text(table).await;
        assert!(!dump.is_empty() || table == "fhir_audit_events", "{table} is empty");
        for secret in [&key.client_secret, &token] {
            assert!(!dump.contains(secret.as_str()), "{table} holds a secret in clear");
        }
    }
}

async fn keys_are_managed_over_http_by_managers_only(app: &TestApp) {
    let admin = |path: &str| format!("{}/admin/keys{path}", app.root());
    let body = serde_json::json!({
        "name": "Lab partner",
        "rights": {"Patient": ["retrieve"], "Observation": ["retrieve", "create", "update"]},
        "rate": "basic",
    });
    // The full-access test key holds the key-management scope.
    let response = app
        .client
        .post(admin(""))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let (client_id, secret) =
        (created["client_id"].as_str().unwrap(), created["client_secret"].as_str().unwrap());
    assert!(client_id.starts_with("ck_") && secret.starts_with("cs_"), "{created}");
    assert_eq!(created["scope"], "system/Observation.crus system/Patient.rs");
    assert_eq!(created["rights"]["Observation"], serde_json::json!(["retrieve", "create", "update"]));
    assert_eq!(created["requests_per_minute"], 60);
    let token = crate::app::client_credentials_token(&app.root(), client_id, secret, None).await.unwrap();
    let partner = app.client_with(&token);
    assert_eq!(partner.get(app.url("Observation")).send().await.unwrap().status(), 200);

    // Listing and showing never reveal a secret.
    for path in [String::new(), format!("/{client_id}")] {
        let text = app.client.get(admin(&path)).send().await.unwrap().text().await.unwrap();
        assert!(
            text.contains(client_id) && !text.contains(secret) && !text.contains("client_secret"),
            "{text}"
        );
    }
    // A key without the key-management scope, and no token at all, are refused.
    assert_eq!(partner.get(admin("")).send().await.unwrap().status(), 403);
    assert_eq!(reqwest::Client::new().get(admin("")).send().await.unwrap().status(), 401);

    let rotated: Value = serde_json::from_slice(
        &app.client.post(admin(&format!("/{client_id}/rotate"))).send().await.unwrap().bytes().await.unwrap(),
    )
    .unwrap();
    assert_ne!(rotated["client_secret"], secret);
    assert_eq!(
        partner.get(app.url("Observation")).send().await.unwrap().status(),
        401,
        "rotation ends old tokens"
    );
    let revoked = app.client.delete(admin(&format!("/{client_id}"))).send().await.unwrap();
    assert_eq!(revoked.status(), 200);
    let new_secret = rotated["client_secret"].as_str().unwrap();
    let refused = crate::app::client_credentials_token(&app.root(), client_id, new_secret, None).await;
    assert_eq!(refused, Err("invalid_client".into()));

    for (bad, location) in [
        (serde_json::json!({"name": "x", "rights": {"Spaceship": ["retrieve"]}}), "rights.Spaceship"),
        (serde_json::json!({"name": "x", "rights": {"Patient": ["destroy"]}}), "rights.Patient"),
        (serde_json::json!({"name": "x", "rights": {}, "rate": "lightspeed"}), "rate"),
        (serde_json::json!({"rights": {}}), "name"),
    ] {
        let (status, outcome) = json_of(
            app.client
                .post(admin(""))
                .header("content-type", "application/json")
                .body(bad.to_string())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 400, "{bad}: {outcome}");
        assert_eq!(outcome["issue"][0]["expression"][0], location, "{bad}");
    }
    assert_eq!(app.client.get(admin("/ck_nobody")).send().await.unwrap().status(), 404);
}
