//! The browser side of held posts (`service::held_posts`): a form posted after its session
//! ended is kept, the browser is sent to sign in, and after signing in as the same person it
//! gets a page that posts the same fields again, with the new session's CSRF token, to the
//! same route (automatically with `autosave.js`, or with one press of "Save now").
//!
//! What is held, and when: only a POST from one of our own pages (`Sec-Fetch-Site:
//! same-origin`, or an `Origin` equal to the host), carrying a CSRF token and the id of the
//! user whose form it was (`form_owner`, written by `components::csrf`). A cross-site post
//! is never held. The one-time token travels in an HttpOnly cookie; the body is never
//! logged; the replay goes through the normal CSRF-checked route, so nothing skips a check.

use super::layout::layout;
use super::session::SessionUser;
use super::{see_other, HtmlResult};
use crate::config::Settings;
use crate::db::ids::UserId;
use crate::db::Db;
use crate::error::AppError;
use crate::http_origin::origin_of;
use crate::service::held_posts;
use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;

/// The cookie holding the one-time token of a held post.
pub const HELD_COOKIE: &str = "pp_held";

/// Where the browser goes after signing in when it has a held post.
pub const RESUME_PATH: &str = "/resume";

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(RESUME_PATH, web::get().to(resume));
}

/// The form field naming the user a form was rendered for.
pub const OWNER_FIELD: &str = "form_owner";

/// Whether the request came from one of our own pages.
fn same_origin(req: &HttpRequest) -> bool {
    let get = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin";
    }
    match (get("origin"), get("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, rest)| rest == host),
        _ => false,
    }
}

fn held_cookie<'a>(value: String, settings: &Settings) -> Cookie<'a> {
    Cookie::build(HELD_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .max_age(CookieDuration::minutes(held_posts::HOLD_FOR.num_minutes()))
        .finish()
}

/// Holds a post that met an ended session, when it qualifies (see the module comment), and
/// answers with the way to sign in again: `303` to `/login`, or for htmx `HX-Redirect`
/// (a full page load). `None`: nothing held; the caller answers as for any signed-out request.
pub async fn hold(req: &HttpRequest, body: &[u8]) -> Option<HttpResponse> {
    if req.method() != Method::POST || req.path() == "/logout" || !same_origin(req) {
        return None;
    }
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(body).ok()?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    field("csrf_token").filter(|t| !t.is_empty())?;
    let owner: UserId = field(OWNER_FIELD)?.parse().ok()?;
    let body = std::str::from_utf8(body).ok()?.to_owned();
    let path = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let db = req.app_data::<web::Data<Db>>()?.clone();
    let settings = req.app_data::<web::Data<Settings>>()?.clone();
    let origin = origin_of(req);
    let token = db.run(move |conn| held_posts::hold(conn, owner, &path, &body, &origin)).await.ok()??;
    let htmx = req.headers().get("hx-request").and_then(|v| v.to_str().ok()) == Some("true");
    let mut response = if htmx {
        let mut r = HttpResponse::Ok();
        r.insert_header(("HX-Redirect", "/login"));
        r
    } else {
        let mut r = HttpResponse::SeeOther();
        r.insert_header((header::LOCATION, "/login"));
        r
    };
    Some(response.cookie(held_cookie(token, &settings)).finish())
}

/// Whether the browser has a held post waiting (the sign-in page says so).
pub fn waiting(req: &HttpRequest) -> bool {
    req.cookie(HELD_COOKIE).is_some_and(|c| !c.value().is_empty())
}

/// `GET /resume`: the held post of this browser, if it is the signed-in user's, as a form
/// that posts it again with this session's CSRF token.
async fn resume(req: HttpRequest, user: SessionUser, db: web::Data<Db>, settings: web::Data<Settings>) -> HtmlResult {
    let token = req.cookie(HELD_COOKIE).map(|c| c.value().to_owned()).unwrap_or_default();
    let ctx = user.ctx.clone();
    let held = if token.is_empty() { None } else { db.run(move |conn| held_posts::take(conn, &ctx, &token)).await? };
    let removal = held_cookie(String::new(), &settings);
    let forget = |mut response: HttpResponse| -> HtmlResult {
        response.add_removal_cookie(&removal).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(response)
    };
    let Some(held) = held else {
        return forget(see_other("/patients"));
    };
    let pairs: Vec<(String, String)> = serde_html_form::from_bytes(held.body.as_bytes()).unwrap_or_default();
    let body = html! {
        main.narrow {
            h1 { "Finishing your save" }
            p { "You were signed out before this was saved. Nothing you typed is lost: it is being saved now." }
            form method="post" action=(held.path) data-resume="" {
                (super::components::csrf(&user))
                @for (name, value) in pairs.iter().filter(|(k, _)| k != "csrf_token" && k != OWNER_FIELD) {
                    input type="hidden" name=(name) value=(value);
                }
                button.primary type="submit" { "Save now" }
            }
        }
    };
    forget(super::page(layout("Finishing your save", &user, body)))
}
