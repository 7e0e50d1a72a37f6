//! `/api/v1/patients`: list and search, create, read, partial update.

use super::{op, ApiRoute};
use super::{page_number, parse_json, ApiJson, BearerUser};
use crate::db::ids::{ClinicId, PatientId};
use crate::db::patients::{PatientQuery, PatientWithTherapist};
use crate::db::Db;
use crate::domain::history::{self, HistoryCode};
use crate::domain::patient::PatientInput;
use crate::error::AppError;
use crate::service::patients as service;
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Patients per page.
const PER_PAGE: i64 = 50;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::GET, "/patients", list),
        op(Method::POST, "/patients", create),
        op(Method::GET, "/patients/{id}", get),
        op(Method::PATCH, "/patients/{id}", update),
    ]
}

/// A patient as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientJson {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: PatientId,
    /// Send back on update.
    pub version: i32,
    /// Clinic.
    #[schema(value_type = String, format = Uuid)]
    pub clinic_id: ClinicId,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Assigned therapist's name.
    pub therapist_name: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Sex code.
    #[schema(value_type = Option<Sex>)]
    pub sex: Option<String>,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Condition.
    pub condition: String,
    /// The affected side.
    pub side: crate::domain::patient::BodySide,
    /// Onset date.
    pub onset_date: Option<NaiveDate>,
    /// History codes.
    pub history: Vec<HistoryCode>,
    /// Under care or discharged.
    pub status: crate::domain::patient::PatientStatus,
    /// Discharge date.
    pub discharged_on: Option<NaiveDate>,
    /// The current episode of care.
    pub episode: EpisodeJson,
    /// Created (UTC).
    pub created_at: DateTime<Utc>,
    /// Last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

/// An episode of care: from referral (or re-referral, discharged -> active) to discharge.
/// Baselines, change against the MCID and stage criteria belong to the current episode.
#[derive(Debug, Serialize, ToSchema)]
pub struct EpisodeJson {
    /// 1 for the first episode, one more at each re-referral.
    pub number: i32,
    /// The day it started (the patient's creation or re-referral).
    pub started_on: NaiveDate,
    /// The day it ended (discharge), while discharged.
    pub ended_on: Option<NaiveDate>,
}

impl From<PatientWithTherapist> for PatientJson {
    fn from((p, therapist_name): PatientWithTherapist) -> Self {
        Self {
            id: p.id,
            version: p.version,
            clinic_id: p.clinic_id,
            therapist_id: p.therapist_id,
            therapist_name,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            sex: p.sex,
            phone: p.phone,
            email: p.email,
            condition: p.condition,
            side: p.side,
            onset_date: p.onset_date,
            history: history::decode(&p.history),
            status: p.status,
            discharged_on: p.discharged_on,
            episode: EpisodeJson {
                number: p.episode_number,
                started_on: p.episode_started_on.unwrap_or(p.created_at.date()),
                ended_on: p.discharged_on,
            },
            created_at: p.created_at.and_utc(),
            updated_at: p.updated_at.and_utc(),
        }
    }
}

/// One page of patients.
#[derive(Debug, Serialize, ToSchema)]
pub struct PatientPage {
    /// The patients on this page.
    pub items: Vec<PatientJson>,
    /// This page (1-based).
    pub page: i64,
    /// Page size.
    pub per_page: i64,
    /// Matches in all.
    pub total: i64,
}

/// List filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Part of the name.
    pub q: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
    /// Which patients (default `active`).
    #[param(value_type = Option<StatusFilter>)]
    pub status: Option<String>,
}

/// Which patients a list shows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// Under care.
    Active,
    /// Discharged.
    Discharged,
    /// Both.
    All,
}

/// Recorded sex, as the patient states it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other.
    Other,
    /// Prefer not to say.
    NotStated,
}

/// Lists patients of the caller's clinic (admins: every clinic), by name.
#[utoipa::path(operation_id = "listPatients", get, path = "/api/v1/patients", tag = "patients", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = PatientPage), (status = 401, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn list(
    user: BearerUser,
    params: web::Query<ListParams>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let page = page_number(params.page.as_deref())?;
    let status = match params.status.as_deref() {
        None | Some("") | Some("active") => Some("active"),
        Some("discharged") => Some("discharged"),
        Some("all") => None,
        Some(_) => return Err(AppError::field("status", "status must be active, discharged or all.")),
    };
    let query = PatientQuery {
        name: params.q.clone(),
        status,
        therapist_id: None,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
    };
    let (rows, total) = db.read(move |conn| service::list(conn, &user.0, &query)).await?;
    let items = rows.into_iter().map(PatientJson::from).collect();
    Ok(HttpResponse::Ok().json(PatientPage { items, page, per_page: PER_PAGE, total }))
}

