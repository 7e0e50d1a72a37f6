//! The examination finding catalog (interface.md finding codes) and the validator that
//! turns an API finding `{code, side?, value, method?, note?}` into a typed [`FindingValue`].
//!
//! Representation choices:
//! - Symptom regions are three per-side codes, one per symptom type: `symptom_pain`,
//!   `symptom_paraesthesia`, `symptom_numbness`. The value is one body region (see
//!   [`SYMPTOM_REGIONS`]); record one finding per region, so these codes are `repeatable`.
//!   Midline lumbar pain is recorded as `lumbar` on the side(s) where it is felt.
//! - Lumbar side flexion is one per-side code, `lumbar_side_flexion`. Each lumbar movement
//!   has its own symptom response code (`lumbar_flexion_response`, ...).
//! - `crossed_slr` is recorded on the side of the leg that is raised.
//! - Strength muscles (`mmt_*`) take an Oxford grade 0–5 with optional `+`/`-` (e.g. `4+`),
//!   because stage criteria use "MMT >= 4+"; myotomes are whole grades 0–5.
//! - A blank `side`, `method` or `note` (empty or spaces) counts as not given.

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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
    flag("rf_minor_trauma_osteoporosis", "Minor trauma with osteoporosis"),
    flag("rf_corticosteroids", "Long-term corticosteroid use"),
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

/// An Oxford/MRC grade modifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GradeModifier {
    Minus,
    None,
    Plus,
}

/// An Oxford/MRC muscle grade 0–5; `-` is allowed on 2–5 and `+` on 1–4. Orders 4- < 4 < 4+ < 5-.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OxfordGrade {
    /// The whole grade, 0–5.
    pub grade: u8,
    /// The `+`/`-` modifier.
    pub modifier: GradeModifier,
}

impl OxfordGrade {
    /// A grade without modifier, when 0–5.
    pub fn whole(grade: i64) -> Option<Self> {
        let grade = u8::try_from(grade).ok().filter(|g| *g <= 5)?;
        Some(Self { grade, modifier: GradeModifier::None })
    }
}

impl fmt::Display for OxfordGrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = match self.modifier {
            GradeModifier::Minus => "-",
            GradeModifier::None => "",
            GradeModifier::Plus => "+",
        };
        write!(f, "{}{m}", self.grade)
    }
}

impl FromStr for OxfordGrade {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || String::from("not an Oxford grade (0 to 5, e.g. 4 or 4+)");
        let (digits, modifier) = match s.strip_suffix('+') {
            Some(d) => (d, GradeModifier::Plus),
            None => match s.strip_suffix('-') {
                Some(d) => (d, GradeModifier::Minus),
                None => (s, GradeModifier::None),
            },
        };
        let grade: u8 = digits.parse().map_err(|_| err())?;
        let ok = match modifier {
            GradeModifier::None => grade <= 5,
            GradeModifier::Plus => (1..=4).contains(&grade),
            GradeModifier::Minus => (2..=5).contains(&grade),
        };
        ok.then_some(Self { grade, modifier }).ok_or_else(err)
    }
}

/// A validated finding value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Integer(i64),
    Decimal(f64),
    Bool(bool),
    Choice(&'static str),
    Text(String),
    Grade(OxfordGrade),
}

impl Value {
    /// The whole number, for integer findings.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Self::Integer(i) => Some(*i),
            _ => None,
        }
    }
    /// The number, for integer and decimal findings.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Integer(i) => Some(*i as f64),
            Self::Decimal(d) => Some(*d),
            _ => None,
        }
    }
    /// The flag, for yes/no findings.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The word or text, for choice and text findings.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Choice(c) => Some(c),
            Self::Text(t) => Some(t),
            _ => None,
        }
    }
    /// The grade, for Oxford findings.
    pub fn as_grade(&self) -> Option<OxfordGrade> {
        match self {
            Self::Grade(g) => Some(*g),
            _ => None,
        }
    }
    /// The JSON form the API accepts (a grade with a modifier is a string such as "4+").
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Integer(i) => (*i).into(),
            Self::Decimal(d) => serde_json::Number::from_f64(*d).map_or(serde_json::Value::Null, Into::into),
            Self::Bool(b) => (*b).into(),
            Self::Choice(c) => (*c).into(),
            Self::Text(t) => t.as_str().into(),
            Self::Grade(g) if g.modifier == GradeModifier::None => g.grade.into(),
            Self::Grade(g) => g.to_string().into(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Integer(i) => write!(f, "{i}"),
            Self::Decimal(d) => write!(f, "{d}"),
            Self::Bool(true) => f.write_str("positive"),
            Self::Bool(false) => f.write_str("negative"),
            Self::Choice(c) => f.write_str(c),
            Self::Text(t) => f.write_str(t),
            Self::Grade(g) => write!(f, "{g}"),
        }
    }
}

