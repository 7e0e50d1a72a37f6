//! Protocols: plan templates (stages, criteria, items by library code, goals without a
//! baseline), saved from a plan or built in, applied to a patient with every item checked
//! again by the safety engine.

use super::dosage::Dosage;
use super::modality::{Setting, Stage};
use super::plan::PlanContent;
use super::progression::{Comparator, Criterion, Measure};
use serde::{Deserialize, Serialize};

/// An item of a protocol stage, by library code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProtocolItem {
    /// Library code (the current version is used when applied).
    pub code: String,
    /// Dosage overrides on the library default.
    #[serde(default)]
    pub dosage_override: Dosage,
    /// Setting; the library default when absent.
    #[serde(default)]
    pub setting: Option<Setting>,
}

/// A stage of a protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProtocolStage {
    /// Which default stage.
    pub stage: Stage,
    /// Name.
    pub name: String,
    /// Purpose.
    pub purpose: String,
    /// Planned weeks.
    pub planned_weeks: u8,
    /// Progression criteria.
    pub criteria: Vec<Criterion>,
    /// Items in order.
    pub items: Vec<ProtocolItem>,
}

/// A goal of a protocol: the baseline comes from the patient's assessment when applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProtocolGoal {
    /// Measure.
    pub measure: Measure,
    /// Comparator.
    pub comparator: Comparator,
    /// Target.
    pub target: f64,
    /// Due this many weeks after the plan starts.
    #[serde(default)]
    pub due_weeks: Option<u8>,
}

/// A whole protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProtocolContent {
    /// Goals.
    pub goals: Vec<ProtocolGoal>,
    /// Stages in order.
    pub stages: Vec<ProtocolStage>,
}

/// A built-in protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltinProtocol {
    /// Stable code, e.g. `sciatica_start_back_low`.
    pub code: &'static str,
    /// Name shown in the list.
    pub name: &'static str,
    /// Who it is for and what it emphasises.
    pub description: &'static str,
    /// The template.
    pub content: ProtocolContent,
}

impl ProtocolContent {
    /// The template of a plan: its stages, criteria, items (by code, with overrides) and
    /// goals (due dates become weeks after `start`, when both are known).
    pub fn from_plan(plan: &PlanContent, start: Option<chrono::NaiveDate>) -> Self {
        let goals = plan
            .goals
            .iter()
            .map(|g| ProtocolGoal {
                measure: g.measure,
                comparator: g.comparator,
                target: g.target,
                due_weeks: start.zip(g.due).and_then(|(s, d)| u8::try_from((d - s).num_weeks()).ok()),
            })
            .collect();
        let stages = plan
            .stages
            .iter()
            .map(|s| ProtocolStage {
                stage: s.stage,
                name: s.name.clone(),
                purpose: s.purpose.clone(),
                planned_weeks: s.planned_weeks,
                criteria: s.criteria.clone(),
                items: s
                    .items
                    .iter()
                    .map(|i| ProtocolItem {
                        code: i.code.clone(),
                        dosage_override: i.dosage_override.clone(),
                        setting: Some(i.setting),
                    })
                    .collect(),
            })
            .collect();
        Self { goals, stages }
    }
}