/// Adds a patient to the caller's clinic.
#[utoipa::path(operation_id = "createPatient", post, path = "/api/v1/patients", tag = "patients", request_body = PatientInput, security(("bearer" = [])),
    responses((status = 201, body = PatientJson), (status = 401, body = crate::error::ErrorBody),
              (status = 422, description = "validation_failed, naming the field", body = crate::error::ErrorBody)))]
pub async fn create(
    user: BearerUser,
    body: ApiJson<PatientInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let today = crate::service::clinic_settings::clinic_today(&db, &user.0).await?;
    let ctx = user.0;
    let created = db.run(move |conn| service::create(conn, &ctx, &body.0, today)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/patients/{}", created.0.id)))
        .json(PatientJson::from(created)))
}

/// One patient (404 for another clinic's).
#[utoipa::path(operation_id = "getPatient", get, path = "/api/v1/patients/{id}", tag = "patients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Patient id")),
    responses((status = 200, body = PatientJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let id = path.parse::<PatientId>().map_err(|_| AppError::NotFound)?;
    let found = db.read(move |conn| service::get(conn, &user.0, id)).await?;
    Ok(HttpResponse::Ok().json(PatientJson::from(found)))
}

/// A partial update: `version` plus any patient fields to change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PatientPatch {
    /// The version the change is based on.
    pub version: i32,
    /// Fields to change, as in [`PatientInput`]; `"status": "discharged"` with
    /// `discharged_on` discharges, `"status": "active"` re-activates.
    #[serde(flatten)]
    #[schema(value_type = PatientInput)]
    pub changes: serde_json::Map<String, serde_json::Value>,
}

/// Changes some fields of a patient; 409 `version_conflict` when `version` is stale.
#[utoipa::path(operation_id = "updatePatient", patch, path = "/api/v1/patients/{id}", tag = "patients", request_body = PatientPatch, security(("bearer" = [])),
    params(("id" = String, Path, description = "Patient id")),
    responses((status = 200, body = PatientJson), (status = 404, body = crate::error::ErrorBody),
              (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<PatientPatch>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = path.parse::<PatientId>().map_err(|_| AppError::NotFound)?;
    let ApiJson(PatientPatch { version, mut changes }) = body;
    let today = crate::service::clinic_settings::clinic_today(&db, &user.0).await?;
    let ctx = user.0;
    let updated = db
        .run(move |conn| {
            let status = changes.remove("status");
            let discharged_on = changes.remove("discharged_on");
            // The whole request is checked before anything is written.
            if status.is_none() && discharged_on.as_ref().is_some_and(|d| !d.is_null()) {
                return Err(AppError::field("discharged_on", "A discharge date goes with \"status\": \"discharged\"."));
            }
            let status = status.map(|s| status_change(&s, discharged_on.as_ref(), today)).transpose()?;
            let merge = (!changes.is_empty()).then_some(move |current: PatientInput| {
                let mut merged = serde_json::to_value(current).map_err(|e| AppError::Internal(e.to_string()))?;
                if let Some(object) = merged.as_object_mut() {
                    object.extend(changes);
                }
                parse_json::<PatientInput>(merged.to_string().as_bytes())
            });
            service::patch(conn, &ctx, id, version, merge, status, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PatientJson::from(updated)))
}

/// Reads a requested status change: `Some(date)` discharges, `None` re-activates.
fn status_change(
    status: &serde_json::Value,
    date: Option<&serde_json::Value>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, AppError> {
    match status.as_str() {
        Some("active") => Ok(None),
        Some("discharged") => match date {
            None | Some(serde_json::Value::Null) => Ok(Some(today)),
            Some(serde_json::Value::String(text)) => service::discharge_date(Some(text), today).map(Some),
            Some(_) => Err(AppError::field("discharged_on", crate::domain::dates::NOT_A_DATE)),
        },
        _ => Err(AppError::field("status", "status must be active or discharged.")),
    }
}
