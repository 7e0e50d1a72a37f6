//! Passwords: the policy (length, and a zxcvbn strength estimate that also knows the user's
//! e-mail, name and clinic), changing one's own, and resetting someone else's. A new password
//! ends the user's other sessions and tokens.

use super::auth::{hash_password, token_hash, verify_password};
use super::{record, throttle, Ctx, Origin};
use crate::authz::{Actor, Permission};
use crate::db::auth as sessions;
use crate::db::ids::UserId;
use crate::db::users::{self, User};
use crate::db::{clinics, DbConn};
use crate::error::AppError;
use diesel::Connection;
use zxcvbn::{zxcvbn, Score};

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;
/// Longest password accepted (hashing cost stays bounded).
pub const MAX_LEN: usize = 200;

/// Checks a new password for someone with this e-mail, name and clinic name; the message
/// says what to change and never repeats the password.
pub fn check_policy(password: &str, email: &str, name: &str, clinic: &str) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LEN {
        return Err(format!("Use at least {MIN_LEN} characters."));
    }
    if length > MAX_LEN {
        return Err(format!("Use at most {MAX_LEN} characters."));
    }
    let joined = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let local = email.split('@').next().unwrap_or_default();
    let (name_joined, clinic_joined, local_joined) = (joined(name), joined(clinic), joined(local));
    let mut inputs: Vec<&str> = vec![email, name, clinic, &name_joined, &clinic_joined, &local_joined, "physioplan"];
    inputs.extend(email.split(['@', '.', '-', '_', '+']));
    inputs.extend(name.split_whitespace());
    inputs.extend(clinic.split_whitespace());
    inputs.retain(|i| i.chars().count() >= 3);
    // What is left once the personal words are taken out must be strong on its own too.
    let mut rest = password.to_lowercase();
    for word in &inputs {
        rest = rest.replace(&word.to_lowercase(), "");
    }
    if zxcvbn(password, &inputs).score() < Score::Three || zxcvbn(&rest, &[]).score() < Score::Three {
        return Err("This password is too easy to guess: avoid common words and passwords, and your name, \
                    e-mail or clinic. A few unrelated words make a strong one."
            .into());
    }
    Ok(())
}

fn clinic_name(conn: &mut DbConn, user: &User) -> Result<String, AppError> {
    Ok(clinics::find(conn, user.clinic_id)?.map(|c| c.name).unwrap_or_default())
}

/// Sets a user's password after the policy (`field` names the form field), ending all their
/// sessions and tokens but the one whose secret hashes to `keep`.
fn replace(conn: &mut DbConn, user: &User, password: &str, field: &str, keep: Option<&str>) -> Result<usize, AppError> {
    let clinic = clinic_name(conn, user)?;
    check_policy(password, &user.email, &user.name, &clinic).map_err(|m| AppError::field(field, m))?;
    let hash = hash_password(password)?;
    conn.transaction(|conn| -> Result<usize, AppError> {
        users::set_password_hash(conn, user.id, &hash)?;
        Ok(sessions::end_all_but(conn, user.id, keep)?)
    })
}

/// The signed-in user changes their password (current and new). A wrong current password
/// counts as a failed sign-in attempt. Ends every other session and token; `current_secret`
/// is the session cookie or bearer token of this request, which stays.
pub fn change_own(
    conn: &mut DbConn,
    ctx: &Ctx,
    current_secret: &str,
    current: &str,
    new: &str,
) -> Result<usize, AppError> {
    let user = users::find(conn, ctx.actor.user_id)?.ok_or(AppError::NotFound)?;
    let attempt = throttle::reserve(conn, &user.email, ctx.origin.client_addr.as_deref())?;
    if !verify_password(current, &user.password_hash) {
        ctx.audit(conn, "auth.password_change_failed", None, None, None)?;
        return Err(AppError::field("current_password", "This is not your current password."));
    }
    throttle::succeeded(conn, &attempt)?;
    let ended = replace(conn, &user, new, "new_password", Some(&token_hash(current_secret)))?;
    ctx.audit(conn, "auth.password_changed", None, None, Some(format!("ended_sessions={ended}")))?;
    Ok(ended)
}

/// The user an administrator may manage (others' clinics: 404 for clinic-bound callers).
pub fn managed_user(conn: &mut DbConn, actor: &Actor, id: UserId) -> Result<User, AppError> {
    actor.require(Permission::Administer)?;
    users::find(conn, id)?.filter(|u| actor.scope().includes(u.clinic_id)).ok_or(AppError::NotFound)
}

/// An administrator sets a user's password; all the user's sessions and tokens end.
pub fn reset(conn: &mut DbConn, ctx: &Ctx, id: UserId, password: &str) -> Result<(), AppError> {
    let user = managed_user(conn, &ctx.actor, id)?;
    replace(conn, &user, password, "password", None)?;
    ctx.audit(conn, "user.password_reset", Some(user.clinic_id), None, Some(format!("user={id}")))?;
    Ok(())
}

/// The command line sets a user's password by e-mail (`user reset-password`).
pub fn reset_by_email(conn: &mut DbConn, email: &str, password: &str) -> Result<UserId, AppError> {
    let user =
        users::find_by_email(conn, email)?.ok_or_else(|| AppError::field("email", "No user has this e-mail."))?;
    replace(conn, &user, password, "password", None)?;
    record(
        conn,
        None,
        &Origin::default(),
        "user.password_reset",
        Some(user.clinic_id),
        None,
        Some(format!("user={}", user.id)),
    )?;
    Ok(user.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_short_and_personal_passwords_are_refused() {
        let ok = |p: &str| check_policy(p, "jane.doe@riverside.example", "Jane Doe", "Riverside Physio").is_ok();
        assert!(!ok("password12"));
        assert!(!ok("short"));
        assert!(!ok("JaneDoe2026"));
        assert!(!ok("riverside123"));
        assert!(!ok("Riverside-Physio1"));
        assert!(!ok("qwertyuiop"));
        assert!(ok("tulip canyon ferry lamp"));
    }

    #[test]
    fn the_demo_and_test_passwords_pass() {
        assert_eq!(
            check_policy(
                crate::seed::demo::DEMO_PASSWORD,
                "lead@riverside.example",
                "Priya Raman",
                "Riverside Physiotherapy"
            ),
            Ok(())
        );
        assert_eq!(
            check_policy(
                crate::seed::generate::GENERATED_PASSWORD,
                "therapist1@c1.generated.example",
                "T One",
                "Generated Clinic 1"
            ),
            Ok(())
        );
        assert_eq!(
            check_policy("correct horse battery", "thera@a.example", "therapist thera@a.example", "Clinic A"),
            Ok(())
        );
    }
}
