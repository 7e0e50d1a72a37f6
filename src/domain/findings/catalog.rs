//! The examination finding catalog: sections, sides, value types, measurement methods and
//! every finding code with its label and range (see the parent module for the choices).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Examination sections, in the order an assessment is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Subjective,
    RedFlags,
    Posture,
    Mobility,
    Neurology,
    Strength,
    Flexibility,
}

impl Section {
    /// Every section, in examination order.
    pub const ALL: [Section; 7] = [
        Self::Subjective,
        Self::RedFlags,
        Self::Posture,
        Self::Mobility,
        Self::Neurology,
        Self::Strength,
        Self::Flexibility,
    ];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Subjective => "subjective",
            Self::RedFlags => "red_flags",
            Self::Posture => "posture",
            Self::Mobility => "mobility",
            Self::Neurology => "neurology",
            Self::Strength => "strength",
            Self::Flexibility => "flexibility",
        }
    }

    /// A heading for forms.
    pub fn label(self) -> &'static str {
        match self {
            Self::Subjective => "Subjective and pain",
            Self::RedFlags => "Red flags",
            Self::Posture => "Posture",
            Self::Mobility => "Lumbar mobility",
            Self::Neurology => "Neurology and neurodynamics",
            Self::Strength => "Strength and endurance",
            Self::Flexibility => "Flexibility",
        }
    }
}

impl FromStr for Section {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known section"))
    }
}

/// The body side of a per-side finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    /// Both sides, left first.
    pub const ALL: [Side; 2] = [Self::Left, Self::Right];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Right => "right",
        }
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Side {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("side must be left or right"))
    }
}

/// What kind of value a finding takes, with its allowed range or options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// A whole number from `min` to `max` inclusive.
    Integer { min: i64, max: i64 },
    /// Any number from `min` to `max` inclusive (for findings with methods, the method's range applies).
    Decimal { min: f64, max: f64 },
    /// `true` / `false` (for tests: `true` = positive).
    Bool,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// Free text, up to [`MAX_TEXT`] characters.
    Text,
    /// An Oxford/MRC grade 0–5 with optional `+`/`-`, see [`OxfordGrade`].
    Oxford,
}

/// One finding the examination can record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FindingDef {
    /// Stable code used in the API and the database.
    pub code: &'static str,
    /// Plain clinical label for forms.
    pub label: &'static str,
    /// The examination section it belongs to.
    pub section: Section,
    /// The kind of value and its range.
    pub value_type: ValueType,
    /// Unit of the value, when it has one and it does not depend on the method.
    pub unit: Option<&'static str>,
    /// Allowed measurement methods (see [`method`]); empty means the finding takes none.
    pub methods: &'static [&'static str],
    /// Whether the finding needs a side (left or right).
    pub per_side: bool,
    /// Whether one assessment may hold several of it for the same side (one per value).
    pub repeatable: bool,
}

/// A measurement method for range of motion, with its unit and range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MethodDef {
    /// Stable code used in the API.
    pub code: &'static str,
    /// Plain label for forms.
    pub label: &'static str,
    /// Unit of a value measured this way.
    pub unit: &'static str,
    /// Smallest accepted value.
    pub min: f64,
    /// Largest accepted value.
    pub max: f64,
}

/// The longest free-text finding, in characters.
pub const MAX_TEXT: usize = 2000;
/// The longest note on a finding, in characters.
pub const MAX_NOTE: usize = 1000;
/// Red-flag screening answers.
pub const RED_FLAG_STATES: &[&str] = &["positive", "negative", "not_asked"];
/// Dermatome sensation grades.
pub const SENSATION: &[&str] = &["normal", "reduced", "absent", "increased"];
/// Reflex grades.
pub const REFLEX: &[&str] = &["absent", "reduced", "normal", "brisk"];
/// Symptom response to a movement.
pub const SYMPTOM_RESPONSE: &[&str] = &["peripheralises", "centralises", "no_change"];
/// Body-chart regions for symptom findings, proximal to distal.
#[rustfmt::skip]
pub const SYMPTOM_REGIONS: &[&str] = &[
    "lumbar", "buttock", "groin", "thigh_anterior", "thigh_lateral", "thigh_posterior", "knee",
    "leg_medial", "leg_lateral", "calf", "ankle", "foot_medial", "foot_dorsum", "great_toe",
    "foot_lateral", "sole",
];

const FLEXION_METHODS: &[&str] =
    &["inclinometer", "modified_modified_schober", "fingertip_to_floor", "visual_estimate"];
