//! The safety engine: checks a library item against what is known about the patient,
//! and checks that no red flag is left unresolved before a plan is activated.
//!
//! Decisions (docs/clinical-rules.md "Contraindication table and floor", "Consent"):
//! - An absolute contraindication blocks unless a non-blank written override reason is
//!   given; the item is then `Overridden` and the reason is kept and shown to leads.
//! - A relative contraindication never blocks: the item is `Allowed` with a warning.
//!   If the clinician also gave a reason the caller stores it with the warnings.
//! - Order: contraindications are checked before consent. The clinician must know the
//!   risks before asking for consent, and consent cannot cure an absolute
//!   contraindication, so a blocked item answers `contraindicated`, not `consent_required`.
//! - Missing consent cannot be overridden: an invasive item (dry needling, thrust
//!   manipulation) is only added once consent is recorded, whatever reason is given.

use super::history::HistoryCode;
use super::modality::{Contraindication, ModalityDef, Severity};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A fact about the patient that a contraindication can be keyed to. Serialised as a
/// flat code (`"pregnancy"`, `"reduced_sensation"`), the same code the API names in a
/// 422 `contraindicated` error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum SafetyFact {
    /// A recorded medical-history item.
    History(HistoryCode),
    /// Neurological signs getting worse (red flag `rf_progressive_neuro_deficit`, or a
    /// myotome, dermatome or reflex worse than at the previous assessment).
    ProgressiveNeuroDeficit,
    /// Skin sensation reduced or absent (a dermatome finding `reduced` or `absent`).
    ReducedSensation,
}

impl SafetyFact {
    /// Every fact: the history codes, then the assessment-derived ones.
    pub fn all() -> Vec<SafetyFact> {
        let mut all: Vec<SafetyFact> = HistoryCode::ALL.into_iter().map(Self::History).collect();
        all.extend([Self::ProgressiveNeuroDeficit, Self::ReducedSensation]);
        all
    }

    /// The stable code used in the API and in stored clinic items.
    pub fn code(self) -> &'static str {
        match self {
            Self::History(h) => h.code(),
            Self::ProgressiveNeuroDeficit => "progressive_neuro_deficit",
            Self::ReducedSensation => "reduced_sensation",
        }
    }

    /// A plain-language label for warnings and forms.
    pub fn label(self) -> &'static str {
        match self {
            Self::History(h) => h.label(),
            Self::ProgressiveNeuroDeficit => "Worsening weakness, numbness or reflexes",
            Self::ReducedSensation => "Reduced skin sensation",
        }
    }
}

impl fmt::Display for SafetyFact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for SafetyFact {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::all().into_iter().find(|f| f.code() == s).ok_or_else(|| String::from("not a known safety fact"))
    }
}

/// In the OpenAPI document a fact is one of its flat codes.
impl utoipa::PartialSchema for SafetyFact {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let codes: Vec<String> = Self::all().into_iter().map(String::from).collect();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(codes))
            .into()
    }
}

impl utoipa::ToSchema for SafetyFact {}

impl From<HistoryCode> for SafetyFact {
    fn from(code: HistoryCode) -> SafetyFact {
        SafetyFact::History(code)
    }
}

impl From<SafetyFact> for String {
    fn from(fact: SafetyFact) -> String {
        fact.code().to_string()
    }
}

impl TryFrom<String> for SafetyFact {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

pub use super::safety_profile::SafetyProfile;

/// What the clinician sent with the request to add an item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRequest {
    /// Written reason to go ahead despite an absolute contraindication.
    pub override_reason: Option<String>,
    /// Whether the patient's consent has been recorded.
    pub consent: bool,
}

/// A contraindication that applies to this patient, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The fact that triggered it.
    pub fact: SafetyFact,
    /// Absolute or relative.
    pub severity: Severity,
    /// "Label: note", in plain words.
    pub message: String,
}

/// The outcome of [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No absolute contraindication; any relative ones are listed as warnings.
    Allowed { warnings: Vec<Warning> },
    /// Absolute contraindications present, overridden with the given reason (trimmed).
    Overridden { absolute: Vec<Warning>, warnings: Vec<Warning>, reason: String },
    /// Absolute contraindications present and no reason given: API 422 `contraindicated`.
    Blocked(Vec<SafetyFact>),
    /// The item needs consent and none is recorded: API 422 `consent_required`.
    ConsentRequired,
}

impl Verdict {
    /// Whether the item may be added.
    pub fn is_permitted(&self) -> bool {
        matches!(self, Self::Allowed { .. } | Self::Overridden { .. })
    }

