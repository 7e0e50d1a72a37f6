//! Keeps the caseload summary (one row per patient) true: every write that changes what
//! the caseload shows calls [`refresh`] for that patient inside its own transaction, so the
//! summary commits or rolls back with the write. A patient's row is recomputed from their
//! record (five small queries), never patched. [`backfill`] builds missing or outdated rows
//! clinic by clinic with the same set-based loads, at start-up and after bulk loads.

use super::now;
use crate::db::caseload::{self as facts, CaseAssessment, CasePatient, CasePlan, Which};
use crate::db::caseload_summary::{self as store, odi_band, SummaryRow, SUMMARY_VERSION};
use crate::db::clinics::{self, Clinic};
use crate::db::ids::{ClinicId, PatientId};
use crate::db::DbConn;
use crate::domain::assessment::{AssessmentKind, AssessmentStatus};
use crate::domain::caseload::{summarise, AssessmentFacts, CaseFacts, Flag, PlanFacts, Rules};
use crate::domain::patient::PatientStatus;
use crate::domain::plan::PlanStatus;
use crate::error::AppError;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::Connection;
use std::collections::{HashMap, HashSet};

/// Discharged patients stay on the caseload this long (for `discharged_without_outcome`).
pub const DISCHARGED_WINDOW_DAYS: i64 = 90;

/// "Listed until" of a patient under care: never ends.
fn forever() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default()
}

/// The clinic's caseload thresholds.
pub fn rules_of(clinic: &Clinic) -> Rules {
    Rules {
        reassessment_interval: Duration::weeks(i64::from(clinic.reassessment_weeks.max(1))),
        mcid: clinic.mcid.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default(),
        ..Rules::default()
    }
}

fn case_facts(
    patient: &CasePatient,
    assessments: &[&CaseAssessment],
    acted: &HashSet<(String, String)>,
    plans: &[&CasePlan],
) -> CaseFacts {
    CaseFacts {
        discharged: patient.status == PatientStatus::Discharged,
        episode_started_on: patient.episode_started_on,
        assessments: assessments
            .iter()
            .map(|a| AssessmentFacts {
                initial: a.kind == AssessmentKind::Initial,
                signed: a.status == AssessmentStatus::Signed,
                assessed_on: a.assessed_on,
                created_at: a.created_at,
                nprs_worst: a.nprs_worst,
                odi_percent: a.odi_percent,
                open_red_flags: a
                    .red_flags
                    .split_whitespace()
                    .filter(|f| !acted.contains(&(a.id.clone(), (*f).to_owned())))
                    .count(),
            })
            .collect(),
        plans: plans
            .iter()
            .map(|p| PlanFacts {
                active: p.status == PlanStatus::Active,
                stage_started_on: p.stage_started_on,
                planned_weeks: p.stage_planned_weeks,
                has_override: p.has_override || p.screen_override_reason.is_some(),
                safety_review: p.safety_review,
                updated_at: p.updated_at,
            })
            .collect(),
    }
}

