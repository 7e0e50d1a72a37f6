//! A staged treatment plan as one document: goals, the four stages with their progression
//! criteria and items. Every edit is a pure function on [`PlanContent`]; versions are
//! snapshots of it and [`diff`] says what changed between two.

use super::assessment::AssessmentContent;
use super::dosage::Dosage;
use super::findings::{Side, Value};
use super::modality::{Category, Setting, Stage};
use super::progression::{self, Comparator, Criterion, Evaluation, Measure, MeasureSnapshot};
use super::red_flags::PROGRESSIVE_NEURO_DEFICIT;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A plan's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being built (first version, or an amendment in progress); editable.
    Draft,
    /// Signed and locked; the patient follows it.
    Active,
    /// Finished: goals met or care ended as planned.
    Completed,
    /// Stopped early, with a reason.
    Discontinued,
}

impl PlanStatus {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Discontinued => "discontinued",
        }
    }

    /// Every state, in lifecycle order.
    pub const ALL: [PlanStatus; 4] = [Self::Draft, Self::Active, Self::Completed, Self::Discontinued];
}

crate::stored_as_code!(PlanStatus);

/// A goal tied to a measure: met when the latest value compares to the target as stated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Goal {
    /// Id within the plan.
    pub id: Uuid,
    /// What is measured.
    pub measure: Measure,
    /// How the value must compare to the target (e.g. `le` for pain).
    pub comparator: Comparator,
    /// The value at the start (from the latest signed assessment), if known.
    pub baseline: Option<f64>,
    /// The target.
    pub target: f64,
    /// When it should be reached.
    pub due: Option<NaiveDate>,
}

impl Goal {
    /// The goal as a criterion.
    pub fn criterion(&self) -> Criterion {
        Criterion::new(self.measure, self.comparator, self.target)
    }
}

/// A contraindication found when the item was added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemWarning {
    /// The patient fact, e.g. `anticoagulants`.
    pub fact: String,
    /// `absolute` (overridden) or `relative`.
    pub severity: String,
    /// Plain message.
    pub message: String,
}

/// A library item placed in a stage, with the library version it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanItem {
    /// Id within the plan.
    pub id: Uuid,
    /// The library row (a specific version) it came from.
    pub modality_id: String,
    /// Library code.
    pub code: String,
    /// Library version.
    pub modality_version: i32,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Plain instructions for the handout (copied: the plan keeps what it used).
    pub patient_instructions: String,
    /// Library default dosage.
    pub default_dosage: Dosage,
    /// The clinician's overrides.
    #[serde(default)]
    pub dosage_override: Dosage,
    /// `left`, `right`, `bilateral` or none.
    #[serde(default)]
    pub side: Option<String>,
    /// Clinic or home.
    pub setting: Setting,
    /// Notes for clinicians only (never printed).
    #[serde(default)]
    pub clinician_notes: Option<String>,
    /// Relative contraindications (warnings) and overridden absolute ones.
    #[serde(default)]
    pub warnings: Vec<ItemWarning>,
    /// The written reason an absolute contraindication was overridden.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// Whether the patient's consent was recorded (invasive items; plans made before
    /// consent records were kept say only this).
    #[serde(default)]
    pub consent_recorded: bool,
    /// The consent record: who, when, verbal or written, risks explained, withdrawal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<super::consent::ConsentRecord>,
}

impl PlanItem {
    /// A new item from a library item version, with nothing flagged yet.
    pub fn from_library(
        modality_id: String,
        version: i32,
        def: &super::modality::ModalityDef,
        dosage_override: Dosage,
        setting: Setting,
    ) -> Self {
        Self {
            id: Uuid::now_v7(),
            modality_id,
            code: def.code.clone(),
            modality_version: version,
            name: def.name.clone(),
            category: def.category,
            patient_instructions: def.patient_instructions.clone(),
            default_dosage: def.dosage.clone(),
            dosage_override,
            side: None,
            setting,
            clinician_notes: None,
            warnings: Vec::new(),
            override_reason: None,
            consent_recorded: false,
            consent: None,
        }
    }

