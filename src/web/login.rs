//! Sign-in (password, then the second factor when enrolled) and sign-out pages. The password
//! step never starts a session for an enrolled user: it opens a short pending second step
//! (its own cookie), and only a right code starts the session.

use super::components::input;
use super::session::{constant_time_eq, CsrfForm, PlainForm, SESSION_COOKIE};
use super::{layout, see_other, HtmlError, HtmlResult};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::http_origin::origin_of;
use crate::service::auth::{self, HashGate, Verified};
use crate::service::{throttle, totp};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use maud::{html, Markup};
use serde::Deserialize;

/// The cookie holding the sign-in form's CSRF token (there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "pp_login_csrf";
/// The cookie of a pending second step.
const MFA_COOKIE: &str = "pp_mfa";

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show))
        .route("/login", web::post().to(submit))
        .route("/login/code", web::post().to(submit_code))
        .route("/logout", web::post().to(logout));
}

fn cookie<'a>(name: &'a str, value: String, settings: &Settings) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .finish()
}

fn removal<'a>(name: &'a str, settings: &Settings) -> Cookie<'a> {
    let mut c = cookie(name, String::new(), settings);
    c.make_removal();
    c
}

fn form(token: &str, email: &str, message: Option<&str>) -> Markup {
    let errors = FieldErrors::new();
    let body = html! {
        main.narrow #main {
            h1 { "Sign in to physioplan" }
            @if let Some(message) = message { p.error-summary role="alert" { (message) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf_token" value=(token);
                (input("email", "email", "E-mail", email, &errors, true))
                (input("password", "password", "Password", "", &errors, true))
                button.primary type="submit" { "Sign in" }
            }
        }
    };
    layout::bare("Sign in", body)
}

fn code_form(token: &str, message: Option<&str>) -> Markup {
    let body = html! {
        main.narrow #main {
            h1 { "Second factor" }
            @if let Some(message) = message { p.error-summary role="alert" { (message) } }
            p { "Enter the 6-digit code from your authenticator app, or one of your recovery codes." }
            form method="post" action="/login/code" {
                input type="hidden" name="csrf_token" value=(token);
                div.field {
                    label for="code" { "Code" }
                    input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required;
                }
                button.primary type="submit" { "Continue" }
            }
        }
    };
    layout::bare("Second factor", body)
}

/// A page with a fresh sign-in CSRF token (and `Retry-After` when throttled).
fn respond(
    settings: &Settings,
    status: StatusCode,
    retry_after: Option<u64>,
    page: impl FnOnce(&str) -> Markup,
) -> HttpResponse {
    let token = auth::random_token();
    let mut response = HttpResponse::build(status);
    response.cookie(cookie(LOGIN_CSRF_COOKIE, token.clone(), settings)).content_type("text/html; charset=utf-8");
    if let Some(seconds) = retry_after {
        response.insert_header(("Retry-After", seconds.to_string()));
    }
    response.body(page(&token).into_string())
}

fn refused(settings: &Settings, e: &AppError, email: &str) -> HttpResponse {
    respond(settings, e.status_code(), e.retry_after(), |t| form(t, email, Some(&e.to_string())))
}

async fn show(req: HttpRequest, settings: web::Data<Settings>) -> HttpResponse {
    let notice = super::held::waiting(&req).then_some(
        "You were signed out before your work was saved. Nothing is lost: sign in again to finish saving it.",
    );
    respond(&settings, StatusCode::OK, None, |t| form(t, "", notice))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

fn check_csrf(req: &HttpRequest, sent: &str) -> Result<(), HtmlError> {
    let expected = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
        return Err(HtmlError(AppError::CsrfRejected));
    }
    Ok(())
}

/// Finishes the sign-in: a fresh session, and to the account page when the clinic requires a
/// second factor the user has not set up.
async fn start_session(db: &Db, settings: &Settings, verified: Verified, req: &HttpRequest) -> HtmlResult {
    let origin = origin_of(req);
    let (session, must_enrol) = db
        .run(move |conn| -> Result<_, AppError> {
            auth::finish_sign_in(conn, &verified, &origin)?;
            let must_enrol = auth::must_enrol(conn, &verified)?;
            Ok((auth::start_session(conn, &verified.actor, &origin)?, must_enrol))
        })
        .await?;
    let mut session_cookie = cookie(SESSION_COOKIE, session.secret, settings);
    session_cookie.set_max_age(CookieDuration::hours(auth::ABSOLUTE_TIMEOUT.num_hours()));
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, landing(req, must_enrol)))
        .cookie(session_cookie)
        .cookie(removal(LOGIN_CSRF_COOKIE, settings))
        .cookie(removal(MFA_COOKIE, settings))
        .finish())
}

