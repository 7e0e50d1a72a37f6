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

/// Changes a clinic's name, telephone and address (shown on handouts): admins only, the
/// settings version checked (409 when stale), a taken name refused on `name`, audited.
pub fn set_details(
    conn: &mut DbConn,
    ctx: &Ctx,
    clinic: ClinicId,
    version: i32,
    input: &super::accounts::ClinicInput,
) -> Result<(), AppError> {
    ctx.actor.require(Permission::Administer)?;
    super::accounts::validate_input(input)?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(AppError::field("name", "Enter the clinic's name (up to 100 characters)."));
    }
    let (phone, address) = (crate::domain::filled(&input.phone), crate::domain::filled(&input.address));
    conn.transaction(|conn| {
        if clinics::find_by_name(conn, name)?.is_some_and(|other| other.id != clinic) {
            return Err(AppError::field("name", "A clinic with this name exists already."));
        }
        let saved = clinics::set_details(conn, clinic, version, name, phone.as_deref(), address.as_deref()).map_err(
            |e| match e {
                crate::db::DbError::Query(q) if crate::db::is_unique_violation(&q) => {
                    AppError::field("name", "A clinic with this name exists already.")
                }
                other => other.into(),
            },
        )?;
        if !saved {
            return match clinics::find(conn, clinic)? {
                Some(_) => Err(AppError::VersionConflict),
                None => Err(AppError::NotFound),
            };
        }
        ctx.audit(conn, "clinic.details", Some(clinic), None, Some(format!("version={}", version + 1)))?;
        Ok(())
    })
}

/// [`today`] from a request handler (one short query on the pool).
pub async fn clinic_today(db: &crate::db::Db, ctx: &Ctx) -> Result<NaiveDate, AppError> {
    let ctx = ctx.clone();
    db.run(move |conn| today(conn, &ctx)).await
}