    /// Whether the patient's consent stands: a record not withdrawn, or (older plans) the flag.
    pub fn has_consent(&self) -> bool {
        match &self.consent {
            Some(record) => record.stands(),
            None => self.consent_recorded,
        }
    }

    /// Whether an absolute contraindication for `fact` was overridden with a written reason.
    pub fn overrides(&self, fact: &str) -> bool {
        self.override_reason.is_some() && self.warnings.iter().any(|w| w.fact == fact && w.severity == "absolute")
    }

    /// The dosage in force: the library default with the overrides applied.
    pub fn dosage(&self) -> Dosage {
        self.default_dosage.merge(&self.dosage_override)
    }
}

/// One stage of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanStage {
    /// Id within the plan.
    pub id: Uuid,
    /// 1–4, in order.
    pub position: u8,
    /// Which of the default stages it is.
    pub stage: Stage,
    /// Name (editable).
    pub name: String,
    /// Purpose (editable).
    pub purpose: String,
    /// Planned length in weeks.
    pub planned_weeks: u8,
    /// When the patient may move on.
    pub criteria: Vec<Criterion>,
    /// Treatment items, in order.
    pub items: Vec<PlanItem>,
    /// When the patient entered this stage.
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    /// When the clinician confirmed progression out of it.
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
}

/// The whole editable plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanContent {
    /// Goals.
    pub goals: Vec<Goal>,
    /// Stages in order.
    pub stages: Vec<PlanStage>,
    /// Position (1–4) of the stage the patient is in.
    pub current_stage: u8,
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// No such stage, item or goal in this plan.
    NotFound,
    /// A field is invalid: (field, message).
    Invalid(&'static str, String),
}

impl PlanContent {
    /// The four default stages with their default purpose, weeks and criteria.
    pub fn with_default_stages() -> Self {
        let stages = Stage::ALL
            .iter()
            .map(|s| PlanStage {
                id: Uuid::now_v7(),
                position: s.number(),
                stage: *s,
                name: s.name().to_owned(),
                purpose: s.purpose().to_owned(),
                planned_weeks: s.default_weeks(),
                criteria: progression::default_criteria(*s),
                items: Vec::new(),
                started_on: None,
                completed_on: None,
            })
            .collect();
        Self { goals: Vec::new(), stages, current_stage: 1 }
    }

    /// The stage with this id.
    pub fn stage_mut(&mut self, id: Uuid) -> Result<&mut PlanStage, EditError> {
        self.stages.iter_mut().find(|s| s.id == id).ok_or(EditError::NotFound)
    }

    /// The stage the patient is in.
    pub fn current(&self) -> Option<&PlanStage> {
        self.stages.iter().find(|s| s.position == self.current_stage)
    }

