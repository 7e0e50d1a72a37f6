//! Sign-in and sign-out pages.

use super::components::input;
use super::session::{constant_time_eq, origin_of, CsrfForm, PlainForm, SESSION_COOKIE};
use super::{layout, see_other, HtmlError, HtmlResult};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::service::auth::{self, HashGate};
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// The cookie holding the sign-in form's CSRF token (there is no session yet).
const LOGIN_CSRF_COOKIE: &str = "pp_login_csrf";

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(show))
        .route("/login", web::post().to(submit))
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

fn render(
    settings: &Settings,
    status: actix_web::http::StatusCode,
    email: &str,
    message: Option<&str>,
) -> HttpResponse {
    let token = auth::random_token();
    HttpResponse::build(status)
        .cookie(cookie(LOGIN_CSRF_COOKIE, token.clone(), settings))
        .content_type("text/html; charset=utf-8")
        .body(form(&token, email, message).into_string())
}

async fn show(settings: web::Data<Settings>) -> HttpResponse {
    render(&settings, actix_web::http::StatusCode::OK, "", None)
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

async fn submit(
    req: HttpRequest,
    form: PlainForm<LoginForm>,
    db: web::Data<Db>,
    gate: web::Data<HashGate>,
    settings: web::Data<Settings>,
) -> HtmlResult {
    let expected = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), form.csrf_token.as_bytes()) {
        return Err(HtmlError(AppError::CsrfRejected));
    }
    let actor = match auth::authenticate(&db, &gate, &form.email, &form.password, &origin_of(&req)).await {
        Ok(actor) => actor,
        Err(e @ (AppError::BadCredentials | AppError::Throttled(_))) => {
            return Ok(render(&settings, actix_web::ResponseError::status_code(&e), &form.email, Some(&e.to_string())));
        }
        Err(other) => return Err(other.into()),
    };
    let session = db.run(move |conn| auth::start_session(conn, &actor)).await.map_err(AppError::from)?;
    let mut session_cookie = cookie(SESSION_COOKIE, session.secret, &settings);
    session_cookie.set_max_age(CookieDuration::hours(auth::ABSOLUTE_TIMEOUT.num_hours()));
    let mut clear = cookie(LOGIN_CSRF_COOKIE, String::new(), &settings);
    clear.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, "/patients"))
        .cookie(session_cookie)
        .cookie(clear)
        .finish())
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
    let mut removal = cookie(SESSION_COOKIE, String::new(), &settings);
    removal.make_removal();
    let mut response = see_other("/login");
    response.add_removal_cookie(&removal).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(response)
}
