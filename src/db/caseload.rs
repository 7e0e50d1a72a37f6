//! The set-based loads behind the caseload review: a fixed number of queries for a whole
//! clinic, whatever its size.

use super::ids::{ClinicId, UserId};
use super::schema::{assessments, patients, plans, red_flag_actions};
use super::{DbConn, DbError};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A patient as the caseload lists them.
#[derive(Debug, Clone, Queryable)]
pub struct CasePatient {
    /// Id.
    pub id: String,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// `active` or `discharged`.
    pub status: String,
    /// Discharge date.
    pub discharged_on: Option<NaiveDate>,
    /// Version (for reassignment).
    pub version: i32,
    /// Start of the current episode of care.
    pub episode_started_on: Option<NaiveDate>,
}

/// Active patients, and patients discharged since `discharged_since`, of a clinic
/// (optionally one therapist's), by family name.
pub fn patients(
    conn: &mut DbConn,
    clinic: ClinicId,
    therapist: Option<UserId>,
    discharged_since: NaiveDate,
) -> Result<Vec<CasePatient>, DbError> {
    let mut query = patients::table
        .filter(patients::clinic_id.eq(clinic.to_string()))
        .filter(patients::status.eq("active").or(patients::discharged_on.ge(discharged_since)))
        .into_boxed();
    if let Some(t) = therapist {
        query = query.filter(patients::therapist_id.eq(t.to_string()));
    }
    Ok(query
        .order((patients::family_name.asc(), patients::given_name.asc()))
        .select((
            patients::id,
            patients::therapist_id,
            patients::given_name,
            patients::family_name,
            patients::status,
            patients::discharged_on,
            patients::version,
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
    /// `initial` or `reassessment`.
    pub kind: String,
    /// `draft` or `signed`.
    pub status: String,
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

/// Every assessment summary of a clinic, by patient and date.
pub fn assessments(conn: &mut DbConn, clinic: ClinicId) -> Result<Vec<CaseAssessment>, DbError> {
    Ok(assessments::table
        .filter(assessments::clinic_id.eq(clinic.to_string()))
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

/// Recorded red-flag actions of a clinic's assessments that have positive red flags:
/// (assessment id, flag code). The subquery reads only the covering index.
pub fn actions(conn: &mut DbConn, clinic: ClinicId) -> Result<Vec<(String, String)>, DbError> {
    let flagged = assessments::table
        .filter(assessments::clinic_id.eq(clinic.to_string()))
        .filter(assessments::red_flags.ne(""))
        .select(assessments::id);
    Ok(red_flag_actions::table
        .filter(red_flag_actions::assessment_id.eq_any(flagged))
        .select((red_flag_actions::assessment_id, red_flag_actions::flag_code))
        .load(conn)?)
}

/// A current plan's lifecycle columns.
#[derive(Debug, Clone, Queryable)]
pub struct CasePlan {
    /// Patient.
    pub patient_id: String,
    /// `draft` or `active`.
    pub status: String,
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

/// Draft and active plans of a clinic.
pub fn plans(conn: &mut DbConn, clinic: ClinicId) -> Result<Vec<CasePlan>, DbError> {
    Ok(plans::table
        .filter(plans::clinic_id.eq(clinic.to_string()))
        .filter(plans::status.eq_any(["draft", "active"]))
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
