//! Signing in: argon2id passwords, throttling, browser sessions and API tokens.

use super::throttle::{self, Attempt};
use super::{now, record, totp, Origin};
use crate::authz::Actor;
use crate::db::auth::{self as store, ApiTokenRow, SessionRow};
use crate::db::ids::UserId;
use crate::db::users::{self, User};
use crate::db::{Db, DbConn, DbError};
use crate::error::AppError;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{Duration, NaiveDateTime};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// A session ends after this long without a request.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// A session ends this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// API tokens expire this long after issue.
pub const TOKEN_LIFETIME: Duration = Duration::hours(8);
/// Seconds between session activity writes (saves a write per request).
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// Hashes a password with argon2id (m = 19 MiB, t = 2, p = 1: the OWASP minimum).
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    PasswordHasher::<PasswordHash>::hash_password_with_salt(&Argon2::default(), password.as_bytes(), &salt_bytes)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// A hash of a random password: unknown e-mails are checked against it so that a
/// sign-in for an unknown account takes as long as one for a known account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password(&random_token()).unwrap_or_default());

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// 256 random bits, hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of a secret, hex: what the database keeps instead of the secret.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Bounds concurrent password hashing (~20 ms of CPU each) so sign-in floods cannot starve
/// the server.
#[derive(Clone)]
pub struct HashGate(Arc<Semaphore>);

impl HashGate {
    /// A gate admitting `permits` concurrent hashes.
    pub fn new(permits: usize) -> Self {
        Self(Arc::new(Semaphore::new(permits.max(1))))
    }
}

/// Builds the actor for a stored user.
pub fn actor_of(user: &User) -> Result<Actor, AppError> {
    Ok(Actor {
        user_id: user.id,
        clinic_id: user.clinic_id,
        role: user.role,
        name: user.name.clone(),
        email: user.email.clone(),
    })
}

/// A right password whose sign-in is not finished: the second factor may still be due, and
/// the attempt stays counted until [`finish_sign_in`].
#[derive(Debug, Clone)]
pub struct Verified {
    /// Who.
    pub actor: Actor,
    /// Whether a TOTP code (or recovery code) is still needed.
    pub needs_code: bool,
    /// The counted attempt.
    pub attempt: Attempt,
}

