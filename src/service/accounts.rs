//! Clinics and user accounts: shared by the commands, the demo loader and the admin pages.

use super::auth::hash_password;
use super::now;
use super::Ctx;
use crate::authz::{Permission, Role};
use crate::db::ids::{ClinicId, UserId};
use crate::db::users::{self, NewUser};
use crate::db::{clinics, is_unique_violation, DbConn, DbError};
use crate::error::{from_validator, AppError};
use serde::Deserialize;
use validator::Validate;

/// A new clinic as typed.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
#[serde(default)]
pub struct ClinicInput {
    /// Unique name.
    #[validate(length(min = 1, max = 100, message = "Enter the clinic's name (up to 100 characters)."))]
    pub name: String,
    /// Telephone for handouts.
    #[validate(length(max = 40, message = "Up to 40 characters."))]
    pub phone: Option<String>,
    /// Address for handouts.
    #[validate(length(max = 200, message = "Up to 200 characters."))]
    pub address: Option<String>,
}

/// A new user as typed.
#[derive(Debug, Clone, Default, Deserialize, Validate)]
#[serde(default)]
pub struct UserInput {
    /// Sign-in e-mail.
    #[validate(email(message = "Enter an e-mail address like name@example.org."))]
    pub email: String,
    /// Display name.
    #[validate(length(min = 1, max = 100, message = "Enter the name (up to 100 characters)."))]
    pub name: String,
    /// `therapist`, `lead` or `admin`.
    pub role: String,
    /// The clinic's id.
    pub clinic_id: String,
    /// Initial password (the policy of [`super::passwords::check_policy`] applies).
    pub password: String,
}

/// Runs `validator` rules and returns the problems per field.
pub fn validate_input(input: &impl Validate) -> Result<(), AppError> {
    input.validate().map_err(|e| AppError::Validation(from_validator(&e)))
}

/// Adds a clinic; a duplicate name is reported on the `name` field.
pub fn add_clinic(conn: &mut DbConn, input: &ClinicInput) -> Result<ClinicId, AppError> {
    validate_input(input)?;
    let blank = crate::domain::filled;
    let (phone, address) = (blank(&input.phone), blank(&input.address));
    clinics::insert(conn, input.name.trim(), phone.as_deref(), address.as_deref(), now()).map_err(|e| match e {
        DbError::Query(q) if is_unique_violation(&q) => {
            AppError::field("name", "A clinic with this name exists already.")
        }
        other => other.into(),
    })
}

/// Adds a user with an argon2id-hashed password; a duplicate e-mail is reported on `email`.
pub fn add_user(conn: &mut DbConn, input: &UserInput) -> Result<UserId, AppError> {
    validate_input(input)?;
    let role = input.role.parse::<Role>().map_err(|m| AppError::field("role", m))?;
    let clinic = input
        .clinic_id
        .parse::<ClinicId>()
        .ok()
        .and_then(|id| clinics::find(conn, id).ok().flatten())
        .ok_or_else(|| AppError::field("clinic_id", "Choose an existing clinic."))?;
    let clinic_id = clinic.id;
    super::passwords::check_policy(&input.password, input.email.trim(), input.name.trim(), &clinic.name)
        .map_err(|m| AppError::field("password", m))?;
    let id = UserId::new();
    let user = NewUser {
        id,
        clinic_id,
        email: input.email.trim().to_lowercase(),
        name: input.name.trim().to_owned(),
        role,
        password_hash: hash_password(&input.password)?,
        active: true,
        created_at: now(),
    };
    users::insert(conn, user).map_err(|e| match e {
        DbError::Query(q) if is_unique_violation(&q) => {
            AppError::field("email", "A user with this e-mail exists already.")
        }
        other => other.into(),
    })?;
    Ok(id)
}

/// A clinic's MCID thresholds as typed (points, and optional percent of baseline).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct McidInput {
    /// ODI points.
    pub odi_points: String,
    /// ODI percent (blank: points only).
    pub odi_percent: String,
    /// NPRS points.
    pub nprs_points: String,
    /// NPRS percent (blank: points only).
    pub nprs_percent: String,
    /// Roland-Morris points (blank: the default, 5).
    pub rmdq_points: String,
    /// PSFS points of the mean rating (blank: the default, 2).
    pub psfs_points: String,
}

/// Sets a clinic's MCID thresholds (admins), used by its progress pages and caseload flags,
/// if the clinic's settings are still at `version` (409 otherwise).
pub fn set_mcid(
    conn: &mut DbConn,
    ctx: &Ctx,
    clinic: ClinicId,
    version: i32,
    input: &McidInput,
) -> Result<(), AppError> {
    use crate::domain::mcid::{McidThresholds, Threshold};
    ctx.actor.require(Permission::Administer)?;
    ctx.actor.require_in_scope(clinic)?;
    let number = |field: &str, text: &str| -> Result<Option<f64>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>().map(Some).map_err(|_| AppError::field(field, "Enter a number."))
    };
    let required =
        |field: &str, text: &str| number(field, text)?.ok_or_else(|| AppError::field(field, "Enter the points."));
    let defaults = McidThresholds::default();
    let thresholds = McidThresholds {
        odi: Threshold {
            points: required("odi_points", &input.odi_points)?,
            percent: number("odi_percent", &input.odi_percent)?,
        },
        nprs: Threshold {
            points: required("nprs_points", &input.nprs_points)?,
            percent: number("nprs_percent", &input.nprs_percent)?,
        },
        roland_morris: Threshold {
            points: number("rmdq_points", &input.rmdq_points)?.unwrap_or(defaults.roland_morris.points),
            percent: None,
        },
        psfs: Threshold {
            points: number("psfs_points", &input.psfs_points)?.unwrap_or(defaults.psfs.points),
            percent: None,
        },
    };
    thresholds.validate().map_err(|m| {
        let field = match m.split_whitespace().next() {
            Some("nprs") => "nprs_points",
            Some("roland_morris") => "rmdq_points",
            Some("psfs") => "psfs_points",
            _ => "odi_points",
        };
        AppError::field(field, m)
    })?;
    let json = serde_json::to_string(&thresholds).map_err(|e| AppError::Internal(e.to_string()))?;
    // The caseload's "not improving" flags follow the thresholds: rebuilt in the same transaction.
    diesel::Connection::transaction(conn, |conn| {
        if !clinics::set_mcid(conn, clinic, version, &json)? {
            return Err(clinics::find(conn, clinic)?.map_or(AppError::NotFound, |_| AppError::VersionConflict));
        }
        ctx.audit(conn, "clinic.mcid", Some(clinic), None, Some(format!("version={}", version + 1)))?;
        super::caseload_summary::refresh_clinic(conn, clinic).map(|_| ())
    })
}
