//! Vocabulary of the modality library: categories, plan stages, settings, contraindications
//! and guideline stance, and the `ModalityDef` that ties them together. `Dosage` lives in
//! `dosage` and is re-exported here.
//!
//! Every type here is owned and (de)serialisable, so a clinic's own library items can be
//! stored as JSON and go through exactly the same safety checks as the built-in ones.

pub use super::dosage::Dosage;
use super::safety::SafetyFact;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Finds the variant whose `code()` is `s`; shared by the `FromStr` impls below.
fn parse_code<T: Copy>(all: &[T], code: fn(T) -> &'static str, s: &str, what: &str) -> Result<T, String> {
    all.iter().copied().find(|v| code(*v) == s).ok_or_else(|| format!("not a known {what}"))
}

/// The kind of treatment a library item is (docs/api.md category codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ManualTherapy,
    DryNeedling,
    Taping,
    Exercise,
    Stretch,
    NerveMobilisation,
    Education,
    ThermalElectro,
}

impl Category {
    /// Every category, in the order the library lists them.
    pub const ALL: [Category; 8] = [
        Self::ManualTherapy,
        Self::DryNeedling,
        Self::Taping,
        Self::Exercise,
        Self::Stretch,
        Self::NerveMobilisation,
        Self::Education,
        Self::ThermalElectro,
    ];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::ManualTherapy => "manual_therapy",
            Self::DryNeedling => "dry_needling",
            Self::Taping => "taping",
            Self::Exercise => "exercise",
            Self::Stretch => "stretch",
            Self::NerveMobilisation => "nerve_mobilisation",
            Self::Education => "education",
            Self::ThermalElectro => "thermal_electro",
        }
    }

    /// A label for screens and filters.
    pub fn label(self) -> &'static str {
        match self {
            Self::ManualTherapy => "Manual therapy",
            Self::DryNeedling => "Dry needling",
            Self::Taping => "Kinesiology taping",
            Self::Exercise => "Exercise",
            Self::Stretch => "Stretching",
            Self::NerveMobilisation => "Nerve mobilisation",
            Self::Education => "Education and advice",
            Self::ThermalElectro => "Heat, cold and electrotherapy",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Category {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_code(&Self::ALL, Self::code, s, "category")
    }
}

/// How an item is delivered, where its category covers techniques with different risks:
/// manual therapy (`thrust`, `non_thrust`, `soft_tissue`) and heat, cold and
/// electrotherapy (`heat`, `cold`, `electrotherapy`). The safety floor
/// (`safety_floor`, docs/clinical-rules.md) reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    /// High-velocity thrust manipulation.
    Thrust,
    /// Non-thrust mobilisation.
    NonThrust,
    /// Soft tissue work (massage, soft tissue mobilisation, cupping).
    SoftTissue,
    /// Superficial heat.
    Heat,
    /// Cold packs.
    Cold,
    /// TENS and other electrotherapy.
    Electrotherapy,
}

impl Technique {
    /// Every technique.
    pub const ALL: [Technique; 6] =
        [Self::Thrust, Self::NonThrust, Self::SoftTissue, Self::Heat, Self::Cold, Self::Electrotherapy];

    /// The stable code used in the API and in stored items.
    pub fn code(self) -> &'static str {
        match self {
            Self::Thrust => "thrust",
            Self::NonThrust => "non_thrust",
            Self::SoftTissue => "soft_tissue",
            Self::Heat => "heat",
            Self::Cold => "cold",
            Self::Electrotherapy => "electrotherapy",
        }
    }

    /// A label for screens.
    pub fn label(self) -> &'static str {
        match self {
            Self::Thrust => "Thrust manipulation",
            Self::NonThrust => "Non-thrust mobilisation",
            Self::SoftTissue => "Soft tissue",
            Self::Heat => "Heat",
            Self::Cold => "Cold",
            Self::Electrotherapy => "Electrotherapy",
        }
    }

    /// The techniques a category's items choose from (empty: the category has none).
    pub fn for_category(category: Category) -> &'static [Technique] {
        match category {
            Category::ManualTherapy => &[Self::Thrust, Self::NonThrust, Self::SoftTissue],
            Category::ThermalElectro => &[Self::Heat, Self::Cold, Self::Electrotherapy],
            _ => &[],
        }
    }
}

