//! One error type for the whole app, rendered as the JSON body of docs/api.md for the API
//! and as a plain page for people (see `web::HtmlError`).

use crate::db::DbError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

pub use crate::field_errors::{add_field_error, from_validator, FieldErrors};

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
    /// Too many failed sign-ins; answered with `Retry-After: retry_after` (seconds).
    #[error("Too many failed sign-ins. Wait {} minutes and try again.", retry_after.div_ceil(60))]
    Throttled {
        /// Seconds until another attempt is counted.
        retry_after: u64,
    },
    /// The clinic requires a second factor the signed-in user has not set up yet.
    #[error("Your clinic requires a second factor. Set it up on your account page first.")]
    EnrolmentRequired,
    /// The password was right but the second factor is missing or wrong; the message says which.
    #[error("{0}")]
    MfaRequired(&'static str),
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
pub const BUSY_RETRY_AFTER: u64 = 2;

impl AppError {
    /// A validation error for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        add_field_error(&mut errors, field, message);
        Self::Validation(errors)
    }

    /// The stable code listed in docs/api.md.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated | Self::BadCredentials => "unauthenticated",
            Self::Forbidden | Self::CsrfRejected => "forbidden",
            Self::EnrolmentRequired => "mfa_enrolment_required",
            Self::NotFound => "not_found",
            Self::Validation(_) => "validation_failed",
            Self::VersionConflict => "version_conflict",
            Self::Conflict { code, .. } | Self::Refused { code, .. } => code,
            Self::Throttled { .. } => "too_many_attempts",
            Self::MfaRequired(_) => "mfa_required",
            Self::Busy => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// Seconds to wait before trying again (`Retry-After`), for throttling.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Throttled { retry_after } => Some(*retry_after),
            Self::Busy => Some(BUSY_RETRY_AFTER),
            _ => None,
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

/// Every stable error code the API answers with (the `code` of [`ErrorDetail`]). A new
/// code is added here too, or the OpenAPI document (and the fuzzer in CI) refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 401: no valid session or bearer token, or bad credentials.
    Unauthenticated,
    /// 403: this role may not do this.
    Forbidden,
    /// 404: no such record, or another clinic's.
    NotFound,
    /// 405: the path exists, the method does not.
    MethodNotAllowed,
    /// 409: the record changed since it was loaded.
    VersionConflict,
    /// 409: a signed assessment edited in place.
    Locked,
    /// 409: amending a draft assessment.
    NotSigned,
    /// 409: editing an active plan.
    PlanLocked,
    /// 409: a step that needs an active plan.
    PlanNotActive,
    /// 409: the plan has ended.
    PlanEnded,
    /// 409: a handout before the first activation.
    NotActivated,
    /// 409: activating while a red flag is open.
    RedFlagUnresolved,
    /// 409: activating without a red-flag screen.
    RedFlagScreenMissing,
    /// 409: activating a plan whose safety review is due.
    SafetyReviewRequired,
    /// 409: the patient has an active plan already.
    ActivePlanExists,
    /// 409: the generator ran on this database already.
    AlreadyGenerated,
    /// 409: changing a retired clinic item or protocol.
    Retired,
    /// 422: fields that do not pass validation.
    ValidationFailed,
    /// 422: an item contraindicated for this patient.
    Contraindicated,
    /// 422: an invasive item without recorded consent.
    ConsentRequired,
    /// 409: no emergency or urgent referral is recorded (referral letter).
    NoReferral,
    /// 409: a second factor is set up already.
    MfaEnabled,
    /// 409: confirming a second factor before starting one.
    MfaNotStarted,
    /// 409: an administrator acting on their own account where that is refused.
    OwnAccount,
    /// 401: the password was right but the second factor is missing, wrong or used.
    MfaRequired,
    /// 403 (HTML): the clinic requires a second factor the user has not set up.
    MfaEnrolmentRequired,
    /// 429: too many failed sign-ins.
    TooManyAttempts,
    /// 503: the database stayed busy; `Retry-After` says when to try again.
    Unavailable,
    /// 500: a fault on our side.
    Internal,
}

/// See [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `validation_failed`.
    #[schema(value_type = ErrorCode)]
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
            Self::Unauthenticated | Self::BadCredentials | Self::MfaRequired(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::CsrfRejected | Self::EnrolmentRequired => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Validation(_) | Self::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::VersionConflict | Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
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
        if let Some(seconds) = self.retry_after() {
            response.insert_header(("Retry-After", seconds.to_string()));
        }
        let mut response = response.json(body);
        self.mark(&mut response);
        response
    }
}

/// What a refused response refused. Both renderings (JSON here, the HTML page in `web`) put it
/// in the response's extensions, so the access audit, which sits below both transports, reads
/// it from the response without knowing either error type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No permission.
    Forbidden,
    /// A CSRF token missing or wrong.
    CsrfRejected,
    /// No such record, or another clinic's.
    NotFound,
}

impl AppError {
    /// The refusal this error stands for, if it is one the access audit records.
    pub fn refusal(&self) -> Option<Refusal> {
        match self {
            Self::Forbidden => Some(Refusal::Forbidden),
            Self::CsrfRejected => Some(Refusal::CsrfRejected),
            Self::NotFound => Some(Refusal::NotFound),
            _ => None,
        }
    }

    /// Notes [`AppError::refusal`] in `response`'s extensions.
    pub fn mark(&self, response: &mut HttpResponse) {
        if let Some(refusal) = self.refusal() {
            response.extensions_mut().insert(refusal);
        }
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
        assert_eq!(
            response.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some(BUSY_RETRY_AFTER.to_string().as_str())
        );
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
