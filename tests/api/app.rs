use std::net::TcpListener;

use api_keys::{IssuedKey, KeyManager, NewKey, Scopes};
use clinic_db::Database;
use diesel::{Connection, PgConnection, RunQueryDsl};
use fhir_mapping::MappingContext;
use fhir_server::ServerConfig;
use fhir_store::Store;
use serde_json::Value;

pub const HN_SYSTEM: &str = "https://clinic.example.th/fhir/sid/hn";

/// Where PostgreSQL test databases are created; override with `TEST_POSTGRES_URL`.
fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A running server on its own fresh database, removed when dropped.
pub struct TestApp {
    pub base: String,
    /// Sends the bearer token of a key with every right.
    pub client: reqwest::Client,
    pub keys: KeyManager,
    export_dir: std::path::PathBuf,
    pub database: Database,
    cleanup: Cleanup,
}

enum Cleanup {
    PostgresDatabase(String),
    SqliteFile(std::path::PathBuf),
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with_moph(backend, None).await
    }

    /// A server with the MOPH Connect connector configured (messages, endpoint).
    pub async fn spawn_with_moph(
        backend: Backend,
        moph: Option<(fhir_store::outbox::MophConnect, webhooks::MophEndpoint)>,
    ) -> TestApp {
        // Server faults are logged; a failing test shows them.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn").try_init();
        let unique = format!("clinic_fhir_test_{:016x}", rand::random::<u64>());
        let export_dir = std::env::temp_dir().join(format!("{unique}-exports"));
        let (url, cleanup) = match backend {
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let mut conn =
                    PgConnection::establish(&admin).expect("PostgreSQL must be running (see README)");
                diesel::sql_query(format!("CREATE DATABASE {unique}")).execute(&mut conn).unwrap();
                let (server, _) = admin.rsplit_once('/').unwrap();
                (format!("{server}/{unique}"), Cleanup::PostgresDatabase(unique))
            }
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{unique}.sqlite"));
                (path.to_str().unwrap().to_owned(), Cleanup::SqliteFile(path))
            }
        };
        let db = Database::connect(&url, 4).unwrap();
        db.migrate().unwrap();
        let mut store = Store::new(db.clone(), MappingContext::thailand(HN_SYSTEM));
        let mut moph_endpoint = None;
        if let Some((messages, endpoint)) = moph {
            store = store.with_moph_connect(messages);
            moph_endpoint = Some(endpoint);
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = ServerConfig {
            max_body_bytes: 64 * 1024,
            max_bundle_entries: 100,
            export_dir: export_dir.clone(),
            // Webhook retries in tenths of a second rather than seconds, to keep tests short.
            webhooks: webhooks::WebhookConfig {
                first_retry_after: std::time::Duration::from_millis(100),
                poll_interval: std::time::Duration::from_millis(50),
                timeout: std::time::Duration::from_secs(2),
                moph: moph_endpoint,
                ..webhooks::WebhookConfig::new(b"a test signing key of at least 32 bytes".to_vec())
            },
            ..ServerConfig::default()
        };
        let keys = KeyManager::new(db.clone(), api_keys::DEFAULT_TOKEN_LIFETIME);
        tokio::spawn(fhir_server::serve(listener, store, keys.clone(), config).unwrap());
        let mut app = TestApp {
            base: format!("http://127.0.0.1:{port}/fhir/r4"),
            client: reqwest::Client::new(),
            keys,
            export_dir,
            database: db,
            cleanup,
        };
        let everything = app.create_key(&Scopes::everything().to_string(), 1_000_000).await;
        app.client = app.client_with(&app.token_for(&everything, None).await.unwrap());
        app
    }

    /// A key granted `scopes` (SMART v2, space-separated) and `requests_per_minute`.
    pub async fn create_key(&self, scopes: &str, requests_per_minute: i32) -> IssuedKey {
        let new = NewKey {
            name: format!("test key {scopes}"),
            scopes: Scopes::parse(scopes).unwrap(),
            requests_per_minute,
            expires_at: None,
            created_by: "tests".into(),
        };
        self.keys.create(new).await.unwrap()
    }

    /// The server root (where `/oauth/token` is).
    pub fn root(&self) -> String {
        self.base.trim_end_matches("/fhir/r4").to_owned()
    }

    /// A token for `key` by OAuth 2.0 client credentials, asking for `scope` or, without it,
    /// everything the key was granted; the OAuth error code when refused.
    pub async fn token_for(&self, key: &IssuedKey, scope: Option<&str>) -> Result<String, String> {
        client_credentials_token(&self.root(), &key.key.client_id, &key.client_secret, scope).await
    }

    /// An HTTP client sending `token` as its bearer token.
    pub fn client_with(&self, token: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        // Idle connections are dropped before the server's keep-alive (5 s) closes them, so a
        // request never races the server's close of a pooled connection.
        let idle = std::time::Duration::from_secs(3);
        reqwest::Client::builder().default_headers(headers).pool_idle_timeout(idle).build().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        json_of(response).await
    }

    /// A request carrying `body` as FHIR JSON.
    pub fn fhir_json(&self, method: reqwest::Method, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header("content-type", "application/fhir+json")
            .body(body.to_string())
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        json_of(self.fhir_json(reqwest::Method::POST, path, body).send().await.unwrap()).await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> (u16, Value) {
        json_of(self.fhir_json(reqwest::Method::PUT, path, body).send().await.unwrap()).await
    }

    /// Runs SQL as the clinic application would, behind the facade's back.
    pub async fn clinic_sql(&self, sql: String) -> usize {
        self.database
            .run(move |conn| diesel::sql_query(sql).execute(conn).map_err(clinic_db::DbError::from))
            .await
            .unwrap()
    }

    /// Every row of `table` as text, to look for what must never be stored.
    pub async fn table_text(&self, table: &str) -> String {
        let columns = match self.database.backend() {
            clinic_db::Backend::Postgres => format!("{table}::text"),
            clinic_db::Backend::Sqlite => {
                let sql = format!(
                    "SELECT group_concat('coalesce(' || name || ', '''')', ' || '' '' || ') AS text \
                     FROM pragma_table_info('{table}')"
                );
                self.load_text(sql).await.unwrap_or_default()
            }
        };
        let sql = format!("SELECT {columns} AS text FROM {table}");
        let mut rows = String::new();
        for row in self.load_texts(sql).await {
            rows.push_str(&row);
            rows.push('\n');
        }
        rows
    }

    async fn load_texts(&self, sql: String) -> Vec<String> {
        #[derive(diesel::QueryableByName)]
        struct Text {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            text: Option<String>,
        }
        self.database
            .run(move |conn| diesel::sql_query(sql).load::<Text>(conn).map_err(clinic_db::DbError::from))
            .await
            .unwrap()
            .into_iter()
            .filter_map(|row| row.text)
            .collect()
    }

    async fn load_text(&self, sql: String) -> Option<String> {
        self.load_texts(sql).await.into_iter().next()
    }

    /// Creates a Patient and returns it as stored.
    pub async fn create_patient(&self, patient: &Value) -> Value {
        let (status, created) = self.post_json("Patient", patient).await;
        assert_eq!(status, 201, "{created}");
        created
    }

    /// Fills the database as the clinic application would: `patients` patients with their
    /// visits, diagnoses, prescriptions, claims and notes.
    pub async fn seed_clinic(&self, patients: u64) {
        let db = self.database.clone();
        let options = clinic_seed::SeedOptions { patients, random_seed: 3, show_progress: false };
        tokio::task::spawn_blocking(move || clinic_seed::seed(&db, &options)).await.unwrap().unwrap();
        self.add_failed_subscription().await;
    }

    /// A Subscription as a practice's integration leaves one when its receiver went away (in
    /// error, so nothing is delivered), with every element the profile supports.
    async fn add_failed_subscription(&self) {
        let subscription = serde_json::json!({
            "resourceType": "Subscription",
            "status": "requested",
            "contact": [{"system": "email", "value": "lis-admin@clinic.example.th"}],
            "end": "2031-01-01T00:00:00+07:00",
            "reason": "Lab orders for the LIS",
            "criteria": "Patient?family=nobody-by-this-name",
            "channel": {
                "type": "rest-hook",
                "endpoint": "http://127.0.0.1:9/lis",
                "payload": "application/fhir+json",
                "header": ["Authorization: Bearer lis-token"]
            }
        });
        let (status, created) = self.post_json("Subscription", &subscription).await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap();
        self.clinic_sql(format!(
            "UPDATE fhir_subscriptions SET status = 'error', error = 'POST http://127.0.0.1:9/lis: connection refused' WHERE id = {id}"
        ))
        .await;
    }

    /// The resources a search finds (one page of up to 1000) and its total; `params` are encoded.
    pub async fn search(&self, resource_type: &str, params: &[(&str, &str)]) -> (Vec<Value>, u64) {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("_count", "1000");
        for (name, value) in params {
            query.append_pair(name, value);
        }
        let (status, bundle) = self.get(&format!("{resource_type}?{}", query.finish())).await;
        assert_eq!(status, 200, "{resource_type}?{params:?}: {bundle}");
        let resources = bundle["entry"]
            .as_array()
            .map(|entries| entries.iter().map(|entry| entry["resource"].clone()).collect())
            .unwrap_or_default();
        (resources, bundle["total"].as_u64().unwrap())
    }
}

