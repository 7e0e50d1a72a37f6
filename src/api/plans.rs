//! `/api/v1/plans`: staged plans, items through the safety engine, lifecycle and versions.

use super::plan_versions::{missing_version, required, BasedOn, CriteriaUpdate};
use super::plan_views::{ContentJson, CreatedId, CreatedPlan, ItemJson, PlanJson, PlanSummary, VersionJson};
use super::{op, ApiRoute};
use super::{ApiJson, BearerUser};
use crate::db::audit::Reads;
use crate::db::ids::{PatientId, PlanId, ProtocolId};
use crate::db::Db;
use crate::domain::dosage::Dosage;
use crate::domain::plan::PlanStatus;
use crate::domain::progression::{Comparator, Measure};
use crate::error::AppError;
use crate::service::plans::{self as service, AddItem, PlanEdit, Skipped};
use crate::service::Ctx;
use actix_web::http::Method;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The routes of this module (see [`super::routes`]).
pub fn routes() -> Vec<ApiRoute> {
    vec![
        op(Method::POST, "/patients/{id}/plans", create),
        op(Method::GET, "/patients/{id}/plans", list),
        op(Method::GET, "/plans/{id}", get),
        op(Method::GET, "/plans/{id}/versions/{number}", version),
        op(Method::POST, "/plans/{id}/stages/{stage}/items", add_item),
        op(Method::PATCH, "/plans/{id}/items/{item}", update_item),
        op(Method::DELETE, "/plans/{id}/items/{item}", remove_item),
        op(Method::POST, "/plans/{id}/items/{item}/move", move_item),
        op(Method::POST, "/plans/{id}/items/{item}/review", review_item),
        op(Method::POST, "/plans/{id}/items/{item}/consent/withdraw", withdraw_consent),
        op(Method::PATCH, "/plans/{id}/stages/{stage}", edit_stage),
        op(Method::PUT, "/plans/{id}/stages/{stage}/criteria", set_criteria),
        op(Method::POST, "/plans/{id}/goals", add_goal),
        op(Method::DELETE, "/plans/{id}/goals/{goal}", remove_goal),
        op(Method::POST, "/plans/{id}/activate", activate),
        op(Method::POST, "/plans/{id}/amend", amend),
        op(Method::POST, "/plans/{id}/advance", advance),
        op(Method::POST, "/plans/{id}/complete", complete),
        op(Method::POST, "/plans/{id}/discontinue", discontinue),
        op(Method::POST, "/plans/{id}/protocol", save_protocol),
        op(Method::GET, "/plans/{id}/fhir", fhir),
    ]
}

fn plan_id(text: &str) -> Result<PlanId, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

fn uuid(text: &str) -> Result<Uuid, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

async fn respond(db: &Db, ctx: Ctx, id: PlanId, status: StatusCode) -> Result<HttpResponse, AppError> {
    let view = db.read(move |conn| service::get(conn, &ctx, id)).await?;
    Ok(HttpResponse::build(status).json(PlanJson::from(&view)))
}

/// Starting a plan.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CreatePlan {
    /// Title, e.g. "Left L5 sciatica".
    pub title: String,
    /// A protocol to start from (each item is checked again against this patient).
    pub protocol_id: Option<String>,
}

/// Starts a draft plan with the four default stages, or from a protocol.
#[utoipa::path(operation_id = "createPlan", post, path = "/api/v1/patients/{id}/plans", tag = "plans", request_body = CreatePlan, security(("bearer" = [])),
    params(("id" = String, Path, description = "Patient id")),
    responses((status = 201, description = "The plan, with `skipped` protocol items", body = CreatedPlan), (status = 404, body = crate::error::ErrorBody),
              (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<CreatePlan>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let patient: PatientId = path.parse().map_err(|_| AppError::NotFound)?;
    let protocol = match body.0.protocol_id.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Some(
            p.parse::<ProtocolId>()
                .map_err(|_| AppError::field("protocol_id", "Choose one of the listed protocols."))?,
        ),
        None => None,
    };
    let ctx = user.0.clone();
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    let title = body.0.title.clone();
    let (id, skipped): (PlanId, Vec<Skipped>) =
        db.run(move |conn| service::create(conn, &ctx, patient, &title, protocol, today)).await?;
    let ctx = user.0;
    let view = db.read(move |conn| service::get(conn, &ctx, id)).await?;
    let body = CreatedPlan { plan: PlanJson::from(&view), skipped };
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/plans/{id}"))).json(body))
}

