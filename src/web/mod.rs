//! HTML screens for people: one module per screen, a shared layout and components.
//! Handlers load everything into plain values, then render; views never touch the database.

pub mod account;
pub mod admin;
pub mod admin_users;
pub mod assessment_form;
pub mod assessment_live;
pub mod assessments;
pub mod assets;
pub mod audit;
pub mod autosave;
pub mod body_chart;
pub mod caseload;
pub mod components;
pub mod handout;
pub mod held;
pub mod illustrations;
pub mod layout;
pub mod library;
pub mod login;
pub mod media;
pub mod patient_discharge;
pub mod patients;
pub mod plan_conflict;
pub mod plan_edits;
pub mod plan_items;
pub mod plan_lifecycle;
pub mod plan_new;
pub mod plan_picker;
pub mod plan_safety;
pub mod plans;
pub mod post;
pub mod progress;
pub mod protocols;
pub mod screening;
pub mod security_headers;
pub mod session;
pub mod upload;

use crate::error::AppError;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse, ResponseError};
use maud::html;

pub use session::{CsrfForm, SessionUser};

/// Registers the HTML routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .configure(assets::configure)
        .configure(login::configure)
        .configure(held::configure)
        .configure(account::configure)
        .configure(patients::configure)
        .configure(assessment_live::configure)
        .configure(assessments::configure)
        .configure(autosave::configure)
        .configure(screening::configure)
        .configure(progress::configure)
        .configure(plans::configure)
        .configure(plan_new::configure)
        .configure(illustrations::configure)
        .configure(media::configure)
        .configure(protocols::configure)
        .configure(library::configure)
        .configure(handout::configure)
        .configure(caseload::configure)
        .configure(admin::configure)
        .configure(admin_users::configure)
        .configure(audit::configure);
}

async fn home(_user: SessionUser) -> HttpResponse {
    see_other("/patients")
}

/// A 303 redirect (after a successful form post, or to sign in).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// An [`AppError`] rendered as a page for people instead of JSON.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct HtmlError(#[from] pub AppError);

impl From<crate::db::DbError> for HtmlError {
    fn from(err: crate::db::DbError) -> Self {
        Self(err.into())
    }
}

impl ResponseError for HtmlError {
    fn status_code(&self) -> StatusCode {
        self.0.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.page();
        self.0.mark(&mut response);
        response
    }
}

impl HtmlError {
    /// The page for this error (a redirect for one that needs signing in).
    fn page(&self) -> HttpResponse {
        match &self.0 {
            AppError::Unauthenticated => see_other("/login"),
            AppError::EnrolmentRequired => see_other("/account?enrol=1"),
            AppError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                error_page(self.status_code(), &self.0.to_string())
            }
            AppError::Busy => {
                let mut page = error_page(self.status_code(), &self.0.to_string());
                page.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(crate::error::BUSY_RETRY_AFTER));
                page
            }
            AppError::Validation(fields) => {
                let details: Vec<String> = fields.values().flatten().cloned().collect();
                error_page(self.status_code(), &format!("{} {}", self.0, details.join(" ")))
            }
            other => error_page(self.status_code(), &other.to_string()),
        }
    }
}

/// A minimal page for an error (no navigation: the user may not be known).
pub fn error_page(status: StatusCode, message: &str) -> HttpResponse {
    let title = status.canonical_reason().unwrap_or("Error");
    let body = html! {
        main.narrow {
            h1 { (title) }
            p { (message) }
            p { a href="/patients" { "Back to patients" } }
        }
    };
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(layout::bare(title, body).into_string())
}

/// Result of an HTML handler.
pub type HtmlResult = Result<HttpResponse, HtmlError>;

/// A 200 page.
pub fn page(markup: maud::Markup) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(markup.into_string())
}
