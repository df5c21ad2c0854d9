//! `clinic-fhir`: serve the clinic database as a FHIR R4 API, migrate it, seed it, or run the demo.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::Context;
use api_keys::{IssuedKey, KeyInfo, KeyManager, NewKey, Scopes};
use clap::{Args, Parser, Subcommand};
use clinic_db::Database;
use clinic_seed::SeedOptions;
use fhir_mapping::MappingContext;
use fhir_server::{BASE_PATH, ServerConfig};
use fhir_store::Store;

#[derive(Parser)]
#[command(version, about = "FHIR R4 facade over a Thai/Asian outpatient clinic database")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the FHIR API.
    Serve {
        #[command(flatten)]
        database: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "CLINIC_FHIR_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Base URL clients use (for links and Location); taken from the Host header if unset.
        #[arg(long, env = "CLINIC_FHIR_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        clinic: ClinicArgs,
        /// Lifetime of the access tokens the token endpoint issues, in seconds.
        #[arg(long, env = "CLINIC_FHIR_TOKEN_LIFETIME", default_value_t = 900)]
        token_lifetime: i64,
        /// Where Bulk Data export files are written; instances serving one database must share it.
        #[arg(long, env = "CLINIC_FHIR_EXPORT_DIR")]
        export_dir: Option<PathBuf>,
        /// Seconds an export job's heartbeat may be silent before another instance restarts it.
        #[arg(long, env = "CLINIC_FHIR_EXPORT_STALE_AFTER", default_value_t = 60)]
        export_stale_after: u64,
        /// The key Subscription deliveries are signed under (each subscription's secret is
        /// derived from it): at least 32 characters, the same on every instance. Without it, a
        /// random key is used until the process stops, and receivers must fetch new secrets.
        #[arg(long, env = "CLINIC_FHIR_WEBHOOK_SIGNING_KEY", hide_env_values = true)]
        webhook_signing_key: Option<String>,
        /// Seconds before a failed webhook delivery is first retried (doubling for each of
        /// the 5 retries).
        #[arg(long, env = "CLINIC_FHIR_WEBHOOK_FIRST_RETRY", default_value_t = 10.0)]
        webhook_first_retry: f64,
        #[command(flatten)]
        moph: Box<MophArgs>,
    },
    /// Manage the API keys third parties use (client id + secret, rights per resource type).
    Keys {
        #[command(flatten)]
        database: DatabaseArgs,
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Apply the embedded database migrations.
    Migrate {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Add synthetic patients with their visits, vitals, diagnoses, prescriptions, appointments,
    /// claims and notes.
    Seed {
        #[command(flatten)]
        database: DatabaseArgs,
        /// How many patients to add.
        #[arg(long, default_value_t = 1000)]
        patients: u64,
        /// Seed of the random generator (the same seed gives the same clinic).
        #[arg(long, default_value_t = 42)]
        random_seed: u64,
    },
    /// Create a fresh SQLite clinic of 1,000 patients and serve it; needs no database server.
    Demo {
        /// The SQLite file to (re)create.
        #[arg(long, default_value = "clinic-fhir-demo.sqlite")]
        file: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        #[arg(long, default_value_t = 1000)]
        patients: u64,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Create a key; its secret is printed once and never again.
    Create {
        /// What the key is for (e.g. the third party's name).
        #[arg(long)]
        name: String,
        /// Rights on a resource type, repeatable: `Patient=retrieve,create,update`
        /// (`retrieve`, `create`, `update`, `delete`; `*` for every type).
        #[arg(long = "allow", value_name = "TYPE=RIGHTS")]
        allow: Vec<String>,
        /// May manage keys through /admin/keys (practice owners and trusted staff only).
        #[arg(long)]
        manager: bool,
        /// Requests per minute: a tier (basic 60, standard 300, premium 1000) or a number.
        #[arg(long, default_value = "standard")]
        rate: String,
        /// When the key stops working (RFC 3339, e.g. 2027-12-31T23:59:59Z).
        #[arg(long)]
        expires: Option<chrono::DateTime<chrono::Utc>>,
        /// Who creates it (for the record).
        #[arg(long, env = "USER", default_value = "cli")]
        created_by: String,
    },
    /// List every key (never a secret).
    List,
    /// Show one key.
    Show { client_id: String },
    /// Give a key a new secret; the old secret and its tokens stop working.
    Rotate { client_id: String },
    /// Revoke a key; its tokens are refused from the next request on.
    Revoke { client_id: String },
}

#[derive(Args)]
struct DatabaseArgs {
    /// `postgres://user@host/db` or a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = "clinic-fhir.sqlite", global = true)]
    database_url: String,
    /// Connections in the pool.
    #[arg(long, env = "CLINIC_FHIR_POOL_SIZE", default_value_t = 16, global = true)]
    pool_size: u32,
}

impl DatabaseArgs {
    fn connect(&self) -> anyhow::Result<Database> {
        Database::connect(&self.database_url, self.pool_size).context("connecting to the database")
    }
}

#[derive(Args)]
struct ClinicArgs {
    /// Identifier system of the clinic's hospital numbers (HN).
    #[arg(long, env = "CLINIC_HN_SYSTEM", default_value = "https://clinic.example.th/fhir/sid/hn")]
    hn_system: String,
}

/// The MOPH Connect connector: off unless `--moph-base-url` is given.
#[derive(Args)]
struct MophArgs {
    /// MOPH Connect's base URL; `{base}/queue`, `/queue/schedule` and `/queue/notify` are posted to.
    #[arg(long, env = "CLINIC_FHIR_MOPH_BASE_URL")]
    moph_base_url: Option<String>,
    /// The hospital's MOPH Connect client key (sent as the `client-key` header).
    #[arg(long, env = "CLINIC_FHIR_MOPH_CLIENT_KEY", requires = "moph_base_url")]
    moph_client_key: Option<String>,
    /// Its secret key (sent as the `secret-key` header; never logged).
    #[arg(long, env = "CLINIC_FHIR_MOPH_SECRET_KEY", requires = "moph_base_url", hide_env_values = true)]
    moph_secret_key: Option<String>,
    /// The hospital name patients see.
    #[arg(long, env = "CLINIC_FHIR_MOPH_HOSPITAL_NAME", requires = "moph_base_url")]
    moph_hospital_name: Option<String>,
    /// The hospital's affiliation (`origin`).
    #[arg(long, env = "CLINIC_FHIR_MOPH_ORIGIN", requires = "moph_base_url")]
    moph_origin: Option<String>,
    /// Link to the appointment's details; `{id}` becomes the appointment id.
    #[arg(long, env = "CLINIC_FHIR_MOPH_DETAILS_LINK", requires = "moph_base_url")]
    moph_details_link: Option<String>,
    /// Link to the current queue; `{id}` becomes the appointment id.
    #[arg(long, env = "CLINIC_FHIR_MOPH_QUEUE_LINK", requires = "moph_base_url")]
    moph_queue_link: Option<String>,
    /// Minutes before the appointment the patient is told their queue is about to be called.
    #[arg(long, env = "CLINIC_FHIR_MOPH_NOTIFY_BEFORE", default_value_t = 30)]
    moph_notify_before: i64,
}

impl MophArgs {
    /// The message settings and the endpoint, when the connector is configured.
    fn connector(self) -> anyhow::Result<Option<(fhir_store::outbox::MophConnect, webhooks::MophEndpoint)>> {
        let Some(base_url) = self.moph_base_url else { return Ok(None) };
        let needed = |value: Option<String>, flag: &str| {
            value.with_context(|| format!("--moph-base-url needs {flag} too"))
        };
        let messages = fhir_store::outbox::MophConnect {
            hospital_name: needed(self.moph_hospital_name, "--moph-hospital-name")?,
            origin: needed(self.moph_origin, "--moph-origin")?,
            details_link: needed(self.moph_details_link, "--moph-details-link")?,
            current_queue_link: needed(self.moph_queue_link, "--moph-queue-link")?,
            notify_before: chrono::Duration::minutes(self.moph_notify_before),
        };
        let endpoint = webhooks::MophEndpoint {
            base_url,
            client_key: needed(self.moph_client_key, "--moph-client-key")?,
            secret_key: needed(self.moph_secret_key, "--moph-secret-key")?,
        };
        Ok(Some((messages, endpoint)))
    }
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        // Colour codes only for a terminal: log files and collectors get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    match Cli::parse().command {
        Command::Serve {
            database,
            listen,
            public_url,
            clinic,
            token_lifetime,
            export_dir,
            export_stale_after,
            webhook_signing_key,
            webhook_first_retry,
            moph,
        } => {
            let db = database.connect()?;
            let defaults = ServerConfig::default();
            let mut webhooks = defaults.webhooks.clone();
            match webhook_signing_key {
                Some(key) if key.len() >= 32 => webhooks.signing_key = key.into_bytes(),
                Some(_) => anyhow::bail!("--webhook-signing-key needs at least 32 characters"),
                None => tracing::warn!(
                    "no --webhook-signing-key: Subscription secrets change when this process restarts"
                ),
            }
            webhooks.first_retry_after = std::time::Duration::try_from_secs_f64(webhook_first_retry)
                .context("--webhook-first-retry must be a positive number of seconds")?;
            let mut config = ServerConfig {
                public_base_url: public_url,
                export_dir: export_dir.unwrap_or_else(|| defaults.export_dir.clone()),
                export_stale_after: std::time::Duration::from_secs(export_stale_after),
                webhooks,
                ..defaults
            };
            let lifetime = chrono::Duration::seconds(token_lifetime);
            let mut store = Store::new(db.clone(), MappingContext::thailand(&clinic.hn_system));
            if let Some((messages, endpoint)) = (*moph).connector()? {
                store = store.with_moph_connect(messages);
                config.webhooks.moph = Some(endpoint);
            }
            serve(db, store, &listen, config, lifetime)
        }
        Command::Keys { database, command } => {
            let keys = KeyManager::new(database.connect()?, api_keys::DEFAULT_TOKEN_LIFETIME);
            tokio::runtime::Runtime::new()?.block_on(manage_keys(&keys, command))
        }
        Command::Migrate { database } => {
            let applied = database.connect()?.migrate()?;
            println!("applied {} migration(s)", applied.len());
            Ok(())
        }
        Command::Seed { database, patients, random_seed } => {
            let db = database.connect()?;
            db.migrate()?;
            seed(&db, patients, random_seed)
        }
        Command::Demo { file, listen, patients } => demo(&file, &listen, patients),
    }
}

async fn manage_keys(keys: &KeyManager, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Create { name, allow, manager, rate, expires, created_by } => {
            let mut scopes = Scopes::default();
            for grant in &allow {
                grant_rights(&mut scopes, grant)?;
            }
            if manager {
                scopes.grant_key_management();
            }
            let requests_per_minute = api_keys::requests_per_minute(&rate)?;
            let new = NewKey { name, scopes, requests_per_minute, expires_at: expires, created_by };
            print_issued(&keys.create(new).await?);
        }
        KeysCommand::List => {
            for key in keys.list().await? {
                print_key(&key);
                println!();
            }
        }
        KeysCommand::Show { client_id } => print_key(&keys.show(&client_id).await?),
        KeysCommand::Rotate { client_id } => print_issued(&keys.rotate(&client_id).await?),
        KeysCommand::Revoke { client_id } => print_key(&keys.revoke(&client_id).await?),
    }
    Ok(())
}