/// A patient's plans, newest first.
#[utoipa::path(operation_id = "listPlans", get, path = "/api/v1/patients/{id}/plans", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Patient id")), responses((status = 200, body = Vec<PlanSummary>)))]
pub async fn list(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let patient: PatientId = path.parse().map_err(|_| AppError::NotFound)?;
    let rows = db
        .read(move |conn| {
            let mut reads = Reads::default();
            reads.take(crate::service::patients::get(conn, &user.0, patient)?);
            Ok::<_, AppError>(reads.with(service::for_patient(conn, &user.0, patient)?))
        })
        .await?;
    let items: Vec<PlanSummary> = rows.iter().map(PlanSummary::from).collect();
    Ok(HttpResponse::Ok().json(items))
}

/// One plan: goals, stages with criteria and items, readiness, versions.
#[utoipa::path(operation_id = "getPlan", get, path = "/api/v1/plans/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = PlanJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    respond(&db, user.0, plan_id(&path)?, StatusCode::OK).await
}

/// One activated version, and what changed from the one before.
#[utoipa::path(operation_id = "getPlanVersion", get, path = "/api/v1/plans/{id}/versions/{number}", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("number" = i32, Path, description = "Version number")),
    responses((status = 200, body = VersionJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn version(
    user: BearerUser,
    path: web::Path<(String, String)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path.0)?;
    let number: i32 = path.1.parse().map_err(|_| AppError::NotFound)?;
    let (view, content) = db
        .read(move |conn| {
            let mut reads = Reads::default();
            let view = reads.take(service::get(conn, &user.0, id)?);
            let content = view.version_content(conn, number)?;
            Ok::<_, AppError>(reads.with((view, content)))
        })
        .await?;
    let (row, by) = view.versions.iter().find(|(v, _)| v.number == number).ok_or(AppError::NotFound)?;
    let changes = view.changes(row);
    Ok(HttpResponse::Ok().json(VersionJson {
        number,
        reason: row.reason.clone(),
        activated_by: by.clone(),
        activated_at: row.activated_at.and_utc(),
        content: ContentJson::from(&content),
        changes,
    }))
}

/// Adds a library item to a stage of a draft plan: 201 with `warnings` for relative
/// contraindications; 422 `contraindicated` naming the fact unless `override_reason` is
/// given; 422 `consent_required` without `consent` for invasive items.
#[utoipa::path(operation_id = "addPlanItem", post, path = "/api/v1/plans/{id}/stages/{stage}/items", tag = "plans", request_body = AddItem, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("stage" = String, Path, description = "Stage id")),
    responses((status = 201, body = ItemJson), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_item(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<AddItem>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, stage) = (plan_id(&path.0)?, uuid(&path.1)?);
    required(body.0.version)?;
    let item = db.run(move |conn| service::add_item(conn, &user.0, id, stage, &body.0)).await?;
    Ok(HttpResponse::Created().json(ItemJson::from(&item)))
}

/// Changes to an item.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ItemUpdate {
    /// The plan version the change is based on.
    pub version: Option<i32>,
    /// Dosage overrides (replace the previous overrides).
    pub dosage: Dosage,
    /// Side.
    #[schema(value_type = Option<crate::domain::patient::BodySide>)]
    pub side: Option<String>,
    /// Setting.
    #[schema(value_type = Option<crate::domain::modality::Setting>)]
    pub setting: Option<String>,
    /// Clinician-only notes.
    pub clinician_notes: Option<String>,
}

async fn edit(db: &Db, ctx: Ctx, id: PlanId, version: Option<i32>, change: PlanEdit) -> Result<HttpResponse, AppError> {
    let c = ctx.clone();
    db.run(move |conn| service::edit(conn, &c, id, version, change)).await?;
    respond(db, ctx, id, StatusCode::OK).await
}