    /// The API error code when the item may not be added.
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::Blocked(_) => Some("contraindicated"),
            Self::ConsentRequired => Some("consent_required"),
            _ => None,
        }
    }

    /// The API error message when the item may not be added, naming each fact.
    pub fn error_message(&self) -> Option<String> {
        match self {
            Self::Blocked(facts) => {
                let named: Vec<String> = facts.iter().map(|f| format!("{} ({})", f.label(), f.code())).collect();
                Some(format!(
                    "Contraindicated for this patient: {}. Give a written override reason to add it anyway.",
                    named.join(", ")
                ))
            }
            Self::ConsentRequired => Some("Record the patient's consent before adding this item.".into()),
            _ => None,
        }
    }
}

/// The contraindications of a list that hold for this patient: absolute ones, then
/// relative ones (a fact absolute for the item is not repeated as relative), each once.
pub fn applicable(contraindications: &[Contraindication], profile: &SafetyProfile) -> (Vec<Warning>, Vec<Warning>) {
    let mut absolute: Vec<Warning> = Vec::new();
    let mut relative: Vec<Warning> = Vec::new();
    for ci in contraindications.iter().filter(|ci| profile.has(ci.fact)) {
        let list = match ci.severity {
            Severity::Absolute => &mut absolute,
            Severity::Relative => &mut relative,
        };
        if !list.iter().any(|w| w.fact == ci.fact) {
            let message = format!("{}: {}", ci.fact.label(), ci.note);
            list.push(Warning { fact: ci.fact, severity: ci.severity, message });
        }
    }
    relative.retain(|w| !absolute.iter().any(|a| a.fact == w.fact));
    (absolute, relative)
}

/// Checks an item's contraindications and consent against the patient's safety profile.
/// Works on the raw list so that built-in and clinic items are checked the same way.
pub fn check(
    contraindications: &[Contraindication],
    consent_required: bool,
    profile: &SafetyProfile,
    request: &ItemRequest,
) -> Verdict {
    let (absolute, relative) = applicable(contraindications, profile);
    let reason = request.override_reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if !absolute.is_empty() && reason.is_none() {
        return Verdict::Blocked(absolute.into_iter().map(|w| w.fact).collect());
    }
    if consent_required && !request.consent {
        return Verdict::ConsentRequired;
    }
    match reason {
        Some(reason) if !absolute.is_empty() => {
            Verdict::Overridden { absolute, warnings: relative, reason: reason.to_string() }
        }
        _ => Verdict::Allowed { warnings: relative },
    }
}

/// [`check`] for a whole library item, with its kind's safety floor applied (so an item
/// stored without the floor is still checked with it; see `safety_floor`).
pub fn check_item(item: &ModalityDef, profile: &SafetyProfile, request: &ItemRequest) -> Verdict {
    let item = super::safety_floor::with_floor(item);
    check(&item.contraindications, item.consent_required, profile, request)
}

