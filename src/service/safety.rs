//! The patient safety profile and the plan's safety, for every service that makes a safety
//! decision: built from the whole record (domain::safety_profile), checked against a plan's
//! items with the rules of the library versions they came from (domain::plan_safety).

use super::assessments::AssessmentHistory;
use super::library;
use crate::db::ids::PatientId;
use crate::db::{library as library_store, plans as plan_store, DbConn};
use crate::domain::history;
use crate::domain::modality::ModalityDef;
use crate::domain::plan::{PlanContent, PlanStatus};
use crate::domain::plan_safety::{self, ItemRules, PlanSafety};
use crate::domain::safety_profile::{self, ProfileInput, RecordedAssessment, SafetyProfile};
use crate::error::AppError;
use std::collections::HashMap;

/// The patient's safety profile from everything in `history`.
pub fn profile(history: &AssessmentHistory) -> SafetyProfile {
    let patient = &history.patient.0;
    let assessments = history
        .records
        .iter()
        .map(|r| RecordedAssessment {
            id: r.row.id.0,
            kind: r.row.kind,
            assessed_on: r.row.assessed_on,
            signed: r.is_signed(),
            content: r.current(),
        })
        .collect();
    let actions = history
        .actions
        .iter()
        .filter_map(|(a, _)| Some((a.assessment_id.parse().ok()?, a.flag_code.clone())))
        .collect();
    safety_profile::build(&ProfileInput {
        history: history::decode(&patient.history),
        date_of_birth: patient.date_of_birth,
        onset_date: patient.onset_date,
        episode_started_on: patient.episode_started_on,
        assessments,
        actions,
        thresholds: history.thresholds,
    })
}

/// The library rules of every item of a plan: one query.
pub(super) fn rules_for(conn: &mut DbConn, content: &PlanContent) -> Result<HashMap<String, ModalityDef>, AppError> {
    let ids: Vec<String> = content.items().map(|(_, i)| i.modality_id.clone()).collect();
    let mut rules = HashMap::new();
    for row in library_store::by_ids(conn, &ids)? {
        let item = library::parse(row)?;
        rules.insert(item.row.id.to_string(), item.def);
    }
    Ok(rules)
}

/// The plan's items against the profile.
pub fn evaluate(content: &PlanContent, rules: &HashMap<String, ModalityDef>, profile: &SafetyProfile) -> PlanSafety {
    let items: Vec<ItemRules<'_>> = content
        .items()
        .map(|(_, item)| match rules.get(&item.modality_id) {
            Some(def) => {
                ItemRules { item, contraindications: &def.contraindications, consent_required: def.consent_required }
            }
            // A library version is never deleted; should one be missing, the item is still
            // checked for consent as the plan recorded it.
            None => ItemRules { item, contraindications: &[], consent_required: item.consent_recorded },
        })
        .collect();
    plan_safety::evaluate(&items, profile)
}

/// Re-evaluates every open plan of a patient after a change to the record (history,
/// assessments) and stores each one's review status for the caseload: in the caller's
/// transaction.
pub(super) fn refresh_plans(
    conn: &mut DbConn,
    history: &AssessmentHistory,
    patient: PatientId,
) -> Result<(), AppError> {
    let profile = profile(history);
    for row in plan_store::for_patient(conn, patient)? {
        if matches!(row.status, PlanStatus::Completed | PlanStatus::Discontinued) {
            continue;
        }
        let content: PlanContent = super::plans::read_content(conn, &row.content)?;
        let rules = rules_for(conn, &content)?;
        let review = evaluate(&content, &rules, &profile).review_needed();
        if review != row.safety_review {
            plan_store::set_safety_review(conn, row.id, review)?;
        }
    }
    super::caseload_summary::refresh(conn, patient)
}
