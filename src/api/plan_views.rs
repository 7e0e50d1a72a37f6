//! The typed JSON views of plans: what `GET /api/v1/plans/{id}` and the plan routes answer.
//! Each derives `ToSchema`, so the OpenAPI document describes exactly what is sent.

use crate::db::ids::{PatientId, PlanId, ProtocolId};
use crate::db::plans::PlanRow;
use crate::domain::dosage::Dosage;
use crate::domain::modality::Stage;
use crate::domain::plan::{Change, Goal, PlanContent, PlanItem, PlanStage, PlanStatus};
use crate::domain::plan_safety::PlanSafety;
use crate::domain::progression::{self, Criterion, Outcome};
use crate::service::plans::{PlanView, Skipped};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A plan item with its effective dosage (library default with the plan's overrides).
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemJson {
    /// The item as stored.
    #[serde(flatten)]
    pub item: PlanItem,
    /// The effective dosage.
    pub dosage: Dosage,
    /// The effective dosage in words, e.g. "3 × 10, daily".
    pub dosage_summary: String,
}

impl From<&PlanItem> for ItemJson {
    fn from(i: &PlanItem) -> Self {
        Self { item: i.clone(), dosage: i.dosage(), dosage_summary: i.dosage().summary() }
    }
}

/// A progression criterion with its plain words.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionJson {
    /// Stable id within the stage (derived from the rule; never a list position).
    pub id: String,
    /// The rule.
    #[serde(flatten)]
    pub criterion: Criterion,
    /// In words, e.g. "Worst pain in the last 24 hours at most 5".
    pub words: String,
}

impl From<&Criterion> for CriterionJson {
    fn from(c: &Criterion) -> Self {
        Self { id: crate::domain::plan::criterion_id(c), criterion: *c, words: progression::plain_words(c) }
    }
}

/// A goal with its plain words.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoalJson {
    /// The goal.
    #[serde(flatten)]
    pub goal: Goal,
    /// In words.
    pub words: String,
}

impl From<&Goal> for GoalJson {
    fn from(g: &Goal) -> Self {
        Self { goal: g.clone(), words: progression::plain_words(&g.criterion()) }
    }
}

/// One stage of a plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageJson {
    /// Id within the plan.
    pub id: Uuid,
    /// 1–4, in order.
    pub position: u8,
    /// Which of the default stages it is.
    pub stage: Stage,
    /// Name.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// Planned length in weeks.
    pub planned_weeks: u8,
    /// When the patient may move on.
    pub criteria: Vec<CriterionJson>,
    /// Treatment items, in order.
    pub items: Vec<ItemJson>,
    /// When the patient entered this stage.
    pub started_on: Option<NaiveDate>,
    /// When the clinician confirmed progression out of it.
    pub completed_on: Option<NaiveDate>,
}

impl From<&PlanStage> for StageJson {
    fn from(s: &PlanStage) -> Self {
        Self {
            id: s.id,
            position: s.position,
            stage: s.stage,
            name: s.name.clone(),
            purpose: s.purpose.clone(),
            planned_weeks: s.planned_weeks,
            criteria: s.criteria.iter().map(CriterionJson::from).collect(),
            items: s.items.iter().map(ItemJson::from).collect(),
            started_on: s.started_on,
            completed_on: s.completed_on,
        }
    }
}

/// Plan content: goals, stages and the current stage.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContentJson {
    /// Goals.
    pub goals: Vec<GoalJson>,
    /// Stages in order.
    pub stages: Vec<StageJson>,
    /// Position (1–4) of the stage the patient is in.
    pub current_stage: u8,
}

impl From<&PlanContent> for ContentJson {
    fn from(c: &PlanContent) -> Self {
        Self {
            goals: c.goals.iter().map(GoalJson::from).collect(),
            stages: c.stages.iter().map(StageJson::from).collect(),
            current_stage: c.current_stage,
        }
    }
}

/// How one criterion of the current stage fares on the latest assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionOutcome {
    /// The rule.
    pub criterion: Criterion,
    /// In words.
    pub words: String,
    /// Met, not met, or no data.
    pub outcome: Outcome,
}

/// Readiness to move on, from the latest assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// The assessment the values come from.
    pub assessed_on: NaiveDate,
    /// Every criterion met.
    pub ready: bool,
    /// Each criterion.
    pub criteria: Vec<CriterionOutcome>,
}

