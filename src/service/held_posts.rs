//! Nothing typed is lost when a session ends: a form post that arrives after its session
//! ended (idle time-out, signed out in another tab) is held here, keyed by the hash of a
//! random one-time token, bound to the user whose form it was, for [`HOLD_FOR`]. After that
//! user signs in again it is taken (once) and handed back to the browser, which posts it
//! again with the new session's CSRF token to the same route: the same service call, the
//! same checks, the same audit. Anyone else signing in in that browser gets nothing (the
//! post is discarded, and the refusal audited).

use super::{now, record, Ctx, Origin};
use crate::db::held_posts::{self as store, HeldPostRow};
use crate::db::ids::UserId;
use crate::db::{users, DbConn};
use crate::error::AppError;
use chrono::Duration;
use diesel::Connection;

/// How long a held post waits for its author to sign in again.
pub const HOLD_FOR: Duration = Duration::minutes(30);

/// A held post handed back after sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldPost {
    /// The path it was posted to (always one of ours: the request's own path).
    pub path: String,
    /// The form body as posted (URL-encoded).
    pub body: String,
}

/// Holds `body`, posted to `path` by a browser whose form belonged to `owner`; returns the
/// one-time token. Only the hash of the token is stored; the body is never logged. `None`
/// when `owner` is not an active user (nothing is held for a made-up owner).
pub fn hold(
    conn: &mut DbConn,
    owner: UserId,
    path: &str,
    body: &str,
    origin: &Origin,
) -> Result<Option<String>, AppError> {
    conn.transaction(|conn| {
        let Some(user) = users::find(conn, owner)?.filter(|u| u.active) else {
            return Ok(None);
        };
        let token = super::auth::random_token();
        let at = now();
        let row = HeldPostRow {
            token_hash: super::auth::token_hash(&token),
            user_id: owner.to_string(),
            path: path.to_owned(),
            body: body.to_owned(),
            created_at: at,
            expires_at: at + HOLD_FOR,
        };
        store::insert(conn, &row)?;
        record(conn, None, origin, "form.held", Some(user.clinic_id), None, Some(format!("user={owner}")))?;
        Ok(Some(token))
    })
}

/// Takes the held post of `token` for the signed-in user (once). Another user's, or an
/// expired one, is discarded and the refusal audited.
pub fn take(conn: &mut DbConn, ctx: &Ctx, token: &str) -> Result<Option<HeldPost>, AppError> {
    conn.transaction(|conn| {
        let Some(row) = store::take(conn, &super::auth::token_hash(token))? else {
            return Ok(None);
        };
        let outcome = if row.user_id != ctx.actor.user_id.to_string() {
            "form.hold_refused"
        } else if row.expires_at <= now() {
            "form.hold_expired"
        } else {
            "form.resumed"
        };
        ctx.audit(conn, outcome, None, None, Some(format!("owner={}", row.user_id)))?;
        Ok((outcome == "form.resumed").then_some(HeldPost { path: row.path, body: row.body }))
    })
}