/// Changes an item's dosage, side, setting or notes (draft plans).
#[utoipa::path(operation_id = "updatePlanItem", patch, path = "/api/v1/plans/{id}/items/{item}", tag = "plans", request_body = ItemUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = PlanJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update_item(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<ItemUpdate>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (plan_id(&path.0)?, uuid(&path.1)?);
    let ApiJson(ItemUpdate { version, dosage, side, setting, clinician_notes }) = body;
    edit(
        &db,
        user.0,
        id,
        Some(required(version)?),
        PlanEdit::UpdateItem { item, dosage: Box::new(dosage), side, setting, notes: clinician_notes },
    )
    .await
}

/// Removes an item (draft plans); the body names the plan `version` it is based on.
#[utoipa::path(operation_id = "removePlanItem", delete, path = "/api/v1/plans/{id}/items/{item}", tag = "plans", request_body = BasedOn, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = PlanJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove_item(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<BasedOn>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (plan_id(&path.0)?, uuid(&path.1)?);
    edit(&db, user.0, id, Some(required(body.0.version)?), PlanEdit::RemoveItem(item)).await
}

/// A move within a stage.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct MoveItem {
    /// -1 up, 1 down.
    pub by: i32,
    /// The plan version the change is based on.
    pub version: Option<i32>,
}

/// Moves an item up or down within its stage.
#[utoipa::path(operation_id = "movePlanItem", post, path = "/api/v1/plans/{id}/items/{item}/move", tag = "plans", request_body = MoveItem, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = PlanJson)))]
pub async fn move_item(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<MoveItem>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (plan_id(&path.0)?, uuid(&path.1)?);
    edit(&db, user.0, id, Some(required(body.0.version)?), PlanEdit::MoveItem(item, body.0.by)).await
}

/// Stage details.
/// A safety review or consent withdrawal of one item.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ItemReview {
    /// The plan's `version` as read.
    pub version: Option<i32>,
    /// Why the item stays despite the new contraindication (review; required), or why
    /// consent was withdrawn (optional).
    pub reason: String,
}

/// Keeps an item whose absolute contraindication arose after it was added, with a written
/// reason covering each such fact; an active plan keeps it as a new version.
#[utoipa::path(operation_id = "reviewPlanItem", post, path = "/api/v1/plans/{id}/items/{item}/review", tag = "plans", request_body = ItemReview, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = PlanJson), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn review_item(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<ItemReview>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (plan_id(&path.0)?, uuid(&path.1)?);
    let ctx = user.0.clone();
    db.run(move |conn| crate::service::plan_review::review_item(conn, &ctx, id, body.0.version, item, &body.0.reason))
        .await?;
    respond(&db, user.0, id, StatusCode::OK).await
}

