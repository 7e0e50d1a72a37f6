//! The signed-in person (cookie session) and CSRF-checked forms.

use super::HtmlError;
use crate::db::Db;
use crate::error::AppError;
use crate::http_origin::origin_of;
use crate::service::{auth, Ctx};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "pp_session";

/// A person signed in through the browser; extracting it requires a live session,
/// otherwise the browser is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// Who and from where.
    pub ctx: Ctx,
    /// The token every form of this session carries.
    pub csrf_token: String,
    /// The session's public id.
    pub session_id: String,
}

impl SessionUser {
    /// The actor.
    pub fn actor(&self) -> &crate::authz::Actor {
        &self.ctx.actor
    }
}

impl FromRequest for SessionUser {
    type Error = HtmlError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, HtmlError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            // One session lookup per request, however many extractors ask.
            if let Some(user) = req.extensions().get::<SessionUser>() {
                return Ok(user.clone());
            }
            let secret = req.cookie(SESSION_COOKIE).map(|c| c.value().to_owned()).ok_or(AppError::Unauthenticated)?;
            let db = req.app_data::<web::Data<Db>>().ok_or_else(|| AppError::Internal("no database".into()))?.clone();
            let found = db.run(move |conn| auth::resume_session(conn, &secret)).await?;
            let live = found.ok_or(AppError::Unauthenticated)?;
            let path = req.path();
            if live.must_enrol && !(path == "/account" || path.starts_with("/account/") || path == "/logout") {
                return Err(AppError::EnrolmentRequired.into());
            }
            let user = SessionUser {
                ctx: Ctx { actor: live.actor, origin: origin_of(&req) },
                csrf_token: live.csrf_token,
                session_id: live.id,
            };
            crate::access_audit::note_actor(&req, &user.ctx);
            req.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// Maximum size of a form body.
const FORM_LIMIT: usize = 64 * 1024;

/// A form posted by a signed-in person, accepted only when it carries the session's CSRF
/// token. Every state-changing HTML route takes its input through this extractor.
pub struct CsrfForm<T> {
    /// The signed-in person.
    pub user: SessionUser,
    /// The parsed form.
    pub form: T,
    raw: web::Bytes,
    /// Plain form or htmx: how the answer is shaped (see [`super::post`]).
    pub(super) sender: super::post::Sender,
}

impl<T> CsrfForm<T> {
    /// Reads the same form body as another shape (e.g. the version beside the fields).
    pub fn parse<U: DeserializeOwned>(&self) -> Result<U, HtmlError> {
        read_form(&self.raw).map_err(HtmlError::from)
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let signed_in = SessionUser::extract(&req).await;
            let bytes = body.await.map_err(|_| HtmlError(AppError::field("body", "The form is too large.")))?;
            let user = match signed_in {
                Ok(user) => user,
                // The session ended while the form was open: keep what was typed (see
                // `super::held`) and send the browser to sign in again.
                Err(HtmlError(AppError::Unauthenticated)) if bytes.len() <= FORM_LIMIT => {
                    return Err(match super::held::hold(&req, &bytes).await {
                        Some(answer) => actix_web::error::InternalError::from_response("signed out", answer).into(),
                        None => HtmlError(AppError::Unauthenticated).into(),
                    });
                }
                Err(other) => return Err(other.into()),
            };
            let limit_ok = bytes.len() <= FORM_LIMIT;
            let sent: CsrfField = serde_html_form::from_bytes(&bytes).map_err(|_| HtmlError(AppError::CsrfRejected))?;
            if !limit_ok || !csrf_ok(&user, &sent.csrf_token) {
                return Err(HtmlError(AppError::CsrfRejected).into());
            }
            let form = read_form(&bytes).map_err(HtmlError)?;
            Ok(CsrfForm { user, form, raw: bytes, sender: super::post::Sender::of(&req) })
        })
    }
}

/// A form posted without a session (the sign-in form), parsed like [`CsrfForm`]'s:
/// control characters refused, parser messages that never quote the input.
pub struct PlainForm<T>(pub T);

impl<T> std::ops::Deref for PlainForm<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for PlainForm<T> {
    type Error = HtmlError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, HtmlError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(|_| AppError::field("body", "The form is too large."))?;
            if bytes.len() > FORM_LIMIT {
                return Err(AppError::field("body", "The form is too large.").into());
            }
            Ok(PlainForm(read_form(&bytes)?))
        })
    }
}

/// Parses a form body, refusing control characters and naming what was expected (never
/// quoting what was sent) when it does not fit.
fn read_form<U: DeserializeOwned>(bytes: &[u8]) -> Result<U, AppError> {
    let pairs: Vec<(String, String)> =
        serde_html_form::from_bytes(bytes).map_err(|_| AppError::field("form", "The form could not be read."))?;
    crate::input::check_pairs(&pairs)?;
    serde_html_form::from_bytes(bytes).map_err(|e| {
        let message = crate::input::parse_message(&e.to_string());
        AppError::field("form", format!("The form could not be read: {message}"))
    })
}

pub use crate::service::auth::constant_time_eq;

/// Whether `sent` is the session's CSRF token (constant time): the one check every form
/// post passes, the url-encoded ones here and the file uploads in `super::upload`.
pub(super) fn csrf_ok(user: &SessionUser, sent: &str) -> bool {
    !sent.is_empty() && constant_time_eq(sent.as_bytes(), user.csrf_token.as_bytes())
}
