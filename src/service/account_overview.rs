//! What the signed-in person's account page shows about them.

use super::sessions::{self, SignedInPlace};
use super::totp::{self, Enrolment};
use super::Ctx;
use crate::db::users::{self, User};
use crate::db::{clinics, mfa, DbConn};
use crate::error::AppError;

/// The actor's own account: second factor state and where they are signed in.
pub struct AccountOverview {
    /// The account.
    pub user: User,
    /// A started, unconfirmed second-factor enrolment.
    pub enrolment: Option<Enrolment>,
    /// Unused recovery codes.
    pub recovery_left: i64,
    /// The clinic requires a second factor and this account has none yet.
    pub must_enrol: bool,
    /// Sessions and tokens signed in as the actor (`secret` marks the current session).
    pub places: Vec<SignedInPlace>,
}

/// The actor's own account overview.
pub fn overview(conn: &mut DbConn, ctx: &Ctx, secret: &str) -> Result<AccountOverview, AppError> {
    let me = users::find(conn, ctx.actor.user_id)?.ok_or(AppError::NotFound)?;
    let clinic = clinics::find(conn, me.clinic_id)?;
    Ok(AccountOverview {
        enrolment: totp::pending_enrolment(conn, ctx)?,
        recovery_left: mfa::recovery_codes_left(conn, me.id)?,
        must_enrol: !me.totp_enabled && clinic.is_some_and(|c| c.require_totp),
        places: sessions::list(conn, ctx, secret)?,
        user: me,
    })
}