/// A finding as the API sends it (`findings: [{code, side?, value, method?, note?}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FindingInput {
    /// Catalog code, e.g. `slr`.
    pub code: String,
    /// `left` or `right`, for per-side findings only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side: Option<String>,
    /// A number, `true`/`false` or a word, by the finding's value type.
    pub value: serde_json::Value,
    /// Measurement method, for findings that have methods only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Free note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A validated finding. Its JSON form is the same as [`FindingInput`], and reading it back
/// validates again, so stored findings can be kept as JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "FindingInput")]
pub struct FindingValue {
    /// The catalog code.
    pub code: &'static str,
    /// The side, exactly when the finding is per side.
    pub side: Option<Side>,
    /// The typed value.
    pub value: Value,
    /// The method, exactly when the finding has methods.
    pub method: Option<&'static str>,
    /// A free note, trimmed, never blank.
    pub note: Option<String>,
}

impl FindingValue {
    /// The catalog entry.
    pub fn def(&self) -> Option<&'static FindingDef> {
        find(self.code)
    }
    /// The unit of the value: the method's unit, else the finding's.
    pub fn unit(&self) -> Option<&'static str> {
        match self.method.and_then(method) {
            Some(m) => Some(m.unit),
            None => self.def().and_then(|d| d.unit),
        }
    }
}

impl From<FindingValue> for FindingInput {
    fn from(f: FindingValue) -> Self {
        FindingInput {
            code: f.code.to_string(),
            side: f.side.map(|s| s.code().to_string()),
            value: f.value.to_json(),
            method: f.method.map(str::to_string),
            note: f.note,
        }
    }
}

impl<'de> Deserialize<'de> for FindingValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let input = FindingInput::deserialize(deserializer)?;
        validate(&input).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<FindingInput> for FindingValue {
    type Error = String;
    fn try_from(input: FindingInput) -> Result<Self, Self::Error> {
        validate(&input)
    }
}

/// A whole number from JSON: an integer, or a number with no fractional part (`3.0`).
pub fn whole_number(v: &serde_json::Value) -> Option<i64> {
    match v.as_i64() {
        Some(i) => Some(i),
        None => v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e15).map(|f| f as i64),
    }
}

fn blank_to_none(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates one finding; the error names the finding.
pub fn validate(input: &FindingInput) -> Result<FindingValue, String> {
    let code = input.code.trim();
    let def = find(code).ok_or_else(|| String::from("not a known finding code"))?;
    let code = def.code;
    let side = match (def.per_side, blank_to_none(&input.side)) {
        (true, None) => return Err(format!("{code} needs a side (left or right)")),
        (true, Some(s)) => Some(s.parse::<Side>().map_err(|_| format!("{code} side must be left or right"))?),
        (false, None) => None,
        (false, Some(_)) => return Err(format!("{code} takes no side")),
    };
    let method_def = match (def.methods.is_empty(), blank_to_none(&input.method)) {
        (true, None) => None,
        (true, Some(_)) => return Err(format!("{code} takes no method")),
        (false, None) => return Err(format!("{code} needs a method (one of: {})", def.methods.join(", "))),
        (false, Some(m)) => Some(
            def.methods
                .iter()
                .find(|c| **c == m)
                .and_then(|c| method(c))
                .ok_or_else(|| format!("{code} method must be one of: {}", def.methods.join(", ")))?,
        ),
    };
    let v = &input.value;
    let value = match def.value_type {
        ValueType::Integer { min, max } => whole_number(v)
            .filter(|i| (min..=max).contains(i))
            .map(Value::Integer)
            .ok_or_else(|| format!("{code} must be a whole number from {min} to {max}"))?,
        ValueType::Decimal { min, max } => {
            let (min, max, by) = match method_def {
                Some(m) => (m.min, m.max, format!(" by {} ({})", m.code, m.unit)),
                None => (min, max, String::new()),
            };
            v.as_f64()
                .filter(|f| (min..=max).contains(f))
                .map(Value::Decimal)
                .ok_or_else(|| format!("{code}{by} must be a number from {min} to {max}"))?
        }
        ValueType::Bool => v.as_bool().map(Value::Bool).ok_or_else(|| format!("{code} must be true or false"))?,
        ValueType::Choice(options) => v
            .as_str()
            .and_then(|s| options.iter().find(|o| **o == s))
            .map(|o| Value::Choice(o))
            .ok_or_else(|| format!("{code} must be one of: {}", options.join(", ")))?,
        ValueType::Text => {
            let text = v.as_str().map(str::trim).unwrap_or_default();
            if text.is_empty() || text.chars().count() > MAX_TEXT {
                return Err(format!("{code} must be text of 1 to {MAX_TEXT} characters"));
            }
            Value::Text(text.to_string())
        }
        ValueType::Oxford => match v {
            serde_json::Value::String(s) => s.trim().parse().ok(),
            other => whole_number(other).and_then(OxfordGrade::whole),
        }
        .map(Value::Grade)
        .ok_or_else(|| format!("{code} must be an Oxford grade from 0 to 5 (e.g. 4 or 4+)"))?,
    };
    let note = blank_to_none(&input.note).map(str::to_string);
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        return Err(format!("{code} note must be at most {MAX_NOTE} characters"));
    }
    Ok(FindingValue { code, side, value, method: method_def.map(|m| m.code), note })
}

