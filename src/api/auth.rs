//! `POST /api/v1/auth/token` and `GET /api/v1/me`.

use super::{op, ApiRoute};
use super::{ApiJson, BearerUser};
use crate::authz::Role;
use crate::db::ids::{ClinicId, UserId};
use crate::db::Db;
use crate::error::AppError;
use crate::http_origin::origin_of;
use crate::service::auth::{self, HashGate};
use crate::service::totp;
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::POST, "/auth/token", token),
        op(Method::DELETE, "/auth/token", revoke),
        op(Method::GET, "/me", me),
        op(Method::POST, "/me/totp", totp_begin),
        op(Method::POST, "/me/totp/confirm", totp_confirm),
    ]
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
    /// The current TOTP code, or an unused recovery code; needed once a second factor is set up.
    #[serde(default)]
    pub totp: Option<String>,
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
    responses((status = 200, body = TokenResponse),
              (status = 401, description = "`unauthenticated` (wrong e-mail or password) or `mfa_required` \
                (second factor missing or wrong)", body = crate::error::ErrorBody),
              (status = 429, description = "`too_many_attempts`; `Retry-After` gives the seconds to wait",
                body = crate::error::ErrorBody)))]
pub async fn token(
    req: HttpRequest,
    body: ApiJson<TokenRequest>,
    db: web::Data<Db>,
    gate: web::Data<HashGate>,
) -> Result<HttpResponse, AppError> {
    let ApiJson(TokenRequest { email, password, totp }) = body;
    let actor = auth::authenticate(&db, &gate, &email, &password, totp.as_deref(), &origin_of(&req)).await?;
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

/// The bearer secret presented with the request.
pub fn presented_token(req: &HttpRequest) -> String {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    header.and_then(|h| h.strip_prefix("Bearer ").or_else(|| h.strip_prefix("bearer "))).unwrap_or("").trim().to_owned()
}

/// Revokes the presented token.
#[utoipa::path(operation_id = "revokeToken", delete, path = "/api/v1/auth/token", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = crate::error::ErrorBody)))]
pub async fn revoke(req: HttpRequest, user: BearerUser, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let secret = presented_token(&req);
    db.run(move |conn| auth::revoke_token(conn, &user.0, &secret)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A second factor being set up: add it to an authenticator app, then confirm with a code.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32 secret, for typing into the app.
    pub secret: String,
    /// `otpauth://totp/...` (for a QR code).
    pub otpauth_uri: String,
}

/// Starts setting up a TOTP second factor (not in force until confirmed).
#[utoipa::path(operation_id = "beginTotp", post, path = "/api/v1/me/totp", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TotpEnrolment), (status = 401, body = crate::error::ErrorBody),
              (status = 409, description = "`mfa_enabled`: set up already (an admin resets it)", body = crate::error::ErrorBody)))]
pub async fn totp_begin(user: BearerUser, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let e = db.run(move |conn| totp::begin_enrolment(conn, &user.0)).await?;
    Ok(HttpResponse::Ok().json(TotpEnrolment { secret: e.secret, otpauth_uri: e.otpauth_uri }))
}

/// A code from the authenticator app.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpConfirm {
    /// The 6 digits the app shows now.
    #[serde(default)]
    pub code: String,
}

/// The recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten one-time codes, each accepted once instead of a TOTP code.
    pub recovery_codes: Vec<String>,
}

/// Confirms the second factor with a current code; it is in force from now on.
#[utoipa::path(operation_id = "confirmTotp", post, path = "/api/v1/me/totp/confirm", tag = "auth", security(("bearer" = [])), request_body = TotpConfirm,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = crate::error::ErrorBody),
              (status = 409, description = "`mfa_enabled` or `mfa_not_started`", body = crate::error::ErrorBody),
              (status = 422, description = "`validation_failed`: the code is not right", body = crate::error::ErrorBody)))]
pub async fn totp_confirm(
    user: BearerUser,
    body: ApiJson<TotpConfirm>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let code = body.0.code;
    let recovery_codes = db.run(move |conn| totp::confirm_enrolment(conn, &user.0, &code)).await?;
    Ok(HttpResponse::Ok().json(RecoveryCodes { recovery_codes }))
}
