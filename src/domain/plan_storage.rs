//! How a plan is stored: items reference the immutable library item version they came from
//! and keep only the clinician's choices (overrides, side, setting, notes, warnings,
//! consent); a version is a small manifest naming its stages by the SHA-256 of their stored
//! form, so the stages a version did not change are stored once (`plan_blobs`).
//!
//! Reading is lenient: plans written before this form (schema 1) copied the library
//! definition into every item; such a copy, when present, is what the item shows (it is
//! what was printed), and the conversion drops it only where it equals the library version.

use super::dosage::Dosage;
use super::modality::{Category, ModalityDef, Setting, Stage};
use super::plan::{Goal, ItemWarning, PlanContent, PlanItem, PlanStage};
use super::progression::Criterion;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use uuid::Uuid;

/// The stored form's schema number (absent: 1, items with copied definitions).
pub const SCHEMA: u32 = 2;

/// What an item shows that comes from its library item version.
#[derive(Debug, Clone, PartialEq)]
pub struct LibraryCopy {
    /// Library code.
    pub code: String,
    /// Library version number.
    pub version: i32,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Plain instructions.
    pub patient_instructions: String,
    /// Default dosage.
    pub dosage: Dosage,
}

impl LibraryCopy {
    /// What a library item version gives an item.
    pub fn of(version: i32, def: &ModalityDef) -> Self {
        Self {
            code: def.code.clone(),
            version,
            name: def.name.clone(),
            category: def.category,
            patient_instructions: def.patient_instructions.clone(),
            dosage: def.dosage.clone(),
        }
    }
}

/// An item as stored: the library item version's id and the clinician's choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredItem {
    /// Id within the plan.
    pub id: Uuid,
    /// The library item version (immutable) it came from.
    pub modality_id: String,
    /// Schema 1 copy: library code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Schema 1 copy: library version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modality_version: Option<i32>,
    /// Schema 1 copy: name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Schema 1 copy: category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Schema 1 copy: instructions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_instructions: Option<String>,
    /// Schema 1 copy: default dosage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_dosage: Option<Dosage>,
    /// The clinician's dosage overrides.
    #[serde(default)]
    pub dosage_override: Dosage,
    /// Side.
    #[serde(default)]
    pub side: Option<String>,
    /// Clinic or home.
    pub setting: Setting,
    /// Clinician-only notes.
    #[serde(default)]
    pub clinician_notes: Option<String>,
    /// Warnings found when added.
    #[serde(default)]
    pub warnings: Vec<ItemWarning>,
    /// Override reason.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// Consent flag (older plans).
    #[serde(default)]
    pub consent_recorded: bool,
    /// Consent record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<super::consent::ConsentRecord>,
}

impl StoredItem {
    /// The schema 1 copy, when the item carries a whole one.
    fn copy(&self) -> Option<LibraryCopy> {
        Some(LibraryCopy {
            code: self.code.clone()?,
            version: self.modality_version?,
            name: self.name.clone()?,
            category: self.category?,
            patient_instructions: self.patient_instructions.clone()?,
            dosage: self.default_dosage.clone()?,
        })
    }

    fn clear_copy(&mut self) {
        self.code = None;
        self.modality_version = None;
        self.name = None;
        self.category = None;
        self.patient_instructions = None;
        self.default_dosage = None;
    }

    fn from_item(item: &PlanItem) -> Self {
        Self {
            id: item.id,
            modality_id: item.modality_id.clone(),
            code: None,
            modality_version: None,
            name: None,
            category: None,
            patient_instructions: None,
            default_dosage: None,
            dosage_override: item.dosage_override.clone(),
            side: item.side.clone(),
            setting: item.setting,
            clinician_notes: item.clinician_notes.clone(),
            warnings: item.warnings.clone(),
            override_reason: item.override_reason.clone(),
            consent_recorded: item.consent_recorded,
            consent: item.consent.clone(),
        }
    }

    fn hydrate(self, library: &HashMap<String, LibraryCopy>) -> PlanItem {
        // The item's own copy wins (it is what was printed); else the referenced version.
        let copy = self.copy().or_else(|| library.get(&self.modality_id).cloned()).unwrap_or(LibraryCopy {
            code: String::new(),
            version: 0,
            name: "Library item not found".into(),
            category: Category::Education,
            patient_instructions: String::new(),
            dosage: Dosage::default(),
        });
        PlanItem {
            id: self.id,
            modality_id: self.modality_id,
            code: copy.code,
            modality_version: copy.version,
            name: copy.name,
            category: copy.category,
            patient_instructions: copy.patient_instructions,
            default_dosage: copy.dosage,
            dosage_override: self.dosage_override,
            side: self.side,
            setting: self.setting,
            clinician_notes: self.clinician_notes,
            warnings: self.warnings,
            override_reason: self.override_reason,
            consent_recorded: self.consent_recorded,
            consent: self.consent,
        }
    }
}

