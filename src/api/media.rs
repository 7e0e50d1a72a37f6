//! `/api/v1/modalities/{id}/image`: a clinic item's uploaded picture (PNG, JPEG or SVG,
//! told by its bytes; the body is the file itself, whatever `Content-Type` says).

use super::{op, ApiRoute, BearerUser};
use crate::db::ids::ModalityId;
use crate::db::media::MediaRef;
use crate::db::Db;
use crate::error::AppError;
use crate::service::media::{self as service, FIELD};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

/// The largest body read; a picture over `domain::media::MAX_BYTES` is refused by name.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![op(Method::PUT, "/modalities/{id}/image", put), op(Method::DELETE, "/modalities/{id}/image", delete)]
}

/// The bytes of a picture file.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct PictureFile(pub Vec<u8>);

/// A clinic item's uploaded picture.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageJson {
    /// Id.
    pub id: String,
    /// Media type it is served as: `image/png`, `image/jpeg` or `image/svg+xml`.
    pub content_type: String,
    /// SHA-256 of the stored bytes, hex (also the `ETag`).
    pub sha256: String,
    /// Width in pixels (0 when an SVG gives none).
    pub width: i32,
    /// Height in pixels (0 when an SVG gives none).
    pub height: i32,
    /// Where signed-in staff of the clinic fetch it (the HTML session's route).
    pub url: String,
}

impl From<MediaRef> for ImageJson {
    fn from(m: MediaRef) -> Self {
        Self {
            url: format!("/library/media/{}", m.id),
            id: m.id,
            content_type: m.content_type,
            sha256: m.sha256,
            width: m.width,
            height: m.height,
        }
    }
}

/// Uploads a clinic item's picture, replacing any earlier one (leads and admins). The body
/// is the file: PNG or JPEG (at most 4096 × 4096 pixels) or SVG (rebuilt from an
/// allow-list: no scripts, handlers, foreign objects, external links or entities), at most
/// 512 KiB. The kind is told from the bytes, never from `Content-Type`. Built-in items take
/// no picture (403).
#[utoipa::path(operation_id = "putModalityImage", put, path = "/api/v1/modalities/{id}/image", tag = "library", security(("bearer" = [])),
    params(("id" = String, Path, description = "Clinic item version id")),
    request_body(content = PictureFile, description = "The picture file (any `Content-Type`)", content_type = "application/octet-stream"),
    responses((status = 200, body = ImageJson), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, description = "`validation_failed` naming `image`: not a PNG, JPEG or SVG, damaged, too large", body = crate::error::ErrorBody)))]
pub async fn put(
    user: BearerUser,
    path: web::Path<String>,
    body: web::Payload,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id: ModalityId = path.parse().map_err(|_| AppError::NotFound)?;
    let bytes = match body.to_bytes_limited(BODY_LIMIT).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return Err(AppError::field(FIELD, "The upload could not be read.")),
        Err(_) => return Err(AppError::field(FIELD, "The file is too large.")),
    };
    let image = db.run(move |conn| service::set(conn, &user.0, id, &bytes)).await?;
    Ok(HttpResponse::Ok().json(ImageJson::from(image)))
}

/// Removes a clinic item's picture (404 when it has none).
#[utoipa::path(operation_id = "deleteModalityImage", delete, path = "/api/v1/modalities/{id}/image", tag = "library", security(("bearer" = [])),
    params(("id" = String, Path, description = "Clinic item version id")),
    responses((status = 204, description = "Removed"), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)))]
pub async fn delete(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let id: ModalityId = path.parse().map_err(|_| AppError::NotFound)?;
    db.run(move |conn| service::remove(conn, &user.0, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
