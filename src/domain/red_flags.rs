//! Red-flag screening (clinical-reference.md, "Red flags") and detection of neurological
//! deterioration between two assessments.
//!
//! Deterioration rules, per side, comparing the same code in two assessments (a finding
//! missing from either assessment is not compared):
//! - Myotomes: any drop in grade (5 -> 4 counts).
//! - Dermatomes: loss of sensation ranks normal = increased < reduced < absent; a higher
//!   rank is worse. `increased` (hyperaesthesia) is abnormal, so normal -> increased is
//!   also worse. increased -> normal, or reduced -> increased (sensation returning), is not.
//! - Reflexes: the same with normal = brisk < reduced < absent, and normal -> brisk is
//!   worse (new hyperreflexia suggests an upper motor neuron sign).
//!
//! The caller raises `rf_progressive_neuro_deficit` when the list is not empty.

use super::findings::{FindingValue, Side, Value, RED_FLAG_STATES};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The answer to one red-flag screening question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedFlagState {
    Positive,
    Negative,
    NotAsked,
}

impl RedFlagState {
    /// Every state.
    pub const ALL: [RedFlagState; 3] = [Self::Positive, Self::Negative, Self::NotAsked];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::Positive => "positive",
            Self::Negative => "negative",
            Self::NotAsked => "not_asked",
        }
    }
}

impl FromStr for RedFlagState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == s)
            .ok_or_else(|| format!("red flag must be one of: {}", RED_FLAG_STATES.join(", ")))
    }
}

/// The serious condition a red flag points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedFlagGroup {
    /// Immediate referral.
    CaudaEquina,
    Malignancy,
    Fracture,
    Infection,
}

impl RedFlagGroup {
    /// Every group, most urgent first.
    pub const ALL: [RedFlagGroup; 4] = [Self::CaudaEquina, Self::Malignancy, Self::Fracture, Self::Infection];

    /// The stable code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            Self::CaudaEquina => "cauda_equina",
            Self::Malignancy => "malignancy",
            Self::Fracture => "fracture",
            Self::Infection => "infection",
        }
    }

    /// A plain name for forms.
    pub fn label(self) -> &'static str {
        match self {
            Self::CaudaEquina => "Cauda equina syndrome: refer immediately",
            Self::Malignancy => "Possible malignancy",
            Self::Fracture => "Possible fracture",
            Self::Infection => "Possible infection",
        }
    }

    /// Whether a positive flag in this group needs immediate referral.
    pub fn is_emergency(self) -> bool {
        self == Self::CaudaEquina
    }
}

impl FromStr for RedFlagGroup {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known red flag group"))
    }
}

/// Every red-flag finding code with its group, in catalog order.
pub const RED_FLAGS: &[(&str, RedFlagGroup)] = &[
    ("rf_saddle_anaesthesia", RedFlagGroup::CaudaEquina),
    ("rf_bladder_dysfunction", RedFlagGroup::CaudaEquina),
    ("rf_bowel_dysfunction", RedFlagGroup::CaudaEquina),
    ("rf_sexual_dysfunction", RedFlagGroup::CaudaEquina),
    ("rf_bilateral_leg_symptoms", RedFlagGroup::CaudaEquina),
    ("rf_progressive_neuro_deficit", RedFlagGroup::CaudaEquina),
    ("rf_cancer_history", RedFlagGroup::Malignancy),
    ("rf_unexplained_weight_loss", RedFlagGroup::Malignancy),
    ("rf_age_over_50_new_onset", RedFlagGroup::Malignancy),
    ("rf_night_pain", RedFlagGroup::Malignancy),
    ("rf_no_improvement_one_month", RedFlagGroup::Malignancy),
    ("rf_major_trauma", RedFlagGroup::Fracture),
    ("rf_minor_trauma_osteoporosis", RedFlagGroup::Fracture),
    ("rf_corticosteroids", RedFlagGroup::Fracture),
    ("rf_fever", RedFlagGroup::Infection),
    ("rf_immunosuppression", RedFlagGroup::Infection),
    ("rf_iv_drug_use", RedFlagGroup::Infection),
];

/// The flag raised when neurology worsens between assessments.
pub const PROGRESSIVE_NEURO_DEFICIT: &str = "rf_progressive_neuro_deficit";

/// The group of a red-flag code.
pub fn group(code: &str) -> Option<RedFlagGroup> {
    RED_FLAGS.iter().find(|(c, _)| *c == code).map(|(_, g)| *g)
}

/// The red-flag codes of one group, in catalog order.
pub fn codes_in(group: RedFlagGroup) -> Vec<&'static str> {
    RED_FLAGS.iter().filter(|(_, g)| *g == group).map(|(c, _)| *c).collect()
}

/// The screening state of a finding, when it is a red flag.
pub fn state(finding: &FindingValue) -> Option<RedFlagState> {
    group(finding.code)?;
    finding.value.as_str()?.parse().ok()
}

