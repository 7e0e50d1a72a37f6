//! `GET /api/v1/caseload`: patients with stage and flags, and per-therapist load.

use super::{op, ApiRoute};
use super::{page_number, BearerUser};
use crate::db::Db;
use crate::domain::caseload::Flag;
use crate::domain::patient::PatientStatus;
use crate::error::AppError;
use crate::service::caseload::{self as service, Caseload, CaseloadParams, CaseloadQuery, PER_PAGE};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![op(Method::GET, "/caseload", caseload)]
}

/// A therapist's load.
#[derive(Debug, Serialize, ToSchema)]
pub struct TherapistJson {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Active patients.
    pub active_patients: usize,
    /// Patients per flag code (only flags that occur).
    pub flags: BTreeMap<Flag, usize>,
}

/// Patients per plan stage: `none` without an active plan, `1`–`4` per stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageCounts {
    /// No active plan.
    pub none: usize,
    /// Stage 1.
    #[serde(rename = "1")]
    pub stage_1: usize,
    /// Stage 2.
    #[serde(rename = "2")]
    pub stage_2: usize,
    /// Stage 3.
    #[serde(rename = "3")]
    pub stage_3: usize,
    /// Stage 4.
    #[serde(rename = "4")]
    pub stage_4: usize,
}

/// A patient in the caseload.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseloadPatient {
    /// Patient id.
    pub id: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Patient status.
    #[schema(value_type = PatientStatus)]
    pub status: String,
    /// Current stage of the active plan.
    pub stage: Option<i32>,
    /// Flags, most urgent first.
    pub flags: Vec<Flag>,
    /// Latest signed assessment.
    pub last_assessed_on: Option<NaiveDate>,
    /// ODI change since baseline (negative = better).
    pub odi_change: Option<f64>,
}

/// One page of a caseload.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseloadJson {
    /// The clinic shown.
    pub clinic_id: String,
    /// Each therapist's load.
    pub therapists: Vec<TherapistJson>,
    /// Patients per stage.
    pub stages: StageCounts,
    /// This page of patients.
    pub patients: Vec<CaseloadPatient>,
    /// This page (1-based).
    pub page: usize,
    /// Page size.
    pub per_page: usize,
    /// Patients in all.
    pub total: usize,
}

impl CaseloadJson {
    /// Page `page` (1-based) of a caseload.
    pub fn page(c: &Caseload, page: usize) -> Self {
        Self {
            clinic_id: c.clinic.id.to_string(),
            therapists: c
                .therapists
                .iter()
                .map(|t| TherapistJson {
                    id: t.user.id.to_string(),
                    name: t.user.name.clone(),
                    active_patients: t.active,
                    flags: t.flags.clone(),
                })
                .collect(),
            stages: StageCounts {
                none: c.stages[0],
                stage_1: c.stages[1],
                stage_2: c.stages[2],
                stage_3: c.stages[3],
                stage_4: c.stages[4],
            },
            patients: c
                .rows
                .iter()
                .map(|r| CaseloadPatient {
                    id: r.id.clone(),
                    given_name: r.given_name.clone(),
                    family_name: r.family_name.clone(),
                    therapist_id: r.therapist_id.clone(),
                    status: r.status.to_string(),
                    stage: r.stage,
                    flags: r.flags.clone(),
                    last_assessed_on: r.last_assessed,
                    odi_change: r.odi_change,
                })
                .collect(),
            page,
            per_page: PER_PAGE,
            total: c.total,
        }
    }
}

/// Patients with stage and flags, and each therapist's load. Leads see their clinic,
/// admins any clinic (`clinic_id`), therapists their own patients.
#[utoipa::path(operation_id = "getCaseload", get, path = "/api/v1/caseload", tag = "caseload", params(CaseloadParams), security(("bearer" = [])),
    responses((status = 200, body = CaseloadJson),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn caseload(
    user: BearerUser,
    params: web::Query<CaseloadParams>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(params.page.as_deref())? as usize;
    let query = CaseloadQuery { page: Some(page), ..params.query()? };
    let c = db.read(move |conn| service::load(conn, &user.0, &query)).await?;
    Ok(HttpResponse::Ok().json(CaseloadJson::page(&c, page)))
}
