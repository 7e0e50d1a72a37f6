//! One error type for the whole app, rendered as the JSON body of interface.md for the API
//! and as a plain page for people (see `web::HtmlError`).

use crate::db::DbError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::collections::BTreeMap;

/// Messages per field name, shown next to the field (HTML) or under `fields` (JSON).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// Adds `message` to `field` in `errors`.
pub fn add_field_error(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors.entry(field.to_owned()).or_default().push(message.into());
}

/// The messages of `validator` rules, per field.
pub fn from_validator(found: &validator::ValidationErrors) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, list) in found.field_errors() {
        for e in list {
            let message = e.message.as_ref().map_or_else(|| e.code.to_string(), |m| m.to_string());
            add_field_error(&mut errors, &field, message);
        }
    }
    errors
}

/// Everything a request can fail with. Only `Internal` is a fault of ours.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or bearer token.
    #[error("Please sign in.")]
    Unauthenticated,
    /// Sign-in with a wrong e-mail or password (never says which).
    #[error("The e-mail or password is not right.")]
    BadCredentials,
    /// Signed in, but this role may not do this.
    #[error("You do not have permission to do this.")]
    Forbidden,
    /// The CSRF token was missing or wrong: the form is stale or forged.
    #[error("This form has expired. Reload the page and try again.")]
    CsrfRejected,
    /// No such record, or a record of another clinic (never say which).
    #[error("Not found.")]
    NotFound,
    /// Input that does not pass validation, per field.
    #[error("Some fields need attention.")]
    Validation(FieldErrors),
    /// The record changed since it was loaded.
    #[error("This record was changed by someone else since you opened it. Review the current version and apply your changes again.")]
    VersionConflict,
    /// The request conflicts with the record's state (e.g. editing a signed assessment);
    /// `code` is the stable error code, e.g. `locked`.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// A sentence for people.
        message: String,
    },
    /// A clinical safety rule refused the request (e.g. `contraindicated`,
    /// `consent_required`); the fields name what to change.
    #[error("{message}")]
    Refused {
        /// Stable code.
        code: &'static str,
        /// A sentence for people.
        message: String,
        /// Messages per field.
        fields: FieldErrors,
    },
    /// Too many failed sign-ins; the message says when to retry.
    #[error("{0}")]
    Throttled(String),
    /// The database stayed busy (pool exhausted, locked): try again shortly.
    #[error("The service is busy. Try again in a moment.")]
    Busy,
    /// A fault on our side; the cause is logged once, never shown. It must not hold
    /// anything a user typed or a record holds (see [`unreadable`]).
    #[error("Something went wrong on our side.")]
    Internal(String),
}

/// A stored document that does not parse: the parser's position and kind only, because its
/// message quotes the content.
pub fn unreadable(what: &str, err: &serde_json::Error) -> AppError {
    AppError::Internal(format!(
        "{what} unreadable ({:?} error at line {}, column {})",
        err.classify(),
        err.line(),
        err.column()
    ))
}

/// Seconds a client is asked to wait when the database is busy.
pub const BUSY_RETRY_AFTER: &str = "2";

impl AppError {
    /// A validation error for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        add_field_error(&mut errors, field, message);
        Self::Validation(errors)
    }

    /// The stable code of interface.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::BadCredentials => "unauthenticated",
            Self::Forbidden | Self::CsrfRejected => "forbidden",
            Self::NotFound => "not_found",
            Self::Validation(_) => "validation_failed",
            Self::VersionConflict => "version_conflict",
            Self::Conflict { code, .. } | Self::Refused { code, .. } => code,
            Self::Throttled(_) => "too_many_attempts",
            Self::Busy => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The field messages, if any.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            Self::Validation(fields) | Self::Refused { fields, .. } => Some(fields),
            _ => None,
        }
    }
}

impl From<DbError> for AppError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Query(diesel::result::Error::NotFound) => Self::NotFound,
            other if other.is_busy() => Self::Busy,
            other => Self::Internal(other.describe()),
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        DbError::from(err).into()
    }
}

/// The JSON error body: `{"error":{"code","message","fields"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// See [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Messages per field, for `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldErrors>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated | Self::BadCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Validation(_) | Self::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::VersionConflict | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // The one place a fault's cause is logged; it never reaches the client.
            tracing::error!(%cause, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
                fields: self.fields().cloned(),
            },
        };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, Self::Unauthenticated) {
            response.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if matches!(self, Self::Busy) {
            response.insert_header(("Retry-After", BUSY_RETRY_AFTER));
        }
        response.json(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    #[test]
    fn a_locked_database_answers_503_with_retry_after() {
        let locked = Error::DatabaseError(DatabaseErrorKind::Unknown, Box::new("database is locked".to_owned()));
        let err = AppError::from(locked);
        assert!(matches!(err, AppError::Busy));
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some(BUSY_RETRY_AFTER));
    }

    #[test]
    fn a_database_message_quoting_a_value_is_withheld_from_the_log() {
        let quoted = Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("invalid input syntax for type date: \"07700 900461\"".to_owned()),
        );
        let AppError::Internal(cause) = AppError::from(quoted) else { panic!("not internal") };
        assert!(!cause.contains("07700"), "{cause}");
    }
}