/// One refused finding in a list: its position and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingError {
    /// Position in the submitted list, from 0.
    pub index: usize,
    /// Why it was refused (names the finding).
    pub message: String,
}

/// Validates a whole list: each finding, then that no finding is recorded twice for the
/// same side (repeatable findings: not twice with the same value). All errors are returned.
pub fn validate_all(inputs: &[FindingInput]) -> Result<Vec<FindingValue>, Vec<FindingError>> {
    let mut values: Vec<FindingValue> = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        match validate(input) {
            Ok(v) => {
                let repeat = values.iter().any(|p| {
                    p.code == v.code
                        && p.side == v.side
                        && (!v.def().is_some_and(|d| d.repeatable) || p.value == v.value)
                });
                if repeat {
                    let side = v.side.map(|s| format!(" ({s})")).unwrap_or_default();
                    let message = format!("{}{side} is recorded twice", v.code);
                    errors.push(FindingError { index, message });
                } else {
                    values.push(v);
                }
            }
            Err(message) => errors.push(FindingError { index, message }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn input(code: &str, side: Option<&str>, value: serde_json::Value, method: Option<&str>) -> FindingInput {
        FindingInput {
            code: code.into(),
            side: side.map(Into::into),
            value,
            method: method.map(Into::into),
            note: None,
        }
    }

    fn check(
        code: &str,
        side: Option<&str>,
        value: serde_json::Value,
        method: Option<&str>,
    ) -> Result<FindingValue, String> {
        validate(&input(code, side, value, method))
    }

    #[test]
    fn every_code_named_in_the_interface_is_in_the_catalog() {
        let required = "nprs_now nprs_best nprs_worst slr slump crossed_slr myotome_l4 myotome_l5 myotome_s1 \
            dermatome_l4 dermatome_l5 dermatome_s1 reflex_knee reflex_ankle lumbar_flexion lumbar_extension \
            posture_lateral_shift posture_lordosis posture_antalgic sitting_tolerance standing_tolerance \
            hamstring_90_90 thomas_test fair_test plank_hold biering_sorensen_hold aggravating_factors \
            easing_factors pattern_24h rf_saddle_anaesthesia rf_bladder_dysfunction rf_bowel_dysfunction \
            rf_bilateral_leg_symptoms rf_progressive_neuro_deficit rf_cancer_history rf_unexplained_weight_loss \
            rf_major_trauma rf_fever";
        for code in required.split_whitespace() {
            assert!(find(code).is_some(), "{code} missing");
        }
    }

    #[test]
    fn codes_are_unique_and_the_catalog_is_in_examination_order() {
        for (i, d) in catalog().iter().enumerate() {
            assert!(catalog()[..i].iter().all(|p| p.code != d.code), "{} twice", d.code);
            assert!(i == 0 || catalog()[i - 1].section <= d.section, "{} out of order", d.code);
        }
    }

    #[test]
    fn every_method_named_by_a_finding_exists() {
        for d in catalog() {
            for m in d.methods {
                assert!(method(m).is_some(), "{} names unknown method {m}", d.code);
            }
        }
    }

    #[test]
    fn the_catalog_serialises_for_forms_and_the_api() {
        let json = serde_json::to_value(find("dermatome_l4").unwrap()).unwrap();
        assert_eq!(json["value_type"], json!({"choice": ["normal", "reduced", "absent", "increased"]}));
        assert_eq!(json["section"], json!("neurology"));
        assert_eq!(json["per_side"], json!(true));
        assert!(serde_json::to_string(catalog()).is_ok());
    }

    #[test]
    fn sections_and_sides_round_trip_through_their_codes() {
        for s in Section::ALL {
            assert_eq!(s.code().parse::<Section>(), Ok(s));
        }
        for s in Side::ALL {
            assert_eq!(s.code().parse::<Side>(), Ok(s));
        }
    }

    #[test]
    fn valid_findings_of_every_value_type_are_accepted() {
        let ok = [
            check("nprs_worst", None, json!(7), None),
            check("nprs_now", None, json!(3.0), None),
            check("slr", Some("left"), json!(45), None),
            check("slump", Some("right"), json!(true), None),
            check("dermatome_l5", Some("left"), json!("reduced"), None),
            check("lumbar_flexion", None, json!(42.5), Some("inclinometer")),
            check("lumbar_flexion", None, json!(5), Some("modified_modified_schober")),
            check("lumbar_side_flexion", Some("right"), json!(20), Some("fingertip_to_floor")),
            check("aggravating_factors", None, json!("sitting > 20 min"), None),
            check("mmt_gluteus_medius", Some("left"), json!("4+"), None),
            check("mmt_quadriceps", Some("left"), json!(5), None),
            check("rf_fever", None, json!("not_asked"), None),
            check("symptom_paraesthesia", Some("left"), json!("great_toe"), None),
        ];
        for r in ok {
            assert!(r.is_ok(), "{r:?}");
        }
        let v = check("slr", Some("left"), json!(45), None).unwrap();
        assert_eq!((v.side, v.value.clone(), v.unit()), (Some(Side::Left), Value::Integer(45), Some("degrees")));
        let v = check("lumbar_flexion", None, json!(5), Some("fingertip_to_floor")).unwrap();
        assert_eq!((v.method, v.unit()), (Some("fingertip_to_floor"), Some("cm")));
    }

    #[test]
    fn refused_findings_get_a_message_naming_the_finding() {
        let cases = [
            (check("nprs_worst", None, json!(11), None), "nprs_worst must be a whole number from 0 to 10"),
            (check("nprs_worst", None, json!(-1), None), "nprs_worst must be a whole number from 0 to 10"),
            (check("nprs_now", None, json!(2.5), None), "nprs_now must be a whole number from 0 to 10"),
            (check("nprs_now", None, json!("5"), None), "nprs_now must be a whole number from 0 to 10"),
            (check("slr", None, json!(40), None), "slr needs a side (left or right)"),
            (check("slr", Some("up"), json!(40), None), "slr side must be left or right"),
            (check("slr", Some("left"), json!(130), None), "slr must be a whole number from 0 to 120"),
            (check("nprs_now", Some("left"), json!(4), None), "nprs_now takes no side"),
            (check("slump", Some("left"), json!("positive"), None), "slump must be true or false"),
            (
                check("dermatome_s1", Some("left"), json!("numb"), None),
                "dermatome_s1 must be one of: normal, reduced, absent, increased",
            ),
            (
                check("lumbar_flexion", None, json!(40), Some("tape")),
                "lumbar_flexion method must be one of: inclinometer, modified_modified_schober, \
                 fingertip_to_floor, visual_estimate",
            ),
            (
                check("lumbar_flexion", None, json!(40), None),
                "lumbar_flexion needs a method (one of: inclinometer, modified_modified_schober, \
                 fingertip_to_floor, visual_estimate)",
            ),
            (
                check("lumbar_extension", None, json!(10), Some("fingertip_to_floor")),
                "lumbar_extension method must be one of: inclinometer, modified_modified_schober, visual_estimate",
            ),
            (
                check("lumbar_flexion", None, json!(20), Some("modified_modified_schober")),
                "lumbar_flexion by modified_modified_schober (cm) must be a number from 0 to 15",
            ),
            (check("nprs_now", None, json!(4), Some("inclinometer")), "nprs_now takes no method"),
            (check("xyz", None, json!(1), None), "not a known finding code"),
            (
                check("mmt_hip_flexors", Some("left"), json!("5+"), None),
                "mmt_hip_flexors must be an Oxford grade from 0 to 5 (e.g. 4 or 4+)",
            ),
            (check("pattern_24h", None, json!("  "), None), "pattern_24h must be text of 1 to 2000 characters"),
        ];
        for (got, want) in cases {
            assert_eq!(got, Err(want.to_string()));
        }
    }

    #[test]
    fn blank_side_method_and_note_count_as_not_given() {
        let mut i = input("nprs_now", Some(""), json!(3), Some("  "));
        i.note = Some(" ".into());
        assert_eq!(validate(&i).map(|v| v.note), Ok(None));
    }

    #[test]
    fn a_validated_finding_round_trips_through_json() {
        for v in [
            check("mmt_gluteus_maximus", Some("right"), json!("3-"), None),
            check("mmt_gluteus_maximus", Some("right"), json!(4), None),
            check("lumbar_flexion", None, json!(55.5), Some("visual_estimate")),
            check("easing_factors", None, json!("lying"), None),
        ] {
            let v = v.unwrap();
            let text = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<FindingValue>(&text).unwrap(), v);
        }
        assert!(serde_json::from_str::<FindingValue>(r#"{"code":"slr","value":40}"#).is_err());
    }

    #[test]
    fn a_list_refuses_duplicates_but_allows_several_symptom_regions() {
        let list = [
            input("slr", Some("left"), json!(40), None),
            input("slr", Some("right"), json!(80), None),
            input("symptom_pain", Some("left"), json!("buttock"), None),
            input("symptom_pain", Some("left"), json!("calf"), None),
            input("slr", Some("left"), json!(45), None),
            input("symptom_pain", Some("left"), json!("calf"), None),
            input("nprs_now", None, json!(20), None),
        ];
        let errors = validate_all(&list).unwrap_err();
        let got: Vec<_> = errors.iter().map(|e| (e.index, e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (4, "slr (left) is recorded twice"),
                (5, "symptom_pain (left) is recorded twice"),
                (6, "nprs_now must be a whole number from 0 to 10"),
            ]
        );
        assert_eq!(validate_all(&list[..4]).map(|v| v.len()), Ok(4));
    }

    #[test]
    fn oxford_grades_order_minus_below_plus() {
        let g = |s: &str| s.parse::<OxfordGrade>().unwrap();
        assert!(g("4-") < g("4") && g("4") < g("4+") && g("4+") < g("5-") && g("5-") < g("5"));
        for bad in ["6", "0-", "0+", "5+", "1-", "four", ""] {
            assert!(bad.parse::<OxfordGrade>().is_err(), "{bad}");
        }
        assert_eq!(g("3+").to_string(), "3+");
    }

    proptest! {
        #[test]
        fn integer_findings_accept_exactly_their_range(n in -50i64..200) {
            let r = check("slr", Some("right"), json!(n), None);
            prop_assert_eq!(r.is_ok(), (0..=120).contains(&n));
        }

        #[test]
        fn nprs_accepts_exactly_zero_to_ten(n in -1000i64..1000) {
            for code in ["nprs_now", "nprs_best", "nprs_worst"] {
                prop_assert_eq!(check(code, None, json!(n), None).is_ok(), (0..=10).contains(&n));
            }
        }

        #[test]
        fn inclinometer_values_in_range_are_kept_exactly(x in 0.0f64..=120.0) {
            let v = check("lumbar_extension", None, json!(x), Some("inclinometer")).unwrap();
            prop_assert_eq!(v.value, Value::Decimal(x));
        }

        #[test]
        fn any_string_is_either_a_listed_choice_or_refused(s in "[a-z_]{0,12}") {
            let r = check("posture_lateral_shift", None, json!(s.clone()), None);
            prop_assert_eq!(r.is_ok(), ["none", "left", "right"].contains(&s.as_str()));
        }
    }
}
