//! `POST /api/v1/auth/token` and `GET /api/v1/me`.

use super::{op, ApiRoute};
use super::{ApiJson, BearerUser};
use crate::authz::Role;
use crate::db::ids::{ClinicId, UserId};
use crate::db::Db;
use crate::error::AppError;
use crate::service::auth::{self, HashGate};
use crate::web::session::origin_of;
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![op(Method::POST, "/auth/token", token), op(Method::GET, "/me", me)]
}

/// Credentials for a token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Sign-in e-mail.
    #[serde(default)]
    pub email: String,
    /// Password.
    #[serde(default)]
    pub password: String,
}

/// A bearer token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// Expiry, RFC 3339 UTC.
    pub expires_at: DateTime<Utc>,
}

/// Issues a bearer token for an e-mail and password.
#[utoipa::path(operation_id = "createToken", post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::ErrorBody),
              (status = 429, description = "Too many failed attempts", body = crate::error::ErrorBody)))]
pub async fn token(
    req: HttpRequest,
    body: ApiJson<TokenRequest>,
    db: web::Data<Db>,
    gate: web::Data<HashGate>,
) -> Result<HttpResponse, AppError> {
    let ApiJson(TokenRequest { email, password }) = body;
    let actor = auth::authenticate(&db, &gate, &email, &password, &origin_of(&req)).await?;
    let (token, expires_at) = db.run(move |conn| auth::issue_token(conn, &actor)).await?;
    Ok(HttpResponse::Ok().json(TokenResponse { token, expires_at: expires_at.and_utc() }))
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// User id.
    #[schema(value_type = String, format = Uuid)]
    pub id: UserId,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Home clinic.
    #[schema(value_type = String, format = Uuid)]
    pub clinic_id: ClinicId,
}

/// Who the token belongs to.
#[utoipa::path(operation_id = "getMe", get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = crate::error::ErrorBody)))]
pub async fn me(user: BearerUser) -> HttpResponse {
    let a = user.0.actor;
    HttpResponse::Ok().json(Me { id: a.user_id, email: a.email, name: a.name, role: a.role, clinic_id: a.clinic_id })
}
