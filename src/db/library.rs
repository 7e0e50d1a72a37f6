//! The modality library (built-in and clinic items, versioned) and protocols.

use super::ids::{ClinicId, ModalityId, ProtocolId, UserId};
use super::schema::{modalities, protocols};
use super::{DbConn, DbError};
use crate::authz::Scope;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A library item version as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = modalities)]
pub struct ModalityRow {
    /// Id of this version.
    #[diesel(deserialize_as = String)]
    pub id: ModalityId,
    /// Owning clinic; `None` for built-in items.
    pub clinic_id: Option<String>,
    /// Stable code.
    pub code: String,
    /// Version, from 1.
    pub version: i32,
    /// Whether this is the version offered for new plan items.
    pub is_current: bool,
    /// Category code.
    pub category: String,
    /// Name.
    pub name: String,
    /// Body region.
    pub body_region: String,
    /// Stage codes, space-separated.
    pub stages: String,
    /// The `ModalityDef` as JSON.
    pub definition: String,
    /// Author (clinic items).
    pub created_by: Option<String>,
    /// When this version was made.
    pub created_at: NaiveDateTime,
    /// Retired from the clinic library: not offered for new plan items; plans keep it.
    pub retired: bool,
}

/// A new library item version.
#[derive(Debug, Insertable)]
#[diesel(table_name = modalities)]
pub struct NewModality {
    /// Id.
    #[diesel(serialize_as = String)]
    pub id: ModalityId,
    /// Clinic (none for built-in).
    pub clinic_id: Option<String>,
    /// Code.
    pub code: String,
    /// Version.
    pub version: i32,
    /// Current.
    pub is_current: bool,
    /// Category code.
    pub category: String,
    /// Name.
    pub name: String,
    /// Region.
    pub body_region: String,
    /// Stage codes.
    pub stages: String,
    /// Definition JSON.
    pub definition: String,
    /// Author.
    pub created_by: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
}

/// Adds a version.
pub fn insert_modality(conn: &mut DbConn, row: NewModality) -> Result<(), DbError> {
    diesel::insert_into(modalities::table).values(row).execute(conn)?;
    Ok(())
}

/// Current built-in items.
pub fn current_builtins(conn: &mut DbConn) -> Result<Vec<ModalityRow>, DbError> {
    Ok(modalities::table
        .filter(modalities::clinic_id.is_null())
        .filter(modalities::is_current.eq(true))
        .select(ModalityRow::as_select())
        .load(conn)?)
}

/// Marks a version as superseded, if it is still current; `false` when another edit retired it first.
pub fn retire(conn: &mut DbConn, id: ModalityId) -> Result<bool, DbError> {
    let changed = diesel::update(modalities::table.find(id.to_string()).filter(modalities::is_current.eq(true)))
        .set(modalities::is_current.eq(false))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Filters for the library list.
#[derive(Debug, Clone, Default)]
pub struct LibraryFilter {
    /// Category code.
    pub category: Option<String>,
    /// Stage code (items are stored with `stages` like "pain_control mobility").
    pub stage: Option<String>,
    /// Body region.
    pub region: Option<String>,
    /// Part of the name.
    pub name: Option<String>,
}

/// Current items visible in scope (built-in plus the scope's clinic items), by category
/// and name. One query.
pub fn list_current(conn: &mut DbConn, scope: Scope, filter: &LibraryFilter) -> Result<Vec<ModalityRow>, DbError> {
    let mut query =
        modalities::table.filter(modalities::is_current.eq(true)).filter(modalities::retired.eq(false)).into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(modalities::clinic_id.is_null().or(modalities::clinic_id.eq(clinic.to_string())));
    }
    if let Some(category) = &filter.category {
        query = query.filter(modalities::category.eq(category.clone()));
    }
    if let Some(stage) = &filter.stage {
        query = query.filter(modalities::stages.like(format!("%{stage}%")));
    }
    if let Some(region) = &filter.region {
        query = query.filter(modalities::body_region.eq(region.clone()));
    }
    if let Some(name) = &filter.name {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(name) LIKE ")
                .bind::<diesel::sql_types::Text, _>(super::contains_pattern(&name.to_lowercase()))
                .sql(" ESCAPE '\\'"),
        );
    }
    Ok(query.order((modalities::category.asc(), modalities::name.asc())).select(ModalityRow::as_select()).load(conn)?)
}

/// One item version, if visible in scope.
pub fn find_modality(conn: &mut DbConn, scope: Scope, id: ModalityId) -> Result<Option<ModalityRow>, DbError> {
    let mut query = modalities::table.filter(modalities::id.eq(id.to_string())).into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(modalities::clinic_id.is_null().or(modalities::clinic_id.eq(clinic.to_string())));
    }
    Ok(query.select(ModalityRow::as_select()).first(conn).optional()?)
}

/// The current version of a code for a clinic (its own item first, else built-in).
pub fn current_by_code(conn: &mut DbConn, clinic: ClinicId, code: &str) -> Result<Option<ModalityRow>, DbError> {
    Ok(modalities::table
        .filter(modalities::code.eq(code))
        .filter(modalities::is_current.eq(true))
        .filter(modalities::clinic_id.is_null().or(modalities::clinic_id.eq(clinic.to_string())))
        .order(modalities::clinic_id.desc())
        .select(ModalityRow::as_select())
        .first(conn)
        .optional()?)
}