/// `Type=right,right` (or `*=...`) added to `scopes`.
fn grant_rights(scopes: &mut Scopes, grant: &str) -> anyhow::Result<()> {
    let (resource_type, rights) =
        grant.split_once('=').with_context(|| format!("--allow '{grant}' is not TYPE=RIGHTS"))?;
    let rights: Vec<&str> = rights.split(',').collect();
    fhir_server::admin::grant(scopes, resource_type, &rights)
        .map_err(|why| anyhow::anyhow!("--allow '{grant}': {why}"))
}

fn print_key(key: &KeyInfo) {
    println!("client id:     {}", key.client_id);
    println!("name:          {}", key.name);
    println!("scopes:        {}", key.scopes);
    println!("rate:          {} requests/minute", key.requests_per_minute);
    println!("created:       {} by {}", key.created_at.to_rfc3339(), key.created_by);
    if let Some(expires) = key.expires_at {
        println!("expires:       {}", expires.to_rfc3339());
    }
    if let Some(revoked) = key.revoked_at {
        println!("revoked:       {}", revoked.to_rfc3339());
    }
}

fn print_issued(issued: &IssuedKey) {
    print_key(&issued.key);
    println!("client secret: {}", issued.client_secret);
    println!("(the secret is shown only now: store it safely)");
}

