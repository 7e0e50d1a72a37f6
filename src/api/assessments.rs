//! Assessments through the API: record, read, edit a draft, sign, amend, act on red flags,
//! progress over time.

use super::{op, ApiRoute};
use super::{ApiJson, BearerUser};
use crate::db::ids::{AssessmentId, PatientId};
use crate::db::Db;
use crate::domain::assessment::{self, AssessmentContent, AssessmentInput, ContentInput, Scores};
use crate::domain::mcid::McidThresholds;
use crate::domain::red_flags::PROGRESSIVE_NEURO_DEFICIT;
use crate::error::AppError;
use crate::service::assessments::{self as service, progress_series, AssessmentHistory, AssessmentRecord};
use actix_web::http::Method;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::POST, "/patients/{id}/assessments", create),
        op(Method::GET, "/patients/{id}/assessments", list),
        op(Method::GET, "/patients/{id}/progress", progress),
        op(Method::GET, "/assessments/{id}", get),
        op(Method::PATCH, "/assessments/{id}", update),
        op(Method::POST, "/assessments/{id}/sign", sign),
        op(Method::POST, "/assessments/{id}/amendments", amend),
        op(Method::POST, "/assessments/{id}/red-flag-actions", act),
    ]
}

fn id<T: std::str::FromStr>(path: &str) -> Result<T, AppError> {
    path.parse().map_err(|_| AppError::NotFound)
}

/// An amendment's who, when and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmendmentJson {
    /// Who amended.
    pub author: String,
    /// Why.
    pub reason: String,
    /// When (UTC).
    pub at: DateTime<Utc>,
}

/// The neurology trend at one visit: each value against the most recent earlier one.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeurologyJson {
    /// Findings worse than their most recent earlier value.
    #[schema(value_type = Vec<Object>)]
    pub worsened: Vec<crate::domain::neuro_trend::Deterioration>,
    /// First abnormal values on a side never examined before: "needs review".
    #[schema(value_type = Vec<Object>)]
    pub needs_review: Vec<crate::domain::neuro_trend::NeedsReview<uuid::Uuid>>,
}

/// An assessment: its current content, scores and red-flag state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentJson {
    /// Id.
    #[schema(value_type = String)]
    pub id: AssessmentId,
    /// Patient.
    #[schema(value_type = String)]
    pub patient_id: PatientId,
    /// Initial or reassessment.
    pub kind: assessment::AssessmentKind,
    /// Date.
    pub assessed_on: NaiveDate,
    /// Draft or signed.
    pub status: assessment::AssessmentStatus,
    /// Send back on update, sign and amend.
    pub version: i32,
    /// Who signed, when signed.
    pub signed_by: Option<String>,
    /// When signed (UTC).
    pub signed_at: Option<DateTime<Utc>>,
    /// Current content (after amendments).
    pub content: AssessmentContent,
    /// The original content, when amended.
    pub original: Option<AssessmentContent>,
    /// Computed scores.
    pub scores: Scores,
    /// Positive red-flag codes: answered positive, or `rf_progressive_neuro_deficit` derived
    /// from the neurology trend at this visit.
    pub red_flags: Vec<String>,
    /// Positive red flags without a recorded action.
    pub unresolved_red_flags: Vec<String>,
    /// What the neurology trend found at this visit.
    pub neurology: NeurologyJson,
    /// Amendments, oldest first.
    pub amendments: Vec<AmendmentJson>,
}