/// Records that the patient withdrew consent for an item; the plan then needs review.
#[utoipa::path(operation_id = "withdrawPlanItemConsent", post, path = "/api/v1/plans/{id}/items/{item}/consent/withdraw", tag = "plans", request_body = ItemReview, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = PlanJson), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn withdraw_consent(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<ItemReview>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, item) = (plan_id(&path.0)?, uuid(&path.1)?);
    let ctx = user.0.clone();
    db.run(move |conn| {
        crate::service::plan_review::withdraw_consent(conn, &ctx, id, body.0.version, item, Some(&body.0.reason))
    })
    .await?;
    respond(&db, user.0, id, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct StageUpdate {
    /// Name.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// Planned weeks, 1–52.
    pub planned_weeks: u8,
    /// The plan version the change is based on.
    pub version: Option<i32>,
}

/// Changes a stage's name, purpose and planned weeks.
#[utoipa::path(operation_id = "updateStage", patch, path = "/api/v1/plans/{id}/stages/{stage}", tag = "plans", request_body = StageUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("stage" = String, Path, description = "Stage id")),
    responses((status = 200, body = PlanJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn edit_stage(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<StageUpdate>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, stage) = (plan_id(&path.0)?, uuid(&path.1)?);
    let ApiJson(StageUpdate { name, purpose, planned_weeks, version }) = body;
    edit(&db, user.0, id, Some(required(version)?), PlanEdit::EditStage { stage, name, purpose, weeks: planned_weeks })
        .await
}

/// Replaces a stage's progression criteria: `{version, criteria: [{measure, comparator, value}]}`;
/// a bare list is 422 naming `version`; a stale `version` is 409.
#[utoipa::path(operation_id = "setStageCriteria", put, path = "/api/v1/plans/{id}/stages/{stage}/criteria", tag = "plans", request_body = CriteriaUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("stage" = String, Path, description = "Stage id")),
    responses((status = 200, body = PlanJson), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_criteria(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<Value>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, stage) = (plan_id(&path.0)?, uuid(&path.1)?);
    if !body.0.is_object() || body.0.get("version").is_none_or(Value::is_null) {
        return Err(missing_version());
    }
    let update: CriteriaUpdate = super::parse_json(body.0.to_string().as_bytes())?;
    edit(&db, user.0, id, Some(required(update.version)?), PlanEdit::SetCriteria(stage, update.criteria)).await
}

/// A goal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewGoal {
    /// Measure code, e.g. `nprs_worst`.
    #[schema(value_type = String)]
    pub measure: Measure,
    /// `lt le eq ge gt`.
    #[schema(value_type = String)]
    pub comparator: Comparator,
    /// Target.
    pub target: f64,
    /// Due date.
    #[serde(default, deserialize_with = "crate::domain::dates::optional_day")]
    pub due: Option<NaiveDate>,
    /// The plan version the change is based on (required).
    #[serde(default)]
    pub version: Option<i32>,
}

/// Adds a goal; its baseline comes from the latest signed assessment.
#[utoipa::path(operation_id = "addGoal", post, path = "/api/v1/plans/{id}/goals", tag = "plans", request_body = NewGoal, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = PlanJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_goal(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<NewGoal>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ApiJson(NewGoal { measure, comparator, target, due, version }) = body;
    edit(&db, user.0, id, Some(required(version)?), PlanEdit::AddGoal { measure, comparator, target, due }).await
}

/// Removes a goal.
#[utoipa::path(operation_id = "removeGoal", delete, path = "/api/v1/plans/{id}/goals/{goal}", tag = "plans", security(("bearer" = [])),
    request_body = BasedOn,
    params(("id" = String, Path, description = "Plan id"), ("goal" = String, Path, description = "Goal id")),
    responses((status = 200, body = PlanJson), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn remove_goal(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<BasedOn>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, goal) = (plan_id(&path.0)?, uuid(&path.1)?);
    edit(&db, user.0, id, Some(required(body.0.version)?), PlanEdit::RemoveGoal(goal)).await
}

/// A lifecycle step: optional version check and, where needed, a reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct Step {
    /// The plan version the step is based on.
    pub version: Option<i32>,
    /// Why (amend, complete, discontinue).
    pub reason: String,
}

/// Activates (signs and locks) a draft: 409 `red_flag_unresolved` while a red flag is open.
/// Activating a plan.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActivateRequest {
    /// The plan's `version` as read.
    pub version: Option<i32>,
    /// Why the plan goes ahead without a signed, complete red-flag screen this episode
    /// (kept, shown to leads, counted as a safety override).
    pub screen_override_reason: Option<String>,
    /// The id of the patient's active plan this one replaces (ended in the same transaction).
    pub replaces: Option<String>,
    /// Why the replaced plan ends (required with `replaces`).
    pub reason: Option<String>,
}

#[utoipa::path(operation_id = "activatePlan", post, path = "/api/v1/plans/{id}/activate", tag = "plans", request_body = ActivateRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = PlanJson), (status = 409, description = "red_flag_unresolved, red_flag_screen_missing, safety_review_required, active_plan_exists, plan_locked or version_conflict", body = crate::error::ErrorBody)))]
pub async fn activate(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<ActivateRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ctx = user.0.clone();
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    let ApiJson(ActivateRequest { version, screen_override_reason, replaces, reason }) = body;
    let replaces = match replaces.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(text) => Some(
            text.parse()
                .map_err(|_| AppError::field("replaces", "Give the id of the active plan this one replaces."))?,
        ),
        None => None,
    };
    let req = service::Activation { version, screen_override_reason, replaces, reason };
    db.run(move |conn| service::activate(conn, &ctx, id, &req, today)).await?;
    respond(&db, user.0, id, StatusCode::OK).await
}

