//! A clinic's settings that change how dates read: its time zone, and "today" in it.

use super::Ctx;
use crate::authz::Permission;
use crate::db::clinics;
use crate::db::ids::ClinicId;
use crate::db::DbConn;
use crate::domain::clock;
use crate::error::AppError;
use chrono::{NaiveDate, Utc};
use diesel::Connection;

/// Today's date in the actor's clinic (its time zone; Europe/London by default).
pub fn today(conn: &mut DbConn, ctx: &Ctx) -> Result<NaiveDate, AppError> {
    let zone = clinics::time_zone_of(conn, ctx.actor.clinic_id)?;
    Ok(clock::today_in(&zone, Utc::now()))
}

/// Sets a clinic's time zone (admins), if `version` is still current. The name must be an
/// IANA zone; the message names the field and never repeats what was typed.
pub fn set_time_zone(
    conn: &mut DbConn,
    ctx: &Ctx,
    clinic: ClinicId,
    version: i32,
    time_zone: &str,
) -> Result<(), AppError> {
    ctx.actor.require(Permission::Administer)?;
    let zone = clock::time_zone(time_zone).map_err(|m| AppError::field("time_zone", m))?;
    conn.transaction(|conn| {
        if !clinics::set_time_zone(conn, clinic, version, zone.name())? {
            return match clinics::find(conn, clinic)? {
                Some(_) => Err(AppError::VersionConflict),
                None => Err(AppError::NotFound),
            };
        }
        ctx.audit(conn, "clinic.time_zone", Some(clinic), None, Some(format!("version={}", version + 1)))?;
        Ok(())
    })
}

/// [`today`] from a request handler (one short query on the pool).
pub async fn clinic_today(db: &crate::db::Db, ctx: &Ctx) -> Result<NaiveDate, AppError> {
    let ctx = ctx.clone();
    db.run(move |conn| today(conn, &ctx)).await
}