/// An activated version, in the list of a plan's versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    /// Number, from 1.
    pub number: i32,
    /// Why this version was made.
    pub reason: Option<String>,
    /// Who activated it (name).
    pub activated_by: String,
    /// When (UTC).
    pub activated_at: DateTime<Utc>,
}

/// A plan: goals, stages with criteria and items, readiness, versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanJson {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: PlanId,
    /// Patient.
    #[schema(value_type = String, format = Uuid)]
    pub patient_id: PatientId,
    /// Title.
    pub title: String,
    /// Optimistic-locking version: send it back with every edit and lifecycle step.
    pub version: i32,
    /// Number of the latest activated version (0 before the first activation).
    pub plan_version: i32,
    /// Lifecycle status.
    pub status: PlanStatus,
    /// Why the plan is being amended (while a draft of version n+1).
    pub amend_reason: Option<String>,
    /// Why it was completed or discontinued.
    pub end_reason: Option<String>,
    /// Position (1–4) of the current stage.
    pub current_stage: u8,
    /// Whether an item overrides an absolute contraindication, or the plan was activated
    /// without a complete red-flag screen.
    pub has_override: bool,
    /// Why the plan was activated without a signed, complete red-flag screen this episode.
    pub screen_override_reason: Option<String>,
    /// The plan against the patient's current safety profile.
    pub safety: PlanSafety,
    /// Goals.
    pub goals: Vec<GoalJson>,
    /// Stages in order.
    pub stages: Vec<StageJson>,
    /// Readiness to move on, when there is an assessment with values.
    pub readiness: Option<Readiness>,
    /// Activated versions, oldest first.
    pub versions: Vec<VersionSummary>,
}

impl From<&PlanView> for PlanJson {
    fn from(view: &PlanView) -> Self {
        let content = ContentJson::from(&view.content);
        let readiness = view.readiness().map(|(on, e)| Readiness {
            assessed_on: on,
            ready: e.met,
            criteria: e
                .per_criterion
                .iter()
                .map(|(c, o)| CriterionOutcome { criterion: *c, words: progression::plain_words(c), outcome: *o })
                .collect(),
        });
        Self {
            id: view.row.id,
            patient_id: view.row.patient_id,
            title: view.row.title.clone(),
            version: view.row.version,
            plan_version: view.row.plan_version,
            status: view.status(),
            amend_reason: view.row.amend_reason.clone(),
            end_reason: view.row.end_reason.clone(),
            current_stage: view.content.current_stage,
            has_override: view.content.has_override() || view.row.screen_override_reason.is_some(),
            screen_override_reason: view.row.screen_override_reason.clone(),
            safety: view.safety.clone(),
            goals: content.goals,
            stages: content.stages,
            readiness,
            versions: view
                .versions
                .iter()
                .map(|(v, by)| VersionSummary {
                    number: v.number,
                    reason: v.reason.clone(),
                    activated_by: by.clone(),
                    activated_at: v.activated_at.and_utc(),
                })
                .collect(),
        }
    }
}

/// A new plan, with the protocol items the safety engine left out.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPlan {
    /// The plan.
    #[serde(flatten)]
    pub plan: PlanJson,
    /// Protocol items not added, and why.
    pub skipped: Vec<Skipped>,
}

/// A plan in a patient's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: PlanId,
    /// Title.
    pub title: String,
    /// Lifecycle status.
    pub status: PlanStatus,
    /// Number of the latest activated version.
    pub plan_version: i32,
    /// Position (1–4) of the current stage.
    pub current_stage: i32,
    /// Optimistic-locking version.
    pub version: i32,
}

impl From<&PlanRow> for PlanSummary {
    fn from(r: &PlanRow) -> Self {
        Self {
            id: r.id,
            title: r.title.clone(),
            status: r.status,
            plan_version: r.plan_version,
            current_stage: r.current_stage,
            version: r.version,
        }
    }
}

/// One activated version and what changed from the one before.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionJson {
    /// Number, from 1.
    pub number: i32,
    /// Why this version was made.
    pub reason: Option<String>,
    /// Who activated it (name).
    pub activated_by: String,
    /// When (UTC).
    pub activated_at: DateTime<Utc>,
    /// The content as activated.
    pub content: ContentJson,
    /// What changed from the version before (empty for version 1).
    pub changes: Vec<Change>,
}

/// The id of a record just made.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedId {
    /// Id.
    #[schema(value_type = String, format = Uuid)]
    pub id: ProtocolId,
}
