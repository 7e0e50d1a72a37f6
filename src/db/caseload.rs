//! The set-based loads behind the caseload review: a fixed number of queries for a whole
//! clinic, whatever its size.

use super::ids::{ClinicId, UserId};
use super::schema::{assessments, patients, plans, red_flag_actions};
use super::{DbConn, DbError};
use crate::domain::assessment::{AssessmentKind, AssessmentStatus};
use crate::domain::patient::PatientStatus;
use crate::domain::plan::PlanStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Whose facts to load: a whole clinic (backfill) or one patient (after a write).
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    /// Every patient of a clinic.
    Clinic(ClinicId),
    /// One patient (by id).
    Patient(&'a str),
}

/// A patient as the caseload summary needs them.
#[derive(Debug, Clone, Queryable)]
pub struct CasePatient {
    /// Id.
    pub id: String,
    /// Clinic.
    pub clinic_id: String,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Under care or discharged.
    #[diesel(deserialize_as = String)]
    pub status: PatientStatus,
    /// Discharge date.
    pub discharged_on: Option<NaiveDate>,
    /// Start of the current episode of care.
    pub episode_started_on: Option<NaiveDate>,
}

/// The patients of a clinic, or one patient.
pub fn patients(conn: &mut DbConn, which: Which<'_>) -> Result<Vec<CasePatient>, DbError> {
    let mut query = patients::table.into_boxed();
    query = match which {
        Which::Clinic(c) => query.filter(patients::clinic_id.eq(c.to_string())),
        Which::Patient(p) => query.filter(patients::id.eq(p.to_owned())),
    };
    Ok(query
        .select((
            patients::id,
            patients::clinic_id,
            patients::therapist_id,
            patients::given_name,
            patients::family_name,
            patients::status,
            patients::discharged_on,
            patients::episode_started_on,
        ))
        .load(conn)?)
}

/// An assessment's summary.
#[derive(Debug, Clone, Queryable)]
pub struct CaseAssessment {
    /// Id.
    pub id: String,
    /// Patient.
    pub patient_id: String,
    /// Initial or reassessment.
    #[diesel(deserialize_as = String)]
    pub kind: AssessmentKind,
    /// Draft or signed.
    #[diesel(deserialize_as = String)]
    pub status: AssessmentStatus,
    /// Date.
    pub assessed_on: NaiveDate,
    /// Recorded.
    pub created_at: NaiveDateTime,
    /// Worst pain.
    pub nprs_worst: Option<f64>,
    /// ODI percent.
    pub odi_percent: Option<f64>,
    /// Positive red flags, space-separated.
    pub red_flags: String,
}

/// Every assessment summary of a clinic or a patient, by patient and date.
pub fn assessments(conn: &mut DbConn, which: Which<'_>) -> Result<Vec<CaseAssessment>, DbError> {
    let query = match which {
        Which::Clinic(c) => assessments::table.filter(assessments::clinic_id.eq(c.to_string())).into_boxed(),
        Which::Patient(p) => assessments::table.filter(assessments::patient_id.eq(p.to_owned())).into_boxed(),
    };
    Ok(query
        .order((assessments::patient_id.asc(), assessments::assessed_on.asc(), assessments::created_at.asc()))
        .select((
            assessments::id,
            assessments::patient_id,
            assessments::kind,
            assessments::status,
            assessments::assessed_on,
            assessments::created_at,
            assessments::nprs_worst,
            assessments::odi_percent,
            assessments::red_flags,
        ))
        .load(conn)?)
}

/// Recorded red-flag actions of a clinic's assessments that have positive red flags (or of
/// one patient's): (assessment id, flag code). The clinic's subquery reads only the covering
/// index.
pub fn actions(conn: &mut DbConn, which: Which<'_>) -> Result<Vec<(String, String)>, DbError> {
    let select = (red_flag_actions::assessment_id, red_flag_actions::flag_code);
    Ok(match which {
        Which::Clinic(c) => {
            let flagged = assessments::table
                .filter(assessments::clinic_id.eq(c.to_string()))
                .filter(assessments::red_flags.ne(""))
                .select(assessments::id);
            red_flag_actions::table.filter(red_flag_actions::assessment_id.eq_any(flagged)).select(select).load(conn)?
        }
        Which::Patient(p) => {
            red_flag_actions::table.filter(red_flag_actions::patient_id.eq(p.to_owned())).select(select).load(conn)?
        }
    })
}

/// A current plan's lifecycle columns.
#[derive(Debug, Clone, Queryable)]
pub struct CasePlan {
    /// Patient.
    pub patient_id: String,
    /// Draft or active.
    #[diesel(deserialize_as = String)]
    pub status: PlanStatus,
    /// Current stage.
    pub current_stage: i32,
    /// When it began.
    pub stage_started_on: Option<NaiveDate>,
    /// Its planned weeks.
    pub stage_planned_weeks: Option<i32>,
    /// Override present.
    pub has_override: bool,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Needs safety review.
    pub safety_review: bool,
    /// Activated without a complete red-flag screen, with this reason.
    pub screen_override_reason: Option<String>,
}

/// Draft and active plans of a clinic or a patient.
pub fn plans(conn: &mut DbConn, which: Which<'_>) -> Result<Vec<CasePlan>, DbError> {
    let query = match which {
        Which::Clinic(c) => plans::table.filter(plans::clinic_id.eq(c.to_string())).into_boxed(),
        Which::Patient(p) => plans::table.filter(plans::patient_id.eq(p.to_owned())).into_boxed(),
    };
    Ok(query
        .filter(plans::status.eq_any([PlanStatus::Draft.code(), PlanStatus::Active.code()]))
        .select((
            plans::patient_id,
            plans::status,
            plans::current_stage,
            plans::stage_started_on,
            plans::stage_planned_weeks,
            plans::has_override,
            plans::updated_at,
            plans::safety_review,
            plans::screen_override_reason,
        ))
        .load(conn)?)
}

/// Reassigns a patient if still at `version`.
pub fn reassign(
    conn: &mut DbConn,
    patient: &str,
    version: i32,
    therapist: UserId,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let changed =
        diesel::update(patients::table.filter(patients::id.eq(patient)).filter(patients::version.eq(version)))
            .set((
                patients::therapist_id.eq(therapist.to_string()),
                patients::version.eq(version + 1),
                patients::updated_at.eq(now),
            ))
            .execute(conn)?;
    Ok(changed == 1)
}
