//! Assessment use cases: record, edit a draft, sign, amend, act on red flags, review history.

use super::{now, Ctx};
use crate::authz::Permission;
use crate::db::assessments::{self as store, AssessmentRow, NewAssessment, RedFlagActionRow};
use crate::db::audit::Audited;
use crate::db::ids::{AssessmentId, PatientId};
use crate::db::patients::{self, PatientWithTherapist};
use crate::db::{clinics, is_unique_violation, DbConn, DbError};
use crate::domain::assessment::{
    self, AssessmentContent, AssessmentInput, AssessmentKind, AssessmentStatus, ContentInput,
};
use crate::domain::dates::past_day;
use crate::domain::findings;
use crate::domain::mcid::McidThresholds;
use crate::domain::red_flag_action::{self, ActionKind};
use crate::domain::red_flags::{self, RedFlagGroup, PROGRESSIVE_NEURO_DEFICIT};
use crate::error::{add_field_error, AppError, FieldErrors};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::Connection;

/// An amendment with its author's name and content.
#[derive(Debug, Clone)]
pub struct Amendment {
    /// Who.
    pub author: String,
    /// Why.
    pub reason: String,
    /// When.
    pub at: NaiveDateTime,
    /// The content after it.
    pub content: AssessmentContent,
}

/// An assessment with its original content, amendments and current content.
#[derive(Debug, Clone)]
pub struct AssessmentRecord {
    /// The stored row.
    pub row: AssessmentRow,
    /// Content as first recorded (and signed).
    pub original: AssessmentContent,
    /// Amendments, oldest first.
    pub amendments: Vec<Amendment>,
}

impl AssessmentRecord {
    /// The content in force: the latest amendment's, else the original.
    pub fn current(&self) -> &AssessmentContent {
        self.amendments.last().map_or(&self.original, |a| &a.content)
    }

    /// Whether it is signed (locked).
    pub fn is_signed(&self) -> bool {
        self.row.status == AssessmentStatus::Signed
    }
}

pub use crate::domain::safety_profile::OpenRedFlag as OpenFlag;

/// Everything recorded about a patient's assessments: one load, constant queries.
#[derive(Debug, Clone)]
pub struct AssessmentHistory {
    /// The patient.
    pub patient: PatientWithTherapist,
    /// Assessments, oldest first.
    pub records: Vec<AssessmentRecord>,
    /// Red-flag actions with recorders' names.
    pub actions: Vec<(RedFlagActionRow, String)>,
    /// The clinic's MCID thresholds.
    pub thresholds: McidThresholds,
}

impl AssessmentHistory {
    /// Positive red flags (answered, or derived from the neurology trend), across all
    /// assessments, that have no recorded action.
    pub fn open_flags(&self) -> Vec<OpenFlag> {
        super::safety::profile(self).open_red_flags
    }

    /// The record with this id.
    pub fn record(&self, id: AssessmentId) -> Option<&AssessmentRecord> {
        self.records.iter().find(|r| r.row.id == id)
    }

    /// The latest assessment before `id` (or the latest of all, for a new one).
    pub fn previous(&self, id: Option<AssessmentId>) -> Option<&AssessmentRecord> {
        let end = id.and_then(|id| self.records.iter().position(|r| r.row.id == id)).unwrap_or(self.records.len());
        self.records[..end].last()
    }
}

/// The summary of some content, for set-based caseload queries.
pub fn summary_of(content: &AssessmentContent) -> store::Summary {
    store::Summary {
        nprs_worst: content.number("nprs_worst", None),
        odi_percent: content.scores().odi_percent,
        red_flags: content.red_flags().join(" "),
        summary_version: store::SUMMARY_VERSION,
    }
}

