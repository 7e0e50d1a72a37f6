//! The referral letter for an emergency or urgent GP referral recorded on a red flag: the
//! patient, the positive items, the neurology of that visit, the action taken, who and where.

use super::assessments::{self, AssessmentHistory};
use super::Ctx;
use crate::db::assessments::RedFlagActionRow;
use crate::db::clinics::{self, Clinic};
use crate::db::ids::AssessmentId;
use crate::db::DbConn;
use crate::domain::red_flag_action::ActionKind;
use crate::error::AppError;

/// Everything the letter shows.
#[derive(Debug, Clone)]
pub struct ReferralLetter {
    /// The patient and their assessments.
    pub history: AssessmentHistory,
    /// The assessment the referral was made from.
    pub assessment: AssessmentId,
    /// The referral actions recorded on it, with who recorded each.
    pub referrals: Vec<(RedFlagActionRow, String)>,
    /// The clinic.
    pub clinic: Clinic,
}

/// The letter for an assessment with an emergency or urgent GP referral (409 `no_referral`
/// otherwise). Audited as an export of the patient's record.
pub fn letter(conn: &mut DbConn, ctx: &Ctx, id: AssessmentId) -> Result<ReferralLetter, AppError> {
    let history = assessments::get(conn, ctx, id)?.append(conn)?;
    let referrals: Vec<(RedFlagActionRow, String)> = history
        .actions
        .iter()
        .filter(|(a, _)| a.assessment_id == id.to_string())
        .filter(|(a, _)| a.kind.is_some_and(ActionKind::has_letter))
        .cloned()
        .collect();
    if referrals.is_empty() {
        return Err(AppError::Conflict {
            code: "no_referral",
            message: "No emergency or urgent GP referral is recorded on this assessment.".into(),
        });
    }
    let clinic = clinics::find(conn, history.patient.0.clinic_id)?.ok_or(AppError::NotFound)?;
    ctx.audit(
        conn,
        "assessment.referral_letter",
        Some(history.patient.0.clinic_id),
        Some(history.patient.0.id),
        Some(format!("assessment={id}")),
    )?;
    Ok(ReferralLetter { history, assessment: id, referrals, clinic })
}
