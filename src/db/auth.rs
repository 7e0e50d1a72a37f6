//! Server-side sessions, API tokens and failed sign-in records. Only hashes of session and
//! token secrets are stored, so a copy of the database cannot be used to sign in.

use super::schema::{api_tokens, login_failures, sessions, users};
use super::users::User;
use super::{DbConn, DbError};
use crate::db::ids::UserId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored browser session.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    /// SHA-256 of the cookie's secret, hex.
    pub token_hash: String,
    /// The signed-in user.
    pub user_id: String,
    /// The per-session CSRF token carried by every form.
    pub csrf_token: String,
    /// Sign-in time (for the absolute time-out).
    pub created_at: NaiveDateTime,
    /// Last request (for the idle time-out).
    pub last_seen_at: NaiveDateTime,
    /// Absolute expiry.
    pub expires_at: NaiveDateTime,
}

/// Stores a new session.
pub fn create_session(conn: &mut DbConn, row: &SessionRow) -> Result<(), DbError> {
    diesel::insert_into(sessions::table).values(row).execute(conn)?;
    Ok(())
}

/// A session and its (active) user by token hash.
pub fn find_session(conn: &mut DbConn, token_hash: &str) -> Result<Option<(SessionRow, User)>, DbError> {
    Ok(sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(users::active.eq(true))
        .select((SessionRow::as_select(), User::as_select()))
        .first(conn)
        .optional()?)
}

/// Records activity on a session.
pub fn touch_session(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(sessions::table.find(token_hash)).set(sessions::last_seen_at.eq(now)).execute(conn)?;
    Ok(())
}

/// Revokes a session.
pub fn delete_session(conn: &mut DbConn, token_hash: &str) -> Result<(), DbError> {
    diesel::delete(sessions::table.find(token_hash)).execute(conn)?;
    Ok(())
}

/// Removes sessions past their absolute expiry or idle since `idle_before`.
pub fn purge_sessions(conn: &mut DbConn, now: NaiveDateTime, idle_before: NaiveDateTime) -> Result<usize, DbError> {
    Ok(diesel::delete(sessions::table.filter(sessions::expires_at.le(now).or(sessions::last_seen_at.lt(idle_before))))
        .execute(conn)?)
}

/// A stored API token.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    /// SHA-256 of the bearer secret, hex.
    pub token_hash: String,
    /// The user it acts for.
    pub user_id: String,
    /// Issued.
    pub created_at: NaiveDateTime,
    /// Expiry.
    pub expires_at: NaiveDateTime,
}

/// Stores a new API token.
pub fn create_token(conn: &mut DbConn, row: &ApiTokenRow) -> Result<(), DbError> {
    diesel::insert_into(api_tokens::table).values(row).execute(conn)?;
    Ok(())
}

/// An unexpired token's active user.
pub fn find_token_user(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> Result<Option<User>, DbError> {
    Ok(api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::expires_at.gt(now))
        .filter(users::active.eq(true))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Failed sign-ins for an e-mail since a time.
pub fn count_failures(conn: &mut DbConn, email: &str, since: NaiveDateTime) -> Result<i64, DbError> {
    Ok(login_failures::table
        .filter(login_failures::email.eq(email))
        .filter(login_failures::failed_at.ge(since))
        .count()
        .get_result(conn)?)
}

/// Records a failed sign-in.
pub fn record_failure(conn: &mut DbConn, email: &str, now: NaiveDateTime) -> Result<(), DbError> {
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(UserId::new().to_string()),
            login_failures::email.eq(email),
            login_failures::failed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets failures after a successful sign-in.
pub fn clear_failures(conn: &mut DbConn, email: &str) -> Result<(), DbError> {
    diesel::delete(login_failures::table.filter(login_failures::email.eq(email))).execute(conn)?;
    Ok(())
}
