//! The JSON API under `/api/v1`: bearer tokens, typed requests and responses, OpenAPI.

pub mod account;
pub mod assessments;
pub mod auth;
pub mod caseload;
pub mod library;
pub mod media;
pub mod openapi;
pub mod patients;
mod plan_versions;
pub mod plan_views;
pub mod plans;
pub mod protocols;

use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::http_origin::origin_of;
use crate::service::{auth as auth_service, Ctx};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpRequest, HttpResponse, Responder, Route};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::pin::Pin;

/// One operation of the API: its method, its path under `/api/v1` and its handler. The
/// route table ([`routes`]) is the only way routes are registered, and a test compares it
/// with the OpenAPI document, so the two cannot drift.
pub struct ApiRoute {
    /// HTTP method.
    pub method: Method,
    /// Path under `/api/v1`, in the OpenAPI `{param}` form.
    pub path: &'static str,
    route: Route,
}

/// An operation: `method path` answered by `handler`.
pub fn op<F, Args>(method: Method, path: &'static str, handler: F) -> ApiRoute
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    ApiRoute { route: web::method(method.clone()).to(handler), method, path }
}

/// Every operation of the API, in registration order.
pub fn routes() -> Vec<ApiRoute> {
    [
        auth::routes(),
        account::routes(),
        patients::routes(),
        assessments::routes(),
        library::routes(),
        media::routes(),
        protocols::routes(),
        plans::routes(),
        caseload::routes(),
        openapi::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Registers the API routes: one resource per path, answering 405 with `Allow` for a method
/// it does not have; 404 for a path that is not in the table.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut scope = web::scope("/api/v1").app_data(
        web::QueryConfig::default()
            .error_handler(|_, _| AppError::field("query", "The query string could not be read.").into()),
    );
    let mut by_path: Vec<(&'static str, Vec<ApiRoute>)> = Vec::new();
    for r in routes() {
        match by_path.iter_mut().find(|(p, _)| *p == r.path) {
            Some((_, list)) => list.push(r),
            None => by_path.push((r.path, vec![r])),
        }
    }
    for (path, list) in by_path {
        let allow = list.iter().map(|r| r.method.as_str()).collect::<Vec<_>>().join(", ");
        let mut resource = web::resource(path).default_service(web::to(move || {
            let allow = allow.clone();
            async move { method_not_allowed(allow) }
        }));
        for r in list {
            resource = resource.route(r.route);
        }
        scope = scope.service(resource);
    }
    cfg.service(scope.default_service(web::to(|| async { Err::<actix_web::HttpResponse, _>(AppError::NotFound) })));
}

/// 405 `method_not_allowed` with the methods the path has.
fn method_not_allowed(allow: String) -> HttpResponse {
    let body = crate::error::ErrorBody {
        error: crate::error::ErrorDetail {
            code: "method_not_allowed".into(),
            message: "This method is not allowed here.".into(),
            fields: None,
        },
    };
    HttpResponse::MethodNotAllowed().insert_header((actix_web::http::header::ALLOW, allow)).json(body)
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
            let ctx = Ctx { actor, origin: origin_of(&req) };
            crate::access_audit::note_actor(&req, &ctx);
            Ok(BearerUser(ctx))
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

/// Deserialises JSON, naming the offending field on failure (never quoting its value) and
/// refusing control characters in any string.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        let message = format!("The body is not valid JSON (line {}, column {}).", e.line(), e.column());
        AppError::field("body", message)
    })?;
    crate::input::check_json(&value)?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." || path.is_empty() { "body".to_owned() } else { path };
        let mut fields = FieldErrors::new();
        crate::error::add_field_error(&mut fields, &field, crate::input::parse_message(&e.into_inner().to_string()));
        AppError::Validation(fields)
    })
}

pub use crate::input::page_number;