/// Red-flag codes answered positive, in catalog order, each once.
pub fn positive_flags(findings: &[FindingValue]) -> Vec<&'static str> {
    answered(findings, RedFlagState::Positive)
}

/// Red-flag codes in one group that were not screened (absent or `not_asked`), in catalog order.
pub fn unscreened(findings: &[FindingValue], group: RedFlagGroup) -> Vec<&'static str> {
    let screened =
        |code: &str| findings.iter().any(|f| f.code == code && state(f).is_some_and(|s| s != RedFlagState::NotAsked));
    codes_in(group).into_iter().filter(|c| !screened(c)).collect()
}

fn answered(findings: &[FindingValue], wanted: RedFlagState) -> Vec<&'static str> {
    RED_FLAGS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| findings.iter().any(|f| f.code == *c && state(f) == Some(wanted)))
        .collect()
}

/// A neurological finding that worsened on one side between two assessments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deterioration {
    /// The finding code, e.g. `myotome_l5`.
    pub code: &'static str,
    /// The side that worsened.
    pub side: Side,
    /// The earlier value, e.g. `5` or `normal`.
    pub previous: String,
    /// The current value.
    pub current: String,
}

impl fmt::Display for Deterioration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}) worse: {} -> {}", self.code, self.side, self.previous, self.current)
    }
}

const NEURO_CODES: &[&str] = &[
    "myotome_l4",
    "myotome_l5",
    "myotome_s1",
    "dermatome_l4",
    "dermatome_l5",
    "dermatome_s1",
    "reflex_knee",
    "reflex_ankle",
];

/// Rank of loss: higher is a greater deficit. `None` for an unrecognised word.
fn loss_rank(word: &str) -> Option<u8> {
    match word {
        "normal" | "increased" | "brisk" => Some(0),
        "reduced" => Some(1),
        "absent" => Some(2),
        _ => None,
    }
}

fn worse(previous: &Value, current: &Value) -> bool {
    match (previous, current) {
        (Value::Integer(p), Value::Integer(c)) => c < p,
        (Value::Choice(p), Value::Choice(c)) => {
            let more_loss = matches!((loss_rank(p), loss_rank(c)), (Some(p), Some(c)) if c > p);
            let newly_heightened = *p == "normal" && matches!(*c, "increased" | "brisk");
            more_loss || newly_heightened
        }
        _ => false,
    }
}

