//! `/api/v1/modalities` and `/api/v1/protocols`: the library and plan templates.

use super::{op, ApiRoute};
use super::{ApiJson, BearerUser};
use crate::db::ids::ModalityId;
use crate::db::Db;
use crate::domain::modality::{Category, ModalityDef, Stage};
use crate::error::AppError;
use crate::service::library::{self as service, filter_of, LibraryItem, LibraryParams, Protocol};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::GET, "/modalities", list),
        op(Method::POST, "/modalities", create),
        op(Method::GET, "/modalities/{id}", get),
        op(Method::PUT, "/modalities/{id}", update),
        op(Method::GET, "/protocols", protocols),
    ]
}

/// A library item version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModalityJson {
    /// Id of this version (use it to add the item to a plan).
    pub id: String,
    /// Stable code.
    pub code: String,
    /// Version.
    pub version: i32,
    /// Whether this is the current version.
    pub current: bool,
    /// `true` for read-only built-in items.
    pub builtin: bool,
    /// Name.
    pub name: String,
    /// Category.
    #[schema(value_type = Category)]
    pub category: String,
    /// Stages it suits.
    #[schema(value_type = Vec<Stage>)]
    pub stages: Vec<String>,
    /// The full definition: region, description, instructions, dosage, contraindications,
    /// consent, guideline stance.
    pub definition: ModalityDef,
    /// The clinic's uploaded picture, if any.
    pub image: Option<super::media::ImageJson>,
    /// Retired from the clinic library (not offered for new plan items).
    pub retired: bool,
}

impl From<LibraryItem> for ModalityJson {
    fn from(item: LibraryItem) -> Self {
        Self {
            id: item.row.id.to_string(),
            builtin: item.builtin(),
            code: item.row.code,
            version: item.row.version,
            current: item.row.is_current,
            name: item.row.name,
            category: item.row.category,
            stages: item.def.stages.iter().map(|s| s.code().to_owned()).collect(),
            image: item.image.map(super::media::ImageJson::from),
            retired: item.row.retired,
            definition: item.def,
        }
    }
}

/// Current library items (built-in and the clinic's own).
#[utoipa::path(operation_id = "listModalities", get, path = "/api/v1/modalities", tag = "library", params(LibraryParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<ModalityJson>), (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    user: BearerUser,
    params: web::Query<LibraryParams>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let filter = filter_of(&params)?;
    let items = db.run(move |conn| service::list(conn, &user.0, &filter)).await?;
    Ok(HttpResponse::Ok().json(items.into_iter().map(ModalityJson::from).collect::<Vec<_>>()))
}

/// One library item version.
#[utoipa::path(operation_id = "getModality", get, path = "/api/v1/modalities/{id}", tag = "library", security(("bearer" = [])),
    params(("id" = String, Path, description = "Item version id")),
    responses((status = 200, body = ModalityJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let id: ModalityId = path.parse().map_err(|_| AppError::NotFound)?;
    let item = db.run(move |conn| service::get(conn, &user.0, id)).await?;
    Ok(HttpResponse::Ok().json(ModalityJson::from(item)))
}

/// Adds a clinic item (leads and admins); the body is a full definition.
#[utoipa::path(operation_id = "createModality", post, path = "/api/v1/modalities", tag = "library", request_body = ModalityDef, security(("bearer" = [])),
    responses((status = 201, body = ModalityJson), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(user: BearerUser, body: ApiJson<ModalityDef>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let ctx = user.0;
    let item = db
        .run(move |conn| {
            let id = service::create(conn, &ctx, &body.0)?;
            service::get(conn, &ctx, id)
        })
        .await?;
    Ok(HttpResponse::Created().json(ModalityJson::from(item)))
}

/// Edits a clinic item: answers with the new version (plans keep the old one).
#[utoipa::path(operation_id = "updateModality", put, path = "/api/v1/modalities/{id}", tag = "library", request_body = ModalityDef, security(("bearer" = [])),
    params(("id" = String, Path, description = "Current item version id")),
    responses((status = 200, body = ModalityJson), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<ModalityDef>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id: ModalityId = path.parse().map_err(|_| AppError::NotFound)?;
    let ctx = user.0;
    let item = db
        .run(move |conn| {
            let new_id = service::update(conn, &ctx, id, &body.0)?;
            service::get(conn, &ctx, new_id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ModalityJson::from(item)))
}

/// A protocol.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProtocolJson {
    /// Id (use as `protocol_id` when starting a plan).
    pub id: String,
    /// Built-in code.
    pub code: Option<String>,
    /// `true` for built-in protocols.
    pub builtin: bool,
    /// Edit version (send it back with an edit or a retirement).
    pub version: i32,
    /// Retired: no longer offered for new plans.
    pub retired: bool,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// The template.
    pub content: crate::domain::protocol::ProtocolContent,
}

impl From<Protocol> for ProtocolJson {
    fn from(p: Protocol) -> Self {
        Self {
            id: p.row.id.to_string(),
            builtin: p.row.clinic_id.is_none(),
            version: p.row.version,
            retired: p.row.retired,
            code: p.row.code,
            name: p.row.name,
            description: p.row.description,
            content: p.content,
        }
    }
}

/// Protocols (built-in and the clinic's own).
#[utoipa::path(operation_id = "listProtocols", get, path = "/api/v1/protocols", tag = "library", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProtocolJson>)))]
pub async fn protocols(user: BearerUser, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let list = db.run(move |conn| service::protocols(conn, &user.0)).await?;
    Ok(HttpResponse::Ok().json(list.into_iter().map(ProtocolJson::from).collect::<Vec<_>>()))
}
