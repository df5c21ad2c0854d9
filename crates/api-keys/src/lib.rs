//! Scoped API keys, the way practices hand them to third parties: a public client id, a secret
//! shown once and kept only as an Argon2id hash, and per resource type the rights retrieve,
//! create, update (and delete), kept as SMART v2 scopes. Keys get short-lived bearer tokens by
//! OAuth 2.0 client credentials. Every request is counted against its key's per-minute limit.
//!
//! All state (keys, tokens, rate windows) is in the database, so any number of server instances
//! agree: a revoked key is refused by all of them on the very next request.

mod rights;
mod secrets;

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use clinic_db::schema::{fhir_access_tokens, fhir_api_keys, fhir_rate_windows};
use clinic_db::sql::{Bind, Sql};
use clinic_db::{Backend, Database, DbConnection, DbError};
use diesel::prelude::*;
use tokio::sync::Semaphore;

pub use rights::{MANAGE_KEYS_SCOPE, Permissions, Right, Scopes};

/// How long an access token lives unless configured otherwise.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::minutes(15);
/// Failed client authentications allowed per minute for one client id and for one source address
/// (an address may be a practice's NAT, hence more).
const FAILED_AUTHENTICATIONS_PER_CLIENT: i32 = 10;
const FAILED_AUTHENTICATIONS_PER_ADDRESS: i32 = 30;

/// The rate tiers practices choose from (requests per minute); a custom figure is also allowed.
const RATE_TIERS: [(&str, i32); 3] = [("basic", 60), ("standard", 300), ("premium", 1000)];

/// Requests per minute of a tier (`basic`, `standard`, `premium`) or a custom figure.
pub fn requests_per_minute(tier_or_figure: &str) -> Result<i32, KeyError> {
    RATE_TIERS
        .iter()
        .find(|(tier, _)| *tier == tier_or_figure)
        .map(|(_, limit)| *limit)
        .or_else(|| tier_or_figure.parse().ok().filter(|limit| *limit > 0))
        .ok_or_else(|| {
            KeyError::Invalid(format!(
                "rate '{tier_or_figure}' is neither a tier (basic 60, standard 300, premium 1000 a minute) \
                 nor a positive number"
            ))
        })
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no key has client id '{0}'")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<diesel::result::Error> for KeyError {
    fn from(e: diesel::result::Error) -> KeyError {
        KeyError::Database(e.into())
    }
}

/// Why a token request failed, as RFC 6749 §5.2 names it.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_scope: {0}")]
    InvalidScope(String),
    /// Too many failed authentications from this client id or address this minute.
    #[error("too many failed authentications; retry in {retry_after} s")]
    Throttled { retry_after: u64 },
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A key as listed and shown: never its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub client_id: String,
    pub name: String,
    pub scopes: Scopes,
    pub requests_per_minute: i32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key with its secret, as given out once at creation or rotation.
#[derive(Debug)]
pub struct IssuedKey {
    pub key: KeyInfo,
    pub client_secret: String,
}

pub struct NewKey {
    pub name: String,
    pub scopes: Scopes,
    pub requests_per_minute: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_by: String,
}

#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: i64,
    pub scopes: Scopes,
}

/// Where a key stands in its current one-minute window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateStatus {
    pub limit: i32,
    /// Requests counted in this window, this one included.
    pub used: i32,
    /// Seconds until the window ends.
    pub reset_seconds: i64,
}

impl RateStatus {
    pub fn remaining(&self) -> i32 {
        (self.limit - self.used).max(0)
    }

    pub fn exceeded(&self) -> bool {
        self.used > self.limit
    }
}

/// The caller of an authenticated request: which key, with what scopes, at what rate.
#[derive(Debug, Clone)]
pub struct Access {
    pub client_id: String,
    pub scopes: Scopes,
    pub rate: RateStatus,
}

#[derive(Queryable)]
struct KeyRow {
    id: i64,
    client_id: String,
    name: String,
    secret_hash: String,
    scopes: String,
    _manager: bool,
    requests_per_minute: i32,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl KeyRow {
    fn info(&self) -> KeyInfo {
        KeyInfo {
            client_id: self.client_id.clone(),
            name: self.name.clone(),
            // Only this crate writes the column, from a parsed `Scopes`.
            scopes: Scopes::parse(&self.scopes).unwrap_or_default(),
            requests_per_minute: self.requests_per_minute,
            created_by: self.created_by.clone(),
            created_at: self.created_at.and_utc(),
            expires_at: self.expires_at.map(|t| t.and_utc()),
            revoked_at: self.revoked_at.map(|t| t.and_utc()),
        }
    }

    fn usable(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|expiry| expiry > now)
    }
}