/// Recomputes summaries written by older versions (run at start-up; usually nothing to do),
/// and the stored planned weeks of plans' current stages.
pub fn refresh_summaries(conn: &mut DbConn) -> Result<usize, AppError> {
    let stale = store::stale_summaries(conn)?;
    let weeks = crate::db::plans::missing_stage_weeks(conn)?;
    conn.transaction(|conn| {
        for id in &stale {
            let (original, amended) = store::contents(conn, id)?;
            let current = parse_content(amended.last().unwrap_or(&original))?;
            let id: AssessmentId = id.parse().map_err(|_| AppError::Internal("bad assessment id".into()))?;
            store::set_summary(conn, id, &summary_of(&current))?;
        }
        for (id, content) in &weeks {
            let plan: crate::domain::plan_storage::StoredContent =
                serde_json::from_str(content).map_err(|e| crate::error::unreadable("stored plan", &e))?;
            let current = plan.stages.iter().find(|s| s.position == plan.current_stage);
            crate::db::plans::set_stage_weeks(conn, id, current.map(|s| i32::from(s.planned_weeks)))?;
        }
        Ok(stale.len() + weeks.len())
    })
}

fn parse_content(json: &str) -> Result<AssessmentContent, AppError> {
    serde_json::from_str(json).map_err(|e| crate::error::unreadable("stored assessment content", &e))
}

fn to_json(content: &AssessmentContent) -> Result<String, AppError> {
    serde_json::to_string(content).map_err(|e| AppError::Internal(e.to_string()))
}

/// Loads a patient's assessments without auditing: for callers that audit their own read
/// of the same patient (a plan, a handout).
pub fn load_history(conn: &mut DbConn, ctx: &Ctx, patient: PatientId) -> Result<AssessmentHistory, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let found = patients::find(conn, ctx.actor.scope(), patient)?.ok_or(AppError::NotFound)?;
    let rows = store::for_patient(conn, patient)?;
    let mut amendments = store::amendments_for_patient(conn, patient)?;
    let actions = store::actions_for_patient(conn, patient)?;
    let thresholds = clinics::find(conn, found.0.clinic_id)?
        .and_then(|c| c.mcid)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let mut records = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id.to_string();
        let mut own = Vec::new();
        for (a, author) in amendments.extract_if(.., |(a, _)| a.assessment_id == id) {
            own.push(Amendment { author, reason: a.reason, at: a.created_at, content: parse_content(&a.content)? });
        }
        records.push(AssessmentRecord { original: parse_content(&row.content)?, row, amendments: own });
    }
    Ok(AssessmentHistory { patient: found, records, actions, thresholds })
}

/// A patient's assessments, for the patient page, the progress page and the API. Audited.
pub fn history(conn: &mut DbConn, ctx: &Ctx, patient: PatientId) -> Result<Audited<AssessmentHistory>, AppError> {
    let history = load_history(conn, ctx, patient)?;
    let (clinic, detail) = (history.patient.0.clinic_id, format!("count={}", history.records.len()));
    Ok(ctx.audited(history, "assessment.list", Some(clinic), Some(patient), Some(detail)))
}

/// One assessment with its patient's history (for previous values and open flags). Audited.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: AssessmentId) -> Result<Audited<AssessmentHistory>, AppError> {
    ctx.actor.require(Permission::TreatPatients)?;
    let row = store::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    let history = load_history(conn, ctx, row.patient_id)?;
    Ok(ctx.audited(
        history,
        "assessment.read",
        Some(row.clinic_id),
        Some(row.patient_id),
        Some(format!("assessment={id}")),
    ))
}

/// Records a new draft assessment; raises progressive neurological deficit when neurology
/// is worse than at the previous assessment.
pub fn create(
    conn: &mut DbConn,
    ctx: &Ctx,
    patient: PatientId,
    input: &AssessmentInput,
    today: NaiveDate,
) -> Result<AssessmentId, AppError> {
    let history = load_history(conn, ctx, patient)?;
    let (kind, assessed_on, content) = input.validate(today).map_err(AppError::Validation)?;
    let id = AssessmentId::new();
    let at = now();
    let row = NewAssessment {
        id,
        patient_id: patient,
        clinic_id: history.patient.0.clinic_id,
        author_id: ctx.actor.user_id,
        kind,
        assessed_on,
        status: AssessmentStatus::Draft,
        content: to_json(&content)?,
        version: 1,
        created_at: at,
        updated_at: at,
    };
    conn.transaction(|conn| {
        store::insert(conn, row)?;
        after_change(conn, ctx, patient)?;
        ctx.audit(
            conn,
            "assessment.create",
            Some(history.patient.0.clinic_id),
            Some(patient),
            Some(format!("assessment={id}")),
        )?;
        Ok(id)
    })
}

