//! Red-flag screening (docs/clinical-rules.md, "Red flags"): the catalog of flags, their
//! groups and the screening answers. The neurology trend lives in `neuro_trend`.

use super::findings::{FindingValue, RED_FLAG_STATES};
use serde::{Deserialize, Serialize};
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::findings::{catalog, validate, FindingInput, Section};
    use serde_json::json;

    fn f(code: &str, side: Option<&str>, value: serde_json::Value) -> FindingValue {
        let input = FindingInput {
            code: code.into(),
            side: side.map(Into::into),
            value,
            method: None,
            note: None,
            positive: None,
        };
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
}
