//! The repository: reads, writes and searches FHIR resources in the clinic database.
//!
//! Each served resource type has one module that knows its tables; the server never builds SQL
//! and this crate never sees HTTP. Every write runs in one database transaction.

mod error;
mod patient;
mod predicate;
mod sql;
mod versions;

use clinic_db::{Database, DbConnection};
use fhir_mapping::MappingContext;
use fhir_search::SearchRequest;
use serde_json::Value;

pub use error::StoreError;

/// The resource types this store serves.
pub const RESOURCE_TYPES: [&str; 1] = ["Patient"];

/// One page of search results.
#[derive(Debug)]
pub struct SearchPage {
    pub resources: Vec<Value>,
    pub total: u64,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// What a successful write did.
#[derive(Debug)]
pub struct Written {
    pub resource: Value,
    pub created: bool,
    /// The version an update replaced (it may have come from the clinic application).
    pub replaced: Option<Value>,
}

#[derive(Clone)]
pub struct Store {
    db: Database,
    ctx: MappingContext,
}

impl Store {
    pub fn new(db: Database, ctx: MappingContext) -> Store {
        Store { db, ctx }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub async fn read(&self, resource_type: &str, id: &str) -> Result<Value, StoreError> {
        let id = row_key(resource_type, id)?;
        let ctx = self.ctx.clone();
        match resource_type {
            "Patient" => self.db.run(move |conn| patient::read(conn, id, &ctx)).await,
            other => Err(StoreError::UnsupportedType(other.to_owned())),
        }
    }

    /// A version of a resource: the current one, or one the facade kept when it wrote.
    pub async fn vread(&self, resource_type: &str, id: &str, version: &str) -> Result<Value, StoreError> {
        let current = self.read(resource_type, id).await?;
        if current["meta"]["versionId"].as_str() == Some(version) {
            return Ok(current);
        }
        let not_found = || StoreError::NotFound {
            resource_type: resource_type.to_owned(),
            id: format!("{id}/_history/{version}"),
        };
        let key = row_key(resource_type, id)?;
        let version = version.parse::<i64>().map_err(|_| not_found())?;
        let resource_type_owned = resource_type.to_owned();
        self.db
            .run(move |conn| versions::find(conn, &resource_type_owned, key, version))
            .await?
            .ok_or_else(not_found)
    }

    pub async fn create(&self, resource: Value) -> Result<Written, StoreError> {
        let ctx = self.ctx.clone();
        match resource_type_of(&resource)? {
            "Patient" => {
                self.db
                    .run(move |conn| {
                        transaction(conn, |conn| {
                            let written = patient::create(conn, &resource, &ctx)?;
                            versions::record(conn, &written.resource, Some("POST"), &ctx)?;
                            Ok(written)
                        })
                    })
                    .await
            }
            other => Err(StoreError::UnsupportedType(other.to_owned())),
        }
    }

    /// Replaces the resource `id`; the body's `id` must be `id`. With `expected_version` (from
    /// `If-Match`) the write happens only if that is still the current version.
    pub async fn update(
        &self,
        resource_type: &str,
        id: &str,
        resource: Value,
        expected_version: Option<i32>,
    ) -> Result<Written, StoreError> {
        if resource_type_of(&resource)? != resource_type {
            return Err(StoreError::WrongType { expected: resource_type.to_owned() });
        }
        if resource["id"].as_str() != Some(id) {
            return Err(StoreError::IdMismatch);
        }
        let key = row_key(resource_type, id)?;
        let ctx = self.ctx.clone();
        match resource_type {
            "Patient" => {
                self.db
                    .run(move |conn| {
                        transaction(conn, |conn| {
                            let written = patient::update(conn, key, &resource, expected_version, &ctx)?;
                            if let Some(replaced) = &written.replaced {
                                versions::record(conn, replaced, None, &ctx)?;
                            }
                            versions::record(conn, &written.resource, Some("PUT"), &ctx)?;
                            Ok(written)
                        })
                    })
                    .await
            }
            other => Err(StoreError::UnsupportedType(other.to_owned())),
        }
    }

    pub async fn search(
        &self,
        resource_type: &str,
        request: SearchRequest,
    ) -> Result<SearchPage, StoreError> {
        let ctx = self.ctx.clone();
        match resource_type {
            "Patient" => self.db.run(move |conn| patient::search(conn, &request, &ctx)).await,
            other => Err(StoreError::UnsupportedType(other.to_owned())),
        }
    }
}

fn transaction<T>(
    conn: &mut DbConnection,
    work: impl FnOnce(&mut DbConnection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    use diesel::Connection;
    conn.transaction(work)
}

fn resource_type_of(resource: &Value) -> Result<&str, StoreError> {
    resource["resourceType"].as_str().ok_or(StoreError::WrongType { expected: "a resource".into() })
}

/// Ids are clinic row keys; anything else cannot name a row.
fn row_key(resource_type: &str, id: &str) -> Result<i64, StoreError> {
    id.parse::<i64>()
        .map_err(|_| StoreError::NotFound { resource_type: resource_type.to_owned(), id: id.to_owned() })
}

/// The clinic's wall-clock time now, to the millisecond (both backends keep that precision).
fn local_now(ctx: &MappingContext) -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().with_timezone(&ctx.utc_offset).naive_local();
    chrono::SubsecRound::trunc_subsecs(now, 3)
}
