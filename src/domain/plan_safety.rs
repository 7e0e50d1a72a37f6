//! A whole plan against the patient's safety profile, at every step (adding, activating,
//! amending, advancing, printing, reading): docs/clinical-rules.md, "Checked at every step".
//!
//! - An absolute contraindication that holds now and was not overridden with a written
//!   reason for that fact (e.g. a pacemaker recorded after TENS was added) makes the plan
//!   `review_needed`: it cannot be activated or advanced, and its handout is not printed.
//! - An invasive item whose consent is missing or withdrawn is a problem of the same weight.
//! - Relative contraindications are listed as warnings and block nothing.

use super::modality::{Contraindication, Severity};
use super::plan::PlanItem;
use super::safety::{self, SafetyProfile};
use serde::Serialize;
use uuid::Uuid;

/// The fact code of a missing or withdrawn consent.
pub const CONSENT: &str = "consent";

/// A plan item with the rules of the library item version it came from.
#[derive(Debug, Clone, Copy)]
pub struct ItemRules<'a> {
    /// The item in the plan.
    pub item: &'a PlanItem,
    /// Its contraindications (with the category floor applied).
    pub contraindications: &'a [Contraindication],
    /// Whether it needs consent.
    pub consent_required: bool,
}

/// One problem of one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// The plan item.
    #[schema(value_type = String)]
    pub item_id: Uuid,
    /// The item's library code.
    pub code: String,
    /// The fact (e.g. `pacemaker`), or `consent`.
    pub fact: String,
    /// `absolute` or `relative`.
    #[schema(value_type = String)]
    pub severity: Severity,
    /// Whether a written override reason covers it.
    pub overridden: bool,
    /// Plain words for the plan page.
    pub message: String,
}

impl Problem {
    /// Whether it blocks activation, stage moves and printing.
    pub fn blocks(&self) -> bool {
        self.severity == Severity::Absolute && !self.overridden
    }
}

/// `ok` or `review_needed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SafetyStatus {
    /// Nothing blocks.
    Ok,
    /// An absolute problem needs the clinician's review.
    ReviewNeeded,
}

/// The plan's safety: status and every problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlanSafety {
    /// `ok` or `review_needed`.
    pub status: SafetyStatus,
    /// Absolute and relative problems, in plan order.
    pub problems: Vec<Problem>,
}

impl PlanSafety {
    /// Whether the plan needs review.
    pub fn review_needed(&self) -> bool {
        self.status == SafetyStatus::ReviewNeeded
    }

    /// The problems of one item.
    pub fn for_item(&self, item: Uuid) -> impl Iterator<Item = &Problem> {
        self.problems.iter().filter(move |p| p.item_id == item)
    }

    /// The facts of an item's unreviewed absolute problems (not consent).
    pub fn unreviewed_facts(&self, item: Uuid) -> Vec<&str> {
        self.for_item(item).filter(|p| p.blocks() && p.fact != CONSENT).map(|p| p.fact.as_str()).collect()
    }
}

