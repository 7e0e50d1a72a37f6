//! `/api/v1/plans`: staged plans, items through the safety engine, lifecycle and versions.

use super::plan_versions::{missing_version, required, BasedOn, CriteriaUpdate};
use super::{ApiJson, BearerUser};
use crate::db::ids::{PatientId, PlanId, ProtocolId};
use crate::db::Db;
use crate::domain::dosage::Dosage;
use crate::domain::plan::{diff, PlanContent, PlanStatus};
use crate::domain::progression::{self, Comparator, Measure};
use crate::error::AppError;
use crate::service::plans::{self as service, AddItem, PlanEdit, PlanView, Skipped};
use crate::service::Ctx;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use uuid::Uuid;

/// Registers the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients/{id}/plans", web::post().to(create))
        .route("/patients/{id}/plans", web::get().to(list))
        .route("/plans/{id}", web::get().to(get))
        .route("/plans/{id}/versions/{number}", web::get().to(version))
        .route("/plans/{id}/stages/{stage}/items", web::post().to(add_item))
        .route("/plans/{id}/items/{item}", web::patch().to(update_item))
        .route("/plans/{id}/items/{item}", web::delete().to(remove_item))
        .route("/plans/{id}/items/{item}/move", web::post().to(move_item))
        .route("/plans/{id}/items/{item}/review", web::post().to(review_item))
        .route("/plans/{id}/items/{item}/consent/withdraw", web::post().to(withdraw_consent))
        .route("/plans/{id}/stages/{stage}", web::patch().to(edit_stage))
        .route("/plans/{id}/stages/{stage}/criteria", web::put().to(set_criteria))
        .route("/plans/{id}/goals", web::post().to(add_goal))
        .route("/plans/{id}/goals/{goal}", web::delete().to(remove_goal))
        .route("/plans/{id}/activate", web::post().to(activate))
        .route("/plans/{id}/amend", web::post().to(amend))
        .route("/plans/{id}/advance", web::post().to(advance))
        .route("/plans/{id}/complete", web::post().to(complete))
        .route("/plans/{id}/discontinue", web::post().to(discontinue))
        .route("/plans/{id}/protocol", web::post().to(save_protocol))
        .route("/plans/{id}/fhir", web::get().to(fhir));
}

fn plan_id(text: &str) -> Result<PlanId, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

fn uuid(text: &str) -> Result<Uuid, AppError> {
    text.parse().map_err(|_| AppError::NotFound)
}

/// Plan content as JSON, each item with its effective `dosage` and each criterion and goal
/// with plain `words`.
pub fn content_json(content: &PlanContent) -> Value {
    let mut value = serde_json::to_value(content).unwrap_or(Value::Null);
    if let Some(stages) = value.get_mut("stages").and_then(Value::as_array_mut) {
        for (stage, s) in stages.iter_mut().zip(&content.stages) {
            if let Some(items) = stage.get_mut("items").and_then(Value::as_array_mut) {
                for (item, i) in items.iter_mut().zip(&s.items) {
                    item["dosage"] = serde_json::to_value(i.dosage()).unwrap_or(Value::Null);
                    item["dosage_summary"] = i.dosage().summary().into();
                }
            }
            if let Some(criteria) = stage.get_mut("criteria").and_then(Value::as_array_mut) {
                for (c, crit) in criteria.iter_mut().zip(&s.criteria) {
                    c["words"] = progression::plain_words(crit).into();
                }
            }
        }
    }
    if let Some(goals) = value.get_mut("goals").and_then(Value::as_array_mut) {
        for (g, goal) in goals.iter_mut().zip(&content.goals) {
            g["words"] = progression::plain_words(&goal.criterion()).into();
        }
    }
    value
}

/// The plan as the API returns it.
pub fn plan_json(view: &PlanView) -> Value {
    let content = content_json(&view.content);
    let readiness = view.readiness().map(|(on, e)| {
        json!({
            "assessed_on": on,
            "ready": e.met,
            "criteria": e.per_criterion.iter().map(|(c, o)| json!({"criterion": c, "words": progression::plain_words(c), "outcome": format!("{o:?}").to_lowercase()})).collect::<Vec<_>>(),
        })
    });
    json!({
        "id": view.row.id,
        "patient_id": view.row.patient_id,
        "title": view.row.title,
        "version": view.row.version,
        "plan_version": view.row.plan_version,
        "status": view.row.status,
        "amend_reason": view.row.amend_reason,
        "end_reason": view.row.end_reason,
        "current_stage": view.content.current_stage,
        "has_override": view.content.has_override() || view.row.screen_override_reason.is_some(),
        "screen_override_reason": view.row.screen_override_reason,
        "safety": view.safety,
        "goals": content["goals"],
        "stages": content["stages"],
        "readiness": readiness,
        "versions": view.versions.iter().map(|(v, by)| json!({"number": v.number, "reason": v.reason, "activated_by": by, "activated_at": v.activated_at.and_utc()})).collect::<Vec<_>>(),
    })
}

