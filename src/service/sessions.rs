//! A user's own sessions and API tokens: listed on the account page and the API, ended one by
//! one or all but the current one.

use super::auth::token_hash;
use super::{now, Ctx};
use crate::db::auth as store;
use crate::db::DbConn;
use crate::error::AppError;
use chrono::{DateTime, Utc};

/// How a user is signed in somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A browser session.
    Session,
    /// An API token.
    Token,
}

/// A browser session or API token of the signed-in user.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SignedInPlace {
    /// Public id (end it with `DELETE /api/v1/me/sessions/{id}`).
    pub id: String,
    /// `session` (browser) or `token` (API).
    pub kind: PlaceKind,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Last request (browser sessions).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// Ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// Address it was started from (browser sessions).
    pub client_addr: Option<String>,
    /// Whether this is the session or token making the request.
    pub current: bool,
}

/// The caller's sessions and tokens; `current` is the secret presented with the request.
pub fn list(conn: &mut DbConn, ctx: &Ctx, current: &str) -> Result<Vec<SignedInPlace>, AppError> {
    let hash = token_hash(current);
    let user = ctx.actor.user_id;
    let mut places: Vec<SignedInPlace> = store::sessions_of(conn, user)?
        .into_iter()
        .map(|s| SignedInPlace {
            current: s.token_hash == hash,
            id: s.id,
            kind: PlaceKind::Session,
            created_at: s.created_at.and_utc(),
            last_seen_at: Some(s.last_seen_at.and_utc()),
            expires_at: s.expires_at.and_utc(),
            client_addr: s.client_addr,
        })
        .collect();
    places.extend(store::tokens_of(conn, user, now())?.into_iter().map(|t| SignedInPlace {
        current: t.token_hash == hash,
        id: t.id,
        kind: PlaceKind::Token,
        created_at: t.created_at.and_utc(),
        last_seen_at: None,
        expires_at: t.expires_at.and_utc(),
        client_addr: None,
    }));
    Ok(places)
}

/// Ends one of the caller's sessions or tokens; another user's is 404.
pub fn end(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<(), AppError> {
    if !store::end_by_id(conn, ctx.actor.user_id, id)? {
        return Err(AppError::NotFound);
    }
    ctx.audit(conn, "auth.session_ended", None, None, None)?;
    Ok(())
}

/// Ends all the caller's sessions and tokens but the current one; returns how many.
pub fn end_others(conn: &mut DbConn, ctx: &Ctx, current: &str) -> Result<usize, AppError> {
    let ended = store::end_all_but(conn, ctx.actor.user_id, Some(&token_hash(current)))?;
    ctx.audit(conn, "auth.sessions_ended", None, None, Some(format!("count={ended}")))?;
    Ok(ended)
}