    /// Every item with its stage.
    pub fn items(&self) -> impl Iterator<Item = (&PlanStage, &PlanItem)> {
        self.stages.iter().flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    /// Whether any item went ahead despite an absolute contraindication.
    pub fn has_override(&self) -> bool {
        self.items().any(|(_, i)| i.override_reason.is_some())
    }

    /// Adds an item at the end of a stage.
    pub fn add_item(&mut self, stage: Uuid, item: PlanItem) -> Result<(), EditError> {
        self.stage_mut(stage)?.items.push(item);
        Ok(())
    }

    /// Removes an item.
    pub fn remove_item(&mut self, item: Uuid) -> Result<PlanItem, EditError> {
        for stage in &mut self.stages {
            if let Some(at) = stage.items.iter().position(|i| i.id == item) {
                return Ok(stage.items.remove(at));
            }
        }
        Err(EditError::NotFound)
    }

    /// Moves an item one place up (`-1`) or down (`1`) within its stage.
    pub fn move_item(&mut self, item: Uuid, by: i32) -> Result<(), EditError> {
        for stage in &mut self.stages {
            if let Some(at) = stage.items.iter().position(|i| i.id == item) {
                let to = at as i64 + i64::from(by.signum());
                if to >= 0 && (to as usize) < stage.items.len() {
                    stage.items.swap(at, to as usize);
                }
                return Ok(());
            }
        }
        Err(EditError::NotFound)
    }

    /// The item with this id.
    pub fn item_mut(&mut self, item: Uuid) -> Result<&mut PlanItem, EditError> {
        self.stages.iter_mut().flat_map(|s| s.items.iter_mut()).find(|i| i.id == item).ok_or(EditError::NotFound)
    }

    /// Edits a stage's name, purpose and planned weeks.
    pub fn edit_stage(&mut self, stage: Uuid, name: &str, purpose: &str, weeks: u8) -> Result<(), EditError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(EditError::Invalid("name", "Give the stage a name of up to 100 characters.".into()));
        }
        if !(1..=52).contains(&weeks) {
            return Err(EditError::Invalid("planned_weeks", "Planned weeks must be from 1 to 52.".into()));
        }
        let s = self.stage_mut(stage)?;
        s.name = name.to_owned();
        s.purpose = purpose.trim().to_owned();
        s.planned_weeks = weeks;
        Ok(())
    }

    /// Replaces a stage's progression criteria (each validated).
    pub fn set_criteria(&mut self, stage: Uuid, criteria: Vec<Criterion>) -> Result<(), EditError> {
        for c in &criteria {
            c.validate().map_err(|m| EditError::Invalid("criteria", m))?;
        }
        self.stage_mut(stage)?.criteria = criteria;
        Ok(())
    }

    /// Adds a criterion to a stage (one saying the same thing already there is refused).
    pub fn add_criterion(&mut self, stage: Uuid, criterion: Criterion) -> Result<(), EditError> {
        criterion.validate().map_err(|m| EditError::Invalid("value", m))?;
        let s = self.stage_mut(stage)?;
        if s.criteria.iter().any(|c| criterion_id(c) == criterion_id(&criterion)) {
            return Err(EditError::Invalid("value", "This stage has this criterion already.".into()));
        }
        s.criteria.push(criterion);
        Ok(())
    }

    /// Removes the criterion with this id from a stage (see [`criterion_id`]).
    pub fn remove_criterion(&mut self, stage: Uuid, id: &str) -> Result<(), EditError> {
        let s = self.stage_mut(stage)?;
        let at = s.criteria.iter().position(|c| criterion_id(c) == id).ok_or(EditError::NotFound)?;
        s.criteria.remove(at);
        Ok(())
    }

    /// Adds a goal.
    pub fn add_goal(&mut self, goal: Goal) -> Result<(), EditError> {
        goal.criterion().validate().map_err(|m| EditError::Invalid("target", m))?;
        self.goals.push(goal);
        Ok(())
    }

    /// Removes a goal.
    pub fn remove_goal(&mut self, goal: Uuid) -> Result<(), EditError> {
        let before = self.goals.len();
        self.goals.retain(|g| g.id != goal);
        if self.goals.len() == before {
            Err(EditError::NotFound)
        } else {
            Ok(())
        }
    }

    /// Starts the first stage on `on` (at activation, if not started yet).
    pub fn start(&mut self, on: NaiveDate) {
        let current = self.current_stage;
        if let Some(s) = self.stages.iter_mut().find(|s| s.position == current) {
            s.started_on.get_or_insert(on);
        }
    }

    /// Moves the patient to the next stage (the clinician confirmed), keeping the dates.
    pub fn advance(&mut self, on: NaiveDate) -> Result<u8, EditError> {
        let next = self.current_stage + 1;
        if !self.stages.iter().any(|s| s.position == next) {
            return Err(EditError::Invalid("stage", "This is the last stage: complete the plan instead.".into()));
        }
        let current = self.current_stage;
        for s in &mut self.stages {
            if s.position == current {
                s.completed_on = Some(on);
            }
            if s.position == next {
                s.started_on = Some(on);
            }
        }
        self.current_stage = next;
        Ok(next)
    }

    /// Whether every goal is met by the snapshot (no goals: unknown).
    pub fn goals_met(&self, snapshot: &MeasureSnapshot) -> Option<bool> {
        if self.goals.is_empty() {
            return None;
        }
        let criteria: Vec<Criterion> = self.goals.iter().map(Goal::criterion).collect();
        Some(progression::evaluate(&criteria, snapshot).met)
    }

    /// The current stage's criteria against the snapshot: "ready to progress" when met.
    pub fn readiness(&self, snapshot: &MeasureSnapshot) -> Option<Evaluation> {
        let mut snapshot = snapshot.clone();
        if let Some(met) = self.goals_met(&snapshot) {
            snapshot.insert(Measure::GoalsMet, if met { 1.0 } else { 0.0 });
        }
        self.current().map(|s| progression::evaluate(&s.criteria, &snapshot))
    }
}

