//! Writes as values, so one write and a whole transaction Bundle run the same code: each is
//! applied on a connection inside a transaction the caller holds.

use std::collections::HashMap;

use clinic_db::{DbConnection, DbError};
use fhir_mapping::MappingContext;
use fhir_search::{Handling, SearchRequest};
use serde_json::Value;

use crate::outbox::{self, Change, MophConnect};
use crate::{
    StoreError, Written, create, keep_versions, kind_of, leniently, lock_criteria, resource_type_of,
    single_match, update, version_of, versions,
};

#[derive(Debug, Clone)]
pub enum Write {
    /// With `condition` (`If-None-Exist`): nothing is created when one resource matches.
    Create {
        resource: Value,
        condition: Option<SearchRequest>,
    },
    Update {
        resource_type: String,
        id: String,
        resource: Value,
        expected_version: Option<i32>,
        method: &'static str,
    },
    ConditionalUpdate {
        resource_type: String,
        criteria: SearchRequest,
        resource: Value,
        expected_version: Option<i32>,
    },
    Delete {
        resource_type: String,
        id: String,
    },
}

/// A write of a transaction Bundle, with the `fullUrl` other entries may refer to it by.
#[derive(Debug, Clone)]
pub struct TransactionEntry {
    pub full_url: Option<String>,
    pub write: Write,
}

