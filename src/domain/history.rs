//! Medical-history facts relevant to treatment safety (docs/api.md history codes; docs/clinical-rules.md for what each means for safety).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A safety-relevant item of a patient's medical history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryCode {
    Anticoagulants,
    BleedingDisorder,
    Pregnancy,
    NeedlePhobia,
    MetalAllergy,
    AdhesiveAllergy,
    FragileSkin,
    OpenWound,
    LocalInfection,
    Dvt,
    Lymphoedema,
    Osteoporosis,
    CancerHistory,
    Diabetes,
    Pacemaker,
    Immunosuppression,
    /// Long-term oral corticosteroids: with minor trauma, a fracture red flag.
    CorticosteroidsLongTerm,
}

impl HistoryCode {
    /// Every code, in the order forms list them.
    pub const ALL: [HistoryCode; 17] = [
        Self::Anticoagulants,
        Self::BleedingDisorder,
        Self::Pregnancy,
        Self::NeedlePhobia,
        Self::MetalAllergy,
        Self::AdhesiveAllergy,
        Self::FragileSkin,
        Self::OpenWound,
        Self::LocalInfection,
        Self::Dvt,
        Self::Lymphoedema,
        Self::Osteoporosis,
        Self::CancerHistory,
        Self::Diabetes,
        Self::Pacemaker,
        Self::Immunosuppression,
        Self::CorticosteroidsLongTerm,
    ];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::Anticoagulants => "anticoagulants",
            Self::BleedingDisorder => "bleeding_disorder",
            Self::Pregnancy => "pregnancy",
            Self::NeedlePhobia => "needle_phobia",
            Self::MetalAllergy => "metal_allergy",
            Self::AdhesiveAllergy => "adhesive_allergy",
            Self::FragileSkin => "fragile_skin",
            Self::OpenWound => "open_wound",
            Self::LocalInfection => "local_infection",
            Self::Dvt => "dvt",
            Self::Lymphoedema => "lymphoedema",
            Self::Osteoporosis => "osteoporosis",
            Self::CancerHistory => "cancer_history",
            Self::Diabetes => "diabetes",
            Self::Pacemaker => "pacemaker",
            Self::Immunosuppression => "immunosuppression",
            Self::CorticosteroidsLongTerm => "corticosteroids_long_term",
        }
    }

    /// A plain-language label for forms.
    pub fn label(self) -> &'static str {
        match self {
            Self::Anticoagulants => "Takes anticoagulants (blood thinners)",
            Self::BleedingDisorder => "Bleeding disorder",
            Self::Pregnancy => "Pregnant",
            Self::NeedlePhobia => "Fear of needles",
            Self::MetalAllergy => "Metal allergy",
            Self::AdhesiveAllergy => "Allergy to adhesive or tape",
            Self::FragileSkin => "Fragile skin",
            Self::OpenWound => "Open wound",
            Self::LocalInfection => "Local infection",
            Self::Dvt => "Deep vein thrombosis (DVT)",
            Self::Lymphoedema => "Lymphoedema",
            Self::Osteoporosis => "Osteoporosis",
            Self::CancerHistory => "History of cancer",
            Self::Diabetes => "Diabetes",
            Self::Pacemaker => "Pacemaker or implanted stimulator",
            Self::Immunosuppression => "Immunosuppressed",
            Self::CorticosteroidsLongTerm => "Long-term corticosteroids (steroid tablets)",
        }
    }
}

impl fmt::Display for HistoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for HistoryCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| String::from("not a known history code"))
    }
}

/// Stores a set of codes as one space-separated column, sorted and de-duplicated.
pub fn encode(codes: &[HistoryCode]) -> String {
    let mut sorted = codes.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.iter().map(|c| c.code()).collect::<Vec<_>>().join(" ")
}

/// Reads a stored column back; unknown words (from a newer version) are skipped.
pub fn decode(stored: &str) -> Vec<HistoryCode> {
    stored.split_whitespace().filter_map(|w| w.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_text() {
        for code in HistoryCode::ALL {
            assert_eq!(code.code().parse::<HistoryCode>(), Ok(code));
        }
    }

    #[test]
    fn stored_history_is_sorted_without_duplicates() {
        let stored = encode(&[HistoryCode::Pregnancy, HistoryCode::Anticoagulants, HistoryCode::Pregnancy]);
        assert_eq!(stored, "anticoagulants pregnancy");
        assert_eq!(decode(&stored), vec![HistoryCode::Anticoagulants, HistoryCode::Pregnancy]);
    }

    #[test]
    fn an_unknown_code_is_refused_with_its_name() {
        assert_eq!("warfarin".parse::<HistoryCode>(), Err("not a known history code".into()));
    }
}