fn to_json(history: &AssessmentHistory, record: &AssessmentRecord) -> AssessmentJson {
    let profile = crate::service::safety::profile(history);
    let open = &profile.open_red_flags;
    let current = record.current().clone();
    let worsened: Vec<_> =
        profile.worsened.iter().filter(|w| w.at == record.row.id.0).map(|w| w.change.clone()).collect();
    let mut red_flags: Vec<String> = current.red_flags().into_iter().map(str::to_owned).collect();
    if !worsened.is_empty() && !red_flags.iter().any(|f| f == PROGRESSIVE_NEURO_DEFICIT) {
        red_flags.push(PROGRESSIVE_NEURO_DEFICIT.to_owned());
    }
    AssessmentJson {
        id: record.row.id,
        patient_id: record.row.patient_id,
        kind: record.row.kind,
        assessed_on: record.row.assessed_on,
        status: record.row.status,
        version: record.row.version,
        signed_by: record.row.signed_by.clone(),
        signed_at: record.row.signed_at.map(|t| t.and_utc()),
        scores: current.scores(),
        red_flags,
        neurology: NeurologyJson {
            worsened,
            needs_review: profile.needs_review.iter().filter(|n| n.at == record.row.id.0).cloned().collect(),
        },
        unresolved_red_flags: open
            .iter()
            .filter(|f| f.assessment_id == record.row.id.0)
            .map(|f| f.code.to_owned())
            .collect(),
        original: (!record.amendments.is_empty()).then(|| record.original.clone()),
        amendments: record
            .amendments
            .iter()
            .map(|a| AmendmentJson { author: a.author.clone(), reason: a.reason.clone(), at: a.at.and_utc() })
            .collect(),
        content: current,
    }
}

async fn respond(
    db: &Db,
    ctx: crate::service::Ctx,
    id: AssessmentId,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let history = db.read(move |conn| service::get(conn, &ctx, id)).await?;
    let record = history.record(id).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::build(status).json(to_json(&history, record)))
}

/// Records a draft assessment; answers with scores and positive red flags.
#[utoipa::path(operation_id = "createAssessment", post, path = "/api/v1/patients/{id}/assessments", tag = "assessments", request_body = AssessmentInput,
    params(("id" = String, Path, description = "Patient id")), security(("bearer" = [])),
    responses((status = 201, body = AssessmentJson), (status = 404, body = crate::error::ErrorBody),
              (status = 422, description = "validation_failed; out-of-range findings are named", body = crate::error::ErrorBody)))]
pub async fn create(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<AssessmentInput>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let patient: PatientId = id(&path)?;
    let ctx = user.0.clone();
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    let created = db.run(move |conn| service::create(conn, &ctx, patient, &body.0, today)).await?;
    respond(&db, user.0, created, actix_web::http::StatusCode::CREATED).await
}

