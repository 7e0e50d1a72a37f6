//! The second factor: TOTP secrets, the last accepted time step, one-time recovery codes
//! (stored as SHA-256 hashes) and the pending second step of a browser sign-in.

use super::ids::UserId;
use super::schema::{mfa_challenges, recovery_codes, users};
use super::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Stores a new (not yet confirmed) secret; the second factor is off until confirmed.
pub fn set_pending_secret(conn: &mut DbConn, user: UserId, secret: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(user.to_string()))
        .set((users::totp_secret.eq(secret), users::totp_enabled.eq(false), users::totp_last_step.eq(None::<i64>)))
        .execute(conn)?;
    Ok(())
}

/// Turns the second factor on (the secret was confirmed with a code of `step`).
pub fn enable(conn: &mut DbConn, user: UserId, step: i64) -> Result<(), DbError> {
    diesel::update(users::table.find(user.to_string()))
        .set((users::totp_enabled.eq(true), users::totp_last_step.eq(step)))
        .execute(conn)?;
    Ok(())
}

/// Turns the second factor off and forgets the secret and the recovery codes.
pub fn reset(conn: &mut DbConn, user: UserId) -> Result<bool, DbError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.to_string()))).execute(conn)?;
    let n = diesel::update(users::table.find(user.to_string()))
        .set((
            users::totp_secret.eq(None::<String>),
            users::totp_enabled.eq(false),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Records `step` as used, only if it is later than the last accepted one: false means the
/// code was used already (also when two requests race with the same code).
pub fn claim_step(conn: &mut DbConn, user: UserId, step: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        users::table.find(user.to_string()).filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
    )
    .set(users::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

/// Replaces a user's recovery codes with these hashes.
pub fn replace_recovery_codes(conn: &mut DbConn, user: UserId, hashes: &[String]) -> Result<(), DbError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.to_string()))).execute(conn)?;
    for hash in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(UserId::new().to_string()),
                recovery_codes::user_id.eq(user.to_string()),
                recovery_codes::code_hash.eq(hash),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Uses up an unused recovery code; false when there is none with this hash.
pub fn use_recovery_code(conn: &mut DbConn, user: UserId, hash: &str, now: NaiveDateTime) -> Result<bool, DbError> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user.to_string()))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(conn)?;
    Ok(n > 0)
}

/// Unused recovery codes left.
pub fn recovery_codes_left(conn: &mut DbConn, user: UserId) -> Result<i64, DbError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user.to_string()))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Stores a pending second step.
pub fn create_challenge(
    conn: &mut DbConn,
    token_hash: &str,
    user: UserId,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(mfa_challenges::table)
        .values((
            mfa_challenges::token_hash.eq(token_hash),
            mfa_challenges::user_id.eq(user.to_string()),
            mfa_challenges::created_at.eq(now),
            mfa_challenges::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user of an unexpired pending second step, and its failures so far.
pub fn find_challenge(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> Result<Option<(String, i32)>, DbError> {
    Ok(mfa_challenges::table
        .find(token_hash)
        .filter(mfa_challenges::expires_at.gt(now))
        .select((mfa_challenges::user_id, mfa_challenges::failures))
        .first(conn)
        .optional()?)
}

/// Counts a wrong code against a pending second step.
pub fn fail_challenge(conn: &mut DbConn, token_hash: &str) -> Result<(), DbError> {
    diesel::update(mfa_challenges::table.find(token_hash))
        .set(mfa_challenges::failures.eq(mfa_challenges::failures + 1))
        .execute(conn)?;
    Ok(())
}

/// Ends a pending second step.
pub fn delete_challenge(conn: &mut DbConn, token_hash: &str) -> Result<(), DbError> {
    diesel::delete(mfa_challenges::table.find(token_hash)).execute(conn)?;
    Ok(())
}

/// Removes expired pending second steps.
pub fn purge_challenges(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(mfa_challenges::table.filter(mfa_challenges::expires_at.le(now))).execute(conn)?)
}