fn locked() -> AppError {
    AppError::Conflict {
        code: "locked",
        message: "This assessment is signed and locked. Record an amendment instead.".into(),
    }
}

/// The assessment, in scope, with its history; 404 otherwise.
fn find_in_history(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: AssessmentId,
) -> Result<(AssessmentHistory, AssessmentRecord), AppError> {
    let row = store::find(conn, ctx.actor.scope(), id)?.ok_or(AppError::NotFound)?;
    let history = load_history(conn, ctx, row.patient_id)?;
    let record = history.record(id).cloned().ok_or(AppError::NotFound)?;
    Ok((history, record))
}

/// Saves a draft's content and, when `assessed_on` is given, its date as typed (a past day
/// of the clinic's calendar), if it is still a draft at `version` (409 otherwise). Every
/// problem is reported at once, next to its field.
pub fn update_draft(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: AssessmentId,
    version: i32,
    assessed_on: Option<&str>,
    input: &ContentInput,
) -> Result<(), AppError> {
    let (_, record) = find_in_history(conn, ctx, id)?;
    if record.is_signed() {
        return Err(locked());
    }
    let today = super::clinic_settings::today(conn, ctx)?;
    let mut errors = FieldErrors::new();
    let assessed_on = match assessed_on {
        None => Some(record.row.assessed_on),
        Some(text) => past_day(text, today).map_err(|m| add_field_error(&mut errors, "assessed_on", m)).ok(),
    };
    let content = input.validate().map_err(|e| errors.extend(e)).ok();
    let (Some(assessed_on), Some(content)) = (assessed_on, content) else {
        return Err(AppError::Validation(errors));
    };
    let json = to_json(&content)?;
    conn.transaction(|conn| {
        if !store::update_draft(conn, id, version, assessed_on, &json, now())? {
            return Err(AppError::VersionConflict);
        }
        after_change(conn, ctx, record.row.patient_id)?;
        ctx.audit(
            conn,
            "assessment.update",
            Some(record.row.clinic_id),
            Some(record.row.patient_id),
            Some(format!("assessment={id}")),
        )?;
        Ok(())
    })
}

/// Signs (locks) a draft at `version`. An initial assessment is signed only once every
/// cauda equina item is answered positive or negative (422 naming each unanswered item).
pub fn sign(conn: &mut DbConn, ctx: &Ctx, id: AssessmentId, version: i32) -> Result<(), AppError> {
    let (_, record) = find_in_history(conn, ctx, id)?;
    if record.is_signed() {
        return Err(AppError::Conflict { code: "locked", message: "This assessment is signed already.".into() });
    }
    if record.row.kind == AssessmentKind::Initial {
        let missing = red_flags::unscreened(&record.current().findings, RedFlagGroup::CaudaEquina);
        if !missing.is_empty() {
            let mut fields = FieldErrors::new();
            for code in missing {
                let label = findings::find(code).map_or(code, |d| d.label);
                add_field_error(&mut fields, code, format!("Answer \"{label}\" positive or negative before signing."));
            }
            return Err(AppError::Validation(fields));
        }
    }
    conn.transaction(|conn| {
        if !store::sign(conn, id, version, ctx.actor.user_id, now())? {
            return Err(AppError::VersionConflict);
        }
        after_change(conn, ctx, record.row.patient_id)?;
        ctx.audit(
            conn,
            "assessment.sign",
            Some(record.row.clinic_id),
            Some(record.row.patient_id),
            Some(format!("assessment={id}")),
        )?;
        Ok(())
    })
}

/// Longest amendment reason or red-flag action, in characters.
pub const MAX_REASON: usize = 2000;

fn required_text(field: &str, text: &str, what: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field(field, format!("Enter {what}.")));
    }
    if text.chars().count() > MAX_REASON {
        return Err(AppError::field(field, format!("Keep {what} under {MAX_REASON} characters.")));
    }
    Ok(text.to_owned())
}

