use clinic_db::DbError;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use fhir_outcome::{Issue, IssueType};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{resource_type}/{id} is not known")]
    NotFound { resource_type: String, id: String },
    /// Deleted through FHIR: reads answer 410.
    #[error("{resource_type}/{id} has been deleted")]
    Gone { resource_type: String, id: String },
    #[error("resource type {0} is not served")]
    UnsupportedType(String),
    #[error("the body must be {expected}")]
    WrongType { expected: String },
    /// The resource is no longer at the version the write was based on.
    #[error("the resource has changed: its current version is {current}")]
    VersionConflict { current: i32 },
    #[error("the resource id must match the id in the URL")]
    IdMismatch,
    /// The resource cannot be stored as sent (mapping or constraint problems).
    #[error("the resource cannot be stored")]
    Unprocessable(Vec<Issue>),
    /// A unique clinic key (HN, citizen ID...) is already taken.
    #[error("{0}")]
    Duplicate(String),
    #[error("{0} is read-only here: the clinic application maintains it")]
    NotWritable(String),
    #[error("{0} resources are computed, not kept: they have no history")]
    NoHistory(String),
    #[error("the clinic record of a {0} cannot be deleted")]
    DeleteNotAllowed(String),
    /// A conditional interaction's criteria match more than one resource.
    #[error("the criteria match {0} resources; they must match at most one")]
    MultipleMatches(u64),
    #[error("invalid search: {0}")]
    InvalidSearch(String),
    /// A search parameter this type cannot apply as written (a modifier it has no data for).
    #[error("invalid search: {diagnostics}")]
    InvalidParam { param: String, diagnostics: String },
    /// A kept version that no longer parses (never the client's fault).
    #[error("a stored version is not valid JSON: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(DbError),
}

impl StoreError {
    /// The error, naming search parameter `param` (as the client wrote it) if it is about the
    /// search and names none yet.
    pub fn naming(self, param: &str) -> StoreError {
        match self {
            StoreError::InvalidSearch(diagnostics) => {
                StoreError::InvalidParam { param: param.to_owned(), diagnostics }
            }
            other => other,
        }
    }
}

impl From<DbError> for StoreError {
    fn from(error: DbError) -> StoreError {
        StoreError::Database(error)
    }
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> StoreError {
        match &error {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Duplicate(duplicate_message(info.message(), info.constraint_name()))
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                StoreError::Unprocessable(vec![Issue::error(
                    IssueType::BusinessRule,
                    "a resource this one references does not exist",
                )])
            }
            DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _) => {
                StoreError::Unprocessable(vec![Issue::error(
                    IssueType::BusinessRule,
                    "a value is outside what the clinic database accepts",
                )])
            }
            _ => StoreError::Database(DbError::Query(error)),
        }
    }
}

/// Names the clinic key that is taken, without echoing the value (it may be a citizen ID).
fn duplicate_message(message: &str, constraint: Option<&str>) -> String {
    let what = constraint.unwrap_or(message);
    let key = if what.contains("national_id") {
        "Thai citizen ID"
    } else if what.contains("hn") {
        "HN"
    } else if what.contains("claim_no") {
        "claim number"
    } else {
        "unique key"
    };
    format!("another record already has this {key}")
}
