//! Clinics (sites).

use super::ids::ClinicId;
use super::schema::clinics;
use super::{DbConn, DbError};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A clinic as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clinics)]
pub struct Clinic {
    /// Id.
    #[diesel(deserialize_as = String)]
    pub id: ClinicId,
    /// Unique name, e.g. "Riverside Physio".
    pub name: String,
    /// Contact telephone shown on handouts.
    pub phone: Option<String>,
    /// Address shown on handouts.
    pub address: Option<String>,
    /// When it was added.
    pub created_at: NaiveDateTime,
    /// MCID thresholds as JSON (`domain::mcid::McidThresholds`); `None` means the defaults.
    pub mcid: Option<String>,
    /// Reassess at least every this many weeks (caseload flag).
    pub reassessment_weeks: i32,
    /// Whether every user of the clinic must sign in with a second factor.
    pub require_totp: bool,
    /// IANA time zone (e.g. `Europe/London`): every "today" of the clinic is its local date.
    pub time_zone: String,
    /// Optimistic-lock version of the clinic's settings.
    pub version: i32,
}

#[derive(Insertable)]
#[diesel(table_name = clinics)]
struct NewClinic<'a> {
    #[diesel(serialize_as = String)]
    id: ClinicId,
    name: &'a str,
    phone: Option<&'a str>,
    address: Option<&'a str>,
    created_at: NaiveDateTime,
}

/// Adds a clinic; a duplicate name is a unique violation (see [`super::is_unique_violation`]).
pub fn insert(
    conn: &mut DbConn,
    name: &str,
    phone: Option<&str>,
    address: Option<&str>,
    now: NaiveDateTime,
) -> Result<ClinicId, DbError> {
    let id = ClinicId::new();
    diesel::insert_into(clinics::table)
        .values(NewClinic { id, name, phone, address, created_at: now })
        .execute(conn)?;
    Ok(id)
}

/// All clinics by name.
pub fn list(conn: &mut DbConn) -> Result<Vec<Clinic>, DbError> {
    Ok(clinics::table.order(clinics::name.asc()).select(Clinic::as_select()).load(conn)?)
}

/// The clinic with this exact name.
pub fn find_by_name(conn: &mut DbConn, name: &str) -> Result<Option<Clinic>, DbError> {
    Ok(clinics::table.filter(clinics::name.eq(name)).select(Clinic::as_select()).first(conn).optional()?)
}

/// The clinic with this id.
pub fn find(conn: &mut DbConn, id: ClinicId) -> Result<Option<Clinic>, DbError> {
    Ok(clinics::table.find(id.to_string()).select(Clinic::as_select()).first(conn).optional()?)
}

/// Stores a clinic's MCID thresholds (JSON) if its version is still `version`; false when
/// someone saved first (or the clinic is gone).
pub fn set_mcid(conn: &mut DbConn, id: ClinicId, version: i32, mcid: &str) -> Result<bool, DbError> {
    let changed = diesel::update(clinics::table.find(id.to_string()).filter(clinics::version.eq(version)))
        .set((clinics::mcid.eq(mcid), clinics::version.eq(version + 1)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Sets a clinic's time zone if its version is still `version` (optimistic lock); false
/// when someone saved first (or the clinic is gone).
pub fn set_time_zone(conn: &mut DbConn, id: ClinicId, version: i32, time_zone: &str) -> Result<bool, DbError> {
    let changed = diesel::update(clinics::table.find(id.to_string()).filter(clinics::version.eq(version)))
        .set((clinics::time_zone.eq(time_zone), clinics::version.eq(version + 1)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Sets a clinic's name, telephone and address if its version is still `version`; false
/// when someone saved first (or the clinic is gone).
pub fn set_details(
    conn: &mut DbConn,
    id: ClinicId,
    version: i32,
    name: &str,
    phone: Option<&str>,
    address: Option<&str>,
) -> Result<bool, DbError> {
    let changed = diesel::update(clinics::table.find(id.to_string()).filter(clinics::version.eq(version)))
        .set((
            clinics::name.eq(name),
            clinics::phone.eq(phone),
            clinics::address.eq(address),
            clinics::version.eq(version + 1),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// A clinic's time zone name (the default when the clinic is gone).
pub fn time_zone_of(conn: &mut DbConn, id: ClinicId) -> Result<String, DbError> {
    Ok(clinics::table
        .find(id.to_string())
        .select(clinics::time_zone)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| crate::domain::clock::DEFAULT_TIME_ZONE.to_owned()))
}

/// Requires (or stops requiring) a second factor for a clinic's users, if its version is
/// still `version`.
pub fn set_require_totp(conn: &mut DbConn, id: ClinicId, version: i32, require: bool) -> Result<bool, DbError> {
    let changed = diesel::update(clinics::table.find(id.to_string()).filter(clinics::version.eq(version)))
        .set((clinics::require_totp.eq(require), clinics::version.eq(version + 1)))
        .execute(conn)?;
    Ok(changed == 1)
}
