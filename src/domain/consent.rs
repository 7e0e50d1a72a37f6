//! Consent as a record (docs/clinical-rules.md, "Consent"): who recorded it, when, verbal or
//! written, which risks were explained; a withdrawal is recorded, never erased.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// How consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    /// Said aloud and noted.
    Verbal,
    /// Signed on a form.
    Written,
}

impl ConsentKind {
    /// Plain words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Verbal => "verbal",
            Self::Written => "written",
        }
    }
}

/// A withdrawal of consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Withdrawal {
    /// Who recorded it (user id).
    pub by: String,
    /// When.
    pub at: NaiveDateTime,
    /// Why, if the patient said.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A consent record kept on a plan item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ConsentRecord {
    /// Verbal or written.
    pub kind: ConsentKind,
    /// The risks explained, in the clinician's words.
    #[serde(default)]
    pub risks: Vec<String>,
    /// Who recorded it (user id).
    pub recorded_by: String,
    /// When.
    pub recorded_at: NaiveDateTime,
    /// Set when the patient withdrew consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Withdrawal>,
}

impl ConsentRecord {
    /// Whether consent stands (recorded and not withdrawn).
    pub fn stands(&self) -> bool {
        self.withdrawn.is_none()
    }
}

/// Most risks one record lists, and the longest risk text.
pub const MAX_RISKS: usize = 10;
/// Longest risk text, in characters.
pub const MAX_RISK_CHARS: usize = 200;

/// What a request says about consent: `true` (verbal, no risks listed) or a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConsentInput {
    /// `consent: true` or `false`.
    Flag(bool),
    /// `consent: {kind, risks}`.
    Record {
        /// Verbal or written.
        kind: ConsentKind,
        /// Risks explained.
        #[serde(default)]
        risks: Vec<String>,
    },
}

impl Default for ConsentInput {
    fn default() -> Self {
        Self::Flag(false)
    }
}

impl ConsentInput {
    /// Whether the request records consent.
    pub fn given(&self) -> bool {
        !matches!(self, Self::Flag(false))
    }

    /// The record to keep, or a message for the `consent` field.
    pub fn record(&self, by: String, at: NaiveDateTime) -> Result<Option<ConsentRecord>, &'static str> {
        let (kind, risks) = match self {
            Self::Flag(false) => return Ok(None),
            Self::Flag(true) => (ConsentKind::Verbal, Vec::new()),
            Self::Record { kind, risks } => (*kind, risks.clone()),
        };
        let risks: Vec<String> = risks.iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect();
        if risks.len() > MAX_RISKS || risks.iter().any(|r| r.chars().count() > MAX_RISK_CHARS) {
            return Err("List up to 10 risks explained, each under 200 characters.");
        }
        Ok(Some(ConsentRecord { kind, risks, recorded_by: by, recorded_at: at, withdrawn: None }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap().naive_utc()
    }

    #[test]
    fn a_plain_true_is_verbal_consent_with_no_risks_listed() {
        let input: ConsentInput = serde_json::from_str("true").unwrap();
        let record = input.record("u".into(), at()).unwrap().unwrap();
        assert_eq!((record.kind, record.risks.len(), record.stands()), (ConsentKind::Verbal, 0, true));
        let none: ConsentInput = serde_json::from_str("false").unwrap();
        assert_eq!(none.record("u".into(), at()), Ok(None));
    }

    #[test]
    fn a_written_record_keeps_the_risks_explained_and_refuses_too_many() {
        let input: ConsentInput =
            serde_json::from_str(r#"{"kind":"written","risks":["bruising"," ","pneumothorax"]}"#).unwrap();
        let record = input.record("u".into(), at()).unwrap().unwrap();
        assert_eq!(record.kind, ConsentKind::Written);
        assert_eq!(record.risks, ["bruising", "pneumothorax"]);
        let many = ConsentInput::Record { kind: ConsentKind::Verbal, risks: vec!["r".into(); 11] };
        assert!(many.record("u".into(), at()).is_err());
    }

    #[test]
    fn withdrawn_consent_no_longer_stands() {
        let mut record = ConsentInput::Flag(true).record("u".into(), at()).unwrap().unwrap();
        record.withdrawn = Some(Withdrawal { by: "u".into(), at: at(), reason: None });
        assert!(!record.stands());
    }
}
