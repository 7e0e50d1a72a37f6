//! The OpenAPI 3 document, served at `GET /api/v1/openapi.json` (public: it holds no data).

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "physioplan API", description = "Staged treatment plans for physiotherapy clinics. \
        Errors are `{\"error\":{\"code\",\"message\",\"fields\"}}`; dates `YYYY-MM-DD`; times RFC 3339 UTC."),
    paths(
        super::auth::token,
        super::auth::revoke,
        super::auth::me,
        super::auth::totp_begin,
        super::auth::totp_confirm,
        super::account::change_password,
        super::account::list,
        super::account::end,
        super::account::end_others,
        super::patients::list,
        super::patients::create,
        super::patients::get,
        super::patients::update,
        super::assessments::create,
        super::assessments::list,
        super::assessments::get,
        super::assessments::update,
        super::assessments::sign,
        super::assessments::amend,
        super::assessments::act,
        super::assessments::progress,
        super::library::list,
        super::library::get,
        super::library::create,
        super::library::update,
        super::library::protocols,
        super::plans::create,
        super::plans::list,
        super::plans::get,
        super::plans::version,
        super::plans::add_item,
        super::plans::update_item,
        super::plans::remove_item,
        super::plans::move_item,
        super::plans::edit_stage,
        super::plans::set_criteria,
        super::plans::add_goal,
        super::plans::remove_goal,
        super::plans::activate,
        super::plans::amend,
        super::plans::advance,
        super::plans::complete,
        super::plans::discontinue,
        super::plans::save_protocol,
        super::plans::fhir,
        super::caseload::caseload,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail, crate::domain::patient::PatientInput)),
    modifiers(&BearerAuth),
    tags((name = "auth", description = "Tokens, second factor, sessions, password"), (name = "patients", description = "Patients and episodes"),
        (name = "assessments", description = "Structured assessments, scores, red flags, progress"),
        (name = "library", description = "Modality library and protocols"),
        (name = "plans", description = "Staged plans, safety engine, lifecycle, versions"),
        (name = "caseload", description = "Caseload review for clinic leads"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(document));
}

async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
