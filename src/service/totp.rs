//! The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of clock
//! drift either way, no step accepted twice) and ten one-time recovery codes, stored hashed.

use super::auth::{random_token, token_hash};
use super::{now, record, Ctx, Origin};
use crate::authz::Actor;
use crate::db::ids::UserId;
use crate::db::mfa as store;
use crate::db::users::{self, User};
use crate::db::DbConn;
use crate::error::AppError;
use chrono::Duration;
use diesel::Connection;
use totp_rs::{Algorithm, Secret, TOTP};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "physioplan";
/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Recovery codes issued at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// How long the second step of a browser sign-in may take.
pub const CHALLENGE_LIFETIME: Duration = Duration::minutes(5);
/// Wrong codes allowed in one pending second step.
pub const CHALLENGE_FAILURES: i32 = 5;

/// A secret being enrolled, shown once.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, for typing into an app.
    pub secret: String,
    /// `otpauth://totp/...`, for a QR code.
    pub otpauth_uri: String,
}

fn totp_for(secret: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes =
        Secret::Encoded(secret.to_owned()).to_bytes().map_err(|_| AppError::Internal("bad TOTP secret".into()))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS, bytes, Some(ISSUER.to_owned()), account.to_owned())
        .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

fn current_step() -> i64 {
    now().and_utc().timestamp().div_euclid(STEP_SECONDS as i64)
}

/// The step (current, or one either side) whose code is `code`, if any.
fn matching_step(totp: &TOTP, code: &str) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = current_step();
    [step - 1, step, step + 1].into_iter().find(|s| {
        let at = u64::try_from(*s).unwrap_or(0) * STEP_SECONDS;
        super::auth::constant_time_eq(totp.generate(at).as_bytes(), code.as_bytes())
    })
}

fn normalise_recovery(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_lowercase()
}

fn load(conn: &mut DbConn, id: UserId) -> Result<User, AppError> {
    users::find(conn, id)?.ok_or(AppError::NotFound)
}

/// Checks a TOTP code or an unused recovery code of an enrolled user; a wrong or reused code
/// is audited (`auth.mfa_failed`) and refused with 401 `mfa_required`.
pub fn check_code(conn: &mut DbConn, actor: &Actor, code: &str, origin: &Origin) -> Result<(), AppError> {
    let user = load(conn, actor.user_id)?;
    let accepted = match (&user.totp_secret, user.totp_enabled) {
        (Some(secret), true) => match matching_step(&totp_for(secret, &user.email)?, code) {
            Some(step) => store::claim_step(conn, user.id, step)?,
            None => {
                let used = store::use_recovery_code(conn, user.id, &token_hash(&normalise_recovery(code)), now())?;
                if used {
                    record(conn, Some(actor), origin, "auth.recovery_code_used", None, None, None)?;
                }
                used
            }
        },
        _ => false,
    };
    if accepted {
        return Ok(());
    }
    record(conn, Some(actor), origin, "auth.mfa_failed", None, None, None)?;
    Err(AppError::MfaRequired("The code is not right. Enter the current code from your authenticator app."))
}

/// Starts enrolment: a new secret, not in force until confirmed. 409 `mfa_enabled` when the
/// user already has a second factor (an admin resets it first).
pub fn begin_enrolment(conn: &mut DbConn, ctx: &Ctx) -> Result<Enrolment, AppError> {
    let user = load(conn, ctx.actor.user_id)?;
    if user.totp_enabled {
        return Err(AppError::Conflict {
            code: "mfa_enabled",
            message: "A second factor is set up already. Ask an administrator to reset it.".into(),
        });
    }
    let Secret::Encoded(secret) = Secret::generate_secret().to_encoded() else {
        return Err(AppError::Internal("TOTP secret encoding".into()));
    };
    let otpauth_uri = totp_for(&secret, &user.email)?.get_url();
    store::set_pending_secret(conn, user.id, &secret)?;
    ctx.audit(conn, "auth.totp_enrolment_started", None, None, None)?;
    Ok(Enrolment { secret, otpauth_uri })
}

/// The pending enrolment of the signed-in user, to show again (e.g. after a wrong code).
pub fn pending_enrolment(conn: &mut DbConn, ctx: &Ctx) -> Result<Option<Enrolment>, AppError> {
    let user = load(conn, ctx.actor.user_id)?;
    match (user.totp_secret, user.totp_enabled) {
        (Some(secret), false) => {
            let otpauth_uri = totp_for(&secret, &user.email)?.get_url();
            Ok(Some(Enrolment { secret, otpauth_uri }))
        }
        _ => Ok(None),
    }
}

