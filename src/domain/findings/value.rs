//! Finding values: Oxford grades, typed values, and the API form of a finding
//! ([`FindingInput`]) with its validated twin ([`FindingValue`]).

use super::catalog::{find, method, FindingDef, Side};
use super::validate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
    /// For `slr` only: whether the test reproduced radicular (below-knee) pain. Kept as
    /// an `slr_positive` finding on the same side; refused on any other code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub positive: Option<bool>,
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
            positive: None,
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
