//! The signed-in person's account page: the second factor (enrol with a QR code, confirm,
//! recovery codes shown once), the password, and the sessions and tokens signed in as them.

use super::components::{csrf, error_summary, input};
use super::layout::layout;
use super::session::{CsrfForm, SessionUser, SESSION_COOKIE};
use super::{page, HtmlResult};
use crate::db::Db;
use crate::error::{AppError, FieldErrors};
use crate::service::account_overview::{self, AccountOverview};
use crate::service::passwords;
use crate::service::sessions::{self, SignedInPlace};
use crate::service::totp;
use actix_web::{web, HttpRequest};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/account", web::get().to(show))
        .route("/account/totp", web::post().to(begin_totp))
        .route("/account/totp/confirm", web::post().to(confirm_totp))
        .route("/account/password", web::post().to(change_password))
        .route("/account/sessions/{id}/end", web::post().to(end_session))
        .route("/account/sessions/end-others", web::post().to(end_others));
}

fn session_secret(req: &HttpRequest) -> String {
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default()
}

async fn load(req: &HttpRequest, user: &SessionUser, db: &Db) -> Result<AccountOverview, AppError> {
    let (ctx, secret) = (user.ctx.clone(), session_secret(req));
    db.run(move |conn| account_overview::overview(conn, &ctx, &secret)).await
}

/// The otpauth URI as an SVG QR code (markup only: no script, no style attribute).
fn qr_code(uri: &str) -> Markup {
    let svg = qrcode::QrCode::new(uri.as_bytes())
        .map(|code| code.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).build())
        .unwrap_or_default();
    let svg = svg.find("<svg").map_or("", |start| &svg[start..]).to_owned();
    html! { div.qr role="img" aria-label="QR code for your authenticator app" { (PreEscaped(svg)) } }
}

fn second_factor(user: &SessionUser, view: &AccountOverview, errors: &FieldErrors) -> Markup {
    html! {
        section #second-factor {
            h2 { "Second factor" }
            @if view.must_enrol { p.error-summary role="alert" { "Your clinic requires a second factor. Set it up to carry on." } }
            @if view.user.totp_enabled {
                p { "A second factor is on: sign-in asks for the code from your authenticator app. "
                    (view.recovery_left) " recovery codes left." }
            } @else if let Some(e) = &view.enrolment {
                p { "Scan this code with an authenticator app, or type the key into it. Then enter the code it shows." }
                (qr_code(&e.otpauth_uri))
                p { "Key: " code #totp-secret { (e.secret) } }
                form method="post" action="/account/totp/confirm" novalidate {
                    (csrf(user))
                    (input("text", "code", "Code from the app", "", errors, true))
                    button.primary type="submit" { "Turn on" }
                }
            } @else {
                p { "Sign-in asks only for your password." }
                form method="post" action="/account/totp" {
                    (csrf(user))
                    button.primary type="submit" { "Set up a second factor" }
                }
            }
        }
    }
}

fn password_section(user: &SessionUser, errors: &FieldErrors) -> Markup {
    html! {
        section #password {
            h2 { "Password" }
            form method="post" action="/account/password" novalidate {
                (csrf(user))
                (input("password", "current_password", "Current password", "", errors, true))
                (input("password", "new_password", "New password (at least 10 characters, not easy to guess)", "", errors, true))
                button.primary type="submit" { "Change password" }
            }
            p.hint { "Changing it signs you out everywhere else." }
        }
    }
}

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn sessions_section(user: &SessionUser, places: &[SignedInPlace]) -> Markup {
    html! {
        section #sessions {
            h2 { "Where you are signed in" }
            table.list {
                thead { tr { th { "Kind" } th { "Started" } th { "Last used" } th { "From" } th { "Ends by" } th {} } }
                tbody {
                    @for p in places {
                        tr {
                            td { @if p.kind == crate::service::sessions::PlaceKind::Session { "Browser" } @else { "API token" } }
                            td { (when(p.created_at)) }
                            td { (p.last_seen_at.map(when).unwrap_or_default()) }
                            td { (p.client_addr.clone().unwrap_or_default()) }
                            td { (when(p.expires_at)) }
                            td {
                                @if p.current { "This browser" } @else {
                                    form.inline method="post" action=(format!("/account/sessions/{}/end", p.id)) {
                                        (csrf(user))
                                        button type="submit" { "End" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if places.len() > 1 {
                form method="post" action="/account/sessions/end-others" {
                    (csrf(user))
                    button type="submit" { "Sign out everywhere else" }
                }
            }
        }
    }
}

fn view_page(user: &SessionUser, view: &AccountOverview, errors: &FieldErrors) -> Markup {
    let body = html! {
        h1 { "Your account" }
        p { (view.user.name) " · " (view.user.email) }
        (error_summary(errors))
        (second_factor(user, view, errors))
        (password_section(user, errors))
        (sessions_section(user, &view.places))
    };
    layout("Your account", user, body)
}

async fn show(req: HttpRequest, user: SessionUser, db: web::Data<Db>) -> HtmlResult {
    let view = load(&req, &user, &db).await?;
    Ok(page(view_page(&user, &view, &FieldErrors::new())))
}

#[derive(Deserialize)]
struct Empty {}

async fn begin_totp(form: CsrfForm<Empty>, db: web::Data<Db>) -> HtmlResult {
    let ctx = form.user.ctx.clone();
    db.run(move |conn| totp::begin_enrolment(conn, &ctx)).await?;
    Ok(form.done("/account#second-factor"))
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn confirm_totp(req: HttpRequest, form: CsrfForm<CodeForm>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, code) = (form.user.ctx.clone(), form.form.code.clone());
    match db.run(move |conn| totp::confirm_enrolment(conn, &ctx, &code)).await {
        Ok(codes) => {
            let body = html! {
                h1 { "Second factor on" }
                p { "Keep these recovery codes somewhere safe. Each one signs you in once if you lose your phone. They are shown only now." }
                ul.recovery-codes { @for c in &codes { li { code { (c) } } } }
                p { a href="/patients" { "Carry on to your patients" } }
            };
            Ok(page(layout("Second factor on", &form.user, body)))
        }
        Err(AppError::Validation(errors)) => {
            let view = load(&req, &form.user, &db).await?;
            Ok(form.invalid("/account", view_page(&form.user, &view, &errors)))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(req: HttpRequest, form: CsrfForm<PasswordForm>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, secret) = (form.user.ctx.clone(), session_secret(&req));
    let (current, new) = (form.form.current_password.clone(), form.form.new_password.clone());
    match db.run(move |conn| passwords::change_own(conn, &ctx, &secret, &current, &new)).await {
        Ok(_) => Ok(form.done("/account?password=changed")),
        Err(AppError::Validation(errors)) => {
            let view = load(&req, &form.user, &db).await?;
            Ok(form.invalid("/account", view_page(&form.user, &view, &errors)))
        }
        Err(other) => Err(other.into()),
    }
}

async fn end_session(path: web::Path<String>, form: CsrfForm<Empty>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, id) = (form.user.ctx.clone(), path.into_inner());
    db.run(move |conn| sessions::end(conn, &ctx, &id)).await?;
    Ok(form.done("/account#sessions"))
}

async fn end_others(req: HttpRequest, form: CsrfForm<Empty>, db: web::Data<Db>) -> HtmlResult {
    let (ctx, secret) = (form.user.ctx.clone(), session_secret(&req));
    db.run(move |conn| sessions::end_others(conn, &ctx, &secret)).await?;
    Ok(form.done("/account#sessions"))
}