/// Opens an active plan for amendment (a reason is required); activating it again makes version n+1.
#[utoipa::path(operation_id = "amendPlan", post, path = "/api/v1/plans/{id}/amend", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = PlanJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn amend(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ctx = user.0.clone();
    db.run(move |conn| service::amend(conn, &ctx, id, body.0.version, &body.0.reason)).await?;
    respond(&db, user.0, id, StatusCode::OK).await
}

/// Moves an active plan to its next stage (the clinician confirms readiness).
#[utoipa::path(operation_id = "advancePlan", post, path = "/api/v1/plans/{id}/advance", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = PlanJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn advance(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ctx = user.0.clone();
    let today = crate::service::clinic_settings::clinic_today(&db, &ctx).await?;
    db.run(move |conn| service::advance(conn, &ctx, id, body.0.version, today)).await?;
    respond(&db, user.0, id, StatusCode::OK).await
}

async fn finish(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
    outcome: PlanStatus,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ctx = user.0.clone();
    db.run(move |conn| service::finish(conn, &ctx, id, body.0.version, outcome, &body.0.reason)).await?;
    respond(&db, user.0, id, StatusCode::OK).await
}

/// Completes a plan, with a reason.
#[utoipa::path(operation_id = "completePlan", post, path = "/api/v1/plans/{id}/complete", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = PlanJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn complete(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    finish(user, path, body, db, PlanStatus::Completed).await
}

/// Discontinues a plan, with a reason.
#[utoipa::path(operation_id = "discontinuePlan", post, path = "/api/v1/plans/{id}/discontinue", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = PlanJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn discontinue(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    finish(user, path, body, db, PlanStatus::Discontinued).await
}

/// A new protocol from a plan.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct SaveProtocol {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// Saves a plan as a clinic protocol.
#[utoipa::path(operation_id = "savePlanAsProtocol", post, path = "/api/v1/plans/{id}/protocol", tag = "plans", request_body = SaveProtocol, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 201, body = CreatedId), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_protocol(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<SaveProtocol>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let protocol =
        db.run(move |conn| service::save_as_protocol(conn, &user.0, id, &body.0.name, &body.0.description)).await?;
    Ok(HttpResponse::Created().json(CreatedId { id: protocol }))
}

/// Which bundle to export.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FhirParams {
    /// `collection` (default) or `transaction` (for import into a FHIR server).
    #[param(value_type = Option<FhirBundleType>)]
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// The FHIR Bundle types the export makes.
#[derive(Debug, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FhirBundleType {
    /// A document of the plan.
    Collection,
    /// `PUT Type/id` entries a FHIR server imports.
    Transaction,
}

/// The plan as a FHIR R4 Bundle (Patient, Condition, CarePlan, Goal, Observation,
/// QuestionnaireResponse); `?type=transaction` for a transaction bundle.
#[utoipa::path(operation_id = "exportPlanFhir", get, path = "/api/v1/plans/{id}/fhir", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), FhirParams),
    responses((status = 200, description = "FHIR R4 Bundle", content_type = "application/fhir+json", body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn fhir(
    user: BearerUser,
    path: web::Path<String>,
    params: web::Query<FhirParams>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    use crate::service::exports::BundleKind;
    let id = plan_id(&path)?;
    let kind = match params.kind.as_deref().map(str::trim) {
        None | Some("") | Some("collection") => BundleKind::Collection,
        Some("transaction") => BundleKind::Transaction,
        Some(_) => return Err(AppError::field("type", "type must be collection or transaction.")),
    };
    let bundle = db.run(move |conn| crate::service::exports::fhir(conn, &user.0, id, kind)).await?;
    Ok(HttpResponse::Ok().content_type("application/fhir+json").body(bundle.to_string()))
}