const EXTENSION_METHODS: &[&str] = &["inclinometer", "modified_modified_schober", "visual_estimate"];
const SIDE_FLEXION_METHODS: &[&str] = &["inclinometer", "fingertip_to_floor", "visual_estimate"];

#[rustfmt::skip]
static METHODS: &[MethodDef] = &[
    MethodDef { code: "inclinometer", label: "Inclinometer", unit: "degrees", min: 0.0, max: 120.0 },
    MethodDef { code: "modified_modified_schober", label: "Modified-modified Schober", unit: "cm", min: 0.0, max: 15.0 },
    MethodDef { code: "fingertip_to_floor", label: "Fingertip to floor", unit: "cm", min: 0.0, max: 100.0 },
    MethodDef { code: "visual_estimate", label: "Visual estimate", unit: "% of normal", min: 0.0, max: 100.0 },
];

type Str = &'static str;

const fn def(code: Str, label: Str, section: Section, value_type: ValueType) -> FindingDef {
    let (unit, methods, per_side, repeatable) = (None, &[] as &[Str], false, false);
    FindingDef { code, label, section, value_type, unit, methods, per_side, repeatable }
}
const fn int(code: Str, label: Str, s: Section, max: i64, unit: Option<Str>) -> FindingDef {
    FindingDef { unit, ..def(code, label, s, ValueType::Integer { min: 0, max }) }
}
const fn pick(code: Str, label: Str, s: Section, options: &'static [Str]) -> FindingDef {
    def(code, label, s, ValueType::Choice(options))
}
const fn yes_no(code: Str, label: Str, s: Section) -> FindingDef {
    def(code, label, s, ValueType::Bool)
}
const fn flag(code: Str, label: Str) -> FindingDef {
    pick(code, label, Section::RedFlags, RED_FLAG_STATES)
}
const fn rom(code: Str, label: Str, methods: &'static [Str]) -> FindingDef {
    let range = ValueType::Decimal { min: 0.0, max: 120.0 };
    FindingDef { methods, ..def(code, label, Section::Mobility, range) }
}
const fn sided(d: FindingDef) -> FindingDef {
    FindingDef { per_side: true, ..d }
}
const fn symptom(code: Str, label: Str) -> FindingDef {
    FindingDef { repeatable: true, ..sided(pick(code, label, Section::Subjective, SYMPTOM_REGIONS)) }
}

use Section::{Flexibility as FLX, Mobility as MOB, Neurology as NEU, Posture as POS};
use Section::{Strength as STR, Subjective as SUB};
use ValueType::{Oxford as OXFORD, Text as TEXT};
const DEG: Option<Str> = Some("degrees");
const MIN: Option<Str> = Some("min");
const SEC: Option<Str> = Some("s");
const OF10: Option<Str> = Some("/10");