/// Keys, tokens and rate windows over the shared database.
#[derive(Clone)]
pub struct KeyManager {
    db: Database,
    token_lifetime: Duration,
    /// Secret verifications at once: each Argon2id check holds its memory cost (19 MiB), so
    /// a burst of token requests must queue rather than grow the process without bound.
    verifications: Arc<Semaphore>,
}

impl KeyManager {
    pub fn new(db: Database, token_lifetime: Duration) -> KeyManager {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        KeyManager { db, token_lifetime, verifications: Arc::new(Semaphore::new(cores)) }
    }

    pub async fn create(&self, new: NewKey) -> Result<IssuedKey, KeyError> {
        if new.name.trim().is_empty() {
            return Err(KeyError::Invalid("a key needs a name".into()));
        }
        if new.requests_per_minute < 1 {
            return Err(KeyError::Invalid("requests per minute must be at least 1".into()));
        }
        self.db
            .run(move |conn| {
                let client_id = secrets::random_credential("ck_", 16);
                let client_secret = secrets::random_credential("cs_", 32);
                diesel::insert_into(fhir_api_keys::table)
                    .values((
                        fhir_api_keys::client_id.eq(&client_id),
                        fhir_api_keys::name.eq(new.name.trim()),
                        fhir_api_keys::secret_hash.eq(secrets::hash_secret(&client_secret)),
                        fhir_api_keys::scopes.eq(new.scopes.to_string()),
                        fhir_api_keys::manager.eq(new.scopes.may_manage_keys()),
                        fhir_api_keys::requests_per_minute.eq(new.requests_per_minute),
                        fhir_api_keys::created_by.eq(&new.created_by),
                        fhir_api_keys::created_at.eq(Utc::now().naive_utc()),
                        fhir_api_keys::expires_at.eq(new.expires_at.map(|t| t.naive_utc())),
                    ))
                    .execute(conn)?;
                Ok(IssuedKey { key: find(conn, &client_id)?.info(), client_secret })
            })
            .await
    }

    /// Every key, newest first.
    pub async fn list(&self) -> Result<Vec<KeyInfo>, KeyError> {
        self.db
            .run(|conn| {
                let rows = fhir_api_keys::table.order(fhir_api_keys::id.desc()).load::<KeyRow>(conn)?;
                Ok(rows.iter().map(KeyRow::info).collect())
            })
            .await
    }

    pub async fn show(&self, client_id: &str) -> Result<KeyInfo, KeyError> {
        let client_id = client_id.to_owned();
        self.db.run(move |conn| Ok(find(conn, &client_id)?.info())).await
    }

    /// A new secret for a live key; the old secret and every token issued with it stop working.
    pub async fn rotate(&self, client_id: &str) -> Result<IssuedKey, KeyError> {
        let client_id = client_id.to_owned();
        self.db
            .run(move |conn| {
                conn.write_transaction(|conn| {
                    let row = find(conn, &client_id)?;
                    if row.revoked_at.is_some() {
                        return Err(KeyError::Invalid(format!("key '{client_id}' is revoked")));
                    }
                    let client_secret = secrets::random_credential("cs_", 32);
                    diesel::update(fhir_api_keys::table.find(row.id))
                        .set(fhir_api_keys::secret_hash.eq(secrets::hash_secret(&client_secret)))
                        .execute(conn)?;
                    diesel::delete(fhir_access_tokens::table.filter(fhir_access_tokens::key_id.eq(row.id)))
                        .execute(conn)?;
                    Ok(IssuedKey { key: row.info(), client_secret })
                })
            })
            .await
    }

    /// Revokes a key: its tokens are refused from the next request on, on every instance.
    pub async fn revoke(&self, client_id: &str) -> Result<KeyInfo, KeyError> {
        let client_id = client_id.to_owned();
        self.db
            .run(move |conn| {
                conn.write_transaction(|conn| {
                    let row = find(conn, &client_id)?;
                    if row.revoked_at.is_none() {
                        diesel::update(fhir_api_keys::table.find(row.id))
                            .set(fhir_api_keys::revoked_at.eq(Utc::now().naive_utc()))
                            .execute(conn)?;
                        diesel::delete(
                            fhir_access_tokens::table.filter(fhir_access_tokens::key_id.eq(row.id)),
                        )
                        .execute(conn)?;
                    }
                    Ok(find(conn, &client_id)?.info())
                })
            })
            .await
    }

