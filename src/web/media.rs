//! Uploaded pictures of clinic library items: the upload and remove forms on the item's
//! page, `GET /library/media/{id}` (the stored bytes, for signed-in staff of the clinic),
//! and the `<img>` shown in the library, the plan builder's picker and the handout, in
//! place of a built-in drawing.

use super::components::{csrf, field_errors};
use super::illustrations;
use super::session::{CsrfForm, SessionUser};
use super::upload::Upload;
use super::{HtmlError, HtmlResult};
use crate::db::ids::ModalityId;
use crate::db::Db;
use crate::domain::media::{ImageRef, MAX_BYTES};
use crate::error::{AppError, FieldErrors};
use crate::service::library::{self as library, LibraryItem};
use crate::service::media::{self as service, FIELD};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/library/media/{id}", web::get().to(serve))
        .route("/library/{id}/image", web::post().to(upload))
        .route("/library/{id}/image/remove", web::post().to(remove));
}

/// The picture's URL.
pub fn url(image: &ImageRef) -> String {
    format!("/library/media/{}", image.id)
}

/// An uploaded picture at `width` CSS pixels (height from its proportions when known).
pub fn uploaded(image: &ImageRef, name: &str, width: u32) -> Markup {
    let height = (image.width > 0 && image.height > 0)
        .then(|| (f64::from(width) * f64::from(image.height) / f64::from(image.width)).round() as u32);
    html! { img.illustration.uploaded src=(url(image)) width=(width) height=[height] alt=(format!("{name}: picture")); }
}

/// The item's picture: the clinic's upload if it has one, else the built-in drawing (or
/// nothing).
pub fn picture(item: &LibraryItem, width: u32) -> Markup {
    match &item.image {
        Some(image) => uploaded(&image.image(), &item.def.name, width),
        None => illustrations::img(&item.def.code, &item.def.name, width),
    }
}

/// A handout exercise's picture (see [`picture`]).
pub fn for_code(code: &str, name: &str, image: Option<&ImageRef>, width: u32) -> Markup {
    match image {
        Some(image) => uploaded(image, name, width),
        None => illustrations::img(code, name, width),
    }
}

/// The picture section of a clinic item's page: the current picture, upload and remove.
pub fn section(user: &SessionUser, item: &LibraryItem, errors: &FieldErrors) -> Markup {
    let id = item.row.id;
    html! {
        section.clinic-image aria-labelledby="image-h" {
            h2 #image-h { "Picture" }
            @if let Some(image) = &item.image { (uploaded(&image.image(), &item.def.name, 320)) }
            @else { p.hint { "No picture uploaded; handouts show the text only." } }
            form method="post" action=(format!("/library/{id}/image")) enctype="multipart/form-data" {
                (csrf(user))
                div.field.invalid[errors.contains_key(FIELD)] {
                    label for="image" { "Upload a picture (PNG, JPEG or SVG, up to " (MAX_BYTES / 1024) " KiB)" }
                    input #image type="file" name="image" accept="image/png,image/jpeg,image/svg+xml" required
                        aria-invalid=[errors.contains_key(FIELD).then_some("true")];
                    (field_errors(errors, FIELD))
                }
                button.primary type="submit" { @if item.image.is_some() { "Replace the picture" } @else { "Upload" } }
            }
            @if item.image.is_some() {
                form method="post" action=(format!("/library/{id}/image/remove")) {
                    (csrf(user))
                    button type="submit" { "Remove the picture" }
                }
            }
        }
    }
}

async fn upload(path: web::Path<ModalityId>, form: Upload, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = form.user.ctx.clone();
    let file = form.file(FIELD).map(<[u8]>::to_vec).unwrap_or_default();
    match db.run(move |conn| service::set(conn, &ctx, id, &file)).await {
        Ok(_) => Ok(form.sender.done(&format!("/library/{id}#image-h"))),
        Err(AppError::Validation(errors)) => {
            let ctx = form.user.ctx.clone();
            let item = db.run(move |conn| library::get(conn, &ctx, id)).await?;
            let page = super::library::detail(
                &form.user,
                &item,
                &super::library::form_of(&item),
                &FieldErrors::new(),
                &errors,
            );
            Ok(form.sender.reshow(&format!("/library/{id}"), StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct Nothing {}

async fn remove(path: web::Path<ModalityId>, form: CsrfForm<Nothing>, db: web::Data<Db>) -> HtmlResult {
    let id = path.into_inner();
    let ctx = form.user.ctx.clone();
    db.run(move |conn| service::remove(conn, &ctx, id)).await?;
    Ok(form.done(&format!("/library/{id}#image-h")))
}

/// Headers of a served picture: its own type, never sniffed, never a document that runs
/// anything (an SVG opened directly gets no script and loads nothing), cached by its hash.
pub const MEDIA_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

async fn serve(
    user: SessionUser,
    path: web::Path<String>,
    req: HttpRequest,
    db: web::Data<Db>,
) -> Result<HttpResponse, HtmlError> {
    let id = path.into_inner();
    let ctx = user.ctx.clone();
    let file = db.run(move |conn| service::file(conn, &ctx, &id)).await?;
    let etag = format!("\"{}\"", file.sha256);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CONTENT_TYPE, file.content_type.clone()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, MEDIA_CSP))
        .insert_header((header::CONTENT_DISPOSITION, "inline"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400"))
        .insert_header((header::ETAG, etag));
    Ok(if fresh { response.finish() } else { response.body(file.bytes) })
}
