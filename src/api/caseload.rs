//! `GET /api/v1/caseload`: patients with stage and flags, and per-therapist load.

use super::{page_number, BearerUser};
use crate::db::Db;
use crate::domain::caseload::Flag;
use crate::error::AppError;
use crate::service::caseload::{self as service, Caseload, CaseloadQuery};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// Patients per page.
pub const PER_PAGE: usize = 25;

/// Registers the route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/caseload", web::get().to(caseload));
}

/// Caseload filters as sent (query string).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
pub struct CaseloadParams {
    /// Clinic (admins only; others see their own).
    pub clinic_id: Option<String>,
    /// One therapist's patients.
    pub therapist_id: Option<String>,
    /// A flag code, e.g. `not_improving`.
    pub flag: Option<String>,
    /// Plan stage 1–4 (0: no active plan).
    pub stage: Option<String>,
    /// `name`, `flags`, `stage` or `last_assessed`.
    pub sort: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
}

impl CaseloadParams {
    /// The service query; a bad value is a 422 naming the parameter.
    pub fn query(&self) -> Result<CaseloadQuery, AppError> {
        let text = crate::domain::filled;
        let clinic = match text(&self.clinic_id) {
            Some(c) => Some(c.parse().map_err(|_| AppError::field("clinic_id", "clinic_id must be a clinic's id"))?),
            None => None,
        };
        let therapist = match text(&self.therapist_id) {
            Some(t) => {
                Some(t.parse().map_err(|_| AppError::field("therapist_id", "therapist_id must be a user's id"))?)
            }
            None => None,
        };
        let flag = match text(&self.flag) {
            Some(f) => Some(Flag::parse(&f).ok_or_else(|| {
                let codes: Vec<&str> = Flag::ALL.iter().map(|f| f.code()).collect();
                AppError::field("flag", format!("flag must be one of: {}", codes.join(", ")))
            })?),
            None => None,
        };
        let stage = match text(&self.stage) {
            Some(s) => Some(
                s.parse::<i32>()
                    .ok()
                    .filter(|s| (0..=4).contains(s))
                    .ok_or_else(|| AppError::field("stage", "stage must be 0 to 4"))?,
            ),
            None => None,
        };
        let sort = match text(&self.sort).as_deref() {
            None | Some("name") => None,
            Some(s @ ("flags" | "stage" | "last_assessed")) => Some(s.to_owned()),
            Some(_) => return Err(AppError::field("sort", "sort must be name, flags, stage or last_assessed")),
        };
        Ok(CaseloadQuery { clinic, therapist, flag, stage, sort })
    }
}

/// The JSON of one page of a caseload.
pub fn caseload_json(c: &Caseload, page: usize) -> serde_json::Value {
    let start = (page - 1) * PER_PAGE;
    json!({
        "clinic_id": c.clinic.id,
        "therapists": c.therapists.iter().map(|t| json!({
            "id": t.user.id, "name": t.user.name, "active_patients": t.active,
            "flags": t.flags.iter().map(|(f, n)| (f.code().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "stages": {"none": c.stages[0], "1": c.stages[1], "2": c.stages[2], "3": c.stages[3], "4": c.stages[4]},
        "patients": c.rows.iter().skip(start).take(PER_PAGE).map(|r| json!({
            "id": r.patient.id, "given_name": r.patient.given_name, "family_name": r.patient.family_name,
            "therapist_id": r.patient.therapist_id, "status": r.patient.status, "stage": r.stage,
            "flags": r.flags.iter().map(|f| f.code()).collect::<Vec<_>>(),
            "last_assessed_on": r.last_assessed, "odi_change": r.odi_change,
        })).collect::<Vec<_>>(),
        "page": page,
        "per_page": PER_PAGE,
        "total": c.rows.len(),
    })
}

/// Patients with stage and flags, and each therapist's load. Leads see their clinic,
/// admins any clinic (`clinic_id`), therapists their own patients.
#[utoipa::path(get, path = "/api/v1/caseload", tag = "caseload", params(CaseloadParams), security(("bearer" = [])),
    responses((status = 200, description = "{clinic_id, therapists, stages, patients, page, per_page, total}", body = Object),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn caseload(
    user: BearerUser,
    params: web::Query<CaseloadParams>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let query = params.query()?;
    let page = page_number(params.page.as_deref())? as usize;
    let c = db.run(move |conn| service::load(conn, &user.0, &query)).await?;
    Ok(HttpResponse::Ok().json(caseload_json(&c, page)))
}