    /// OAuth 2.0 client credentials: checks the secret and issues a token with the requested
    /// scopes (all the key's when none are asked for), never more than the key was granted.
    /// Failed authentications are counted per client id and per `source_address`, and refused
    /// outright past a few a minute, before any secret is checked.
    pub async fn issue_token(
        &self,
        client_id: &str,
        client_secret: &str,
        requested: Option<&str>,
        source_address: &str,
    ) -> Result<AccessToken, TokenError> {
        let failure_subjects = [
            (format!("auth-client:{client_id}"), FAILED_AUTHENTICATIONS_PER_CLIENT),
            (format!("auth-address:{source_address}"), FAILED_AUTHENTICATIONS_PER_ADDRESS),
        ];
        let lookup_id = client_id.to_owned();
        let subjects = failure_subjects.clone();
        let (row, throttled) = self
            .db
            .run(move |conn| {
                let (minute, reset) = current_window();
                let throttled = subjects.iter().any(|(subject, limit)| {
                    window_hits(conn, subject, minute).is_ok_and(|hits| hits >= *limit)
                });
                let row = fhir_api_keys::table
                    .filter(fhir_api_keys::client_id.eq(&lookup_id))
                    .first::<KeyRow>(conn)
                    .optional()
                    .map_err(DbError::from)?;
                Ok::<_, KeyError>((row, throttled.then_some(reset)))
            })
            .await?;
        if let Some(retry_after) = throttled {
            return Err(TokenError::Throttled { retry_after: retry_after as u64 });
        }
        let secret = client_secret.to_owned();
        let hash = row.as_ref().map(|row| row.secret_hash.clone());
        let _permit = self
            .verifications
            .acquire()
            .await
            .map_err(|e| KeyError::Database(DbError::Task(e.to_string())))?;
        let verified = tokio::task::spawn_blocking(move || match hash {
            Some(hash) => secrets::verify_secret(&secret, &hash),
            None => {
                secrets::verify_against_nothing(&secret);
                false
            }
        })
        .await
        .map_err(|e| KeyError::Database(DbError::Task(e.to_string())))?;
        let now = Utc::now().naive_utc();
        let Some(row) = row.filter(|row| verified && row.usable(now)) else {
            self.db
                .run(move |conn| {
                    let (minute, _) = current_window();
                    for (subject, _) in &failure_subjects {
                        count_hit(conn, subject, minute)?;
                    }
                    Ok::<_, KeyError>(())
                })
                .await?;
            return Err(TokenError::InvalidClient);
        };
        let granted = row.info().scopes;
        let scopes = match requested.map(str::trim).filter(|r| !r.is_empty()) {
            None => granted,
            Some(requested) => {
                let asked = Scopes::parse(requested).map_err(TokenError::InvalidScope)?;
                if !asked.within(&granted) {
                    return Err(TokenError::InvalidScope(format!(
                        "'{requested}' asks for more than this key was granted ({granted})"
                    )));
                }
                asked
            }
        };
        let token = secrets::random_credential("", 32);
        let mut expires_at = now + self.token_lifetime;
        if let Some(key_expiry) = row.expires_at {
            expires_at = expires_at.min(key_expiry);
        }
        let (digest, scope_text, key_id) = (secrets::token_digest(&token), scopes.to_string(), row.id);
        self.db
            .run(move |conn| {
                diesel::insert_into(fhir_access_tokens::table)
                    .values((
                        fhir_access_tokens::token_hash.eq(digest),
                        fhir_access_tokens::key_id.eq(key_id),
                        fhir_access_tokens::scopes.eq(scope_text),
                        fhir_access_tokens::expires_at.eq(expires_at),
                    ))
                    .execute(conn)
                    .map_err(KeyError::from)
            })
            .await?;
        Ok(AccessToken { token, expires_in: (expires_at - now).num_seconds(), scopes })
    }

