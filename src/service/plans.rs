//! Plan use cases: start (blank or from a protocol), build (items through the safety
//! engine, goals, stages, criteria), activate, amend, advance, finish; save as protocol.

use super::assessments::{self, AssessmentHistory, AssessmentRecord};
use super::library::{self, LibraryItem};
pub use super::plan_items::AddItem;
use super::plan_items::{build_item, check_dosage, check_setting, check_side, notes};
pub use super::plan_lifecycle::{activate, advance, amend, finish, Activation};
use super::{now, safety, Ctx};
use crate::authz::Permission;
use crate::db::audit::Audited;
use crate::db::ids::{ModalityId, PatientId, PlanId, ProtocolId};
use crate::db::plans::{self as store, PlanChanges, PlanRow, PlanVersionRow};
use crate::db::{is_unique_violation, library as library_store, plan_storage, DbConn, DbError};
use crate::domain::dosage::Dosage;
use crate::domain::modality::ModalityDef;
use crate::domain::plan::{
    diff, measure_snapshot, Change, EditError, Goal, PlanContent, PlanItem, PlanStage, PlanStatus,
};
use crate::domain::plan_safety::PlanSafety;
use crate::domain::plan_storage::{LibraryCopy, StoredContent};
use crate::domain::progression::{Comparator, Criterion, Evaluation, Measure, MeasureSnapshot};
use crate::domain::protocol::ProtocolContent;
use crate::domain::safety::SafetyProfile;
use crate::domain::safety_profile::in_episode;
use crate::error::AppError;
use chrono::NaiveDate;
use diesel::Connection;
use std::collections::HashMap;
use uuid::Uuid;

/// A plan with everything its page needs: content, versions, the patient's assessments
/// (for baselines and readiness), the patient's safety profile and the plan's safety
/// against it. Constant queries.
#[derive(Debug, Clone)]
pub struct PlanView {
    /// The stored row.
    pub row: PlanRow,
    /// The working content.
    pub content: PlanContent,
    /// Activated versions, oldest first, with who activated them.
    pub versions: Vec<(PlanVersionRow, String)>,
    /// The patient and their assessments.
    pub history: AssessmentHistory,
    /// The patient's safety profile, from the whole record.
    pub profile: SafetyProfile,
    /// The working content against the profile.
    pub safety: PlanSafety,
    /// Another plan of the patient that is active (id, title): activating this one replaces it.
    pub active_other: Option<(PlanId, String)>,
    /// The safety rules of the library item versions its items reference.
    pub rules: HashMap<String, ModalityDef>,
}

/// Measures from the latest signed assessment of the current episode (baseline: the
/// episode's first signed one).
pub fn latest_snapshot(history: &AssessmentHistory) -> Option<(NaiveDate, MeasureSnapshot)> {
    let start = history.patient.0.episode_started_on;
    let signed: Vec<&AssessmentRecord> =
        history.records.iter().filter(|r| r.is_signed() && in_episode(start, r.row.assessed_on)).collect();
    let latest = signed.last()?;
    let baseline = signed.first().map(|r| r.current());
    Some((latest.row.assessed_on, measure_snapshot(latest.current(), baseline, history.patient.0.side.code())))
}

impl PlanView {
    /// Lifecycle state.
    pub fn status(&self) -> PlanStatus {
        self.row.status
    }

    /// The current stage's criteria against the latest signed assessment.
    pub fn readiness(&self) -> Option<(NaiveDate, Evaluation)> {
        let (on, snapshot) = latest_snapshot(&self.history)?;
        self.content.readiness(&snapshot).map(|e| (on, e))
    }

    /// Version `number`'s content: two queries (its manifest, then the stage blobs it names).
    pub fn version_content(&self, conn: &mut DbConn, number: i32) -> Result<PlanContent, AppError> {
        version_content(conn, self.row.id, number)?.ok_or(AppError::NotFound)
    }

    /// What version `v` changed from the version before, as stored at its activation.
    pub fn changes(&self, v: &PlanVersionRow) -> Vec<Change> {
        v.changes.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
    }
}

/// Version `number` of a plan, with its items' library fields: none when there is no such
/// version.
pub(super) fn version_content(conn: &mut DbConn, plan: PlanId, number: i32) -> Result<Option<PlanContent>, AppError> {
    let Some(json) = store::version_content(conn, plan, number)? else { return Ok(None) };
    let stored = plan_storage::read_version(conn, &json)?
        .ok_or_else(|| AppError::Internal("stored plan version unreadable".into()))?;
    let library = plan_storage::library_copies(conn, &stored.modality_ids())?;
    Ok(Some(stored.hydrate(&library)))
}

