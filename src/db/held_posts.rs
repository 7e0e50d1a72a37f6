//! Form posts held across a sign-in (see `service::held_posts`).

use super::schema::held_posts;
use super::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A held form post.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = held_posts)]
pub struct HeldPostRow {
    /// SHA-256 of the one-time token, hex.
    pub token_hash: String,
    /// The user whose form it was.
    pub user_id: String,
    /// The path it was posted to.
    pub path: String,
    /// The form body as posted (URL-encoded).
    pub body: String,
    /// When it was held.
    pub created_at: NaiveDateTime,
    /// After this it is discarded.
    pub expires_at: NaiveDateTime,
}

/// Stores a held post, first dropping expired ones.
pub fn insert(conn: &mut DbConn, row: &HeldPostRow) -> Result<(), DbError> {
    diesel::delete(held_posts::table.filter(held_posts::expires_at.le(row.created_at))).execute(conn)?;
    diesel::insert_into(held_posts::table).values(row).execute(conn)?;
    Ok(())
}

/// Removes and returns the held post of `token_hash` (one use only), if there is one.
pub fn take(conn: &mut DbConn, token_hash: &str) -> Result<Option<HeldPostRow>, DbError> {
    let row = held_posts::table.find(token_hash).select(HeldPostRow::as_select()).first(conn).optional()?;
    // Only the request whose delete removed the row gets it, so a token is used once even
    // when two requests race for it.
    match row {
        Some(row) if diesel::delete(held_posts::table.find(token_hash)).execute(conn)? == 1 => Ok(Some(row)),
        _ => Ok(None),
    }
}
