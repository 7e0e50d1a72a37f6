//! File uploads from a page: a `multipart/form-data` post, read whole up to a limit, with
//! the session's CSRF token in its `csrf_token` part, checked by the same function as every
//! other form ([`super::session::csrf_ok`]). Only what a picture upload needs: named parts,
//! one of them a file.

use super::post::Sender;
use super::session::{csrf_ok, SessionUser};
use super::HtmlError;
use crate::error::AppError;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// The largest upload body read (the picture's own limit is checked later, with a message
/// next to the field; a body over this one is refused outright).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name the browser sent (never trusted; only tells a file part).
    pub filename: Option<String>,
    /// The part's bytes.
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type.
pub fn boundary(content_type: &str) -> Option<String> {
    let mut pieces = content_type.split(';');
    if !pieces.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    pieces.find_map(|p| {
        let (key, value) = p.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (key.trim().eq_ignore_ascii_case("boundary") && !value.is_empty() && value.len() <= 70)
            .then(|| value.to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// A header parameter such as `name="x"` of a `Content-Disposition` line.
fn parameter(line: &str, key: &str) -> Option<String> {
    line.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(key)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The complete parts of a body (an incomplete last part is left out).
pub fn parts(body: &[u8], boundary: &str) -> Vec<Part> {
    let delimiter = format!("--{boundary}").into_bytes();
    let next = format!("\r\n--{boundary}").into_bytes();
    let mut out = Vec::new();
    let Some(mut at) = find(body, &delimiter, 0) else { return out };
    at += delimiter.len();
    loop {
        if body.get(at..at + 2) != Some(b"\r\n") {
            return out;
        }
        let Some(head_end) = find(body, b"\r\n\r\n", at + 2) else { return out };
        let head = String::from_utf8_lossy(&body[at + 2..head_end]).into_owned();
        let Some(end) = find(body, &next, head_end + 4) else { return out };
        let disposition = head.lines().find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"));
        if let Some(line) = disposition {
            if let Some(name) = parameter(line, "name") {
                out.push(Part { name, filename: parameter(line, "filename"), data: body[head_end + 4..end].to_vec() });
            }
        }
        at = end + next.len();
    }
}

/// An upload posted by a signed-in person with the session's CSRF token.
pub struct Upload {
    /// The signed-in person.
    pub user: SessionUser,
    /// The parts other than the token.
    pub parts: Vec<Part>,
    /// Plain form or htmx (see [`super::post`]).
    pub sender: Sender,
}

impl Upload {
    /// The bytes of the file sent as `name` (`None` when no file was chosen).
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.filename.as_deref().is_some_and(|f| !f.is_empty()))
            .map(|p| p.data.as_slice())
    }
}

impl FromRequest for Upload {
    type Error = HtmlError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, HtmlError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let payload = web::Payload::from_request(&req, payload);
        Box::pin(async move {
            let user = SessionUser::extract(&req).await?;
            let too_large = || HtmlError(AppError::field(crate::service::media::FIELD, "The file is too large."));
            let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok());
            if declared.and_then(|v| v.parse::<usize>().ok()).is_some_and(|n| n > BODY_LIMIT) {
                return Err(too_large());
            }
            let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let boundary = boundary(content_type).ok_or(HtmlError(AppError::CsrfRejected))?;
            let payload = payload.await.map_err(|_| HtmlError(AppError::CsrfRejected))?;
            let body = match payload.to_bytes_limited(BODY_LIMIT).await {
                Ok(Ok(body)) => body,
                Ok(Err(_)) => return Err(HtmlError(AppError::field("body", "The upload could not be read."))),
                Err(_) => return Err(too_large()),
            };
            let (token, parts): (Vec<Part>, Vec<Part>) =
                parts(&body, &boundary).into_iter().partition(|p| p.name == "csrf_token");
            let sent = token.first().map(|p| String::from_utf8_lossy(&p.data).into_owned()).unwrap_or_default();
            if !csrf_ok(&user, &sent) {
                return Err(HtmlError(AppError::CsrfRejected));
            }
            Ok(Upload { user, parts, sender: Sender::of(&req) })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_is_read_from_the_content_type_and_other_types_have_none() {
        assert_eq!(boundary("multipart/form-data; boundary=abc").as_deref(), Some("abc"));
        assert_eq!(boundary("Multipart/Form-Data; charset=utf-8; boundary=\"x y\"").as_deref(), Some("x y"));
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn named_parts_and_files_are_read_and_a_cut_off_part_is_left_out() {
        let body = b"--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok\r\n\
--B\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--x\r\n\
--B--\r\n";
        let list = parts(body, "B");
        assert_eq!(list.len(), 2);
        assert_eq!((list[0].name.as_str(), list[0].data.as_slice()), ("csrf_token", &b"tok"[..]));
        assert_eq!(list[1].filename.as_deref(), Some("a.png"));
        assert_eq!(list[1].data, b"\x89PNG\r\n--x".to_vec());
        let cut = &body[..body.len() - 20];
        assert_eq!(parts(cut, "B").len(), 1);
    }
}