/// Evaluates every item against the profile.
pub fn evaluate(items: &[ItemRules<'_>], profile: &SafetyProfile) -> PlanSafety {
    let mut problems = Vec::new();
    for rules in items {
        let item = rules.item;
        let (absolute, relative) = safety::applicable(rules.contraindications, profile);
        for w in absolute.iter().chain(&relative) {
            problems.push(Problem {
                item_id: item.id,
                code: item.code.clone(),
                fact: w.fact.code().to_owned(),
                severity: w.severity,
                overridden: w.severity == Severity::Absolute && item.overrides(w.fact.code()),
                message: w.message.clone(),
            });
        }
        if rules.consent_required && !item.has_consent() {
            let withdrawn = item.consent.as_ref().is_some_and(|c| !c.stands());
            problems.push(Problem {
                item_id: item.id,
                code: item.code.clone(),
                fact: CONSENT.to_owned(),
                severity: Severity::Absolute,
                overridden: false,
                message: if withdrawn {
                    "The patient withdrew consent: remove this item.".to_owned()
                } else {
                    "No consent is recorded for this item.".to_owned()
                },
            });
        }
    }
    let status = if problems.iter().any(Problem::blocks) { SafetyStatus::ReviewNeeded } else { SafetyStatus::Ok };
    PlanSafety { status, problems }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::consent::{ConsentInput, Withdrawal};
    use crate::domain::history::HistoryCode;
    use crate::domain::library::builtin;
    use crate::domain::plan::ItemWarning;
    use crate::domain::safety::SafetyFact;

    fn item(code: &str) -> (PlanItem, crate::domain::modality::ModalityDef) {
        let def = builtin().iter().find(|d| d.code == code).cloned().unwrap();
        let item = PlanItem::from_library("m".into(), 1, &def, Default::default(), def.setting);
        (item, def)
    }

    fn evaluate_one(
        item: &PlanItem,
        def: &crate::domain::modality::ModalityDef,
        history: &[HistoryCode],
    ) -> PlanSafety {
        let rules =
            ItemRules { item, contraindications: &def.contraindications, consent_required: def.consent_required };
        evaluate(&[rules], &SafetyProfile::from_history(history))
    }

    fn tens() -> (PlanItem, crate::domain::modality::ModalityDef) {
        let def = builtin()
            .iter()
            .find(|d| {
                d.contraindications
                    .iter()
                    .any(|c| c.fact == SafetyFact::History(HistoryCode::Pacemaker) && c.severity == Severity::Absolute)
            })
            .cloned()
            .unwrap();
        let item = PlanItem::from_library("m".into(), 1, &def, Default::default(), def.setting);
        (item, def)
    }

    #[test]
    fn a_pacemaker_recorded_after_tens_was_added_makes_the_plan_need_review() {
        let (item, def) = tens();
        assert_eq!(evaluate_one(&item, &def, &[]).status, SafetyStatus::Ok);
        let safety = evaluate_one(&item, &def, &[HistoryCode::Pacemaker]);
        assert_eq!(safety.status, SafetyStatus::ReviewNeeded);
        assert_eq!(safety.unreviewed_facts(item.id), ["pacemaker"]);
    }

    #[test]
    fn an_override_for_that_fact_clears_the_review_but_one_for_another_fact_does_not() {
        let (mut item, def) = tens();
        item.override_reason = Some("Cardiology cleared it".into());
        item.warnings.push(ItemWarning {
            fact: "pregnancy".into(),
            severity: "absolute".into(),
            message: String::new(),
        });
        assert!(evaluate_one(&item, &def, &[HistoryCode::Pacemaker]).review_needed());
        item.warnings.push(ItemWarning {
            fact: "pacemaker".into(),
            severity: "absolute".into(),
            message: String::new(),
        });
        let safety = evaluate_one(&item, &def, &[HistoryCode::Pacemaker]);
        assert_eq!(safety.status, SafetyStatus::Ok);
        assert!(safety.problems[0].overridden);
    }

    #[test]
    fn relative_problems_are_listed_and_block_nothing() {
        let (item, def) = tens();
        let safety = evaluate_one(&item, &def, &[HistoryCode::Diabetes]);
        assert_eq!(safety.status, SafetyStatus::Ok);
        assert!(safety.problems.iter().any(|p| p.fact == "diabetes" && p.severity == Severity::Relative));
    }

    #[test]
    fn withdrawn_or_missing_consent_on_an_invasive_item_needs_review() {
        let code = builtin().iter().find(|d| d.consent_required).map(|d| d.code.clone()).unwrap();
        let (mut item, def) = item(&code);
        assert!(evaluate_one(&item, &def, &[]).review_needed());
        let at = chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap().naive_utc();
        item.consent = ConsentInput::Flag(true).record("u".into(), at).unwrap();
        assert!(!evaluate_one(&item, &def, &[]).review_needed());
        if let Some(c) = item.consent.as_mut() {
            c.withdrawn = Some(Withdrawal { by: "u".into(), at, reason: None });
        }
        let safety = evaluate_one(&item, &def, &[]);
        assert!(safety.review_needed());
        assert_eq!(safety.problems[0].fact, CONSENT);
    }
}
