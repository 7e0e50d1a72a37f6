//! Validated types and clinical rules. No SQL and no HTML here: everything is unit-tested.

pub mod assessment;
pub mod audit_chain;
pub mod caseload;
pub mod clock;
pub mod consent;
pub mod dates;
pub mod dosage;
pub mod fhir;
pub mod findings;
pub mod handout;
pub mod history;
pub mod illustration;
pub mod illustrations;
pub mod library;
mod library_items;
pub mod mcid;
pub mod modality;
pub mod neuro_trend;
pub mod patient;
pub mod patient_search;
pub mod plan;
pub mod plan_safety;
pub mod progression;
pub mod protocol;
pub mod protocols_builtin;
pub mod questionnaires;
pub mod red_flag_action;
pub mod red_flags;
pub mod safety;
pub mod safety_floor;
pub mod safety_profile;
pub mod scoring;

/// Text as typed, trimmed; `None` when absent or blank (forms send empty fields as "").
pub fn filled(value: &Option<String>) -> Option<String> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}
