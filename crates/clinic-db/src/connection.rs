use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

diesel::define_sql_function! {
    /// The text string search compares (see [`crate::search_fold`]).
    fn search_fold(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// A connection to either backend; queries written once run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

impl DbConnection {
    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Postgres(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// A transaction that writes. SQLite takes its write lock first (as `BEGIN IMMEDIATE` would):
    /// a deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
    /// another writer committed in between, whereas taking the lock first queues behind
    /// `busy_timeout`.
    pub fn write_transaction<T, E>(
        &mut self,
        work: impl FnOnce(&mut DbConnection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<diesel::result::Error>,
    {
        self.transaction(|conn| {
            if let DbConnection::Sqlite(sqlite) = conn {
                // A write statement that changes nothing still takes the write lock.
                sqlite.batch_execute("UPDATE fhir_resource_versions SET version = version WHERE 1 = 0")?;
            }
            work(conn)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// Chosen from the URL scheme alone: a PostgreSQL URL that cannot connect is an error, never
    /// a silently created SQLite file of the same name.
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("database task failed: {0}")]
    Task(String),
}

/// Opens connections for the pool, setting the per-connection options each backend needs.
#[derive(Debug, Clone)]
pub struct Connector {
    url: String,
    backend: Backend,
}

impl Connector {
    fn sqlite_path(&self) -> &str {
        self.url.strip_prefix("sqlite://").unwrap_or(&self.url)
    }
}

impl ManageConnection for Connector {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(self.sqlite_path()).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the single writer; busy_timeout makes writers
                // queue instead of failing with SQLITE_BUSY.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;",
                )
                .map_err(r2d2::Error::QueryError)?;
                // PostgreSQL has it from a migration; SQLite functions live per connection.
                search_fold_utils::register_impl(&mut conn, |text: Option<String>| {
                    text.as_deref().map(crate::search_fold)
                })
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            DbConnection::Postgres(pg) => pg.is_broken(),
            DbConnection::Sqlite(sqlite) => sqlite.is_broken(),
        }
    }
}

/// The pool every component shares. Cloning is cheap.
#[derive(Clone)]
pub struct Database {
    pool: Pool<Connector>,
    backend: Backend,
}

impl Database {
    /// Connects a pool of `max_size` connections to a `postgres://` URL or a SQLite file path
    /// (optionally written `sqlite://path`).
    pub fn connect(url: &str, max_size: u32) -> Result<Database, DbError> {
        let backend = Backend::of_url(url);
        let connector = Connector { url: url.to_owned(), backend };
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(10))
            // No `SELECT 1` round trip on every check-out (a read checks out three times): a
            // connection that broke is dropped when it is returned (`has_broken`), and the
            // request that met it fails with 503.
            .test_on_check_out(false)
            .build(connector)?;
        Ok(Database { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A pooled connection for blocking code (CLI commands, code already off the executor).
    pub fn get(&self) -> Result<PooledConnection<Connector>, DbError> {
        Ok(self.pool.get()?)
    }

    /// Runs blocking diesel work on tokio's blocking pool, never on the async executor.
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            work(&mut conn)
        })
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
    }

    /// Applies the migrations embedded in the binary; returns the versions applied now.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.get()?;
        let applied = match &mut *conn {
            DbConnection::Postgres(pg) => pg.run_pending_migrations(POSTGRES_MIGRATIONS),
            DbConnection::Sqlite(lite) => lite.run_pending_migrations(SQLITE_MIGRATIONS),
        }
        .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    }
}

/// The backend type of [`DbConnection`], for queries built at run time.
pub type DbBackend = <DbConnection as Connection>::Backend;