impl fmt::Display for Technique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Technique {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_code(&Self::ALL, Self::code, s, "technique")
    }
}

/// One of the four default plan stages (docs/clinical-rules.md "Stages").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    PainControl,
    Mobility,
    Strength,
    Functional,
}

impl Stage {
    /// The four stages in plan order.
    pub const ALL: [Stage; 4] = [Self::PainControl, Self::Mobility, Self::Strength, Self::Functional];

    /// Position in the default plan, 1 to 4.
    pub fn number(self) -> u8 {
        match self {
            Self::PainControl => 1,
            Self::Mobility => 2,
            Self::Strength => 3,
            Self::Functional => 4,
        }
    }

    /// The stage with this position, if it is 1 to 4.
    pub fn from_number(n: u8) -> Option<Stage> {
        Self::ALL.into_iter().find(|s| s.number() == n)
    }

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::PainControl => "pain_control",
            Self::Mobility => "mobility",
            Self::Strength => "strength",
            Self::Functional => "functional",
        }
    }

    /// The stage name shown to clinicians and patients.
    pub fn name(self) -> &'static str {
        match self {
            Self::PainControl => "Pain control",
            Self::Mobility => "Mobility",
            Self::Strength => "Strength and stability",
            Self::Functional => "Functional and postural retraining",
        }
    }

    /// Default purpose, in plain words because it is printed on the handout.
    pub fn purpose(self) -> &'static str {
        match self {
            Self::PainControl => "Settle the irritated nerve and calm the pain. We use advice, comfortable positions, gentle nerve glides and hands-on treatment.",
            Self::Mobility => "Get your lower back, hips and the backs of your legs moving freely again. Help the nerve slide easily.",
            Self::Strength => "Build strength and control in your tummy, back, buttocks and legs. The exercises get a little harder each week.",
            Self::Functional => "Get back to lifting, bending, work and sport. Build habits that help you manage on your own.",
        }
    }

    /// Default planned length in weeks; the clinician edits it per plan.
    pub fn default_weeks(self) -> u8 {
        match self {
            Self::PainControl => 2,
            Self::Mobility => 3,
            Self::Strength => 4,
            Self::Functional => 4,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Stage {
    type Err = String;
    /// Accepts the code (`mobility`) or the position (`2`), as filters use either.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(stage) = s.parse::<u8>().ok().and_then(Self::from_number) {
            return Ok(stage);
        }
        parse_code(&Self::ALL, Self::code, s, "stage")
    }
}

/// Where an item is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    Clinic,
    Home,
}

impl Setting {
    /// Both settings.
    pub const ALL: [Setting; 2] = [Self::Clinic, Self::Home];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Clinic => "clinic",
            Self::Home => "home",
        }
    }

    /// A label for screens and the handout.
    pub fn label(self) -> &'static str {
        match self {
            Self::Clinic => "In the clinic",
            Self::Home => "At home",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Setting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_code(&Self::ALL, Self::code, s, "setting")
    }
}

/// Whether a contraindication stops an item (absolute) or only warns (relative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Absolute,
    Relative,
}

impl Severity {
    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Absolute => "absolute",
            Self::Relative => "relative",
        }
    }
}

/// One reason an item may harm a patient, keyed to a patient or assessment fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contraindication {
    /// The fact that triggers it.
    pub fact: SafetyFact,
    /// Block (absolute) or warn (relative).
    pub severity: Severity,
    /// Why, for the clinician (shown with the block or the warning).
    pub note: String,
}

/// What one guideline says about an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    /// The guideline recommends it.
    Recommended,
    /// The guideline lists it as an option without a firm recommendation.
    Included,
    /// Recommended only under the condition given in the note (e.g. NICE: manual
    /// therapy only alongside exercise).
    Conditional,
    /// The guideline advises against it.
    NotRecommended,
    /// The guideline does not address it.
    NoStatement,
}

