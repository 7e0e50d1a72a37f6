//! The caller's own password, sessions and tokens: `/api/v1/me/password`, `/api/v1/me/sessions`.

use super::auth::presented_token;
use super::{op, ApiJson, ApiRoute, BearerUser};
use crate::db::Db;
use crate::error::AppError;
use crate::service::passwords;
use crate::service::sessions::{self, SignedInPlace};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::POST, "/me/password", change_password),
        op(Method::GET, "/me/sessions", list),
        op(Method::DELETE, "/me/sessions", end_others),
        op(Method::DELETE, "/me/sessions/{id}", end),
    ]
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The password now.
    #[serde(default)]
    pub current_password: String,
    /// The new one (at least 10 characters, not easy to guess, not built from your name,
    /// e-mail or clinic).
    #[serde(default)]
    pub new_password: String,
}

/// Changes the caller's password; every other session and token ends (this token stays).
#[utoipa::path(operation_id = "changePassword", post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204, description = "Changed"), (status = 401, body = crate::error::ErrorBody),
              (status = 422, description = "`validation_failed` on `current_password` or `new_password`",
                body = crate::error::ErrorBody),
              (status = 429, description = "`too_many_attempts` (wrong current passwords count as failed sign-ins)",
                body = crate::error::ErrorBody)))]
pub async fn change_password(
    req: HttpRequest,
    user: BearerUser,
    body: ApiJson<PasswordChange>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (secret, ApiJson(change)) = (presented_token(&req), body);
    db.run(move |conn| passwords::change_own(conn, &user.0, &secret, &change.current_password, &change.new_password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's browser sessions and API tokens.
#[utoipa::path(operation_id = "listSessions", get, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<SignedInPlace>), (status = 401, body = crate::error::ErrorBody)))]
pub async fn list(req: HttpRequest, user: BearerUser, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let secret = presented_token(&req);
    let places = db.run(move |conn| sessions::list(conn, &user.0, &secret)).await?;
    Ok(HttpResponse::Ok().json(places))
}

/// Ends one of the caller's sessions or tokens (404 when it is not theirs).
#[utoipa::path(operation_id = "endSession", delete, path = "/api/v1/me/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "A session or token id from the list")),
    responses((status = 204, description = "Ended"), (status = 401, body = crate::error::ErrorBody),
              (status = 404, body = crate::error::ErrorBody)))]
pub async fn end(path: web::Path<String>, user: BearerUser, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    db.run(move |conn| sessions::end(conn, &user.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends all the caller's sessions and tokens but the presented token.
#[utoipa::path(operation_id = "endOtherSessions", delete, path = "/api/v1/me/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Ended"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn end_others(req: HttpRequest, user: BearerUser, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let secret = presented_token(&req);
    db.run(move |conn| sessions::end_others(conn, &user.0, &secret)).await?;
    Ok(HttpResponse::NoContent().finish())
}
