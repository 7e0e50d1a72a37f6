//! Managing clinic protocols and retiring clinic items (leads and admins):
//! `GET|PUT /api/v1/protocols/{id}`, `POST /api/v1/protocols/{id}/retire`,
//! `POST /api/v1/modalities/{id}/retire`. Every change carries the `version` it is based on.

use super::library::{ModalityJson, ProtocolJson};
use super::{op, ApiJson, ApiRoute, BearerUser};
use crate::db::ids::{ModalityId, ProtocolId};
use crate::db::Db;
use crate::domain::protocol::ProtocolContent;
use crate::error::AppError;
use crate::service::library;
use crate::service::protocols::{self as service, ProtocolEdit};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::GET, "/protocols/{id}", get),
        op(Method::PUT, "/protocols/{id}", update),
        op(Method::POST, "/protocols/{id}/retire", retire),
        op(Method::POST, "/modalities/{id}/retire", retire_item),
    ]
}

/// An edit of a clinic protocol: the whole protocol, with the version it is based on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProtocolUpdate {
    /// The version the edit is based on (409 `version_conflict` when stale).
    pub version: i32,
    /// Name (up to 120 characters).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Stages (one to six) with their criteria and items (library codes), and goals.
    pub content: ProtocolContent,
}

/// The version a retirement is based on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retire {
    /// The version seen (409 `version_conflict` when stale).
    pub version: i32,
}

fn protocol_id(path: &str) -> Result<ProtocolId, AppError> {
    path.parse().map_err(|_| AppError::NotFound)
}

/// One protocol (built-in or the clinic's own, retired ones too).
#[utoipa::path(operation_id = "getProtocol", get, path = "/api/v1/protocols/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = String, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let id = protocol_id(&path)?;
    let p = db.run(move |conn| library::protocol(conn, &user.0, id)).await?;
    Ok(HttpResponse::Ok().json(ProtocolJson::from(p)))
}

/// Renames or edits a clinic protocol (leads and admins): built-in protocols are refused
/// (403), a retired one is 409 `retired`, a stale `version` 409 `version_conflict`. Plans
/// made from it earlier keep what they copied.
#[utoipa::path(operation_id = "updateProtocol", put, path = "/api/v1/protocols/{id}", tag = "library", request_body = ProtocolUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolJson), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<ProtocolUpdate>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = protocol_id(&path)?;
    let b = body.0;
    let edit = ProtocolEdit { version: b.version, name: b.name, description: b.description, content: b.content };
    let p = db.run(move |conn| service::update(conn, &user.0, id, &edit)).await?;
    Ok(HttpResponse::Ok().json(ProtocolJson::from(p)))
}

/// Retires a clinic protocol: no longer offered for new plans (`GET /protocols` leaves it
/// out; starting a plan from it is 422 naming `protocol_id`).
#[utoipa::path(operation_id = "retireProtocol", post, path = "/api/v1/protocols/{id}/retire", tag = "library", request_body = Retire, security(("bearer" = [])),
    params(("id" = String, Path, description = "Protocol id")),
    responses((status = 200, body = ProtocolJson), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn retire(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Retire>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = protocol_id(&path)?;
    let version = body.0.version;
    let p = db.run(move |conn| service::retire(conn, &user.0, id, version)).await?;
    Ok(HttpResponse::Ok().json(ProtocolJson::from(p)))
}

/// Retires a clinic item (its current version): left out of `GET /modalities` and the
/// picker, refused for new plan items (422 naming `modality_id`); plans that have it keep
/// it. `version` is the item version seen.
#[utoipa::path(operation_id = "retireModality", post, path = "/api/v1/modalities/{id}/retire", tag = "library", request_body = Retire, security(("bearer" = [])),
    params(("id" = String, Path, description = "Current item version id")),
    responses((status = 200, body = ModalityJson), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn retire_item(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Retire>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id: ModalityId = path.parse().map_err(|_| AppError::NotFound)?;
    let version = body.0.version;
    let ctx = user.0;
    let item = db
        .run(move |conn| {
            library::retire(conn, &ctx, id, version)?;
            library::get(conn, &ctx, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ModalityJson::from(item)))
}
