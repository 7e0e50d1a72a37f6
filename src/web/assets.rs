//! Static assets, embedded in the binary so a deployment is one file.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

const APP_CSS: &str = include_str!("../../assets/app.css");
const AUTOSAVE_JS: &str = include_str!("../../assets/autosave.js");
const APP_JS: &str = include_str!("../../assets/app.js");
const HTMX_JS: &str = include_str!("../../assets/htmx.min.js");
const PRINT_CSS: &str = include_str!("../../assets/print.css");
const PRINT_JS: &str = include_str!("../../assets/print.js");

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/{name}", web::get().to(asset));
}

async fn asset(name: web::Path<String>) -> HttpResponse {
    let (body, kind) = match name.as_str() {
        "app.css" => (APP_CSS, "text/css; charset=utf-8"),
        "app.js" => (APP_JS, "text/javascript; charset=utf-8"),
        "htmx.min.js" => (HTMX_JS, "text/javascript; charset=utf-8"),
        "autosave.js" => (AUTOSAVE_JS, "text/javascript; charset=utf-8"),
        "print.css" => (PRINT_CSS, "text/css; charset=utf-8"),
        "print.js" => (PRINT_JS, "text/javascript; charset=utf-8"),
        _ => return HttpResponse::NotFound().finish(),
    };
    HttpResponse::Ok().content_type(kind).insert_header((header::CACHE_CONTROL, "public, max-age=3600")).body(body)
}
