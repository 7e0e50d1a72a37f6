//! User accounts.

use super::ids::{ClinicId, UserId};
use super::schema::{clinics, users};
use super::{DbConn, DbError};
use crate::authz::{Role, Scope};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A user as stored. Its `Debug` leaves out the password hash and the TOTP secret.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    /// Id.
    #[diesel(deserialize_as = String)]
    pub id: UserId,
    /// Home clinic.
    #[diesel(deserialize_as = String)]
    pub clinic_id: ClinicId,
    /// Sign-in e-mail, stored lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    #[diesel(deserialize_as = String)]
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether the account may sign in.
    pub active: bool,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// TOTP secret (base32), set at enrolment; only used once `totp_enabled`.
    pub totp_secret: Option<String>,
    /// Whether sign-in needs the second factor.
    pub totp_enabled: bool,
    /// The last TOTP time step accepted (a code is never accepted twice).
    pub totp_last_step: Option<i64>,
    /// Optimistic-locking version of what an administrator edits (name, role, sign-in allowed).
    pub version: i32,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("clinic_id", &self.clinic_id)
            .field("role", &self.role)
            .field("active", &self.active)
            .field("totp_enabled", &self.totp_enabled)
            .finish_non_exhaustive()
    }
}

/// A user to add.
#[derive(Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    /// Id.
    #[diesel(serialize_as = String)]
    pub id: UserId,
    /// Home clinic.
    #[diesel(serialize_as = String)]
    pub clinic_id: ClinicId,
    /// E-mail, lower-case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    #[diesel(serialize_as = String)]
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Active.
    pub active: bool,
    /// Created.
    pub created_at: NaiveDateTime,
}

/// Adds a user; a duplicate e-mail is a unique violation.
pub fn insert(conn: &mut DbConn, user: NewUser) -> Result<(), DbError> {
    diesel::insert_into(users::table).values(user).execute(conn)?;
    Ok(())
}

/// The user with this e-mail (case-insensitive: e-mails are stored lower-case).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email.trim().to_lowercase()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Users in scope with their clinic's name, by clinic then name.
pub fn list(conn: &mut DbConn, scope: Scope) -> Result<Vec<(User, String)>, DbError> {
    let mut query = users::table
        .inner_join(clinics::table)
        .select((User::as_select(), clinics::name))
        .order((clinics::name.asc(), users::name.asc()))
        .into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(users::clinic_id.eq(clinic.to_string()));
    }
    Ok(query.load(conn)?)
}

/// Active clinicians (therapists and leads) of a clinic, for assigning patients.
pub fn clinicians_of(conn: &mut DbConn, clinic: ClinicId) -> Result<Vec<User>, DbError> {
    Ok(users::table
        .filter(users::clinic_id.eq(clinic.to_string()))
        .filter(users::role.ne("admin"))
        .filter(users::active.eq(true))
        .order(users::name.asc())
        .select(User::as_select())
        .load(conn)?)
}

/// The user with this id.
pub fn find(conn: &mut DbConn, id: UserId) -> Result<Option<User>, DbError> {
    Ok(users::table.find(id.to_string()).select(User::as_select()).first(conn).optional()?)
}

/// Replaces a user's password hash.
pub fn set_password_hash(conn: &mut DbConn, id: UserId, hash: &str) -> Result<bool, DbError> {
    Ok(diesel::update(users::table.find(id.to_string())).set(users::password_hash.eq(hash)).execute(conn)? == 1)
}

/// Allows or stops a user's sign-in (a change an open edit form must notice: the version moves).
pub fn set_active(conn: &mut DbConn, id: UserId, active: bool) -> Result<bool, DbError> {
    Ok(diesel::update(users::table.find(id.to_string()))
        .set((users::active.eq(active), users::version.eq(users::version + 1)))
        .execute(conn)?
        == 1)
}

/// Sets a user's name and role if the row is still at `version`; `false` when it is not.
pub fn update(conn: &mut DbConn, id: UserId, version: i32, name: &str, role: Role) -> Result<bool, DbError> {
    Ok(diesel::update(users::table.find(id.to_string()).filter(users::version.eq(version)))
        .set((users::name.eq(name), users::role.eq(role.code()), users::version.eq(version + 1)))
        .execute(conn)?
        == 1)
}