/// The stored form of working content (see [`crate::domain::plan_storage`]).
pub(super) fn parse_stored(json: &str) -> Result<StoredContent, AppError> {
    serde_json::from_str(json).map_err(|e| crate::error::unreadable("stored plan", &e))
}

/// Stored working content with its items' library fields: one query.
pub(super) fn read_content(conn: &mut DbConn, json: &str) -> Result<PlanContent, AppError> {
    let stored = parse_stored(json)?;
    let library = plan_storage::library_copies(conn, &stored.modality_ids())?;
    Ok(stored.hydrate(&library))
}

/// Working content as stored.
pub(super) fn stored_json(content: &PlanContent) -> String {
    StoredContent::of(content).to_json()
}

/// Stores `content` as version `number` (stages shared with earlier versions are stored
/// once) with what changed from the version before.
pub(super) fn store_version(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    number: i32,
    content: &PlanContent,
    reason: Option<&str>,
) -> Result<(), AppError> {
    let changes = match number {
        1 => Vec::new(),
        n => version_content(conn, plan, n - 1)?.map(|old| diff(&old, content)).unwrap_or_default(),
    };
    let (manifest, blobs) = StoredContent::of(content).manifest();
    let version =
        store::NewVersion { number, content: &manifest.to_json(), blobs: &blobs, changes: &to_json(&changes)?, reason };
    store::insert_version(conn, plan, &version, ctx.actor.user_id, now())?;
    Ok(())
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

pub(super) fn edit_error(e: EditError) -> AppError {
    match e {
        EditError::NotFound => AppError::NotFound,
        EditError::Invalid(field, message) => AppError::field(field, message),
    }
}

/// Loads a plan in scope with its context, without auditing.
pub(super) fn load(conn: &mut DbConn, ctx: &Ctx, id: PlanId) -> Result<PlanView, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    // One snapshot for the plan and its context (SQLite keeps its page cache between them).
    conn.transaction(|conn| load_in(conn, ctx, id))
}

fn load_in(conn: &mut DbConn, ctx: &Ctx, id: PlanId) -> Result<PlanView, AppError> {
    let row = store::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    let history = assessments::load_history(conn, ctx, row.patient_id)?;
    let versions = store::versions(conn, id)?;
    let stored = parse_stored(&row.content)?;
    // One query gives both the items' library fields and their safety rules.
    let mut rules = HashMap::new();
    let mut library = HashMap::new();
    for lib in library_store::by_ids(conn, &stored.modality_ids())? {
        let lib = library::parse(lib)?;
        library.insert(lib.row.id.to_string(), LibraryCopy::of(lib.row.version, &lib.def));
        rules.insert(lib.row.id.to_string(), lib.def);
    }
    let content = stored.hydrate(&library);
    let profile = safety::profile(&history);
    let checked = safety::evaluate(&content, &rules, &profile);
    // Only a draft can be activated, so only a draft asks which plan it would replace.
    let active_other = if row.status == PlanStatus::Draft {
        store::active_for_patient(conn, row.patient_id)?
            .filter(|(other, _)| *other != id.to_string())
            .and_then(|(other, title)| Some((other.parse().ok()?, title)))
    } else {
        None
    };
    Ok(PlanView { content, row, versions, history, profile, safety: checked, active_other, rules })
}

pub(super) fn review_required(view: &PlanView) -> Result<(), AppError> {
    if !view.safety.review_needed() {
        return Ok(());
    }
    let names: Vec<String> =
        view.safety.problems.iter().filter(|p| p.blocks()).map(|p| format!("{} ({})", p.code, p.fact)).collect();
    Err(AppError::Conflict {
        code: "safety_review_required",
        message: format!(
            "Review the plan's safety first: {} no longer fits what is known about the patient. Remove the item or keep it with a written reason.",
            names.join(", ")
        ),
    })
}

/// A plan for its page or the API. Audited.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: PlanId) -> Result<Audited<PlanView>, AppError> {
    let view = load(conn, ctx, id)?;
    let (clinic, patient) = (view.row.clinic_id, view.row.patient_id);
    Ok(ctx.audited(view, "plan.read", Some(clinic), Some(patient), Some(format!("plan={id}"))))
}

