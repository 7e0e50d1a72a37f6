//! Administrators manage accounts: deactivate and reactivate users, reset their password or
//! second factor, and require a second factor for a whole clinic. Each ends what it must
//! (sessions, tokens) and is audited.

use super::passwords::managed_user;
use super::{record, Ctx, Origin};
use crate::authz::{Permission, Role};
use crate::db::auth as sessions;
use crate::db::ids::{ClinicId, UserId};
use crate::db::{clinics, mfa, users, DbConn};
use crate::error::AppError;
use diesel::Connection;

/// Stops (or allows again) a user's sign-in; deactivating ends all their sessions and tokens.
pub fn set_active(conn: &mut DbConn, ctx: &Ctx, id: UserId, active: bool) -> Result<(), AppError> {
    let user = managed_user(conn, &ctx.actor, id)?;
    if !active && user.id == ctx.actor.user_id {
        return Err(AppError::Conflict {
            code: "own_account",
            message: "You cannot deactivate your own account.".into(),
        });
    }
    conn.transaction(|conn| -> Result<(), AppError> {
        users::set_active(conn, id, active)?;
        if !active {
            sessions::end_all_but(conn, id, None)?;
        }
        let action = if active { "user.reactivate" } else { "user.deactivate" };
        ctx.audit(conn, action, Some(user.clinic_id), None, Some(format!("user={id}")))?;
        Ok(())
    })
}

/// An administrator's edit of a user, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct UserEdit {
    /// Display name.
    pub name: String,
    /// `therapist`, `lead` or `admin`.
    pub role: String,
}

/// Sets a user's name and role, if the user is still at `version` (409 otherwise). Every
/// problem is named by field; an administrator cannot take their own administrator role.
pub fn update(conn: &mut DbConn, ctx: &Ctx, id: UserId, version: i32, edit: &UserEdit) -> Result<(), AppError> {
    let user = managed_user(conn, &ctx.actor, id)?;
    let mut errors = crate::error::FieldErrors::new();
    let name = edit.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        crate::field_errors::add_field_error(&mut errors, "name", "Enter the name (up to 100 characters).");
    }
    let role = edit.role.trim().parse::<Role>();
    match &role {
        Err(m) => crate::field_errors::add_field_error(&mut errors, "role", m.clone()),
        Ok(r) if user.id == ctx.actor.user_id && *r != Role::Admin => crate::field_errors::add_field_error(
            &mut errors,
            "role",
            "You cannot take away your own administrator role.",
        ),
        Ok(_) => {}
    }
    let role = match role {
        Ok(role) if errors.is_empty() => role,
        _ => return Err(AppError::Validation(errors)),
    };
    conn.transaction(|conn| -> Result<(), AppError> {
        if !users::update(conn, id, version, name, role)? {
            return Err(AppError::VersionConflict);
        }
        let detail = Some(format!("user={id} role={} version={}", role.code(), version + 1));
        ctx.audit(conn, "user.update", Some(user.clinic_id), None, detail)?;
        Ok(())
    })
}

/// The command line deactivates a user by e-mail (`user deactivate`): sign-in stops and
/// every session and token ends.
pub fn deactivate_by_email(conn: &mut DbConn, email: &str) -> Result<UserId, AppError> {
    let user =
        users::find_by_email(conn, email)?.ok_or_else(|| AppError::field("email", "No user has this e-mail."))?;
    conn.transaction(|conn| -> Result<(), AppError> {
        users::set_active(conn, user.id, false)?;
        sessions::end_all_but(conn, user.id, None)?;
        let detail = Some(format!("user={}", user.id));
        record(conn, None, &Origin::default(), "user.deactivate", Some(user.clinic_id), None, detail)?;
        Ok(())
    })?;
    Ok(user.id)
}

/// Turns a user's second factor off (lost phone); they sign in with the password and may
/// enrol again. Their sessions and tokens end.
pub fn reset_second_factor(conn: &mut DbConn, ctx: &Ctx, id: UserId) -> Result<(), AppError> {
    let user = managed_user(conn, &ctx.actor, id)?;
    conn.transaction(|conn| -> Result<(), AppError> {
        mfa::reset(conn, id)?;
        sessions::end_all_but(conn, id, None)?;
        ctx.audit(conn, "user.totp_reset", Some(user.clinic_id), None, Some(format!("user={id}")))?;
        Ok(())
    })
}

/// Requires (or stops requiring) a second factor for every user of a clinic, if the
/// clinic's settings are still at `version` (409 otherwise).
pub fn set_require_totp(
    conn: &mut DbConn,
    ctx: &Ctx,
    clinic: ClinicId,
    version: i32,
    require: bool,
) -> Result<(), AppError> {
    ctx.actor.require(Permission::Administer)?;
    ctx.actor.require_in_scope(clinic)?;
    if !clinics::set_require_totp(conn, clinic, version, require)? {
        return Err(clinics::find(conn, clinic)?.map_or(AppError::NotFound, |_| AppError::VersionConflict));
    }
    ctx.audit(conn, "clinic.require_totp", Some(clinic), None, Some(format!("require={require}")))?;
    Ok(())
}
