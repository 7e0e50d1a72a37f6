//! The JSON API under `/api/v1`: bearer tokens, typed requests and responses, OpenAPI.

pub mod assessments;
pub mod auth;
pub mod caseload;
pub mod library;
pub mod openapi;
pub mod patients;
mod plan_versions;
pub mod plans;

use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::service::{auth as auth_service, Ctx};
use crate::web::session::origin_of;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// Registers the API routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .configure(auth::configure)
            .configure(patients::configure)
            .configure(assessments::configure)
            .configure(library::configure)
            .configure(plans::configure)
            .configure(caseload::configure)
            .configure(openapi::configure)
            .default_service(web::to(|| async { Err::<actix_web::HttpResponse, _>(AppError::NotFound) })),
    );
}

/// The caller of an API route, authenticated by `Authorization: Bearer TOKEN`.
#[derive(Debug, Clone)]
pub struct BearerUser(pub Ctx);

impl FromRequest for BearerUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
            let secret = header
                .and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer ")))
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or(AppError::Unauthenticated)?;
            let db = req.app_data::<web::Data<Db>>().ok_or_else(|| AppError::Internal("no database".into()))?.clone();
            let actor = db.run(move |conn| auth_service::token_actor(conn, &secret)).await?;
            let actor = actor.ok_or(AppError::Unauthenticated)?;
            Ok(BearerUser(Ctx { actor, origin: origin_of(&req) }))
        })
    }
}

/// Largest JSON body accepted.
const JSON_LIMIT: usize = 256 * 1024;

/// A JSON body whose problems are reported as 422 `validation_failed` naming the field
/// (its path, e.g. `history[2]`), never as a bare 400.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|_| AppError::field("body", "The request body could not be read."))?;
            if bytes.len() > JSON_LIMIT {
                return Err(AppError::field("body", "The request body is too large."));
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                // An empty body is an empty object, so optional-only bodies may be left out.
                return parse_json(b"{}").map(ApiJson);
            }
            parse_json(&bytes).map(ApiJson)
        })
    }
}

/// Deserialises JSON, naming the offending field on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
        let mut fields = FieldErrors::new();
        crate::error::add_field_error(&mut fields, &field, e.into_inner().to_string());
        AppError::Validation(fields)
    })
}

/// Reads an optional `page` query value (1-based).
pub fn page_number(page: Option<&str>) -> Result<i64, AppError> {
    match page.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(1),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=1_000_000).contains(p))
            .ok_or_else(|| AppError::field("page", "page must be a whole number from 1.")),
    }
}