#[rustfmt::skip]
static CATALOG: &[FindingDef] = &[
    int("nprs_now", "Pain now (NPRS)", SUB, 10, OF10),
    int("nprs_best", "Pain at best, last 24 h (NPRS)", SUB, 10, OF10),
    int("nprs_worst", "Pain at worst, last 24 h (NPRS)", SUB, 10, OF10),
    symptom("symptom_pain", "Pain: region"),
    symptom("symptom_paraesthesia", "Pins and needles (paraesthesia): region"),
    symptom("symptom_numbness", "Numbness: region"),
    def("aggravating_factors", "Aggravating factors", SUB, TEXT),
    def("easing_factors", "Easing factors", SUB, TEXT),
    def("pattern_24h", "24-hour pattern", SUB, TEXT),
    // A fracture risk factor, not a red flag by itself: with minor trauma, answer
    // rf_minor_trauma_osteoporosis (docs/clinical-rules.md "Red flags"). The code keeps its
    // stored name so earlier answers still read.
    pick("rf_corticosteroids", "Long-term corticosteroid use (a fracture risk with minor trauma)", SUB, RED_FLAG_STATES),
    flag("rf_saddle_anaesthesia", "Saddle anaesthesia"),
    flag("rf_bladder_dysfunction", "New bladder dysfunction (retention or incontinence)"),
    flag("rf_bowel_dysfunction", "Bowel incontinence or new loss of bowel control"),
    flag("rf_sexual_dysfunction", "New sexual dysfunction"),
    flag("rf_bilateral_leg_symptoms", "Bilateral leg symptoms"),
    flag("rf_progressive_neuro_deficit", "Severe or progressive neurological deficit"),
    flag("rf_cancer_history", "History of cancer"),
    flag("rf_unexplained_weight_loss", "Unexplained weight loss"),
    flag("rf_age_over_50_new_onset", "Age over 50 at new onset"),
    flag("rf_night_pain", "Constant or unremitting night pain"),
    flag("rf_no_improvement_one_month", "No improvement after a month of care"),
    flag("rf_major_trauma", "Major trauma"),
    flag("rf_minor_trauma_osteoporosis", "Minor trauma with osteoporosis or long-term corticosteroid use"),
    flag("rf_fever", "Fever"),
    flag("rf_immunosuppression", "Immunosuppression"),
    flag("rf_iv_drug_use", "Intravenous drug use"),
    pick("posture_lateral_shift", "Lateral shift", POS, &["none", "left", "right"]),
    pick("posture_lordosis", "Lumbar lordosis", POS, &["reduced", "normal", "increased"]),
    yes_no("posture_antalgic", "Antalgic posture", POS),
    int("sitting_tolerance", "Sitting tolerance", POS, 1440, MIN),
    int("standing_tolerance", "Standing tolerance", POS, 1440, MIN),
    rom("lumbar_flexion", "Lumbar flexion", FLEXION_METHODS),
    pick("lumbar_flexion_response", "Symptom response to flexion", MOB, SYMPTOM_RESPONSE),
    rom("lumbar_extension", "Lumbar extension", EXTENSION_METHODS),
    pick("lumbar_extension_response", "Symptom response to extension", MOB, SYMPTOM_RESPONSE),
    sided(rom("lumbar_side_flexion", "Lumbar side flexion", SIDE_FLEXION_METHODS)),
    sided(pick("lumbar_side_flexion_response", "Symptom response to side flexion", MOB, SYMPTOM_RESPONSE)),
    sided(int("slr", "Straight leg raise: angle at symptom onset", NEU, 120, DEG)),
    sided(yes_no("slr_positive", "Straight leg raise reproduces radicular (below-knee) pain", NEU)),
    sided(yes_no("crossed_slr", "Crossed straight leg raise positive (side = leg raised)", NEU)),
    sided(yes_no("slump", "Slump test positive (with structural differentiation)", NEU)),
    sided(int("myotome_l4", "Myotome L4: ankle dorsiflexion (0-5)", NEU, 5, None)),
    sided(int("myotome_l5", "Myotome L5: great-toe extension (0-5)", NEU, 5, None)),
    sided(int("myotome_s1", "Myotome S1: plantarflexion / eversion (0-5)", NEU, 5, None)),
    sided(pick("dermatome_l4", "Dermatome L4: medial leg to medial foot", NEU, SENSATION)),
    sided(pick("dermatome_l5", "Dermatome L5: lateral leg, dorsum of foot, great toe", NEU, SENSATION)),
    sided(pick("dermatome_s1", "Dermatome S1: lateral foot and sole", NEU, SENSATION)),
    sided(pick("reflex_knee", "Knee reflex (L3/4)", NEU, REFLEX)),
    sided(pick("reflex_ankle", "Ankle reflex (S1)", NEU, REFLEX)),
    sided(def("mmt_gluteus_maximus", "Gluteus maximus (Oxford 0-5)", STR, OXFORD)),
    sided(def("mmt_gluteus_medius", "Gluteus medius (Oxford 0-5)", STR, OXFORD)),
    sided(def("mmt_hip_flexors", "Hip flexors (Oxford 0-5)", STR, OXFORD)),
    sided(def("mmt_quadriceps", "Quadriceps (Oxford 0-5)", STR, OXFORD)),
    int("plank_hold", "Prone plank hold", STR, 600, SEC),
    int("biering_sorensen_hold", "Biering-Sorensen extensor hold", STR, 600, SEC),
    sided(int("hamstring_90_90", "Hamstring 90/90: knee extension short of full", FLX, 90, DEG)),
    sided(yes_no("thomas_test", "Thomas test positive", FLX)),
    sided(yes_no("fair_test", "Piriformis (FAIR) test positive", FLX)),
];

/// Every finding, in examination order.
pub fn catalog() -> &'static [FindingDef] {
    CATALOG
}

/// The finding with this code.
pub fn find(code: &str) -> Option<&'static FindingDef> {
    CATALOG.iter().find(|d| d.code == code)
}

/// The range-of-motion method with this code.
pub fn method(code: &str) -> Option<&'static MethodDef> {
    METHODS.iter().find(|m| m.code == code)
}