/// A token from the server at `root` by OAuth 2.0 client credentials (HTTP Basic), through the
/// `oauth2` crate as a third party would get one; the OAuth error code when refused.
pub async fn client_credentials_token(
    root: &str,
    client_id: &str,
    client_secret: &str,
    scope: Option<&str>,
) -> Result<String, String> {
    use oauth2::TokenResponse;
    let client = oauth2::basic::BasicClient::new(oauth2::ClientId::new(client_id.to_owned()))
        .set_client_secret(oauth2::ClientSecret::new(client_secret.to_owned()))
        .set_token_uri(oauth2::TokenUrl::new(format!("{root}/oauth/token")).unwrap());
    let mut request = client.exchange_client_credentials();
    if let Some(scope) = scope {
        request = request.add_scopes(scope.split_whitespace().map(|s| oauth2::Scope::new(s.to_owned())));
    }
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    match request.request_async(&http).await {
        Ok(token) => Ok(token.access_token().secret().clone()),
        Err(oauth2::RequestTokenError::ServerResponse(error)) => Err(error.error().to_string()),
        Err(other) => panic!("token request failed: {other:?}"),
    }
}

/// The official R4 JSON Schema's definition of `resource_type`, compiled once per type (the
/// schema's root is a `oneOf` over every type: slow, and its errors say nothing).
fn r4_schema(resource_type: &str) -> std::sync::Arc<jsonschema::Validator> {
    type Validators =
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<jsonschema::Validator>>>;
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    static VALIDATORS: std::sync::OnceLock<Validators> = std::sync::OnceLock::new();
    let schema = SCHEMA.get_or_init(|| {
        let mut schema =
            serde_json::from_str(include_str!("../../fhir-profiles/base/fhir.schema.json")).unwrap();
        allow_fhir_version_4_0_1(&mut schema);
        schema
    });
    let mut validators = VALIDATORS.get_or_init(Default::default).lock().unwrap();
    validators
        .entry(resource_type.to_owned())
        .or_insert_with(|| {
            let mut typed = schema.clone();
            let root = typed.as_object_mut().unwrap();
            root.remove("oneOf");
            root.remove("discriminator");
            root.insert("$ref".into(), Value::String(format!("#/definitions/{resource_type}")));
            std::sync::Arc::new(jsonschema::validator_for(&typed).unwrap())
        })
        .clone()
}