async fn respond(db: &Db, ctx: Ctx, id: PlanId, status: StatusCode) -> Result<HttpResponse, AppError> {
    let view = db.run(move |conn| service::get(conn, &ctx, id)).await?;
    Ok(HttpResponse::build(status).json(plan_json(&view)))
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
#[utoipa::path(post, path = "/api/v1/patients/{id}/plans", tag = "plans", request_body = CreatePlan, security(("bearer" = [])),
    params(("id" = String, Path, description = "Patient id")),
    responses((status = 201, description = "The plan, with `skipped` protocol items", body = Object), (status = 404, body = crate::error::ErrorBody),
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
    let today = Utc::now().date_naive();
    let title = body.0.title.clone();
    let (id, skipped): (PlanId, Vec<Skipped>) =
        db.run(move |conn| service::create(conn, &ctx, patient, &title, protocol, today)).await?;
    let ctx = user.0;
    let view = db.run(move |conn| service::get(conn, &ctx, id)).await?;
    let mut body = plan_json(&view);
    body["skipped"] = serde_json::to_value(skipped).unwrap_or(Value::Null);
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/plans/{id}"))).json(body))
}

/// A patient's plans, newest first.
#[utoipa::path(get, path = "/api/v1/patients/{id}/plans", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Patient id")), responses((status = 200, body = Object)))]
pub async fn list(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let patient: PatientId = path.parse().map_err(|_| AppError::NotFound)?;
    let rows = db
        .run(move |conn| {
            crate::service::patients::get(conn, &user.0, patient)?;
            service::for_patient(conn, &user.0, patient)
        })
        .await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({"id": r.id, "title": r.title, "status": r.status, "plan_version": r.plan_version, "current_stage": r.current_stage, "version": r.version}))
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// One plan: goals, stages with criteria and items, readiness, versions.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn get(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    respond(&db, user.0, plan_id(&path)?, StatusCode::OK).await
}

/// One activated version, and what changed from the one before.
#[utoipa::path(get, path = "/api/v1/plans/{id}/versions/{number}", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("number" = i32, Path, description = "Version number")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn version(
    user: BearerUser,
    path: web::Path<(String, String)>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path.0)?;
    let number: i32 = path.1.parse().map_err(|_| AppError::NotFound)?;
    let view = db.run(move |conn| service::get(conn, &user.0, id)).await?;
    let content = view.version_content(number)?;
    let changes = if number > 1 { diff(&view.version_content(number - 1)?, &content) } else { Vec::new() };
    let (row, by) = view.versions.iter().find(|(v, _)| v.number == number).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok().json(json!({
        "number": number, "reason": row.reason, "activated_by": by, "activated_at": row.activated_at.and_utc(),
        "content": content_json(&content), "changes": changes,
    })))
}