impl Stance {
    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Recommended => "recommended",
            Self::Included => "included",
            Self::Conditional => "conditional",
            Self::NotRecommended => "not_recommended",
            Self::NoStatement => "no_statement",
        }
    }

    /// A short label for the library screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::Recommended => "Recommended",
            Self::Included => "Included as an option",
            Self::Conditional => "Only with conditions",
            Self::NotRecommended => "Not recommended",
            Self::NoStatement => "No statement",
        }
    }

    fn supports(self) -> bool {
        matches!(self, Self::Recommended | Self::Included | Self::Conditional)
    }
}

/// The position of JOSPT 2021 and NICE NG59 on an item, shown side by side so that a
/// disagreement is visible rather than averaged away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GuidelineStance {
    /// JOSPT 2021 low back pain clinical practice guideline.
    pub jospt_2021: Stance,
    /// NICE NG59 (2016), low back pain and sciatica in over 16s.
    pub nice_ng59: Stance,
    /// What each says, and any condition attached.
    pub note: String,
}

impl GuidelineStance {
    /// True when one guideline supports the item and the other advises against it.
    pub fn conflict(&self) -> bool {
        (self.jospt_2021.supports() && self.nice_ng59 == Stance::NotRecommended)
            || (self.nice_ng59.supports() && self.jospt_2021 == Stance::NotRecommended)
    }
}

/// A library item: built-in (see `library::builtin`) or a clinic's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModalityDef {
    /// Stable snake_case code; never changes once published.
    pub code: String,
    /// Name shown to clinicians and on the handout.
    pub name: String,
    /// Kind of treatment.
    pub category: Category,
    /// How it is delivered, for manual therapy and heat, cold and electrotherapy items
    /// (see [`Technique`]); absent for the other categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<Technique>,
    /// Main body region, e.g. `lumbar`, `gluteal`, `hip`, `hamstring`, `sciatic_nerve`, `whole_body`.
    pub body_region: String,
    /// Clinician-facing description.
    pub description: String,
    /// Plain-language instructions for the handout (short sentences, no jargon).
    pub patient_instructions: String,
    /// Default dosage; plan items override parts of it.
    pub dosage: Dosage,
    /// Stages it suits.
    pub stages: Vec<Stage>,
    /// Default setting.
    pub setting: Setting,
    /// Contraindications checked by the safety engine.
    pub contraindications: Vec<Contraindication>,
    /// Whether recorded consent is needed before it is added (invasive items).
    pub consent_required: bool,
    /// What the guidelines say.
    pub guideline: GuidelineStance,
}

impl ModalityDef {
    /// Whether the item is suggested for this stage.
    pub fn suits(&self, stage: Stage) -> bool {
        self.stages.contains(&stage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_stage_and_setting_round_trips_through_its_code() {
        for c in Category::ALL {
            assert_eq!(c.code().parse::<Category>(), Ok(c));
        }
        for s in Stage::ALL {
            assert_eq!(s.code().parse::<Stage>(), Ok(s));
            assert_eq!(s.number().to_string().parse::<Stage>(), Ok(s));
        }
        for s in Setting::ALL {
            assert_eq!(s.code().parse::<Setting>(), Ok(s));
        }
        assert_eq!("5".parse::<Stage>(), Err("not a known stage".into()));
        assert_eq!("needling".parse::<Category>(), Err("not a known category".into()));
    }

    #[test]
    fn stages_are_numbered_one_to_four_in_plan_order() {
        let numbers: Vec<u8> = Stage::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4]);
        assert_eq!(Stage::from_number(0), None);
        assert!(Stage::ALL.iter().all(|s| s.default_weeks() > 0 && !s.purpose().is_empty()));
    }

    #[test]
    fn a_conflict_is_reported_only_when_one_guideline_advises_against() {
        let stance = |j, n| GuidelineStance { jospt_2021: j, nice_ng59: n, note: String::new() };
        assert!(stance(Stance::Included, Stance::NotRecommended).conflict());
        assert!(stance(Stance::NotRecommended, Stance::Conditional).conflict());
        assert!(!stance(Stance::Recommended, Stance::Conditional).conflict());
        assert!(!stance(Stance::NoStatement, Stance::NotRecommended).conflict());
    }
}