/// One patient's row from their facts.
fn row_of(
    patient: &CasePatient,
    assessments: &[&CaseAssessment],
    acted: &HashSet<(String, String)>,
    plans: &[&CasePlan],
    rules: &Rules,
    at: NaiveDateTime,
) -> SummaryRow {
    let summary = summarise(&case_facts(patient, assessments, acted, plans), rules);
    let signed: Vec<&&CaseAssessment> = assessments.iter().filter(|a| a.status == AssessmentStatus::Signed).collect();
    let odis: Vec<f64> = signed.iter().filter_map(|a| a.odi_percent).collect();
    let odi_change = (odis.len() > 1).then(|| odis[odis.len() - 1] - odis[0]);
    let discharged = patient.status == PatientStatus::Discharged;
    let listed_until = if discharged {
        patient.discharged_on.map_or(NaiveDate::default(), |d| d + Duration::days(DISCHARGED_WINDOW_DAYS))
    } else {
        forever()
    };
    let has = |f: Flag| summary.stored.contains(&f);
    SummaryRow {
        patient_id: patient.id.clone(),
        clinic_id: patient.clinic_id.clone(),
        therapist_id: patient.therapist_id.clone(),
        family_name: patient.family_name.clone(),
        given_name: patient.given_name.clone(),
        status: patient.status,
        listed_until,
        stage: plans.iter().find(|p| p.status == PlanStatus::Active).map_or(0, |p| p.current_stage),
        last_assessed_on: signed.iter().map(|a| a.assessed_on).max(),
        odi_change,
        odi_band: odi_change.map(odi_band),
        red_flag_unresolved: has(Flag::RedFlagUnresolved),
        safety_review_needed: has(Flag::SafetyReviewNeeded),
        safety_override: has(Flag::SafetyOverride),
        not_improving: has(Flag::NotImproving),
        no_baseline_outcome: has(Flag::NoBaselineOutcome),
        discharged_without_outcome: has(Flag::DischargedWithoutOutcome),
        stored_flags: i32::try_from(summary.stored.len()).unwrap_or(0),
        reassess_from: summary.reassess_from,
        stalled_after: summary.stalled_after,
        draft_since: summary.draft_since,
        summary_version: SUMMARY_VERSION,
        updated_at: at,
    }
}

/// Rows for every patient the loads found.
fn rows_from(conn: &mut DbConn, which: Which<'_>, rules: &Rules) -> Result<Vec<SummaryRow>, AppError> {
    let patients = facts::patients(conn, which)?;
    let assessments = facts::assessments(conn, which)?;
    let acted: HashSet<(String, String)> = facts::actions(conn, which)?.into_iter().collect();
    let plans = facts::plans(conn, which)?;
    let mut by_patient: HashMap<&str, Vec<&CaseAssessment>> = HashMap::new();
    for a in &assessments {
        by_patient.entry(a.patient_id.as_str()).or_default().push(a);
    }
    let mut plans_of: HashMap<&str, Vec<&CasePlan>> = HashMap::new();
    for p in &plans {
        plans_of.entry(p.patient_id.as_str()).or_default().push(p);
    }
    let at = now();
    Ok(patients
        .iter()
        .map(|p| {
            let own = by_patient.get(p.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            let own_plans = plans_of.get(p.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            row_of(p, own, &acted, own_plans, rules, at)
        })
        .collect())
}

/// Recomputes one patient's summary row from their record, in the caller's transaction.
pub fn refresh(conn: &mut DbConn, patient: PatientId) -> Result<(), AppError> {
    let id = patient.to_string();
    let Some(clinic) = facts::patients(conn, Which::Patient(&id))?.into_iter().next().map(|p| p.clinic_id) else {
        return Ok(());
    };
    let clinic: ClinicId = clinic.parse().map_err(|_| AppError::Internal("bad clinic id".into()))?;
    let rules = clinics::find(conn, clinic)?.as_ref().map(rules_of).unwrap_or_default();
    for row in rows_from(conn, Which::Patient(&id), &rules)? {
        store::replace(conn, &row)?;
    }
    Ok(())
}

/// Rebuilds every summary row of a clinic (after a change of its thresholds, or a bulk
/// load), in the caller's transaction.
pub fn refresh_clinic(conn: &mut DbConn, clinic: ClinicId) -> Result<usize, AppError> {
    let rules = clinics::find(conn, clinic)?.as_ref().map(rules_of).unwrap_or_default();
    let rows = rows_from(conn, Which::Clinic(clinic), &rules)?;
    store::replace_clinic(conn, clinic, &rows)?;
    Ok(rows.len())
}

/// Builds the rows of every clinic with a patient whose row is missing or outdated (run at
/// start-up and by `migrate`; usually nothing to do). Returns the rows written.
pub fn backfill(conn: &mut DbConn) -> Result<usize, AppError> {
    let mut written = 0;
    for clinic in store::stale_clinics(conn)? {
        let clinic: ClinicId = clinic.parse().map_err(|_| AppError::Internal("bad clinic id".into()))?;
        written += conn.transaction(|conn| refresh_clinic(conn, clinic))?;
    }
    Ok(written)
}
