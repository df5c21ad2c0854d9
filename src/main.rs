//! `clinic-fhir`: serve the clinic database as a FHIR R4 API, migrate it, seed it, or run the demo.

use std::net::TcpListener;
use std::path::PathBuf;

use anyhow::Context;
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

#[derive(Args)]
struct DatabaseArgs {
    /// `postgres://user@host/db` or a SQLite file path.
    #[arg(long, env = "DATABASE_URL", default_value = "clinic-fhir.sqlite")]
    database_url: String,
    /// Connections in the pool.
    #[arg(long, env = "CLINIC_FHIR_POOL_SIZE", default_value_t = 16)]
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

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve { database, listen, public_url, clinic } => {
            let db = database.connect()?;
            serve(db, &listen, public_url, &clinic.hn_system)
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
    let base = format!("http://{listen}{BASE_PATH}");
    println!("\nclinic-fhir demo: {patients} patients in {}", file.display());
    println!("FHIR base URL: {base}");
    println!("try:\n  curl -s '{base}/Patient?gender=female&_count=2' -H 'Accept: application/fhir+json'\n");
    serve(db, listen, None, "https://clinic.example.th/fhir/sid/hn")
}

fn serve(db: Database, listen: &str, public_url: Option<String>, hn_system: &str) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving FHIR R4 at {BASE_PATH}");
    let store = Store::new(db, MappingContext::thailand(hn_system));
    let config = ServerConfig { public_base_url: public_url, ..ServerConfig::default() };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async { fhir_server::serve(listener, store, config)?.await })?;
    Ok(())
}