/// Myotome, dermatome and reflex findings that worsened per side from `previous` to `current`.
pub fn neuro_deterioration(previous: &[FindingValue], current: &[FindingValue]) -> Vec<Deterioration> {
    let index = |list: &[FindingValue]| -> BTreeMap<(&'static str, Side), Value> {
        list.iter()
            .filter(|f| NEURO_CODES.contains(&f.code))
            .filter_map(|f| Some(((f.code, f.side?), f.value.clone())))
            .collect()
    };
    let before = index(previous);
    let mut out = Vec::new();
    for code in NEURO_CODES {
        for side in Side::ALL {
            let now = current.iter().rev().find(|f| f.code == *code && f.side == Some(side)).map(|f| &f.value);
            if let (Some(p), Some(c)) = (before.get(&(*code, side)), now) {
                if worse(p, c) {
                    out.push(Deterioration { code, side, previous: p.to_string(), current: c.to_string() });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::{catalog, validate, FindingInput, Section};
    use proptest::prelude::*;
    use serde_json::json;

    fn f(code: &str, side: Option<&str>, value: serde_json::Value) -> FindingValue {
        let input = FindingInput { code: code.into(), side: side.map(Into::into), value, method: None, note: None };
        validate(&input).unwrap()
    }

    #[test]
    fn every_red_flag_in_the_catalog_has_a_group_and_back() {
        let in_catalog: Vec<_> = catalog().iter().filter(|d| d.section == Section::RedFlags).map(|d| d.code).collect();
        let grouped: Vec<_> = RED_FLAGS.iter().map(|(c, _)| *c).collect();
        assert_eq!(in_catalog, grouped);
        assert_eq!(group(PROGRESSIVE_NEURO_DEFICIT), Some(RedFlagGroup::CaudaEquina));
    }

    #[test]
    fn states_and_groups_round_trip_through_their_codes() {
        for s in RedFlagState::ALL {
            assert_eq!(s.code().parse::<RedFlagState>(), Ok(s));
        }
        assert_eq!(RedFlagState::ALL.map(|s| s.code()), RED_FLAG_STATES);
        for g in RedFlagGroup::ALL {
            assert_eq!(g.code().parse::<RedFlagGroup>(), Ok(g));
        }
    }

    #[test]
    fn cauda_equina_holds_the_six_emergency_flags() {
        assert_eq!(
            codes_in(RedFlagGroup::CaudaEquina),
            [
                "rf_saddle_anaesthesia",
                "rf_bladder_dysfunction",
                "rf_bowel_dysfunction",
                "rf_sexual_dysfunction",
                "rf_bilateral_leg_symptoms",
                "rf_progressive_neuro_deficit"
            ]
        );
        assert!(RedFlagGroup::CaudaEquina.is_emergency() && !RedFlagGroup::Fracture.is_emergency());
        assert_eq!(group("rf_fever"), Some(RedFlagGroup::Infection));
        assert_eq!(group("rf_major_trauma"), Some(RedFlagGroup::Fracture));
        assert_eq!(group("rf_cancer_history"), Some(RedFlagGroup::Malignancy));
        assert_eq!(group("nprs_now"), None);
    }

    #[test]
    fn only_positive_answers_are_flagged_in_catalog_order() {
        let findings = [
            f("rf_fever", None, json!("positive")),
            f("rf_saddle_anaesthesia", None, json!("positive")),
            f("rf_bladder_dysfunction", None, json!("negative")),
            f("rf_bowel_dysfunction", None, json!("not_asked")),
            f("posture_lateral_shift", None, json!("left")),
        ];
        assert_eq!(positive_flags(&findings), ["rf_saddle_anaesthesia", "rf_fever"]);
        assert_eq!(state(&findings[4]), None);
        assert_eq!(
            unscreened(&findings, RedFlagGroup::CaudaEquina),
            [
                "rf_bowel_dysfunction",
                "rf_sexual_dysfunction",
                "rf_bilateral_leg_symptoms",
                "rf_progressive_neuro_deficit"
            ]
        );
    }

    #[test]
    fn neuro_deterioration_follows_the_documented_rules() {
        let table = [
            ("myotome_l5", json!(5), json!(4), true),
            ("myotome_l5", json!(4), json!(4), false),
            ("myotome_s1", json!(3), json!(4), false),
            ("dermatome_l5", json!("normal"), json!("reduced"), true),
            ("dermatome_l5", json!("reduced"), json!("absent"), true),
            ("dermatome_l5", json!("normal"), json!("increased"), true),
            ("dermatome_l5", json!("increased"), json!("reduced"), true),
            ("dermatome_l5", json!("absent"), json!("reduced"), false),
            ("dermatome_l5", json!("reduced"), json!("increased"), false),
            ("dermatome_l5", json!("increased"), json!("normal"), false),
            ("reflex_ankle", json!("normal"), json!("reduced"), true),
            ("reflex_ankle", json!("reduced"), json!("absent"), true),
            ("reflex_knee", json!("normal"), json!("brisk"), true),
            ("reflex_knee", json!("brisk"), json!("normal"), false),
            ("reflex_knee", json!("absent"), json!("normal"), false),
        ];
        for (code, before, after, want) in table {
            let got =
                neuro_deterioration(&[f(code, Some("left"), before.clone())], &[f(code, Some("left"), after.clone())]);
            assert_eq!(!got.is_empty(), want, "{code} {before} -> {after}");
        }
    }

    #[test]
    fn neuro_deterioration_compares_each_side_separately_and_skips_unrecorded() {
        let previous = [
            f("myotome_l5", Some("left"), json!(5)),
            f("myotome_l5", Some("right"), json!(5)),
            f("dermatome_s1", Some("left"), json!("normal")),
            f("slr", Some("left"), json!(70)),
        ];
        let current = [
            f("myotome_l5", Some("left"), json!(5)),
            f("myotome_l5", Some("right"), json!(3)),
            f("dermatome_s1", Some("right"), json!("absent")),
            f("slr", Some("left"), json!(30)),
        ];
        let got = neuro_deterioration(&previous, &current);
        assert_eq!(
            got,
            [Deterioration { code: "myotome_l5", side: Side::Right, previous: "5".into(), current: "3".into() }]
        );
        assert_eq!(got[0].to_string(), "myotome_l5 (right) worse: 5 -> 3");
    }

    proptest! {
        #[test]
        fn a_myotome_deteriorates_exactly_when_its_grade_drops(before in 0i64..=5, after in 0i64..=5, right in any::<bool>()) {
            let side = Some(if right { "right" } else { "left" });
            let got = neuro_deterioration(&[f("myotome_l4", side, json!(before))], &[f("myotome_l4", side, json!(after))]);
            prop_assert_eq!(got.len(), usize::from(after < before));
        }

        #[test]
        fn nothing_deteriorates_against_itself(grade in 0i64..=5, word in 0usize..4) {
            let list = [
                f("myotome_s1", Some("left"), json!(grade)),
                f("dermatome_l4", Some("right"), json!(["normal", "reduced", "absent", "increased"][word])),
                f("reflex_ankle", Some("left"), json!(["absent", "reduced", "normal", "brisk"][word])),
            ];
            prop_assert!(neuro_deterioration(&list, &list).is_empty());
        }
    }
}
