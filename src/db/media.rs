//! Uploaded pictures of clinic library items (`clinic_media`): one per clinic and item code.

use super::ids::ClinicId;
use super::schema::clinic_media;
use super::{DbConn, DbError};
use crate::authz::Scope;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored picture without its bytes (what a page needs to show it).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clinic_media)]
pub struct MediaRef {
    /// Id (in the picture's URL).
    pub id: String,
    /// Clinic.
    pub clinic_id: String,
    /// The library item's code.
    pub modality_code: String,
    /// Media type.
    pub content_type: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Width in pixels (0: not known).
    pub width: i32,
    /// Height in pixels (0: not known).
    pub height: i32,
}

/// A stored picture with its bytes.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = clinic_media)]
pub struct MediaFile {
    /// Media type.
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

/// A new picture.
#[derive(Debug, Insertable)]
#[diesel(table_name = clinic_media)]
pub struct NewMedia {
    /// Id.
    pub id: String,
    /// Clinic.
    pub clinic_id: String,
    /// Item code.
    pub modality_code: String,
    /// Media type.
    pub content_type: String,
    /// Bytes.
    pub bytes: Vec<u8>,
    /// SHA-256, hex.
    pub sha256: String,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
    /// Uploader.
    pub created_by: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Adds a picture (the item must have none: see [`remove`]).
pub fn insert(conn: &mut DbConn, row: NewMedia) -> Result<(), DbError> {
    diesel::insert_into(clinic_media::table).values(row).execute(conn)?;
    Ok(())
}

/// Removes an item's picture; the id it had, if any.
pub fn remove(conn: &mut DbConn, clinic: ClinicId, code: &str) -> Result<Option<String>, DbError> {
    let found: Option<String> = clinic_media::table
        .filter(clinic_media::clinic_id.eq(clinic.to_string()))
        .filter(clinic_media::modality_code.eq(code))
        .select(clinic_media::id)
        .first(conn)
        .optional()?;
    if let Some(id) = &found {
        diesel::delete(clinic_media::table.find(id)).execute(conn)?;
    }
    Ok(found)
}

/// The pictures of a clinic's items, by code: one query, no bytes.
pub fn refs(conn: &mut DbConn, scope: Scope, codes: &[String]) -> Result<Vec<MediaRef>, DbError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = clinic_media::table.into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(clinic_media::clinic_id.eq(clinic.to_string()));
    }
    Ok(query.filter(clinic_media::modality_code.eq_any(codes)).select(MediaRef::as_select()).load(conn)?)
}

/// One picture visible in scope, with its bytes.
pub fn file(conn: &mut DbConn, scope: Scope, id: &str) -> Result<Option<MediaFile>, DbError> {
    let mut query = clinic_media::table.filter(clinic_media::id.eq(id)).into_boxed();
    if let Some(clinic) = scope.clinic() {
        query = query.filter(clinic_media::clinic_id.eq(clinic.to_string()));
    }
    Ok(query.select(MediaFile::as_select()).first(conn).optional()?)
}

impl MediaRef {
    /// What a page needs to show it.
    pub fn image(&self) -> crate::domain::media::ImageRef {
        let px = |v: i32| u32::try_from(v).unwrap_or(0);
        crate::domain::media::ImageRef { id: self.id.clone(), width: px(self.width), height: px(self.height) }
    }
}