/// A patient's plans, newest first. Audited (with the patient read).
pub fn for_patient(conn: &mut DbConn, ctx: &Ctx, patient: PatientId) -> Result<Vec<PlanRow>, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    Ok(store::for_patient(conn, patient)?)
}

/// Whether the plan can be edited (a draft, first or amending).
pub(super) fn require_draft(view: &PlanView) -> Result<(), AppError> {
    if view.status() == PlanStatus::Draft {
        Ok(())
    } else {
        Err(AppError::Conflict {
            code: "plan_locked",
            message: "This plan is active and locked. Amend it to make changes (a new version is kept).".into(),
        })
    }
}

/// Saves the working content with lifecycle columns; 409 when someone saved first.
#[allow(clippy::too_many_arguments)]
pub(super) fn save(
    conn: &mut DbConn,
    ctx: &Ctx,
    view: &PlanView,
    content: &PlanContent,
    status: PlanStatus,
    plan_version: i32,
    amend_reason: Option<String>,
    end_reason: Option<String>,
    action: &str,
) -> Result<(), AppError> {
    // The view's rules cover the content but for an item being added; a read before the
    // first write of a SQLite transaction would make a concurrent save fail as busy.
    let rules = if content.items().all(|(_, i)| view.rules.contains_key(&i.modality_id)) {
        std::borrow::Cow::Borrowed(&view.rules)
    } else {
        std::borrow::Cow::Owned(safety::rules_for(conn, content)?)
    };
    let changes = PlanChanges {
        status,
        plan_version,
        content: stored_json(content),
        amend_reason,
        current_stage: i32::from(content.current_stage),
        stage_started_on: content.current().and_then(|s| s.started_on),
        has_override: content.has_override(),
        end_reason,
        stage_planned_weeks: content.current().map(|s| i32::from(s.planned_weeks)),
        safety_review: safety::evaluate(content, &rules, &view.profile).review_needed(),
        screen_override_reason: view.row.screen_override_reason.clone(),
    };
    // The one unique rule on plans besides the id: one active plan per patient.
    let saved = store::save(conn, view.row.id, view.row.version, changes, now()).map_err(|e| match e {
        DbError::Query(q) if is_unique_violation(&q) => AppError::Conflict {
            code: "active_plan_exists",
            message: "Another plan of this patient is active. Say which plan this one replaces, and why.".into(),
        },
        other => other.into(),
    })?;
    if !saved {
        return Err(AppError::VersionConflict);
    }
    super::caseload_summary::refresh(conn, view.row.patient_id)?;
    ctx.audit(
        conn,
        action,
        Some(view.row.clinic_id),
        Some(view.row.patient_id),
        Some(format!("plan={}", view.row.id)),
    )?;
    Ok(())
}

/// Saves an edit of a draft, keeping its lifecycle columns.
fn save_draft(
    conn: &mut DbConn,
    ctx: &Ctx,
    view: &PlanView,
    content: &PlanContent,
    action: &str,
) -> Result<(), AppError> {
    save(
        conn,
        ctx,
        view,
        content,
        PlanStatus::Draft,
        view.row.plan_version,
        view.row.amend_reason.clone(),
        None,
        action,
    )
}

/// An item the protocol could not add for this patient, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Skipped {
    /// Library code.
    pub code: String,
    /// Why (contraindicated, consent needed, not in the library).
    pub reason: String,
}

/// Starts a draft plan for a patient: the four default stages, or a protocol applied with
/// every item checked again against this patient (items it cannot add are reported).
pub fn create(
    conn: &mut DbConn,
    ctx: &Ctx,
    patient: PatientId,
    title: &str,
    protocol: Option<ProtocolId>,
    today: NaiveDate,
) -> Result<(PlanId, Vec<Skipped>), AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::field("title", "Give the plan a title of up to 200 characters."));
    }
    let history = assessments::history(conn, ctx, patient)?.append(conn)?;
    let profile = safety::profile(&history);
    let (content, skipped) = match protocol {
        None => (PlanContent::with_default_stages(), Vec::new()),
        Some(id) => {
            let template = library::protocol(conn, ctx, id).map_err(|e| match e {
                AppError::NotFound => AppError::field("protocol_id", "Choose one of the listed protocols."),
                other => other,
            })?;
            if template.row.retired {
                return Err(AppError::field(
                    "protocol_id",
                    "This protocol has been retired; choose one of the listed protocols.",
                ));
            }
            apply_protocol(conn, ctx, &history, &profile, &template.content, today)?
        }
    };
    let id = PlanId::new();
    let clinic = history.patient.0.clinic_id;
    conn.transaction(|conn| {
        store::insert(conn, id, patient, clinic, title, &stored_json(&content), ctx.actor.user_id, now())?;
        super::caseload_summary::refresh(conn, patient)?;
        let detail = format!("plan={id} protocol={}", protocol.map(|p| p.to_string()).unwrap_or_default());
        ctx.audit(conn, "plan.create", Some(clinic), Some(patient), Some(detail))?;
        Ok((id, skipped))
    })
}