/// Whether a plan may be activated: refused with the unresolved red-flag codes (sorted,
/// once each) until an action is recorded for each; API 409 `red_flag_unresolved`.
pub fn can_activate(profile: &SafetyProfile) -> Result<(), Vec<&'static str>> {
    let flags = profile.unresolved_codes();
    if flags.is_empty() {
        Ok(())
    } else {
        Err(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(fact: impl Into<SafetyFact>, severity: Severity) -> Contraindication {
        Contraindication { fact: fact.into(), severity, note: "why".into() }
    }

    fn needling() -> Vec<Contraindication> {
        vec![
            ci(HistoryCode::NeedlePhobia, Severity::Absolute),
            ci(HistoryCode::Anticoagulants, Severity::Relative),
            ci(HistoryCode::Diabetes, Severity::Relative),
        ]
    }

    fn patient(history: &[HistoryCode]) -> SafetyProfile {
        SafetyProfile::from_history(history)
    }

    fn request(reason: Option<&str>, consent: bool) -> ItemRequest {
        ItemRequest { override_reason: reason.map(str::to_string), consent }
    }

    #[test]
    fn an_absolute_contraindication_blocks_naming_the_fact() {
        let verdict = check(&needling(), true, &patient(&[HistoryCode::NeedlePhobia]), &request(None, true));
        assert_eq!(verdict, Verdict::Blocked(vec![SafetyFact::History(HistoryCode::NeedlePhobia)]));
        assert_eq!(verdict.error_code(), Some("contraindicated"));
        assert!(verdict.error_message().unwrap_or_default().contains("needle_phobia"));
    }

    #[test]
    fn an_override_with_a_blank_reason_still_blocks() {
        for blank in ["", "   ", "\n\t"] {
            let verdict = check(&needling(), true, &patient(&[HistoryCode::NeedlePhobia]), &request(Some(blank), true));
            assert!(matches!(verdict, Verdict::Blocked(_)), "{blank:?}");
        }
    }

    #[test]
    fn a_written_reason_overrides_and_is_kept_trimmed_with_the_warnings() {
        let facts = patient(&[HistoryCode::NeedlePhobia, HistoryCode::Diabetes]);
        let verdict = check(&needling(), true, &facts, &request(Some("  Patient asked for it "), true));
        let Verdict::Overridden { absolute, warnings, reason } = verdict else {
            panic!("expected an override, got {verdict:?}");
        };
        assert_eq!(reason, "Patient asked for it");
        assert_eq!(
            absolute.iter().map(|w| w.fact).collect::<Vec<_>>(),
            vec![SafetyFact::History(HistoryCode::NeedlePhobia)]
        );
        assert_eq!(
            warnings.iter().map(|w| w.fact).collect::<Vec<_>>(),
            vec![SafetyFact::History(HistoryCode::Diabetes)]
        );
    }

    #[test]
    fn relative_contraindications_warn_with_a_plain_message() {
        let verdict = check(&needling(), true, &patient(&[HistoryCode::Anticoagulants]), &request(None, true));
        let Verdict::Allowed { warnings } = verdict else {
            panic!("expected allowed, got {verdict:?}");
        };
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].severity, Severity::Relative);
        assert_eq!(warnings[0].message, "Takes anticoagulants (blood thinners): why");
    }

    #[test]
    fn missing_consent_is_refused_and_a_reason_does_not_replace_it() {
        let none = patient(&[]);
        assert_eq!(check(&needling(), true, &none, &request(None, false)), Verdict::ConsentRequired);
        assert_eq!(check(&needling(), true, &none, &request(Some("urgent"), false)), Verdict::ConsentRequired);
        assert_eq!(Verdict::ConsentRequired.error_code(), Some("consent_required"));
        assert_eq!(check(&needling(), false, &none, &request(None, false)), Verdict::Allowed { warnings: vec![] });
    }

    #[test]
    fn contraindications_are_reported_before_missing_consent() {
        let facts = patient(&[HistoryCode::NeedlePhobia]);
        assert!(matches!(check(&needling(), true, &facts, &request(None, false)), Verdict::Blocked(_)));
        let overridden = check(&needling(), true, &facts, &request(Some("reason"), false));
        assert_eq!(overridden, Verdict::ConsentRequired);
    }

    #[test]
    fn assessment_facts_trigger_their_contraindications() {
        let list = vec![
            ci(SafetyFact::ProgressiveNeuroDeficit, Severity::Absolute),
            ci(SafetyFact::ReducedSensation, Severity::Relative),
        ];
        let mut facts = SafetyProfile::default();
        facts.facts.extend([SafetyFact::ProgressiveNeuroDeficit, SafetyFact::ReducedSensation]);
        assert_eq!(
            check(&list, false, &facts, &request(None, false)),
            Verdict::Blocked(vec![SafetyFact::ProgressiveNeuroDeficit])
        );
        assert_eq!(
            check(&list, false, &SafetyProfile::default(), &request(None, false)),
            Verdict::Allowed { warnings: vec![] }
        );
    }

    #[test]
    fn a_fact_listed_twice_or_as_both_severities_is_reported_once_as_absolute() {
        let list = vec![
            ci(HistoryCode::Pregnancy, Severity::Relative),
            ci(HistoryCode::Pregnancy, Severity::Absolute),
            ci(HistoryCode::Pregnancy, Severity::Absolute),
        ];
        let verdict = check(
            &list,
            false,
            &patient(&[HistoryCode::Pregnancy, HistoryCode::Pregnancy]),
            &request(Some("r"), false),
        );
        let Verdict::Overridden { absolute, warnings, .. } = verdict else {
            panic!("expected an override, got {verdict:?}");
        };
        assert_eq!((absolute.len(), warnings.len()), (1, 0));
    }

    #[test]
    fn safety_facts_serialise_as_flat_codes_and_refuse_unknown_ones() {
        for fact in SafetyFact::all() {
            assert_eq!(fact.code().parse::<SafetyFact>(), Ok(fact));
        }
        let c = ci(SafetyFact::ReducedSensation, Severity::Absolute);
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert_eq!(json, r#"{"fact":"reduced_sensation","severity":"absolute","note":"why"}"#);
        assert_eq!(serde_json::from_str::<Contraindication>(&json).ok(), Some(c));
        assert!(serde_json::from_str::<SafetyFact>(r#""warfarin""#).is_err());
    }
}
