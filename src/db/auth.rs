//! Server-side sessions and API tokens. Only hashes of session and token secrets are stored,
//! so a copy of the database cannot be used to sign in; each also has a public id, by which
//! its owner lists and ends it.

use super::schema::{api_tokens, clinics, sessions, users};
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
    /// Public id (listed on the account page; not a secret).
    pub id: String,
    /// The address it was started from.
    pub client_addr: Option<String>,
}

/// Stores a new session.
pub fn create_session(conn: &mut DbConn, row: &SessionRow) -> Result<(), DbError> {
    diesel::insert_into(sessions::table).values(row).execute(conn)?;
    Ok(())
}

/// A session, its (active) user and whether the user's clinic requires a second factor, by
/// token hash.
pub fn find_session(conn: &mut DbConn, token_hash: &str) -> Result<Option<(SessionRow, User, bool)>, DbError> {
    Ok(sessions::table
        .inner_join(users::table.inner_join(clinics::table))
        .filter(sessions::token_hash.eq(token_hash))
        .filter(users::active.eq(true))
        .select((SessionRow::as_select(), User::as_select(), clinics::require_totp))
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

/// Removes sessions past their absolute expiry or idle since `idle_before`, and expired tokens.
pub fn purge_expired(conn: &mut DbConn, now: NaiveDateTime, idle_before: NaiveDateTime) -> Result<usize, DbError> {
    let sessions =
        diesel::delete(sessions::table.filter(sessions::expires_at.le(now).or(sessions::last_seen_at.lt(idle_before))))
            .execute(conn)?;
    let tokens = diesel::delete(api_tokens::table.filter(api_tokens::expires_at.le(now))).execute(conn)?;
    Ok(sessions + tokens)
}

/// A user's sessions, newest first.
pub fn sessions_of(conn: &mut DbConn, user: UserId) -> Result<Vec<SessionRow>, DbError> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user.to_string()))
        .order(sessions::created_at.desc())
        .select(SessionRow::as_select())
        .load(conn)?)
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
    /// Public id (listed on the account page; not a secret).
    pub id: String,
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

/// Revokes a token by its secret's hash.
pub fn delete_token(conn: &mut DbConn, token_hash: &str) -> Result<bool, DbError> {
    Ok(diesel::delete(api_tokens::table.find(token_hash)).execute(conn)? == 1)
}

/// A user's unexpired tokens, newest first.
pub fn tokens_of(conn: &mut DbConn, user: UserId, now: NaiveDateTime) -> Result<Vec<ApiTokenRow>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user.to_string()))
        .filter(api_tokens::expires_at.gt(now))
        .order(api_tokens::created_at.desc())
        .select(ApiTokenRow::as_select())
        .load(conn)?)
}

/// Ends one of a user's sessions or tokens by public id; false when the user has none by it.
pub fn end_by_id(conn: &mut DbConn, user: UserId, id: &str) -> Result<bool, DbError> {
    let user = user.to_string();
    let sessions = diesel::delete(sessions::table.filter(sessions::user_id.eq(&user)).filter(sessions::id.eq(id)))
        .execute(conn)?;
    let tokens = diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(&user)).filter(api_tokens::id.eq(id)))
        .execute(conn)?;
    Ok(sessions + tokens > 0)
}

/// Ends all of a user's sessions and tokens except the one whose secret hashes to `keep`.
pub fn end_all_but(conn: &mut DbConn, user: UserId, keep: Option<&str>) -> Result<usize, DbError> {
    let user = user.to_string();
    let keep = keep.unwrap_or("");
    let sessions =
        diesel::delete(sessions::table.filter(sessions::user_id.eq(&user)).filter(sessions::token_hash.ne(keep)))
            .execute(conn)?;
    let tokens =
        diesel::delete(api_tokens::table.filter(api_tokens::user_id.eq(&user)).filter(api_tokens::token_hash.ne(keep)))
            .execute(conn)?;
    Ok(sessions + tokens)
}