/// Checks an e-mail and password. The attempt is counted atomically before hashing (see
/// [`super::throttle`]); failures are audited by user id, never by e-mail.
pub async fn check_password(
    db: &Db,
    gate: &HashGate,
    email: &str,
    password: &str,
    origin: &Origin,
) -> Result<Verified, AppError> {
    let email = email.trim().to_lowercase();
    let addr = origin.client_addr.clone();
    let lookup_email = email.clone();
    let (attempt, user) = db
        .run(move |conn| -> Result<_, AppError> {
            let attempt = throttle::reserve(conn, &lookup_email, addr.as_deref())?;
            Ok((attempt, users::find_by_email(conn, &lookup_email)?))
        })
        .await?;
    let permit = gate.0.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let password = password.to_owned();
    let stored = user.as_ref().filter(|u| u.active).map(|u| u.password_hash.clone());
    let ok = actix_web::web::block(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            verify_password(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    drop(permit);
    match (ok, user) {
        (true, Some(user)) => Ok(Verified { actor: actor_of(&user)?, needs_code: user.totp_enabled, attempt }),
        (_, user) => {
            let origin = origin.clone();
            let clinic = user.as_ref().map(|u| u.clinic_id);
            db.run(move |conn| record(conn, None, &origin, "auth.sign_in_failed", clinic, None, None)).await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Ends a successful sign-in: forgets the account's failures from this address, purges
/// expired sessions, tokens, pending second steps and old attempts, and audits the sign-in.
pub fn finish_sign_in(conn: &mut DbConn, verified: &Verified, origin: &Origin) -> Result<(), AppError> {
    throttle::succeeded(conn, &verified.attempt)?;
    let at = now();
    store::purge_expired(conn, at, at - IDLE_TIMEOUT)?;
    crate::db::mfa::purge_challenges(conn, at)?;
    record(conn, Some(&verified.actor), origin, "auth.sign_in", None, None, None)?;
    Ok(())
}

/// Checks e-mail, password and (when enrolled) the second factor in one go, as the API's
/// token request does: 401 `mfa_required` when the code is missing or wrong.
pub async fn authenticate(
    db: &Db,
    gate: &HashGate,
    email: &str,
    password: &str,
    code: Option<&str>,
    origin: &Origin,
) -> Result<Actor, AppError> {
    let verified = check_password(db, gate, email, password, origin).await?;
    let code = code.map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    let origin = origin.clone();
    db.run(move |conn| -> Result<Actor, AppError> {
        if verified.needs_code {
            let code = code.ok_or(AppError::MfaRequired("Enter the code from your authenticator app."))?;
            totp::check_code(conn, &verified.actor, &code, &origin)?;
        }
        finish_sign_in(conn, &verified, &origin)?;
        Ok(verified.actor)
    })
    .await
}

/// A new browser session: the cookie secret (returned once) and its CSRF token.
pub struct NewSession {
    /// Goes in the cookie; only its hash is stored.
    pub secret: String,
    /// Goes in every form.
    pub csrf_token: String,
}

/// Starts a session for a signed-in user (always a fresh id: no session fixation).
pub fn start_session(conn: &mut DbConn, actor: &Actor, origin: &Origin) -> Result<NewSession, DbError> {
    let secret = random_token();
    let csrf_token = random_token();
    let at = now();
    store::create_session(
        conn,
        &SessionRow {
            token_hash: token_hash(&secret),
            user_id: actor.user_id.to_string(),
            csrf_token: csrf_token.clone(),
            created_at: at,
            last_seen_at: at,
            expires_at: at + ABSOLUTE_TIMEOUT,
            id: UserId::new().to_string(),
            client_addr: origin.client_addr.clone(),
        },
    )?;
    Ok(NewSession { secret, csrf_token })
}

/// A live browser session.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// Who.
    pub actor: Actor,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// The session's public id.
    pub id: String,
    /// The clinic requires a second factor the user has not set up: only the account page
    /// opens until they do.
    pub must_enrol: bool,
}

/// The actor and CSRF token of a live session; an expired or idle session is removed.
pub fn resume_session(conn: &mut DbConn, secret: &str) -> Result<Option<LiveSession>, AppError> {
    let hash = token_hash(secret);
    let Some((session, user, clinic_requires)) = store::find_session(conn, &hash)? else {
        return Ok(None);
    };
    let at = now();
    if at >= session.expires_at || at - session.last_seen_at > IDLE_TIMEOUT {
        store::delete_session(conn, &hash)?;
        return Ok(None);
    }
    if at - session.last_seen_at > TOUCH_INTERVAL {
        store::touch_session(conn, &hash, at)?;
    }
    Ok(Some(LiveSession {
        actor: actor_of(&user)?,
        csrf_token: session.csrf_token,
        id: session.id,
        must_enrol: clinic_requires && !user.totp_enabled,
    }))
}

/// Ends a session (sign-out).
pub fn end_session(conn: &mut DbConn, secret: &str) -> Result<(), DbError> {
    store::delete_session(conn, &token_hash(secret))
}

/// Issues an API token; returns the secret (shown once) and its expiry.
pub fn issue_token(conn: &mut DbConn, actor: &Actor) -> Result<(String, NaiveDateTime), DbError> {
    let secret = random_token();
    let at = now();
    let expires_at = at + TOKEN_LIFETIME;
    store::create_token(
        conn,
        &ApiTokenRow {
            token_hash: token_hash(&secret),
            user_id: actor.user_id.to_string(),
            created_at: at,
            expires_at,
            id: UserId::new().to_string(),
        },
    )?;
    Ok((secret, expires_at))
}

/// The actor of an unexpired API token.
pub fn token_actor(conn: &mut DbConn, secret: &str) -> Result<Option<Actor>, AppError> {
    store::find_token_user(conn, &token_hash(secret), now())?.as_ref().map(actor_of).transpose()
}

/// Revokes the presented API token (`DELETE /api/v1/auth/token`).
pub fn revoke_token(conn: &mut DbConn, ctx: &super::Ctx, secret: &str) -> Result<(), AppError> {
    store::delete_token(conn, &token_hash(secret))?;
    ctx.audit(conn, "auth.token_revoked", None, None, None)?;
    Ok(())
}

/// Whether the user's clinic requires a second factor the user has not set up yet (they are
/// sent to enrol after signing in).
pub fn must_enrol(conn: &mut DbConn, verified: &Verified) -> Result<bool, AppError> {
    let user = users::find(conn, verified.actor.user_id)?.ok_or(AppError::NotFound)?;
    if user.totp_enabled {
        return Ok(false);
    }
    Ok(crate::db::clinics::find(conn, user.clinic_id)?.is_some_and(|c| c.require_totp))
}

/// Compares secrets without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