/// Adds a library item to a stage of a draft plan: 201 with `warnings` for relative
/// contraindications; 422 `contraindicated` naming the fact unless `override_reason` is
/// given; 422 `consent_required` without `consent` for invasive items.
#[utoipa::path(post, path = "/api/v1/plans/{id}/stages/{stage}/items", tag = "plans", request_body = AddItem, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("stage" = String, Path, description = "Stage id")),
    responses((status = 201, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_item(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<AddItem>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, stage) = (plan_id(&path.0)?, uuid(&path.1)?);
    let item = db.run(move |conn| service::add_item(conn, &user.0, id, stage, &body.0)).await?;
    let mut body = serde_json::to_value(&item).unwrap_or(Value::Null);
    body["dosage"] = serde_json::to_value(item.dosage()).unwrap_or(Value::Null);
    Ok(HttpResponse::Created().json(body))
}

/// Changes to an item.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ItemUpdate {
    /// The plan version the change is based on.
    pub version: Option<i32>,
    /// Dosage overrides (replace the previous overrides).
    #[schema(value_type = Object)]
    pub dosage: Dosage,
    /// Side.
    pub side: Option<String>,
    /// Setting.
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
#[utoipa::path(patch, path = "/api/v1/plans/{id}/items/{item}", tag = "plans", request_body = ItemUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
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
#[utoipa::path(delete, path = "/api/v1/plans/{id}/items/{item}", tag = "plans", request_body = BasedOn, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/items/{item}/move", tag = "plans", request_body = MoveItem, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = Object)))]
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/items/{item}/review", tag = "plans", request_body = ItemReview, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/items/{item}/consent/withdraw", tag = "plans", request_body = ItemReview, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("item" = String, Path, description = "Item id")),
    responses((status = 200, body = Object), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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
#[utoipa::path(patch, path = "/api/v1/plans/{id}/stages/{stage}", tag = "plans", request_body = StageUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("stage" = String, Path, description = "Stage id")),
    responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn edit_stage(
    user: BearerUser,
    path: web::Path<(String, String)>,
    body: ApiJson<StageUpdate>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let (id, stage) = (plan_id(&path.0)?, uuid(&path.1)?);
    let ApiJson(StageUpdate { name, purpose, planned_weeks, version }) = body;
    edit(&db, user.0, id, version, PlanEdit::EditStage { stage, name, purpose, weeks: planned_weeks }).await
}

/// Replaces a stage's progression criteria: `{version, criteria: [{measure, comparator, value}]}`;
/// a bare list is 422 naming `version`; a stale `version` is 409.
#[utoipa::path(put, path = "/api/v1/plans/{id}/stages/{stage}/criteria", tag = "plans", request_body = CriteriaUpdate, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id"), ("stage" = String, Path, description = "Stage id")),
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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
    #[serde(default)]
    pub due: Option<NaiveDate>,
}

/// Adds a goal; its baseline comes from the latest signed assessment.
#[utoipa::path(post, path = "/api/v1/plans/{id}/goals", tag = "plans", request_body = NewGoal, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn add_goal(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<NewGoal>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ApiJson(NewGoal { measure, comparator, target, due }) = body;
    edit(&db, user.0, id, None, PlanEdit::AddGoal { measure, comparator, target, due }).await
}

/// Removes a goal.
#[utoipa::path(delete, path = "/api/v1/plans/{id}/goals/{goal}", tag = "plans", security(("bearer" = [])),
    request_body = BasedOn,
    params(("id" = String, Path, description = "Plan id"), ("goal" = String, Path, description = "Goal id")),
    responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
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

#[utoipa::path(post, path = "/api/v1/plans/{id}/activate", tag = "plans", request_body = ActivateRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, body = Object), (status = 409, description = "red_flag_unresolved, red_flag_screen_missing, safety_review_required, active_plan_exists, plan_locked or version_conflict", body = crate::error::ErrorBody)))]
pub async fn activate(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<ActivateRequest>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ctx = user.0.clone();
    let today = Utc::now().date_naive();
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/amend", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/advance", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = Object), (status = 409, body = crate::error::ErrorBody)))]
pub async fn advance(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let ctx = user.0.clone();
    let today = Utc::now().date_naive();
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/complete", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn complete(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<Step>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    finish(user, path, body, db, PlanStatus::Completed).await
}

/// Discontinues a plan, with a reason.
#[utoipa::path(post, path = "/api/v1/plans/{id}/discontinue", tag = "plans", request_body = Step, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 200, body = Object), (status = 422, body = crate::error::ErrorBody)))]
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
#[utoipa::path(post, path = "/api/v1/plans/{id}/protocol", tag = "plans", request_body = SaveProtocol, security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")), responses((status = 201, body = Object), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_protocol(
    user: BearerUser,
    path: web::Path<String>,
    body: ApiJson<SaveProtocol>,
    db: web::Data<Db>,
) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let protocol =
        db.run(move |conn| service::save_as_protocol(conn, &user.0, id, &body.0.name, &body.0.description)).await?;
    Ok(HttpResponse::Created().json(json!({"id": protocol})))
}

/// The plan as a FHIR R4 Bundle (Patient, CarePlan, Goal, Observation, QuestionnaireResponse).
#[utoipa::path(get, path = "/api/v1/plans/{id}/fhir", tag = "plans", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")),
    responses((status = 200, description = "FHIR R4 Bundle (application/fhir+json)", body = Object), (status = 404, body = crate::error::ErrorBody)))]
pub async fn fhir(user: BearerUser, path: web::Path<String>, db: web::Data<Db>) -> Result<HttpResponse, AppError> {
    let id = plan_id(&path)?;
    let bundle = db.run(move |conn| crate::service::exports::fhir(conn, &user.0, id)).await?;
    Ok(HttpResponse::Ok().content_type("application/fhir+json").body(bundle.to_string()))
}