/// A patient's assessments, oldest first.
#[utoipa::path(operation_id = "listAssessments", get, path = "/api/v1/patients/{id}/assessments", tag = "assessments",
    params(("id" = String, Path, description = "Patient id")), security(("bearer" = [])),
    responses((status = 200, body = Vec<AssessmentJson>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let patient: PatientId = id(&path)?;
    let history = db.read(move |conn| service::history(conn, &user.0, patient)).await?;
    let items: Vec<AssessmentJson> = history.records.iter().map(|r| to_json(&history, r)).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// One assessment.
#[utoipa::path(operation_id = "getAssessment", get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = String, Path, description = "Assessment id")), security(("bearer" = [])),
    responses((status = 200, body = AssessmentJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    respond(&db, user.0, id(&path)?, actix_web::http::StatusCode::OK).await
}

/// A draft update: the version and the whole content (and optionally the date).
#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftUpdate {
    /// The version the change is based on.
    pub version: i32,
    /// New date, `YYYY-MM-DD`.
    pub assessed_on: Option<String>,
    /// The whole content.
    #[serde(flatten)]
    pub content: ContentInput,
}

/// Replaces a draft's content; 409 `locked` for a signed assessment, `version_conflict` when stale.
#[utoipa::path(operation_id = "updateAssessment", patch, path = "/api/v1/assessments/{id}", tag = "assessments", request_body = DraftUpdate,
    params(("id" = String, Path, description = "Assessment id")), security(("bearer" = [])),
    responses((status = 200, body = AssessmentJson), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn update(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<DraftUpdate>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let assessment: AssessmentId = id(&path)?;
    let ctx = user.0.clone();
    let ApiJson(DraftUpdate { version, assessed_on, content }) = body;
    db.run(move |conn| service::update_draft(conn, &ctx, assessment, version, assessed_on.as_deref(), &content))
        .await?;
    respond(&db, user.0, assessment, actix_web::http::StatusCode::OK).await
}

/// Optional version check for sign.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SignRequest {
    /// When given, signing fails with 409 if the draft changed since.
    pub version: Option<i32>,
}

/// Signs (locks) a draft.
#[utoipa::path(operation_id = "signAssessment", post, path = "/api/v1/assessments/{id}/sign", tag = "assessments",
    params(("id" = String, Path, description = "Assessment id")), security(("bearer" = [])),
    responses((status = 200, body = AssessmentJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn sign(
    user: BearerUser,
    path: web::Path<String>,
    body: web::Bytes,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let assessment: AssessmentId = id(&path)?;
    let request: SignRequest = if body.is_empty() { SignRequest::default() } else { super::parse_json(&body)? };
    let ctx = user.0.clone();
    db.run(move |conn| {
        let version = match request.version {
            Some(v) => v,
            None => service::get(conn, &ctx, assessment)?
                .append(conn)?
                .record(assessment)
                .map(|r| r.row.version)
                .ok_or(AppError::NotFound)?,
        };
        service::sign(conn, &ctx, assessment, version)
    })
    .await?;
    respond(&db, user.0, assessment, actix_web::http::StatusCode::OK).await
}

/// An amendment: the version, the reason and the whole new content.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AmendRequest {
    /// The version the amendment is based on.
    pub version: i32,
    /// Why the signed record is amended.
    #[serde(default)]
    pub reason: String,
    /// The whole amended content.
    #[serde(flatten)]
    pub content: ContentInput,
}

/// Amends a signed assessment (the original stays visible).
#[utoipa::path(operation_id = "amendAssessment", post, path = "/api/v1/assessments/{id}/amendments", tag = "assessments", request_body = AmendRequest,
    params(("id" = String, Path, description = "Assessment id")), security(("bearer" = [])),
    responses((status = 201, body = AssessmentJson), (status = 409, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn amend(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<AmendRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let assessment: AssessmentId = id(&path)?;
    let ctx = user.0.clone();
    let ApiJson(AmendRequest { version, reason, content }) = body;
    db.run(move |conn| service::amend(conn, &ctx, assessment, version, &reason, &content)).await?;
    respond(&db, user.0, assessment, actix_web::http::StatusCode::CREATED).await
}

/// What was done about a positive red flag.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActionRequest {
    /// The red-flag code, e.g. `rf_saddle_anaesthesia`.
    pub flag: String,
    /// `emergency_referral`, `urgent_gp_referral`, `gp_letter` or `reviewed_not_concerning`.
    #[schema(value_type = Option<crate::domain::red_flag_action::ActionKind>)]
    pub kind: Option<String>,
    /// What was done, as a sentence, e.g. "Sent to the emergency department for same-day MRI".
    pub action: String,
}

/// Records the action taken on a positive red flag, resolving it.
#[utoipa::path(operation_id = "recordRedFlagAction", post, path = "/api/v1/assessments/{id}/red-flag-actions", tag = "assessments", request_body = ActionRequest,
    params(("id" = String, Path, description = "Assessment id")), security(("bearer" = [])),
    responses((status = 201, body = AssessmentJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn act(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<ActionRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let assessment: AssessmentId = id(&path)?;
    let ctx = user.0.clone();
    db.run(move |conn| {
        service::record_action(
            conn,
            &ctx,
            assessment,
            &body.0.flag,
            body.0.kind.as_deref().unwrap_or_default(),
            &body.0.action,
        )
    })
    .await?;
    respond(&db, user.0, assessment, actix_web::http::StatusCode::CREATED).await
}

/// NPRS, ODI and SLR across a patient's assessments, with change since baseline and MCID.
#[utoipa::path(operation_id = "getProgress", get, path = "/api/v1/patients/{id}/progress", tag = "assessments",
    params(("id" = String, Path, description = "Patient id")), security(("bearer" = [])),
    responses((status = 200, description = "Series per measure", body = ProgressJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn progress(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let patient: PatientId = id(&path)?;
    let history = db.read(move |conn| service::history(conn, &user.0, patient)).await?;
    Ok(HttpResponse::Ok().json(ProgressJson {
        patient_id: patient,
        thresholds: history.thresholds,
        series: progress_series(&history),
    }))
}

/// A patient's measures over time.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressJson {
    /// Patient.
    #[schema(value_type = String, format = Uuid)]
    pub patient_id: PatientId,
    /// The clinic's MCID thresholds.
    pub thresholds: McidThresholds,
    /// One series per measure.
    pub series: Vec<assessment::Series>,
}