/// A criterion's stable id within its stage: derived from what it says (measure,
/// comparator, value), so it names the same rule however the list is reordered, and a
/// criterion someone else changed no longer matches (never a list position).
pub fn criterion_id(c: &Criterion) -> String {
    use sha2::{Digest, Sha256};
    let text = format!("{}|{}|{}", c.measure.code(), c.comparator.code(), c.value);
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

/// The measures of an assessment, for criteria and goals. `baseline` is the first signed
/// assessment (for ODI improvement); `side` is the patient's affected side.
pub fn measure_snapshot(
    current: &AssessmentContent,
    baseline: Option<&AssessmentContent>,
    side: &str,
) -> MeasureSnapshot {
    let mut s = MeasureSnapshot::new();
    let mut put = |m: Measure, v: Option<f64>| {
        if let Some(v) = v {
            s.insert(m, v);
        }
    };
    put(Measure::NprsNow, current.number("nprs_now", None));
    put(Measure::NprsWorst, current.number("nprs_worst", None));
    let scores = current.scores();
    let odi = scores.odi_percent;
    put(Measure::OdiPercent, odi);
    put(Measure::Rmdq, scores.rmdq.map(f64::from));
    put(Measure::PsfsMean, scores.psfs_mean);
    put(Measure::OdiImprovement, baseline.and_then(|b| b.scores().odi_percent).zip(odi).map(|(b, c)| b - c));
    let left = current.number("slr", Some(Side::Left));
    let right = current.number("slr", Some(Side::Right));
    put(Measure::SlrLeft, left);
    put(Measure::SlrRight, right);
    put(Measure::SlrAffected, progression::slr_for_side(side, left, right));
    let sides: Vec<Side> = match side {
        "left" => vec![Side::Left],
        "right" => vec![Side::Right],
        _ => Side::ALL.to_vec(),
    };
    let positive: Vec<Option<bool>> = sides
        .iter()
        .map(|sd| {
            current
                .findings
                .iter()
                .find(|f| f.code == "slr_positive" && f.side == Some(*sd))
                .and_then(|f| f.value.as_bool())
        })
        .collect();
    if positive.iter().all(Option::is_some) {
        put(Measure::SlrNoDistalSymptoms, Some(if positive.contains(&Some(true)) { 0.0 } else { 1.0 }));
    }
    let grades: Vec<f64> = current
        .findings
        .iter()
        .filter(|f| f.code.starts_with("mmt_") || f.code.starts_with("myotome_"))
        .filter_map(|f| match &f.value {
            Value::Grade(g) => progression::mmt_grade(&g.to_string()),
            other => other.as_f64(),
        })
        .collect();
    put(Measure::MmtMin, grades.iter().copied().reduce(f64::min));
    let deficit = current.red_flags().contains(&PROGRESSIVE_NEURO_DEFICIT);
    let examined = current.findings.iter().any(|f| is_neuro_code(f.code));
    put(Measure::NoNewNeuroDeficit, (deficit || examined).then_some(if deficit { 0.0 } else { 1.0 }));
    s
}

/// Whether a finding is part of the neuro grid (myotome, dermatome or reflex).
fn is_neuro_code(code: &str) -> bool {
    ["myotome_", "dermatome_", "reflex_"].iter().any(|p| code.starts_with(p))
}

/// One difference between two versions of a plan, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    /// `added`, `removed` or `changed`.
    pub kind: String,
    /// What changed, e.g. "Stage 2 Mobility: Bridge".
    pub what: String,
    /// Details of a change, e.g. "dosage 3 × 10 → 3 × 15".
    pub detail: String,
}