/// Where a fresh session starts: the second-factor set-up when the clinic requires it, else
/// the held post of this browser (see `super::held`) when there is one, else the patients.
fn landing(req: &HttpRequest, must_enrol: bool) -> &'static str {
    if must_enrol {
        "/account?enrol=1"
    } else if super::held::waiting(req) {
        super::held::RESUME_PATH
    } else {
        "/patients"
    }
}

async fn submit(
    req: HttpRequest,
    form: PlainForm<LoginForm>,
    db: web::Data<Db>,
    gate: web::Data<HashGate>,
    settings: web::Data<Settings>,
) -> HtmlResult {
    check_csrf(&req, &form.csrf_token)?;
    let verified = match auth::check_password(&db, &gate, &form.email, &form.password, &origin_of(&req)).await {
        Ok(verified) => verified,
        Err(e @ (AppError::BadCredentials | AppError::Throttled { .. })) => {
            return Ok(refused(&settings, &e, &form.email))
        }
        Err(other) => return Err(other.into()),
    };
    if !verified.needs_code {
        return start_session(&db, &settings, verified, &req).await;
    }
    let user = verified.actor.user_id;
    let secret = db.run(move |conn| totp::start_challenge(conn, user)).await?;
    let mut pending = cookie(MFA_COOKIE, secret, &settings);
    pending.set_max_age(CookieDuration::minutes(totp::CHALLENGE_LIFETIME.num_minutes()));
    let mut response = respond(&settings, StatusCode::OK, None, |t| code_form(t, None));
    response.add_cookie(&pending).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf_token: String,
}

async fn submit_code(
    req: HttpRequest,
    form: web::Form<CodeForm>,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
) -> HtmlResult {
    check_csrf(&req, &form.csrf_token)?;
    let again = |message: &str| {
        let mut response = respond(&settings, StatusCode::UNAUTHORIZED, None, |t| form_page(t, message));
        response
            .add_cookie(&removal(MFA_COOKIE, &settings))
            .map(|_| response)
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let Some(secret) = req.cookie(MFA_COOKIE).map(|c| c.value().to_owned()) else {
        return Ok(again("Sign in again.")?);
    };
    let (origin, code) = (origin_of(&req), form.code.clone());
    let outcome = db
        .run(move |conn| -> Result<Result<Verified, (AppError, bool)>, AppError> {
            let Some(user) = totp::challenge_user(conn, &secret)? else {
                return Ok(Err((AppError::MfaRequired("Sign in again."), true)));
            };
            let attempt = match throttle::reserve(conn, &user.email, origin.client_addr.as_deref()) {
                Ok(attempt) => attempt,
                Err(e @ AppError::Throttled { .. }) => return Ok(Err((e, false))),
                Err(other) => return Err(other),
            };
            let actor = auth::actor_of(&user)?;
            match totp::check_code(conn, &actor, &code, &origin) {
                Ok(()) => {
                    totp::end_challenge(conn, &secret)?;
                    Ok(Ok(Verified { actor, needs_code: false, attempt }))
                }
                Err(e @ AppError::MfaRequired(_)) => Ok(Err((e, totp::fail_challenge(conn, &secret)?))),
                Err(other) => Err(other),
            }
        })
        .await?;
    match outcome {
        Ok(verified) => start_session(&db, &settings, verified, &req).await,
        Err((_, true)) => Ok(again("The code was not accepted. Sign in again.")?),
        Err((e, false)) => {
            Ok(respond(&settings, e.status_code(), e.retry_after(), |t| code_form(t, Some(&e.to_string()))))
        }
    }
}

fn form_page(token: &str, message: &str) -> Markup {
    form(token, "", Some(message))
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    req: HttpRequest,
    form: CsrfForm<Empty>,
    db: web::Data<Db>,
    settings: web::Data<Settings>,
) -> HtmlResult {
    if let Some(secret) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        let ctx = form.user.ctx.clone();
        db.run(move |conn| -> Result<(), AppError> {
            auth::end_session(conn, &secret)?;
            ctx.audit(conn, "auth.sign_out", None, None, None)?;
            Ok(())
        })
        .await?;
    }
    let mut response = see_other("/login");
    response.add_removal_cookie(&removal(SESSION_COOKIE, &settings)).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}
