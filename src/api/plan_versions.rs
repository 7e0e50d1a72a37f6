//! The plan version every plan edit over the API is based on: required, 422 naming
//! `version` when absent (the service answers 409 when it is stale).

use crate::domain::progression::Criterion;
use crate::error::AppError;
use serde::Deserialize;
use utoipa::ToSchema;

/// The plan version a change is based on, sent with removals as `{"version": N}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct BasedOn {
    /// The plan version the change is based on (required).
    pub version: Option<i32>,
}

/// The version an edit is based on, required: 422 naming `version` when absent.
pub(super) fn required(version: Option<i32>) -> Result<i32, AppError> {
    version.ok_or_else(missing_version)
}

pub(super) fn missing_version() -> AppError {
    AppError::field("version", "Send the plan version this change is based on.")
}

/// A stage's new progression criteria and the plan version they are based on.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CriteriaUpdate {
    /// The plan version the change is based on (required).
    #[serde(default)]
    pub version: Option<i32>,
    /// `[{measure, comparator, value}]`.
    #[schema(value_type = Vec<Object>)]
    pub criteria: Vec<Criterion>,
}