/// Current versions of many codes for a clinic: one query (for applying a protocol).
pub fn current_by_codes(conn: &mut DbConn, clinic: ClinicId, codes: &[String]) -> Result<Vec<ModalityRow>, DbError> {
    Ok(modalities::table
        .filter(modalities::code.eq_any(codes))
        .filter(modalities::is_current.eq(true))
        .filter(modalities::retired.eq(false))
        .filter(modalities::clinic_id.is_null().or(modalities::clinic_id.eq(clinic.to_string())))
        .select(ModalityRow::as_select())
        .load(conn)?)
}

/// Library item versions by id: one query (the items of a plan, for its safety check).
pub fn by_ids(conn: &mut DbConn, ids: &[String]) -> Result<Vec<ModalityRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(modalities::table.filter(modalities::id.eq_any(ids)).select(ModalityRow::as_select()).load(conn)?)
}

/// A protocol as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = protocols)]
pub struct ProtocolRow {
    /// Id.
    #[diesel(deserialize_as = String)]
    pub id: ProtocolId,
    /// Owning clinic; `None` for built-in.
    pub clinic_id: Option<String>,
    /// Built-in code.
    pub code: Option<String>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// `ProtocolContent` JSON.
    pub content: String,
    /// Author.
    pub created_by: Option<String>,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Edit version, from 1.
    pub version: i32,
    /// Retired: not offered for new plans.
    pub retired: bool,
}

/// Adds a protocol.
#[allow(clippy::too_many_arguments)]
pub fn insert_protocol(
    conn: &mut DbConn,
    clinic: Option<ClinicId>,
    code: Option<&str>,
    name: &str,
    description: &str,
    content: &str,
    by: Option<UserId>,
    now: NaiveDateTime,
) -> Result<ProtocolId, DbError> {
    let id = ProtocolId::new();
    diesel::insert_into(protocols::table)
        .values((
            protocols::id.eq(id.to_string()),
            protocols::clinic_id.eq(clinic.map(|c| c.to_string())),
            protocols::code.eq(code),
            protocols::name.eq(name),
            protocols::description.eq(description),
            protocols::content.eq(content),
            protocols::created_by.eq(by.map(|b| b.to_string())),
            protocols::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Replaces a built-in protocol's content (seeding a newer release).
pub fn update_protocol_content(
    conn: &mut DbConn,
    id: ProtocolId,
    name: &str,
    description: &str,
    content: &str,
) -> Result<(), DbError> {
    diesel::update(protocols::table.find(id.to_string()))
        .set((protocols::name.eq(name), protocols::description.eq(description), protocols::content.eq(content)))
        .execute(conn)?;
    Ok(())
}

/// Protocols visible in scope (built-in first, then by name); retired ones only when asked.
pub fn list_protocols(conn: &mut DbConn, scope: Scope, with_retired: bool) -> Result<Vec<ProtocolRow>, DbError> {
    let mut query = protocols::table.into_boxed();
    if !with_retired {
        query = query.filter(protocols::retired.eq(false));
    }
    if let Some(clinic) = scope.clinic() {
        query = query.filter(protocols::clinic_id.is_null().or(protocols::clinic_id.eq(clinic.to_string())));
    }
    Ok(query.order((protocols::clinic_id.asc(), protocols::name.asc())).select(ProtocolRow::as_select()).load(conn)?)
}

/// One protocol, if visible in scope.
pub fn find_protocol(conn: &mut DbConn, scope: Scope, id: ProtocolId) -> Result<Option<ProtocolRow>, DbError> {
    let mut query = protocols::table.filter(protocols::id.eq(id.to_string())).into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(protocols::clinic_id.is_null().or(protocols::clinic_id.eq(clinic.to_string())));
    }
    Ok(query.select(ProtocolRow::as_select()).first(conn).optional()?)
}

/// Retires the current version of a clinic item if it is still at `version`; `false` when
/// it changed (or was retired) first.
pub fn retire_item(conn: &mut DbConn, id: ModalityId, version: i32) -> Result<bool, DbError> {
    let changed = diesel::update(
        modalities::table
            .find(id.to_string())
            .filter(modalities::clinic_id.is_not_null())
            .filter(modalities::is_current.eq(true))
            .filter(modalities::retired.eq(false))
            .filter(modalities::version.eq(version)),
    )
    .set(modalities::retired.eq(true))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Saves a clinic protocol's edit if it is still at `version` (and not retired); `false`
/// when someone else saved first.
pub fn update_protocol(
    conn: &mut DbConn,
    id: ProtocolId,
    version: i32,
    name: &str,
    description: &str,
    content: &str,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        protocols::table
            .find(id.to_string())
            .filter(protocols::clinic_id.is_not_null())
            .filter(protocols::retired.eq(false))
            .filter(protocols::version.eq(version)),
    )
    .set((
        protocols::name.eq(name),
        protocols::description.eq(description),
        protocols::content.eq(content),
        protocols::version.eq(version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Retires a clinic protocol if it is still at `version`; `false` when it changed first.
pub fn retire_protocol(conn: &mut DbConn, id: ProtocolId, version: i32) -> Result<bool, DbError> {
    let changed = diesel::update(
        protocols::table
            .find(id.to_string())
            .filter(protocols::clinic_id.is_not_null())
            .filter(protocols::retired.eq(false))
            .filter(protocols::version.eq(version)),
    )
    .set((protocols::retired.eq(true), protocols::version.eq(version + 1)))
    .execute(conn)?;
    Ok(changed == 1)
}