fn apply_protocol(
    conn: &mut DbConn,
    ctx: &Ctx,
    history: &AssessmentHistory,
    profile: &SafetyProfile,
    template: &ProtocolContent,
    today: NaiveDate,
) -> Result<(PlanContent, Vec<Skipped>), AppError> {
    let codes: Vec<String> = template.stages.iter().flat_map(|s| s.items.iter().map(|i| i.code.clone())).collect();
    let rows = library_store::current_by_codes(conn, history.patient.0.clinic_id, &codes)?;
    let snapshot = latest_snapshot(history).map(|(_, s)| s).unwrap_or_default();
    let mut content = PlanContent::with_default_stages();
    content.stages = Vec::new();
    let mut skipped = Vec::new();
    for (n, stage) in template.stages.iter().enumerate() {
        let mut items = Vec::new();
        for item in &stage.items {
            // A clinic's own item with the same code wins over the built-in one.
            let row = rows.iter().filter(|r| r.code == item.code).max_by_key(|r| r.clinic_id.is_some());
            let Some(row) = row else {
                skipped.push(Skipped { code: item.code.clone(), reason: "not in the library".into() });
                continue;
            };
            let lib = LibraryItem {
                def: serde_json::from_str(&row.definition).map_err(|e| crate::error::unreadable("library item", &e))?,
                row: row.clone(),
                image: None,
            };
            let req = AddItem {
                dosage: Some(item.dosage_override.clone()),
                setting: item.setting.map(|s| s.code().to_owned()),
                ..AddItem::default()
            };
            match build_item(ctx, &lib, profile, &req) {
                Ok(built) => items.push(built),
                Err(AppError::Refused { message, .. }) => {
                    skipped.push(Skipped { code: item.code.clone(), reason: message })
                }
                Err(other) => return Err(other),
            }
        }
        content.stages.push(PlanStage {
            id: Uuid::now_v7(),
            position: u8::try_from(n + 1).unwrap_or(u8::MAX),
            stage: stage.stage,
            name: stage.name.clone(),
            purpose: stage.purpose.clone(),
            planned_weeks: stage.planned_weeks,
            criteria: stage.criteria.clone(),
            items,
            started_on: None,
            completed_on: None,
        });
    }
    for g in &template.goals {
        content.goals.push(Goal {
            id: Uuid::now_v7(),
            measure: g.measure,
            comparator: g.comparator,
            baseline: snapshot.get(&g.measure).copied(),
            target: g.target,
            due: g.due_weeks.map(|w| today + chrono::Duration::weeks(i64::from(w))),
        });
    }
    Ok((content, skipped))
}

/// Adds a library item to a stage of a draft plan, through the safety engine.
pub fn add_item(conn: &mut DbConn, ctx: &Ctx, plan: PlanId, stage: Uuid, req: &AddItem) -> Result<PlanItem, AppError> {
    let view = load(conn, ctx, plan)?;
    require_draft(&view)?;
    if req.version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    let modality: ModalityId = req
        .modality_id
        .trim()
        .parse()
        .map_err(|_| AppError::field("modality_id", "Choose an item from the library."))?;
    let lib = library::get(conn, ctx, modality).map_err(|e| match e {
        AppError::NotFound => AppError::field("modality_id", "Choose an item from the library."),
        other => other,
    })?;
    if lib.row.retired {
        return Err(AppError::field(
            "modality_id",
            "This item has been retired from the clinic library; choose another. Plans that have it keep it.",
        ));
    }
    let item = build_item(ctx, &lib, &view.profile, req)?;
    let mut view = view;
    view.rules.insert(lib.row.id.to_string(), lib.def.clone());
    let mut content = view.content.clone();
    content.add_item(stage, item.clone()).map_err(edit_error)?;
    conn.transaction(|conn| save_draft(conn, ctx, &view, &content, "plan.item_add"))?;
    Ok(item)
}

