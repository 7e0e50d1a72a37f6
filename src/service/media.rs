//! Uploaded pictures of clinic library items: set (replacing any earlier one), remove, read
//! and serve. Leads and admins change them; everyone of the clinic sees them; another
//! clinic's picture is not found. The file is checked by `domain::media` (kind from the
//! bytes, size limits, SVG rebuilt from an allow-list) before anything is stored.

use super::library::{self, LibraryItem};
use super::{now, Ctx};
use crate::authz::Permission;
use crate::db::ids::{ClinicId, ModalityId};
use crate::db::media::{self as store, MediaFile, MediaRef, NewMedia};
use crate::db::DbConn;
use crate::domain::media::{self as check};
use crate::error::AppError;
use diesel::Connection;
use sha2::{Digest, Sha256};

/// The form and JSON field an upload is reported under.
pub const FIELD: &str = "image";

/// The clinic item a picture belongs to: built-in items take none (403).
fn clinic_item(conn: &mut DbConn, ctx: &Ctx, id: ModalityId) -> Result<(LibraryItem, ClinicId), AppError> {
    ctx.actor.require(Permission::ManageLibrary)?;
    let item = library::get(conn, ctx, id)?;
    let clinic = item.row.clinic_id.as_deref().ok_or(AppError::Forbidden)?;
    let clinic = clinic.parse::<ClinicId>().map_err(|_| AppError::Internal("clinic id unreadable".into()))?;
    Ok((item, clinic))
}

/// Checks `bytes` and makes them the item's picture (every version of the item shows it).
pub fn set(conn: &mut DbConn, ctx: &Ctx, id: ModalityId, bytes: &[u8]) -> Result<MediaRef, AppError> {
    let (item, clinic) = clinic_item(conn, ctx, id)?;
    let picture = check::check(bytes).map_err(|r| AppError::field(FIELD, r.0))?;
    let sha256 = hex::encode(Sha256::digest(&picture.bytes));
    let media_id = uuid::Uuid::now_v7().to_string();
    let code = item.row.code.clone();
    let dims = |v: u32| i32::try_from(v).unwrap_or(0);
    let row = NewMedia {
        id: media_id.clone(),
        clinic_id: clinic.to_string(),
        modality_code: code.clone(),
        content_type: picture.kind.content_type().to_owned(),
        bytes: picture.bytes,
        sha256: sha256.clone(),
        width: dims(picture.width),
        height: dims(picture.height),
        created_by: ctx.actor.user_id.to_string(),
        created_at: now(),
    };
    let reference = MediaRef {
        id: media_id.clone(),
        clinic_id: row.clinic_id.clone(),
        modality_code: code.clone(),
        content_type: row.content_type.clone(),
        sha256: sha256.clone(),
        width: row.width,
        height: row.height,
    };
    conn.transaction(|conn| {
        let replaced = store::remove(conn, clinic, &code)?;
        store::insert(conn, row)?;
        let detail = match replaced {
            Some(old) => format!("modality={id} media={media_id} replaces={old} sha256={sha256}"),
            None => format!("modality={id} media={media_id} sha256={sha256}"),
        };
        ctx.audit(conn, "library.image_set", Some(clinic), None, Some(detail))?;
        Ok::<_, AppError>(())
    })?;
    Ok(reference)
}

/// Removes the item's picture; not found when it has none.
pub fn remove(conn: &mut DbConn, ctx: &Ctx, id: ModalityId) -> Result<(), AppError> {
    let (item, clinic) = clinic_item(conn, ctx, id)?;
    conn.transaction(|conn| {
        let gone = store::remove(conn, clinic, &item.row.code)?.ok_or(AppError::NotFound)?;
        ctx.audit(conn, "library.image_remove", Some(clinic), None, Some(format!("modality={id} media={gone}")))?;
        Ok(())
    })
}

/// A picture with its bytes, if visible to the actor (another clinic's: not found).
pub fn file(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<MediaFile, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(AppError::NotFound);
    }
    store::file(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)
}

/// Fills in the picture of each clinic item (one query).
pub fn attach(conn: &mut DbConn, ctx: &Ctx, items: &mut [LibraryItem]) -> Result<(), AppError> {
    let mut codes: Vec<String> = items.iter().filter(|i| !i.builtin()).map(|i| i.row.code.clone()).collect::<Vec<_>>();
    codes.sort();
    codes.dedup();
    let refs = store::refs(conn, ctx.actor.scope(), &codes)?;
    for item in items.iter_mut() {
        item.image = refs
            .iter()
            .find(|r| Some(&r.clinic_id) == item.row.clinic_id.as_ref() && r.modality_code == item.row.code)
            .cloned();
    }
    Ok(())
}

/// The pictures of a clinic's items by code (for the handout), one query.
pub fn for_codes(conn: &mut DbConn, clinic: ClinicId, codes: &[String]) -> Result<Vec<MediaRef>, AppError> {
    Ok(store::refs(conn, crate::authz::Scope::Clinic(clinic), codes)?)
}
