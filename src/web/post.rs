//! How every HTML form post answers: one way, for plain and htmx-boosted forms alike.
//!
//! - Success: `303 See Other` to the page the user should see (post, then redirect). A
//!   boosted form's XMLHttpRequest follows the redirect, and htmx puts the final URL (the
//!   page) in the address bar, so a reload asks for the page, never the action. For htmx
//!   requests the redirect also names the page in `HX-Push-Url` (the same URL, for clients
//!   that read the answer without following it).
//! - Refusal (422 field problems, 409 conflicts): the whole page again, with navigation, the
//!   message next to the field and what was typed. For htmx requests the answer carries
//!   `HX-Push-Url` with the page's own URL, `HX-Retarget: body` and `HX-Reswap: innerHTML`,
//!   so the address bar shows a page that a reload can GET (not the action, which is a 404
//!   or 405 for GET).
//! - A form that swaps one part of the page in place (`hx-select` with `PP-In-Place: true`,
//!   e.g. the plan builder's add form) gets the same answers; its `hx-select` picks its part
//!   of the page. Only a conflict (409) still re-shows the whole page: the rest of it is
//!   stale too.

use super::session::CsrfForm;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use maud::Markup;

/// How a request was sent: by htmx (`HX-Request: true`) or as a plain form.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sender {
    /// Sent by htmx (boosted or not).
    pub htmx: bool,
    /// Sent by htmx as an autosave while the user types (`PP-Autosave: true`, set by
    /// `assets/autosave.js`): answered with a status line, not a page (see `web::autosave`).
    pub autosave: bool,
    /// Sent by a form that swaps its own part of the page (`PP-In-Place: true`).
    pub in_place: bool,
}

impl Sender {
    /// Reads the htmx request header.
    pub fn of(req: &HttpRequest) -> Self {
        let flag = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()) == Some("true");
        let htmx = flag("hx-request");
        Self { htmx, autosave: htmx && flag("pp-autosave"), in_place: htmx && flag("pp-in-place") }
    }

    /// `303 See Other` to `page` (which may carry a `#fragment`).
    pub fn done(self, page: &str) -> HttpResponse {
        let mut response = HttpResponse::SeeOther();
        response.insert_header((header::LOCATION, page));
        if self.htmx {
            response.insert_header(("HX-Push-Url", without_fragment(page)));
        }
        response.finish()
    }

    /// The whole page `markup` again at `status`, shown at `page` (its own URL).
    pub fn reshow(self, page: &str, status: StatusCode, markup: Markup) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        response.content_type("text/html; charset=utf-8");
        if self.htmx {
            response.insert_header(("HX-Push-Url", without_fragment(page)));
            if !self.in_place {
                response.insert_header(("HX-Retarget", "body")).insert_header(("HX-Reswap", "innerHTML"));
            } else if status == StatusCode::CONFLICT {
                // The page's content again, in place of the content (the form's `hx-select`
                // would pick its own part only).
                response
                    .insert_header(("HX-Retarget", "#main"))
                    .insert_header(("HX-Reswap", "outerHTML"))
                    .insert_header(("HX-Reselect", "#main"));
            }
        }
        response.body(markup.into_string())
    }
}

/// The path and query of a page address; the fragment is the browser's business.
fn without_fragment(page: &str) -> &str {
    page.split_once('#').map_or(page, |(path, _)| path)
}

impl<T> CsrfForm<T> {
    /// Success: see [`Sender::done`].
    pub fn done(&self, page: &str) -> HttpResponse {
        self.sender.done(page)
    }

    /// Field problems (422): see [`Sender::reshow`].
    pub fn invalid(&self, page: &str, markup: Markup) -> HttpResponse {
        self.sender.reshow(page, StatusCode::UNPROCESSABLE_ENTITY, markup)
    }

    /// Any refusal at its own status (409 for a conflict): see [`Sender::reshow`].
    pub fn reshow(&self, page: &str, status: StatusCode, markup: Markup) -> HttpResponse {
        self.sender.reshow(page, status, markup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_htmx_success_names_the_page_without_its_fragment() {
        let response = Sender { htmx: true, ..Sender::default() }.done("/plans/1#stage-2");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers().get("location").and_then(|v| v.to_str().ok()), Some("/plans/1#stage-2"));
        assert_eq!(response.headers().get("hx-push-url").and_then(|v| v.to_str().ok()), Some("/plans/1"));
    }

    #[test]
    fn a_plain_refusal_carries_no_htmx_headers() {
        let response = Sender::default().reshow("/x", StatusCode::CONFLICT, maud::html! { p { "x" } });
        assert_eq!(response.status(), StatusCode::CONFLICT);
        assert!(response.headers().get("hx-push-url").is_none());
    }

    #[test]
    fn an_in_place_form_keeps_its_target_for_field_problems_but_not_for_a_conflict() {
        let sender = Sender { htmx: true, in_place: true, ..Sender::default() };
        let page = || maud::html! { p { "x" } };
        let invalid = sender.reshow("/plans/1", StatusCode::UNPROCESSABLE_ENTITY, page());
        assert!(invalid.headers().get("hx-retarget").is_none());
        let stale = sender.reshow("/plans/1", StatusCode::CONFLICT, page());
        assert_eq!(stale.headers().get("hx-retarget").and_then(|v| v.to_str().ok()), Some("#main"));
        assert_eq!(stale.headers().get("hx-reselect").and_then(|v| v.to_str().ok()), Some("#main"));
    }
}