fn seed(db: &Database, patients: u64, random_seed: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let options = SeedOptions { patients, random_seed, show_progress: true };
    let report = clinic_seed::seed(db, &options)?;
    println!(
        "seeded {} patients, {} visits, {} rows in {:.1} s",
        report.patients,
        report.visits,
        report.rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn demo(file: &std::path::Path, listen: &str, patients: u64) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).context("removing the previous demo database");
            }
            _ => {}
        }
    }
    let url = file.to_str().context("the demo file path must be UTF-8")?;
    let db = Database::connect(url, 8)?;
    db.migrate()?;
    seed(&db, patients, 42)?;
    let keys = KeyManager::new(db.clone(), api_keys::DEFAULT_TOKEN_LIFETIME);
    let demo_key = NewKey {
        name: "demo: every right".into(),
        scopes: Scopes::everything(),
        requests_per_minute: 1000,
        expires_at: None,
        created_by: "demo".into(),
    };
    let key = tokio::runtime::Runtime::new()?.block_on(keys.create(demo_key))?;
    let (id, secret) = (&key.key.client_id, &key.client_secret);
    let root = format!("http://{listen}");
    let base = format!("{root}{BASE_PATH}");
    println!("\nclinic-fhir demo: {patients} patients in {}", file.display());
    println!("FHIR base URL: {base}");
    println!(
        "demo API key (every right): client id {id}\n                            client secret {secret}"
    );
    println!("try:");
    println!("  curl -s -u '{id}:{secret}' -d grant_type=client_credentials {root}/oauth/token");
    println!(
        "  curl -s '{base}/Patient?gender=female&_count=2' -H 'Authorization: Bearer <access_token from above>'\n"
    );
    let store = Store::new(db.clone(), MappingContext::thailand("https://clinic.example.th/fhir/sid/hn"));
    serve(db, store, listen, ServerConfig::default(), api_keys::DEFAULT_TOKEN_LIFETIME)
}

fn serve(
    db: Database,
    store: Store,
    listen: &str,
    config: ServerConfig,
    token_lifetime: chrono::Duration,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving FHIR R4 at {BASE_PATH}");
    let keys = KeyManager::new(db, token_lifetime);
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async { fhir_server::serve(listener, store, keys, config)?.await })?;
    Ok(())
}