#[derive(Debug, thiserror::Error)]
pub enum TransactionError {
    /// The write at this position (in the order given) failed; nothing was written.
    #[error("entry {0}: {1}")]
    Entry(usize, StoreError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<DbError> for TransactionError {
    fn from(error: DbError) -> TransactionError {
        TransactionError::Store(StoreError::Database(error))
    }
}

impl Write {
    fn resource_mut(&mut self) -> Option<&mut Value> {
        match self {
            Write::Create { resource, .. }
            | Write::Update { resource, .. }
            | Write::ConditionalUpdate { resource, .. } => Some(resource),
            Write::Delete { .. } => None,
        }
    }

    /// Applies the write and queues an outbox delivery for each active Subscription the
    /// changed resource matches (for a delete, matched as it was before), and the MOPH Connect
    /// messages of an appointment it books.
    pub(crate) fn apply(
        &self,
        conn: &mut DbConnection,
        handling: Handling,
        ctx: &MappingContext,
        moph: Option<&MophConnect>,
    ) -> Result<Written, StoreError> {
        let matched_before = match self {
            Write::Delete { resource_type, id } => {
                Some(outbox::matching_subscriptions(conn, resource_type, id, ctx)?)
            }
            _ => None,
        };
        let written = self.apply_without_events(conn, handling, ctx)?;
        if written.created || written.replaced.is_some() {
            let (subscriptions, change) = match matched_before {
                Some(matched) => (matched, Change::Deleted),
                None => {
                    let resource_type = resource_type_of(&written.resource)?;
                    let id = written.resource["id"].as_str().unwrap_or_default();
                    let matched = outbox::matching_subscriptions(conn, resource_type, id, ctx)?;
                    (matched, if written.created { Change::Created } else { Change::Updated })
                }
            };
            outbox::announce(conn, &subscriptions, &written, change)?;
            if let Some(moph) = moph {
                outbox::announce_to_moph(conn, moph, &written, ctx)?;
            }
        }
        Ok(written)
    }

    fn apply_without_events(
        &self,
        conn: &mut DbConnection,
        handling: Handling,
        ctx: &MappingContext,
    ) -> Result<Written, StoreError> {
        match self {
            Write::Create { resource, condition } => {
                let kind = kind_of(resource_type_of(resource)?)?;
                if let Some(condition) = condition {
                    lock_criteria(conn, kind, condition)?;
                    if let Some(existing) = single_match(conn, kind, condition, ctx)? {
                        return Ok(Written::new(existing, false, None));
                    }
                }
                leniently(resource, handling, |resource| create(conn, kind, resource, ctx))
            }
            Write::Update { resource_type, id, resource, expected_version, method } => {
                let kind = kind_of(resource_type)?;
                if resource_type_of(resource)? != resource_type {
                    return Err(StoreError::WrongType { expected: resource_type.clone() });
                }
                if resource["id"].as_str() != Some(id) {
                    return Err(StoreError::IdMismatch);
                }
                leniently(resource, handling, |resource| {
                    update(conn, kind, id, resource, *expected_version, method, ctx)
                })
            }
            Write::ConditionalUpdate { resource_type, criteria, resource, expected_version } => {
                let kind = kind_of(resource_type)?;
                if resource_type_of(resource)? != resource_type {
                    return Err(StoreError::WrongType { expected: resource_type.clone() });
                }
                lock_criteria(conn, kind, criteria)?;
                let mut resource = resource.clone();
                let id = match single_match(conn, kind, criteria, ctx)? {
                    Some(found) => {
                        let found_id = found["id"].as_str().unwrap_or_default().to_owned();
                        match resource["id"].as_str() {
                            Some(id) if id != found_id => return Err(StoreError::IdMismatch),
                            _ => resource["id"] = Value::String(found_id.clone()),
                        }
                        found_id
                    }
                    None => match resource["id"].as_str() {
                        // No match and an id: an update of that id, which must exist (this
                        // server assigns ids: no update-as-create).
                        Some(id) => id.to_owned(),
                        None => {
                            return leniently(&resource, handling, |resource| {
                                create(conn, kind, resource, ctx)
                            });
                        }
                    },
                };
                leniently(&resource, handling, |resource| {
                    update(conn, kind, &id, resource, *expected_version, "PUT", ctx)
                })
            }
            Write::Delete { resource_type, id } => {
                let kind = kind_of(resource_type)?;
                if kind.delete_effect().is_none() {
                    return Err(StoreError::DeleteNotAllowed(resource_type.clone()));
                }
                let resource = kind.read(conn, id, ctx)?;
                if versions::is_deleted(conn, kind.resource_type(), id, version_of(&resource))? {
                    return Ok(Written::new(resource, false, None));
                }
                let written = kind.delete(conn, id, ctx)?;
                keep_versions(conn, &written, versions::DELETE, ctx)?;
                Ok(written)
            }
        }
    }

    /// This write with its references resolved: to an earlier entry (`assigned`: fullUrl ->
    /// `Type/id`), or a conditional reference (`Type?criteria`) to the one resource it matches.
    pub(crate) fn with_references_resolved(
        mut self,
        conn: &mut DbConnection,
        assigned: &HashMap<String, String>,
        ctx: &MappingContext,
    ) -> Result<Write, StoreError> {
        if let Some(resource) = self.resource_mut() {
            resolve_references(conn, resource, assigned, ctx)?;
        }
        Ok(self)
    }
}

fn resolve_references(
    conn: &mut DbConnection,
    value: &mut Value,
    assigned: &HashMap<String, String>,
    ctx: &MappingContext,
) -> Result<(), StoreError> {
    match value {
        Value::Object(members) => {
            for (name, member) in members.iter_mut() {
                match (name.as_str(), member.as_str()) {
                    ("reference", Some(reference)) => {
                        if let Some(resolved) = resolve(conn, reference, assigned, ctx)? {
                            *member = Value::String(resolved);
                        }
                    }
                    _ => resolve_references(conn, member, assigned, ctx)?,
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                resolve_references(conn, item, assigned, ctx)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn resolve(
    conn: &mut DbConnection,
    reference: &str,
    assigned: &HashMap<String, String>,
    ctx: &MappingContext,
) -> Result<Option<String>, StoreError> {
    if let Some(resolved) = assigned.get(reference) {
        return Ok(Some(resolved.clone()));
    }
    if reference.starts_with("urn:uuid:") || reference.starts_with("urn:oid:") {
        return Err(StoreError::InvalidSearch(format!(
            "'{reference}' is not the fullUrl of a resource this transaction creates"
        )));
    }
    let Some((resource_type, query)) = reference.split_once('?') else { return Ok(None) };
    let kind = kind_of(resource_type)?;
    let criteria = fhir_search::parse(resource_type, query, Handling::Strict).map_err(|issues| {
        StoreError::InvalidSearch(issues.iter().map(|i| i.diagnostics.clone()).collect::<Vec<_>>().join("; "))
    })?;
    match single_match(conn, kind, &criteria, ctx)? {
        Some(found) => Ok(Some(format!("{resource_type}/{}", found["id"].as_str().unwrap_or_default()))),
        None => {
            Err(StoreError::InvalidSearch(format!("the conditional reference '{reference}' matches nothing")))
        }
    }
}