/// The published R4 schema's FHIR version enumerations stop at 4.0.0, one short of the
/// version it describes (a known defect of that file): 4.0.1 is added wherever 4.0.0 is listed.
fn allow_fhir_version_4_0_1(schema: &mut Value) {
    match schema {
        Value::Object(members) => members.values_mut().for_each(allow_fhir_version_4_0_1),
        Value::Array(items) => {
            if items.iter().any(|item| item == "4.0.0") && !items.iter().any(|item| item == "4.0.1") {
                items.push(Value::String("4.0.1".into()));
            }
            items.iter_mut().for_each(allow_fhir_version_4_0_1);
        }
        _ => {}
    }
}

/// The status and JSON body of a response, checking the body is valid FHIR R4: by fhirbolt's
/// strict parser and by the official R4 JSON Schema.
pub async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap();
    assert_eq!(content_type.as_deref(), Some("application/fhir+json; charset=utf-8"), "{status}");
    fhir_codec::parse_json(&body)
        .unwrap_or_else(|e| panic!("not valid R4 ({e}): {}", String::from_utf8_lossy(&body)));
    let value: Value = serde_json::from_slice(&body).unwrap();
    let errors = schema_errors(&value);
    assert!(errors.is_empty(), "not valid against the R4 JSON Schema: {errors:?}\n{value}");
    (status, value)
}