/// A stage as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredStage {
    /// Id.
    pub id: Uuid,
    /// Position.
    pub position: u8,
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
    /// Items.
    pub items: Vec<StoredItem>,
    /// Started.
    #[serde(default)]
    pub started_on: Option<NaiveDate>,
    /// Completed.
    #[serde(default)]
    pub completed_on: Option<NaiveDate>,
}

impl StoredStage {
    fn from_stage(s: &PlanStage) -> Self {
        Self {
            id: s.id,
            position: s.position,
            stage: s.stage,
            name: s.name.clone(),
            purpose: s.purpose.clone(),
            planned_weeks: s.planned_weeks,
            criteria: s.criteria.clone(),
            items: s.items.iter().map(StoredItem::from_item).collect(),
            started_on: s.started_on,
            completed_on: s.completed_on,
        }
    }

    fn hydrate(self, library: &HashMap<String, LibraryCopy>) -> PlanStage {
        PlanStage {
            id: self.id,
            position: self.position,
            stage: self.stage,
            name: self.name,
            purpose: self.purpose,
            planned_weeks: self.planned_weeks,
            criteria: self.criteria,
            items: self.items.into_iter().map(|i| i.hydrate(library)).collect(),
            started_on: self.started_on,
            completed_on: self.completed_on,
        }
    }

    /// The content address of this stage's stored form, and that form.
    pub fn blob(&self) -> (String, String) {
        let json = serde_json::to_string(self).unwrap_or_default();
        (hex::encode(Sha256::digest(json.as_bytes())), json)
    }
}

/// A plan's working content as stored (schema 1 rows read too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredContent {
    /// Schema number (1 when absent).
    #[serde(default = "schema_one")]
    pub schema: u32,
    /// Goals.
    pub goals: Vec<Goal>,
    /// Stages.
    pub stages: Vec<StoredStage>,
    /// Current stage position.
    pub current_stage: u8,
}

fn schema_one() -> u32 {
    1
}

impl StoredContent {
    /// The stored form of a plan's content (no library copies).
    pub fn of(content: &PlanContent) -> Self {
        Self {
            schema: SCHEMA,
            goals: content.goals.clone(),
            stages: content.stages.iter().map(StoredStage::from_stage).collect(),
            current_stage: content.current_stage,
        }
    }

    /// The library item versions its items reference.
    pub fn modality_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.stages.iter().flat_map(|s| s.items.iter().map(|i| i.modality_id.clone())).collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The content with each item's library fields filled in.
    pub fn hydrate(self, library: &HashMap<String, LibraryCopy>) -> PlanContent {
        PlanContent {
            goals: self.goals,
            stages: self.stages.into_iter().map(|s| s.hydrate(library)).collect(),
            current_stage: self.current_stage,
        }
    }

    /// Drops each item's schema 1 copy where it equals the referenced library version
    /// (a copy that differs, or whose version is missing, is kept: nothing is lost).
    /// Returns whether anything changed.
    pub fn drop_redundant_copies(&mut self, library: &HashMap<String, LibraryCopy>) -> bool {
        let mut changed = self.schema != SCHEMA;
        self.schema = SCHEMA;
        for item in self.stages.iter_mut().flat_map(|s| s.items.iter_mut()) {
            if let (Some(copy), Some(lib)) = (item.copy(), library.get(&item.modality_id)) {
                if copy == *lib {
                    item.clear_copy();
                    changed = true;
                }
            }
        }
        changed
    }

    /// The stored JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// This content as a version manifest and the stage blobs it names.
    pub fn manifest(&self) -> (VersionManifest, Vec<(String, String)>) {
        let blobs: Vec<(String, String)> = self.stages.iter().map(StoredStage::blob).collect();
        let manifest = VersionManifest {
            schema: SCHEMA,
            goals: self.goals.clone(),
            current_stage: self.current_stage,
            stages: blobs.iter().map(|(h, _)| h.clone()).collect(),
        };
        (manifest, blobs)
    }
}

/// A stored version: goals and current stage inline, stages by content address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionManifest {
    /// Always [`SCHEMA`].
    pub schema: u32,
    /// Goals.
    pub goals: Vec<Goal>,
    /// Current stage position.
    pub current_stage: u8,
    /// SHA-256 of each stage's stored form, in order.
    pub stages: Vec<String>,
}

impl VersionManifest {
    /// The manifest JSON, if `json` is one (written by this code: starts with the schema).
    pub fn parse(json: &str) -> Option<Self> {
        if !json.starts_with("{\"schema\":2,\"goals\"") {
            return None;
        }
        let manifest: Self = serde_json::from_str(json).ok()?;
        manifest.stages.iter().all(|h| h.len() == 64).then_some(manifest)
    }