/// An edit to a draft plan.
#[derive(Debug, Clone)]
pub enum PlanEdit {
    /// Remove an item.
    RemoveItem(Uuid),
    /// Move an item up (-1) or down (1).
    MoveItem(Uuid, i32),
    /// Change an item's dosage overrides, side, setting and notes.
    UpdateItem {
        /// The item.
        item: Uuid,
        /// New overrides.
        dosage: Box<Dosage>,
        /// Side.
        side: Option<String>,
        /// Setting.
        setting: Option<String>,
        /// Clinician-only notes.
        notes: Option<String>,
    },
    /// Change a stage's name, purpose and planned weeks.
    EditStage {
        /// The stage.
        stage: Uuid,
        /// Name.
        name: String,
        /// Purpose.
        purpose: String,
        /// Weeks.
        weeks: u8,
    },
    /// Replace a stage's progression criteria.
    SetCriteria(Uuid, Vec<Criterion>),
    /// Add one criterion to a stage.
    AddCriterion(Uuid, Criterion),
    /// Remove a stage's criterion by its id ([`crate::domain::plan::criterion_id`]).
    RemoveCriterion(Uuid, String),
    /// Add a goal; the baseline comes from the latest signed assessment.
    AddGoal {
        /// Measure.
        measure: Measure,
        /// Comparator.
        comparator: Comparator,
        /// Target.
        target: f64,
        /// Due date.
        due: Option<NaiveDate>,
    },
    /// Remove a goal.
    RemoveGoal(Uuid),
}

/// Applies an edit to a draft plan (409 `plan_locked` when active, `version_conflict` when
/// `version` is stale).
pub fn edit(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    version: Option<i32>,
    change: PlanEdit,
) -> Result<(), AppError> {
    let view = load(conn, ctx, plan)?;
    require_draft(&view)?;
    if version.is_some_and(|v| v != view.row.version) {
        return Err(AppError::VersionConflict);
    }
    let mut content = view.content.clone();
    let action = match change {
        PlanEdit::RemoveItem(item) => content.remove_item(item).map(|_| "plan.item_remove"),
        PlanEdit::MoveItem(item, by) => content.move_item(item, by).map(|_| "plan.item_move"),
        PlanEdit::UpdateItem { item, dosage, side, setting, notes: text } => {
            let dosage = check_dosage(Some(dosage.as_ref()))?;
            let side = check_side(side.as_deref())?;
            let text = notes(text.as_deref())?;
            let target = content.item_mut(item).map_err(edit_error)?;
            target.setting = check_setting(setting.as_deref(), target.setting)?;
            target.dosage_override = dosage;
            target.side = side;
            target.clinician_notes = text;
            Ok("plan.item_update")
        }
        PlanEdit::EditStage { stage, name, purpose, weeks } => {
            content.edit_stage(stage, &name, &purpose, weeks).map(|_| "plan.stage_update")
        }
        PlanEdit::SetCriteria(stage, criteria) => content.set_criteria(stage, criteria).map(|_| "plan.criteria_update"),
        PlanEdit::AddCriterion(stage, c) => content.add_criterion(stage, c).map(|_| "plan.criteria_update"),
        PlanEdit::RemoveCriterion(stage, id) => content.remove_criterion(stage, &id).map(|_| "plan.criteria_update"),
        PlanEdit::AddGoal { measure, comparator, target, due } => {
            let baseline = latest_snapshot(&view.history).and_then(|(_, s)| s.get(&measure).copied());
            content
                .add_goal(Goal { id: Uuid::now_v7(), measure, comparator, baseline, target, due })
                .map(|_| "plan.goal_add")
        }
        PlanEdit::RemoveGoal(goal) => content.remove_goal(goal).map(|_| "plan.goal_remove"),
    }
    .map_err(edit_error)?;
    conn.transaction(|conn| save_draft(conn, ctx, &view, &content, action))
}

pub(super) fn reason(field: &str, text: &str, what: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(AppError::field(field, format!("Enter {what} (up to 2000 characters).")));
    }
    Ok(text.to_owned())
}

/// Saves a plan as a clinic protocol.
pub fn save_as_protocol(
    conn: &mut DbConn,
    ctx: &Ctx,
    plan: PlanId,
    name: &str,
    description: &str,
) -> Result<ProtocolId, AppError> {
    let view = load(conn, ctx, plan)?;
    let start = view.content.stages.first().and_then(|s| s.started_on);
    let template = ProtocolContent::from_plan(&view.content, start);
    library::save_protocol(conn, ctx, name, description, &template)
}