/// What the R4 JSON Schema finds wrong with `resource`. A Bundle's entry resources are checked
/// each against its own type: through the schema's `oneOf` over every type, a Bundle nested in a
/// Bundle costs the validator gigabytes.
fn schema_errors(resource: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let mut outer = resource.clone();
    if let Some(entries) = outer.get_mut("entry").and_then(Value::as_array_mut) {
        for entry in entries {
            let inner = [entry.as_object_mut().and_then(|e| e.remove("resource"))].into_iter().chain([entry
                .get_mut("response")
                .and_then(Value::as_object_mut)
                .and_then(|r| r.remove("outcome"))]);
            for inner in inner.flatten() {
                errors.extend(schema_errors(&inner));
            }
        }
    }
    let validator = r4_schema(resource["resourceType"].as_str().expect("a resource"));
    errors
        .extend(validator.iter_errors(&outer).map(|e| format!("{}: {:?}", e.instance_path, e.kind)).take(5));
    errors
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.export_dir);
        match &self.cleanup {
            Cleanup::PostgresDatabase(name) => {
                if let Ok(mut conn) = PgConnection::establish(&postgres_admin_url()) {
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut conn);
                }
            }
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.as_os_str().to_owned();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
        }
    }
}

/// Runs an async scenario `fn(&TestApp)` as one test per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let app = $crate::app::TestApp::spawn($crate::app::Backend::Postgres).await;
                    super::$scenario(&app).await;
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let app = $crate::app::TestApp::spawn($crate::app::Backend::Sqlite).await;
                    super::$scenario(&app).await;
                }
            )*
        }
    };
}

/// `pairs` as a query string, each name and value encoded.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        query.append_pair(key, value);
    }
    query.finish()
}

/// A Patient as an HIS would send it.
pub fn somchai() -> Value {
    serde_json::json!({
        "resourceType": "Patient",
        "identifier": [
            {"system": "https://terms.sil-th.org/id/th-cid", "value": "1103700123458"}
        ],
        "name": [
            {"family": "ใจดี", "given": ["สมชาย"], "prefix": ["นาย"]},
            {"family": "Jaidee", "given": ["Somchai"]}
        ],
        "telecom": [{"system": "phone", "value": "0812345678"}],
        "gender": "male",
        "birthDate": "1980-05-17",
        "address": [{"line": ["99/1 Moo 2"], "city": "Khlong Tan", "district": "Khlong Toei", "state": "Bangkok", "postalCode": "10110", "country": "TH"}]
    })
}
