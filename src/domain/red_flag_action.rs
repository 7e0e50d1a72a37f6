//! What a clinician did about a red flag (docs/clinical-rules.md, "Red-flag actions"): the
//! kind of action and a sentence saying what was done.

use serde::{Deserialize, Serialize};

/// The kind of action taken on a positive red flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Sent to the emergency department now.
    EmergencyReferral,
    /// Urgent referral to the patient's GP.
    UrgentGpReferral,
    /// A letter to the GP.
    GpLetter,
    /// Reviewed and judged not concerning, with why.
    ReviewedNotConcerning,
}

impl ActionKind {
    /// Every kind, most urgent first.
    pub const ALL: [ActionKind; 4] =
        [Self::EmergencyReferral, Self::UrgentGpReferral, Self::GpLetter, Self::ReviewedNotConcerning];

    /// The stable code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Self::EmergencyReferral => "emergency_referral",
            Self::UrgentGpReferral => "urgent_gp_referral",
            Self::GpLetter => "gp_letter",
            Self::ReviewedNotConcerning => "reviewed_not_concerning",
        }
    }

    /// Plain words.
    pub fn label(self) -> &'static str {
        match self {
            Self::EmergencyReferral => "Emergency referral",
            Self::UrgentGpReferral => "Urgent GP referral",
            Self::GpLetter => "Letter to the GP",
            Self::ReviewedNotConcerning => "Reviewed: not concerning",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// Whether the action is a referral that gets a printed letter.
    pub fn has_letter(self) -> bool {
        matches!(self, Self::EmergencyReferral | Self::UrgentGpReferral)
    }
}

crate::stored_as_code!(ActionKind);

/// Longest action text, in characters.
pub const MAX_ACTION: usize = 2000;

/// Whether `text` says what was done as a sentence: at least three words with letters and
/// fifteen letters in all (a token such as "x" or "done" is not a record of an action).
pub fn is_sentence(text: &str) -> bool {
    let words = text.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).count();
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    words >= 3 && letters >= 15 && text.chars().count() <= MAX_ACTION
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_not_actions_and_sentences_are() {
        for bad in ["x", "done", "ok ok ok", "  ", "referred", "1 2 3 4 5 6"] {
            assert!(!is_sentence(bad), "{bad:?}");
        }
        for good in [
            "Sent to A&E by ambulance at 10:20",
            "Discussed with GP, urgent MRI booked",
            "Reviewed: pain settles lying, no saddle change",
        ] {
            assert!(is_sentence(good), "{good:?}");
        }
    }

    #[test]
    fn kinds_round_trip_and_only_referrals_get_letters() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.code()), Some(k));
        }
        assert_eq!(ActionKind::parse("phoned"), None);
        assert!(ActionKind::EmergencyReferral.has_letter() && !ActionKind::GpLetter.has_letter());
    }
}
