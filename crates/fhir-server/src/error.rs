use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use clinic_db::DbError;
use fhir_outcome::{Issue, IssueType, operation_outcome};
use fhir_store::StoreError;

use crate::Format;

/// An error answered with an `OperationOutcome` in the negotiated format.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    issues: Vec<Issue>,
    format: Format,
}

impl ApiError {
    pub fn new(status: StatusCode, issue: Issue) -> ApiError {
        ApiError::with_issues(status, vec![issue])
    }

    pub fn with_issues(status: StatusCode, issues: Vec<Issue>) -> ApiError {
        ApiError { status, issues, format: Format::Json }
    }

    /// A fault of the server. The cause is logged (it never contains request data) and the
    /// client gets a generic 500.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Issue::error(IssueType::Exception, "internal server error"),
        )
    }

    pub fn in_format(mut self, format: Format) -> ApiError {
        self.format = format;
        self
    }

    pub fn into_issues(self) -> Vec<Issue> {
        self.issues
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.issues.first() {
            Some(issue) => write!(f, "{}: {}", self.status, issue.diagnostics),
            None => write!(f, "{}", self.status),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let outcome = operation_outcome(&self.issues);
        let (format, body) = match self.format.write(&outcome, false) {
            Ok(body) => (self.format, body),
            // JSON of an OperationOutcome tree cannot fail; XML goes through the codec.
            Err(_) => (Format::Json, serde_json::to_vec(&outcome).unwrap_or_default()),
        };
        HttpResponse::build(self.status).content_type(format.content_type()).body(body)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        let message = error.to_string();
        match error {
            StoreError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, Issue::error(IssueType::NotFound, message))
            }
            StoreError::Gone { .. } => {
                ApiError::new(StatusCode::GONE, Issue::error(IssueType::Deleted, message))
            }
            StoreError::DeleteNotAllowed(_) | StoreError::NotWritable(_) | StoreError::NoHistory(_) => {
                ApiError::new(StatusCode::METHOD_NOT_ALLOWED, Issue::error(IssueType::NotSupported, message))
            }
            StoreError::MultipleMatches(_) => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                Issue::error(IssueType::MultipleMatches, message),
            ),
            StoreError::UnsupportedType(_) => {
                ApiError::new(StatusCode::NOT_FOUND, Issue::error(IssueType::NotSupported, message))
            }
            StoreError::WrongType { .. } => ApiError::new(
                StatusCode::BAD_REQUEST,
                Issue::error(IssueType::Invalid, message).at("resourceType"),
            ),
            StoreError::IdMismatch => {
                ApiError::new(StatusCode::BAD_REQUEST, Issue::error(IssueType::Invalid, message).at("id"))
            }
            StoreError::Unprocessable(issues) => {
                ApiError::with_issues(StatusCode::UNPROCESSABLE_ENTITY, issues)
            }
            StoreError::VersionConflict { .. } => {
                ApiError::new(StatusCode::CONFLICT, Issue::error(IssueType::Conflict, message))
            }
            StoreError::Duplicate(_) => {
                ApiError::new(StatusCode::CONFLICT, Issue::error(IssueType::Duplicate, message))
            }
            StoreError::InvalidSearch(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, Issue::error(IssueType::Invalid, message))
            }
            StoreError::InvalidParam { param, .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, Issue::error(IssueType::Invalid, message).at(param))
            }
            StoreError::Database(DbError::Pool(cause)) => {
                tracing::warn!(%cause, "no database connection available");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Issue::error(IssueType::Transient, "the database is busy or unreachable; retry later"),
                )
            }
            StoreError::Database(cause) => ApiError::internal(cause),
            StoreError::Corrupt(cause) => ApiError::internal(cause),
        }
    }
}