/// What was added, removed or changed from `old` to `new` (items, goals, stages, criteria).
pub fn diff(old: &PlanContent, new: &PlanContent) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push =
        |kind: &str, what: String, detail: String| changes.push(Change { kind: kind.to_owned(), what, detail });
    for ns in &new.stages {
        let label = format!("Stage {} {}", ns.position, ns.name);
        let Some(os) = old.stages.iter().find(|s| s.id == ns.id) else {
            push("added", label, String::new());
            continue;
        };
        if (os.name.as_str(), os.purpose.as_str(), os.planned_weeks)
            != (ns.name.as_str(), ns.purpose.as_str(), ns.planned_weeks)
        {
            push(
                "changed",
                label.clone(),
                format!("{} ({} weeks) → {} ({} weeks)", os.name, os.planned_weeks, ns.name, ns.planned_weeks),
            );
        }
        if os.criteria != ns.criteria {
            let words = |c: &[Criterion]| c.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ");
            push(
                "changed",
                format!("{label}: progression criteria"),
                format!("{} → {}", words(&os.criteria), words(&ns.criteria)),
            );
        }
        for item in &ns.items {
            match os.items.iter().find(|i| i.id == item.id) {
                None => push("added", format!("{label}: {}", item.name), item.dosage().summary()),
                Some(before) if before != item => {
                    let mut parts = Vec::new();
                    if before.dosage() != item.dosage() {
                        parts.push(format!("dosage {} → {}", before.dosage().summary(), item.dosage().summary()));
                    }
                    if before.setting != item.setting {
                        parts.push(format!("setting {} → {}", before.setting.code(), item.setting.code()));
                    }
                    if before.side != item.side {
                        parts.push(format!(
                            "side {} → {}",
                            before.side.as_deref().unwrap_or("—"),
                            item.side.as_deref().unwrap_or("—")
                        ));
                    }
                    if before.clinician_notes != item.clinician_notes {
                        parts.push("clinician notes".into());
                    }
                    push("changed", format!("{label}: {}", item.name), parts.join("; "));
                }
                Some(_) => {}
            }
        }
        for item in os.items.iter().filter(|i| !ns.items.iter().any(|n| n.id == i.id)) {
            push("removed", format!("{label}: {}", item.name), String::new());
        }
    }
    for goal in &new.goals {
        if !old.goals.iter().any(|g| g == goal) {
            push("added", format!("Goal: {}", goal.criterion()), String::new());
        }
    }
    for goal in &old.goals {
        if !new.goals.iter().any(|g| g == goal) {
            push("removed", format!("Goal: {}", goal.criterion()), String::new());
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::assessment::ContentInput;
    use serde_json::json;

    fn item(name: &str) -> PlanItem {
        PlanItem {
            id: Uuid::now_v7(),
            modality_id: "m".into(),
            code: name.to_lowercase(),
            modality_version: 1,
            name: name.into(),
            category: Category::Exercise,
            patient_instructions: "Do it.".into(),
            default_dosage: Dosage { sets: Some(3), reps: Some(10), ..Dosage::default() },
            dosage_override: Dosage::default(),
            side: None,
            setting: Setting::Home,
            clinician_notes: None,
            warnings: Vec::new(),
            override_reason: None,
            consent_recorded: false,
            consent: None,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn a_new_plan_has_the_four_default_stages_with_their_criteria() {
        let plan = PlanContent::with_default_stages();
        let names: Vec<_> = plan.stages.iter().map(|s| (s.position, s.stage)).collect();
        assert_eq!(
            names,
            vec![(1, Stage::PainControl), (2, Stage::Mobility), (3, Stage::Strength), (4, Stage::Functional)]
        );
        assert_eq!(plan.stages[0].criteria, progression::default_criteria(Stage::PainControl));
        assert_eq!(plan.current_stage, 1);
    }

    #[test]
    fn items_are_added_moved_and_removed_within_their_stage() {
        let mut plan = PlanContent::with_default_stages();
        let stage = plan.stages[1].id;
        let (a, b) = (item("Bridge"), item("Clamshell"));
        let (a_id, b_id) = (a.id, b.id);
        plan.add_item(stage, a).unwrap();
        plan.add_item(stage, b).unwrap();

        plan.move_item(b_id, -1).unwrap();
        assert_eq!(plan.stages[1].items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Clamshell", "Bridge"]);
        plan.remove_item(a_id).unwrap();
        assert_eq!(plan.stages[1].items.len(), 1);
        assert_eq!(plan.remove_item(a_id), Err(EditError::NotFound));
    }

    #[test]
    fn a_criterion_is_removed_by_its_id_not_its_position() {
        let mut plan = PlanContent::with_default_stages();
        let stage = plan.stages[0].id;
        let first = plan.stages[0].criteria[0];
        let id = criterion_id(&first);
        plan.stages[0].criteria.reverse();

        plan.remove_criterion(stage, &id).unwrap();

        assert!(!plan.stages[0].criteria.contains(&first));
        assert_eq!(plan.remove_criterion(stage, &id), Err(EditError::NotFound));
        plan.add_criterion(stage, first).unwrap();
        assert!(plan.add_criterion(stage, first).is_err(), "the same rule twice is refused");
    }

    #[test]
    fn advancing_keeps_the_dates_of_both_stages() {
        let mut plan = PlanContent::with_default_stages();
        plan.start(day(1));
        assert_eq!(plan.advance(day(15)), Ok(2));
        assert_eq!(plan.stages[0].started_on, Some(day(1)));
        assert_eq!(plan.stages[0].completed_on, Some(day(15)));
        assert_eq!(plan.stages[1].started_on, Some(day(15)));
        plan.current_stage = 4;
        assert!(plan.advance(day(20)).is_err(), "no stage after the fourth");
    }

    #[test]
    fn the_diff_names_added_removed_and_changed_items() {
        let mut old = PlanContent::with_default_stages();
        let stage = old.stages[2].id;
        let kept = item("Bridge");
        let gone = item("Bird dog");
        let kept_id = kept.id;
        old.add_item(stage, kept).unwrap();
        old.add_item(stage, gone.clone()).unwrap();
        let mut new = old.clone();
        new.remove_item(gone.id).unwrap();
        new.item_mut(kept_id).unwrap().dosage_override = Dosage { reps: Some(15), ..Dosage::default() };
        new.add_item(stage, item("Side plank")).unwrap();

        let changes = diff(&old, &new);

        let kinds: Vec<_> = changes.iter().map(|c| (c.kind.as_str(), c.what.as_str())).collect();
        assert!(kinds.contains(&("changed", "Stage 3 Strength and stability: Bridge")), "{kinds:?}");
        assert!(kinds.contains(&("added", "Stage 3 Strength and stability: Side plank")), "{kinds:?}");
        assert!(kinds.contains(&("removed", "Stage 3 Strength and stability: Bird dog")), "{kinds:?}");
        let bridge = changes.iter().find(|c| c.what.ends_with("Bridge")).map(|c| c.detail.clone()).unwrap_or_default();
        assert!(bridge.starts_with("dosage"), "{bridge}");
    }

    #[test]
    fn stage_one_is_ready_when_worst_pain_falls_to_five_without_new_deficit() {
        let plan = PlanContent::with_default_stages();
        let content = |worst: i64| {
            serde_json::from_value::<ContentInput>(json!({"findings": [
                {"code": "nprs_worst", "value": worst}, {"code": "myotome_l5", "side": "left", "value": 5}]}))
            .unwrap()
            .validate()
            .unwrap()
        };

        let not_yet = plan.readiness(&measure_snapshot(&content(6), None, "left")).map(|e| e.met);
        let ready = plan.readiness(&measure_snapshot(&content(5), None, "left")).map(|e| e.met);

        assert_eq!(not_yet, Some(false));
        assert_eq!(ready, Some(true));
    }

    #[test]
    fn no_new_neuro_deficit_is_unknown_and_not_met_when_neurology_was_not_examined() {
        let plan = PlanContent::with_default_stages();
        let unexamined =
            serde_json::from_value::<ContentInput>(json!({"findings": [{"code": "nprs_worst", "value": 3}]}))
                .unwrap()
                .validate()
                .unwrap();

        let snapshot = measure_snapshot(&unexamined, None, "left");
        let evaluation = plan.readiness(&snapshot);

        assert_eq!(snapshot.get(&Measure::NoNewNeuroDeficit), None);
        assert_eq!(evaluation.as_ref().map(|e| e.met), Some(false));
        let outcome = evaluation.and_then(|e| e.per_criterion.get(1).map(|(_, o)| *o));
        assert_eq!(outcome, Some(crate::domain::progression::Outcome::NoData));
    }

    #[test]
    fn the_snapshot_reads_odi_improvement_affected_slr_and_lowest_grade() {
        let parse = |v: serde_json::Value| serde_json::from_value::<ContentInput>(v).unwrap().validate().unwrap();
        let all = |a: i64| json!({"pain_intensity": a, "personal_care": a, "lifting": a, "walking": a, "sitting": a, "standing": a, "sleeping": a, "sex_life": a, "social_life": a, "travelling": a});
        let baseline = parse(json!({"odi": all(3)}));
        let now = parse(json!({"odi": all(2), "findings": [
            {"code": "slr", "side": "left", "value": 65}, {"code": "slr", "side": "right", "value": 80},
            {"code": "slr_positive", "side": "left", "value": false},
            {"code": "mmt_gluteus_medius", "side": "left", "value": "4-"}, {"code": "myotome_l5", "side": "left", "value": 5}]}));

        let s = measure_snapshot(&now, Some(&baseline), "left");

        assert_eq!(s.get(&Measure::OdiImprovement), Some(&20.0));
        assert_eq!(s.get(&Measure::SlrAffected), Some(&65.0));
        assert_eq!(s.get(&Measure::SlrNoDistalSymptoms), Some(&1.0));
        assert_eq!(s.get(&Measure::MmtMin), Some(&3.5));
        assert_eq!(s.get(&Measure::NoNewNeuroDeficit), Some(&1.0));
    }

    #[test]
    fn goals_feed_the_discharge_criterion() {
        let mut plan = PlanContent::with_default_stages();
        plan.current_stage = 4;
        plan.add_goal(Goal {
            id: Uuid::now_v7(),
            measure: Measure::NprsWorst,
            comparator: Comparator::Le,
            baseline: Some(8.0),
            target: 2.0,
            due: None,
        })
        .unwrap();
        let mut snapshot = MeasureSnapshot::new();
        snapshot.insert(Measure::NprsWorst, 3.0);
        assert_eq!(plan.readiness(&snapshot).map(|e| e.met), Some(false));
        snapshot.insert(Measure::NprsWorst, 2.0);
        assert_eq!(plan.readiness(&snapshot).map(|e| e.met), Some(true));
    }
}