/// Amends a signed assessment: the original stays; the amendment keeps who, when and why.
pub fn amend(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: AssessmentId,
    version: i32,
    reason: &str,
    input: &ContentInput,
) -> Result<(), AppError> {
    let (_, record) = find_in_history(conn, ctx, id)?;
    if !record.is_signed() {
        return Err(AppError::Conflict {
            code: "not_signed",
            message: "A draft is edited directly; amendments are for signed assessments.".into(),
        });
    }
    let reason = required_text("reason", reason, "the reason for the amendment")?;
    let content = input.validate().map_err(AppError::Validation)?;
    let json = to_json(&content)?;
    conn.transaction(|conn| {
        if !store::bump_signed(conn, id, version, now())? {
            return Err(AppError::VersionConflict);
        }
        let amendment = store::insert_amendment(conn, id, ctx.actor.user_id, &reason, &json, now())?;
        after_change(conn, ctx, record.row.patient_id)?;
        ctx.audit(
            conn,
            "assessment.amend",
            Some(record.row.clinic_id),
            Some(record.row.patient_id),
            Some(format!("assessment={id} amendment={amendment}")),
        )?;
        Ok(())
    })
}

/// Recomputes what depends on the whole record after an assessment changed, in the
/// caller's transaction: each assessment's red-flag summary (answered and derived flags, so
/// amending or back-dating a visit recomputes the later ones) and every open plan's safety.
fn after_change(conn: &mut DbConn, ctx: &Ctx, patient: PatientId) -> Result<(), AppError> {
    let history = load_history(conn, ctx, patient)?;
    let profile = super::safety::profile(&history);
    for record in &history.records {
        let mut summary = summary_of(record.current());
        let derived = profile.worsened.iter().any(|w| w.at == record.row.id.0);
        if derived && !summary.red_flags.split(' ').any(|f| f == PROGRESSIVE_NEURO_DEFICIT) {
            summary.red_flags = format!("{} {PROGRESSIVE_NEURO_DEFICIT}", summary.red_flags).trim().to_owned();
        }
        store::set_summary(conn, record.row.id, &summary)?;
    }
    super::safety::refresh_plans(conn, &history, patient)
}

/// Records what was done about a red flag of an assessment (answered positive, or derived
/// from the neurology trend at that visit): the kind of action and a sentence.
pub fn record_action(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: AssessmentId,
    flag: &str,
    kind: &str,
    action: &str,
) -> Result<(), AppError> {
    let (history, record) = find_in_history(conn, ctx, id)?;
    let derived = super::safety::profile(&history).worsened.iter().any(|w| w.at == id.0);
    let mut flags = record.current().red_flags();
    if derived && !flags.contains(&PROGRESSIVE_NEURO_DEFICIT) {
        flags.push(PROGRESSIVE_NEURO_DEFICIT);
    }
    let code = flags
        .into_iter()
        .find(|c| *c == flag.trim())
        .ok_or_else(|| AppError::field("flag", "Choose a positive red flag of this assessment."))?;
    let kind = ActionKind::parse(kind).ok_or_else(|| {
        AppError::field(
            "kind",
            "kind must be emergency_referral, urgent_gp_referral, gp_letter or reviewed_not_concerning.",
        )
    })?;
    let action = action.trim();
    if !red_flag_action::is_sentence(action) {
        return Err(AppError::field(
            "action",
            "Say what was done in a sentence (e.g. who was contacted and what was arranged).",
        ));
    }
    conn.transaction(|conn| {
        store::insert_action(conn, record.row.patient_id, id, code, kind, action, ctx.actor.user_id, now()).map_err(
            |e| match e {
                DbError::Query(q) if is_unique_violation(&q) => {
                    AppError::field("flag", "An action is recorded for this red flag already.")
                }
                other => other.into(),
            },
        )?;
        super::caseload_summary::refresh(conn, record.row.patient_id)?;
        ctx.audit(
            conn,
            "red_flag.action",
            Some(record.row.clinic_id),
            Some(record.row.patient_id),
            Some(format!("assessment={id} flag={code} kind={}", kind.code())),
        )?;
        Ok(())
    })
}

/// The progress series of a patient's history.
pub fn progress_series(history: &AssessmentHistory) -> Vec<assessment::Series> {
    let points: Vec<(NaiveDate, &AssessmentContent)> =
        history.records.iter().map(|r| (r.row.assessed_on, r.current())).collect();
    assessment::progress(&points, &history.thresholds)
}