    /// The JSON stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The version's content from its stage blobs (hash -> stored stage JSON); `None`
    /// when a blob is missing or unreadable.
    pub fn assemble(self, blobs: &HashMap<String, String>) -> Option<StoredContent> {
        let stages = self
            .stages
            .iter()
            .map(|h| blobs.get(h).and_then(|json| serde_json::from_str::<StoredStage>(json).ok()))
            .collect::<Option<Vec<_>>>()?;
        Some(StoredContent { schema: SCHEMA, goals: self.goals, stages, current_stage: self.current_stage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::modality::Stage;

    fn library_copy(name: &str) -> LibraryCopy {
        LibraryCopy {
            code: name.to_lowercase(),
            version: 1,
            name: name.into(),
            category: Category::Exercise,
            patient_instructions: format!("{name} slowly, ten times."),
            dosage: Dosage { sets: Some(3), reps: Some(10), ..Dosage::default() },
        }
    }

    fn plan_with(names: &[&str]) -> (PlanContent, HashMap<String, LibraryCopy>) {
        let mut plan = PlanContent::with_default_stages();
        let mut library = HashMap::new();
        for (n, name) in names.iter().enumerate() {
            let copy = library_copy(name);
            let id = format!("m{n}");
            library.insert(id.clone(), copy.clone());
            let item = PlanItem {
                id: Uuid::now_v7(),
                modality_id: id,
                code: copy.code,
                modality_version: copy.version,
                name: copy.name,
                category: copy.category,
                patient_instructions: copy.patient_instructions,
                default_dosage: copy.dosage,
                dosage_override: Dosage { reps: Some(12), ..Dosage::default() },
                side: Some("left".into()),
                setting: Setting::Home,
                clinician_notes: Some("watch the knee".into()),
                warnings: Vec::new(),
                override_reason: None,
                consent_recorded: false,
                consent: None,
            };
            let stage = plan.stages[n % 4].id;
            plan.add_item(stage, item).unwrap();
        }
        (plan, library)
    }

    #[test]
    fn stored_items_keep_only_the_reference_and_the_clinicians_choices_and_read_back_whole() {
        let (plan, library) = plan_with(&["Bridge", "Clamshell"]);

        let json = StoredContent::of(&plan).to_json();
        let back: StoredContent = serde_json::from_str(&json).unwrap();

        assert!(!json.contains("slowly, ten times"), "no copied instructions: {json}");
        assert!(json.contains("watch the knee"));
        assert_eq!(back.hydrate(&library), plan);
    }

    #[test]
    fn an_old_plan_with_copied_definitions_reads_as_it_was_and_converts_only_where_the_copy_matches() {
        let (plan, mut library) = plan_with(&["Bridge", "Clamshell"]);
        let old_json = serde_json::to_string(&plan).unwrap();
        // The second item's library version is missing: its copy must be kept.
        library.remove("m1");

        let mut stored: StoredContent = serde_json::from_str(&old_json).unwrap();
        assert_eq!(stored.schema, 1);
        assert_eq!(stored.clone().hydrate(&library), plan, "old rows read as they were");
        assert!(stored.drop_redundant_copies(&library));

        let json = stored.to_json();
        assert_eq!(json.matches("slowly, ten times").count(), 1, "only the unmatched copy stays");
        let again: StoredContent = serde_json::from_str(&json).unwrap();
        assert_eq!(again.hydrate(&library), plan);
    }

    #[test]
    fn versions_share_the_stages_they_did_not_change() {
        let (mut plan, library) = plan_with(&["Bridge", "Clamshell", "Cat camel"]);
        let (first, first_blobs) = StoredContent::of(&plan).manifest();
        plan.stages[3].name = "Back to work".into();
        let (second, second_blobs) = StoredContent::of(&plan).manifest();

        let shared = first.stages.iter().zip(&second.stages).filter(|(a, b)| a == b).count();
        assert_eq!(shared, 3, "one stage changed, three shared");

        let blobs: HashMap<String, String> = first_blobs.into_iter().chain(second_blobs).collect();
        let manifest = VersionManifest::parse(&second.to_json()).unwrap();
        assert_eq!(manifest.assemble(&blobs).unwrap().hydrate(&library), plan);
        assert_eq!(plan.stages[0].stage, Stage::PainControl);
    }

    #[test]
    fn a_full_old_version_is_not_taken_for_a_manifest() {
        let (plan, _) = plan_with(&["Bridge"]);
        assert!(VersionManifest::parse(&serde_json::to_string(&plan).unwrap()).is_none());
        assert!(VersionManifest::parse(&StoredContent::of(&plan).to_json()).is_none());
    }
}