/// Confirms enrolment with a code from the app; turns the second factor on and returns ten
/// recovery codes (shown once; only their hashes are kept).
pub fn confirm_enrolment(conn: &mut DbConn, ctx: &Ctx, code: &str) -> Result<Vec<String>, AppError> {
    let user = load(conn, ctx.actor.user_id)?;
    let secret = match (&user.totp_secret, user.totp_enabled) {
        (Some(secret), false) => secret.clone(),
        (_, true) => {
            return Err(AppError::Conflict {
                code: "mfa_enabled",
                message: "A second factor is set up already.".into(),
            })
        }
        (None, false) => {
            return Err(AppError::Conflict {
                code: "mfa_not_started",
                message: "Start setting up the second factor first.".into(),
            })
        }
    };
    let Some(step) = matching_step(&totp_for(&secret, &user.email)?, code) else {
        ctx.audit(conn, "auth.mfa_failed", None, None, None)?;
        return Err(AppError::field("code", "The code is not right. Enter the 6 digits your app shows now."));
    };
    let codes: Vec<String> = (0..RECOVERY_CODES)
        .map(|_| {
            let raw = random_token();
            format!("{}-{}", &raw[..5], &raw[5..10])
        })
        .collect();
    let hashes: Vec<String> = codes.iter().map(|c| token_hash(&normalise_recovery(c))).collect();
    conn.transaction(|conn| -> Result<(), AppError> {
        store::enable(conn, user.id, step)?;
        store::replace_recovery_codes(conn, user.id, &hashes)?;
        ctx.audit(conn, "auth.totp_enabled", None, None, None)?;
        Ok(())
    })?;
    Ok(codes)
}

/// Starts the second step of a browser sign-in; returns the secret for its cookie.
pub fn start_challenge(conn: &mut DbConn, user: UserId) -> Result<String, AppError> {
    let secret = random_token();
    let at = now();
    store::create_challenge(conn, &token_hash(&secret), user, at, at + CHALLENGE_LIFETIME)?;
    Ok(secret)
}

/// The user waiting on a pending second step, if it is still open.
pub fn challenge_user(conn: &mut DbConn, secret: &str) -> Result<Option<User>, AppError> {
    let Some((user_id, _)) = store::find_challenge(conn, &token_hash(secret), now())? else {
        return Ok(None);
    };
    let id = user_id.parse::<UserId>().map_err(|_| AppError::Internal("bad user id".into()))?;
    Ok(users::find(conn, id)?.filter(|u| u.active))
}

/// Counts a wrong code against a pending second step; true when it is used up (ended).
pub fn fail_challenge(conn: &mut DbConn, secret: &str) -> Result<bool, AppError> {
    let hash = token_hash(secret);
    store::fail_challenge(conn, &hash)?;
    let left = store::find_challenge(conn, &hash, now())?;
    if left.is_none_or(|(_, failures)| failures >= CHALLENGE_FAILURES) {
        store::delete_challenge(conn, &hash)?;
        return Ok(true);
    }
    Ok(false)
}

/// Ends a pending second step.
pub fn end_challenge(conn: &mut DbConn, secret: &str) -> Result<(), AppError> {
    store::delete_challenge(conn, &token_hash(secret))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_six_digit_codes_of_the_current_step_or_its_neighbours_match() {
        let Secret::Encoded(secret) = Secret::generate_secret().to_encoded() else { panic!("encoding") };
        let totp = totp_for(&secret, "a@b.example").unwrap_or_else(|e| panic!("{e:?}"));
        let step = current_step();
        let code_at = |s: i64| totp.generate(u64::try_from(s).unwrap_or(0) * STEP_SECONDS);
        assert_eq!(matching_step(&totp, &code_at(step)), Some(step));
        assert_eq!(matching_step(&totp, &code_at(step + 1)), Some(step + 1));
        assert_eq!(matching_step(&totp, &code_at(step - 3)), None);
        assert_eq!(matching_step(&totp, "12345"), None);
        assert_eq!(matching_step(&totp, "abcdef"), None);
    }

    #[test]
    fn recovery_codes_are_read_without_dashes_spaces_or_case() {
        assert_eq!(normalise_recovery(" AB12c-9f3e0 "), "ab12c9f3e0");
    }
}
