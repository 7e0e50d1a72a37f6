//! Signing in: argon2id passwords, throttling, browser sessions and API tokens.

use super::{now, record, Origin};
use crate::authz::{Actor, Role};
use crate::db::auth::{self as store, ApiTokenRow, SessionRow};
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
/// Failed sign-ins allowed per account within [`THROTTLE_WINDOW`].
pub const MAX_FAILURES: i64 = 5;
/// The window for counting failed sign-ins.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
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

fn verify_password(password: &str, stored: &str) -> bool {
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
        role: user.role.parse::<Role>().map_err(AppError::Internal)?,
        name: user.name.clone(),
        email: user.email.clone(),
    })
}

/// Checks an e-mail and password. Refuses throttled accounts before hashing; records
/// failures and successes in the audit log (by user id, never by e-mail).
pub async fn authenticate(
    db: &Db,
    gate: &HashGate,
    email: &str,
    password: &str,
    origin: &Origin,
) -> Result<Actor, AppError> {
    let email = email.trim().to_lowercase();
    let since = now() - THROTTLE_WINDOW;
    let lookup_email = email.clone();
    let (failures, user) = db
        .run(move |conn| -> Result<_, DbError> {
            Ok((store::count_failures(conn, &lookup_email, since)?, users::find_by_email(conn, &lookup_email)?))
        })
        .await?;
    if failures >= MAX_FAILURES {
        return Err(AppError::Throttled(format!(
            "Too many failed sign-ins for this account. Wait {} minutes and try again.",
            THROTTLE_WINDOW.num_minutes()
        )));
    }
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
    let origin = origin.clone();
    let actor = match (ok, &user) {
        (true, Some(user)) => Some(actor_of(user)?),
        _ => None,
    };
    let clinic = user.as_ref().map(|u| u.clinic_id);
    let outcome = actor.clone();
    db.run(move |conn| -> Result<(), DbError> {
        match &outcome {
            Some(actor) => {
                store::clear_failures(conn, &email)?;
                record(conn, Some(actor), &origin, "auth.sign_in", None, None, None)
            }
            None => {
                store::record_failure(conn, &email, now())?;
                record(conn, None, &origin, "auth.sign_in_failed", clinic, None, None)
            }
        }
    })
    .await?;
    actor.ok_or(AppError::BadCredentials)
}

/// A new browser session: the cookie secret (returned once) and its CSRF token.
pub struct NewSession {
    /// Goes in the cookie; only its hash is stored.
    pub secret: String,
    /// Goes in every form.
    pub csrf_token: String,
}

/// Starts a session for a signed-in user (always a fresh id: no session fixation).
pub fn start_session(conn: &mut DbConn, actor: &Actor) -> Result<NewSession, DbError> {
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
        },
    )?;
    Ok(NewSession { secret, csrf_token })
}

/// The actor and CSRF token of a live session; an expired or idle session is removed.
pub fn resume_session(conn: &mut DbConn, secret: &str) -> Result<Option<(Actor, String)>, AppError> {
    let hash = token_hash(secret);
    let Some((session, user)) = store::find_session(conn, &hash)? else {
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
    Ok(Some((actor_of(&user)?, session.csrf_token)))
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
        },
    )?;
    Ok((secret, expires_at))
}

/// The actor of an unexpired API token.
pub fn token_actor(conn: &mut DbConn, secret: &str) -> Result<Option<Actor>, AppError> {
    store::find_token_user(conn, &token_hash(secret), now())?.as_ref().map(actor_of).transpose()
}