    /// The caller a bearer token stands for, with this request counted against its key's
    /// limit; `None` when the token is unknown, expired, or its key expired or was revoked.
    pub async fn authenticate(&self, bearer_token: &str) -> Result<Option<Access>, KeyError> {
        let digest = secrets::token_digest(bearer_token);
        self.db
            .run(move |conn| {
                let now = Utc::now().naive_utc();
                let found = fhir_access_tokens::table
                    .inner_join(fhir_api_keys::table)
                    .filter(fhir_access_tokens::token_hash.eq(&digest))
                    .filter(fhir_access_tokens::expires_at.gt(now))
                    .filter(fhir_api_keys::revoked_at.is_null())
                    .filter(fhir_api_keys::expires_at.is_null().or(fhir_api_keys::expires_at.gt(now)))
                    .select((
                        fhir_api_keys::client_id,
                        fhir_access_tokens::scopes,
                        fhir_api_keys::requests_per_minute,
                    ))
                    .first::<(String, String, i32)>(conn)
                    .optional()?;
                let Some((client_id, scopes, limit)) = found else { return Ok(None) };
                let (minute, reset_seconds) = current_window();
                let used = count_hit(conn, &format!("key:{client_id}"), minute)?;
                Ok(Some(Access {
                    client_id,
                    scopes: Scopes::parse(&scopes).unwrap_or_default(),
                    rate: RateStatus { limit, used, reset_seconds },
                }))
            })
            .await
    }

    /// Removes finished rate windows and expired tokens; any instance may run it at any time.
    pub async fn purge_expired(&self) -> Result<(), KeyError> {
        self.db
            .run(|conn| {
                let (minute, _) = current_window();
                diesel::delete(fhir_rate_windows::table.filter(fhir_rate_windows::window_start.lt(minute)))
                    .execute(conn)?;
                diesel::delete(
                    fhir_access_tokens::table
                        .filter(fhir_access_tokens::expires_at.le(Utc::now().naive_utc())),
                )
                .execute(conn)?;
                Ok(())
            })
            .await
    }
}

fn find(conn: &mut DbConnection, client_id: &str) -> Result<KeyRow, KeyError> {
    fhir_api_keys::table
        .filter(fhir_api_keys::client_id.eq(client_id))
        .first::<KeyRow>(conn)
        .optional()?
        .ok_or_else(|| KeyError::NotFound(client_id.to_owned()))
}

/// The current Unix minute and the seconds left in it.
fn current_window() -> (i64, i64) {
    let now = Utc::now().timestamp();
    (now / 60, 60 - now % 60)
}

/// How many rows a subject's window is spread over.
const RATE_SHARDS: i16 = 8;

/// Counts one hit for `subject` in window `minute`, atomically across instances; returns the
/// window's hits so far.
///
/// The hit goes to one of [`RATE_SHARDS`] rows picked at random: with one row per window, every
/// request of a key waited for the previous one's lock on it (most of the sessions of a read
/// benchmark did). On PostgreSQL the upsert commits without waiting for the WAL flush, for the
/// same reason: a crash may lose the last fraction of a second of counts, which a rate limit
/// can afford. Every request pays for this, so one statement both counts the hit and adds up
/// the other shards.
fn count_hit(conn: &mut DbConnection, subject: &str, minute: i64) -> Result<i32, KeyError> {
    #[derive(QueryableByName)]
    struct Used {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        used: i64,
    }
    let backend = conn.backend();
    let mut sql = Sql::new(backend);
    sql.push("INSERT INTO fhir_rate_windows (subject, window_start, shard, hits) SELECT ");
    sql.bind(Bind::Text(subject.to_owned())).push(", ").bind(Bind::BigInt(minute)).push(", ");
    sql.bind(Bind::BigInt(i64::from(rand::random_range(0..RATE_SHARDS)))).push(", 1");
    if backend == Backend::Postgres {
        sql.push(" FROM (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed");
    } else {
        // SQLite needs a WHERE to tell the upsert's ON CONFLICT from a join constraint.
        sql.push(" WHERE true");
    }
    sql.push(
        " ON CONFLICT (subject, window_start, shard) DO UPDATE SET hits = fhir_rate_windows.hits + 1 \
         RETURNING CAST(hits + (SELECT COALESCE(SUM(other.hits), 0) FROM fhir_rate_windows other \
         WHERE other.subject = fhir_rate_windows.subject \
         AND other.window_start = fhir_rate_windows.window_start \
         AND other.shard <> fhir_rate_windows.shard) AS BIGINT) AS used",
    );
    let used = sql.load::<Used>(conn).map_err(DbError::from)?.first().map_or(0, |row| row.used);
    Ok(i32::try_from(used).unwrap_or(i32::MAX))
}

fn window_hits(conn: &mut DbConnection, subject: &str, minute: i64) -> Result<i32, KeyError> {
    let hits: Option<i64> = fhir_rate_windows::table
        .filter(fhir_rate_windows::subject.eq(subject))
        .filter(fhir_rate_windows::window_start.eq(minute))
        .select(diesel::dsl::sum(fhir_rate_windows::hits))
        .first(conn)?;
    Ok(i32::try_from(hits.unwrap_or(0)).unwrap_or(i32::MAX))
}
