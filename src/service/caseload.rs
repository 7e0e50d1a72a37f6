//! The caseload review: every patient of a clinic with their stage and flags, per-therapist
//! load, and reassignment. Loads are set-based (six queries whatever the clinic's size);
//! flags come from `domain::caseload`.

use super::{now, Ctx};
use crate::authz::{Permission, Role};
use crate::db::caseload::{self as store, CaseAssessment, CasePatient};
use crate::db::clinics::{self, Clinic};
use crate::db::ids::{ClinicId, PatientId, UserId};
use crate::db::users::{self, User};
use crate::db::DbConn;
use crate::domain::caseload::{flags, AssessmentFacts, CaseFacts, Flag, PlanFacts, Rules};
use crate::error::AppError;
use chrono::Duration;
use diesel::Connection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};

/// Discharged patients stay on the caseload this long (for `discharged_without_outcome`).
const DISCHARGED_WINDOW_DAYS: i64 = 90;

/// Patients per page.
pub const PER_PAGE: usize = 25;

/// Caseload filters as sent (query string).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseloadParams {
    /// Clinic (admins only; others see their own).
    #[param(value_type = Option<String>, format = Uuid)]
    pub clinic_id: Option<String>,
    /// One therapist's patients.
    #[param(value_type = Option<String>, format = Uuid)]
    pub therapist_id: Option<String>,
    /// Only patients with this flag.
    #[param(value_type = Option<Flag>)]
    pub flag: Option<String>,
    /// Plan stage 1–4 (0: no active plan).
    #[param(value_type = Option<i32>, minimum = 0, maximum = 4)]
    pub stage: Option<String>,
    /// Order of the patients (default `name`).
    #[param(value_type = Option<CaseloadSort>)]
    pub sort: Option<String>,
    /// Page, from 1.
    #[param(value_type = Option<i64>, minimum = 1, maximum = 1000000)]
    pub page: Option<String>,
}

/// How the caseload is ordered.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseloadSort {
    /// Family name, given name.
    Name,
    /// Most flags first.
    Flags,
    /// By plan stage.
    Stage,
    /// Longest since the last assessment first.
    LastAssessed,
}

impl CaseloadParams {
    /// The service query; a bad value is a 422 naming the parameter.
    pub fn query(&self) -> Result<CaseloadQuery, AppError> {
        let text = crate::domain::filled;
        let clinic = match text(&self.clinic_id) {
            Some(c) => Some(c.parse().map_err(|_| AppError::field("clinic_id", "clinic_id must be a clinic's id"))?),
            None => None,
        };
        let therapist = match text(&self.therapist_id) {
            Some(t) => {
                Some(t.parse().map_err(|_| AppError::field("therapist_id", "therapist_id must be a user's id"))?)
            }
            None => None,
        };
        let flag = match text(&self.flag) {
            Some(f) => Some(Flag::parse(&f).ok_or_else(|| {
                let codes: Vec<&str> = Flag::ALL.iter().map(|f| f.code()).collect();
                AppError::field("flag", format!("flag must be one of: {}", codes.join(", ")))
            })?),
            None => None,
        };
        let stage = match text(&self.stage) {
            Some(s) => Some(
                s.parse::<i32>()
                    .ok()
                    .filter(|s| (0..=4).contains(s))
                    .ok_or_else(|| AppError::field("stage", "stage must be 0 to 4"))?,
            ),
            None => None,
        };
        let sort = match text(&self.sort).as_deref() {
            None | Some("name") => None,
            Some(s @ ("flags" | "stage" | "last_assessed")) => Some(s.to_owned()),
            Some(_) => return Err(AppError::field("sort", "sort must be name, flags, stage or last_assessed")),
        };
        Ok(CaseloadQuery { clinic, therapist, flag, stage, sort })
    }
}

/// Filters, sort and page of the caseload.
#[derive(Debug, Clone, Default)]
pub struct CaseloadQuery {
    /// Clinic (admins; others always see their own).
    pub clinic: Option<ClinicId>,
    /// One therapist's patients.
    pub therapist: Option<UserId>,
    /// Only patients with this flag.
    pub flag: Option<Flag>,
    /// Only patients in this plan stage (0 = no active plan).
    pub stage: Option<i32>,
    /// `name` (default), `flags`, `stage`, `last_assessed`.
    pub sort: Option<String>,
}

/// One patient row.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// The patient.
    pub patient: CasePatient,
    /// Therapist's name.
    pub therapist: Option<String>,
    /// Current stage of the active plan.
    pub stage: Option<i32>,
    /// Flags, most urgent first.
    pub flags: Vec<Flag>,
    /// Latest signed assessment.
    pub last_assessed: Option<chrono::NaiveDate>,
    /// ODI change since baseline (negative = better).
    pub odi_change: Option<f64>,
}

/// A therapist's load.
#[derive(Debug, Clone)]
pub struct TherapistLoad {
    /// The clinician.
    pub user: User,
    /// Active patients.
    pub active: usize,
    /// Patients per flag.
    pub flags: BTreeMap<Flag, usize>,
}

/// The caseload of a clinic.
#[derive(Debug, Clone)]
pub struct Caseload {
    /// The clinic shown.
    pub clinic: Clinic,
    /// Clinics an admin may switch to.
    pub clinics: Vec<Clinic>,
    /// Per-therapist load (over the whole clinic, not the filter).
    pub therapists: Vec<TherapistLoad>,
    /// Patients matching the filter, sorted.
    pub rows: Vec<CaseRow>,
    /// Active patients per stage (index 0: no active plan).
    pub stages: [usize; 5],
}

fn facts(
    assessments: &[&CaseAssessment],
    acted: &HashSet<(String, String)>,
    plans: &[&store::CasePlan],
    patient: &store::CasePatient,
) -> CaseFacts {
    CaseFacts {
        discharged: patient.status == "discharged",
        episode_started_on: patient.episode_started_on,
        assessments: assessments
            .iter()
            .map(|a| AssessmentFacts {
                initial: a.kind == "initial",
                signed: a.status == "signed",
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
                active: p.status == "active",
                stage_started_on: p.stage_started_on,
                planned_weeks: p.stage_planned_weeks,
                has_override: p.has_override || p.screen_override_reason.is_some(),
                safety_review: p.safety_review,
                updated_at: p.updated_at,
            })
            .collect(),
    }
}

fn odi_change(assessments: &[&CaseAssessment]) -> Option<f64> {
    let signed: Vec<f64> = assessments.iter().filter(|a| a.status == "signed").filter_map(|a| a.odi_percent).collect();
    (signed.len() > 1).then(|| signed[signed.len() - 1] - signed[0])
}

/// Loads and flags a clinic's caseload. Leads and admins see the clinic; therapists see
/// their own patients ("my caseload"). Audited with the ids shown.
pub fn load(conn: &mut DbConn, ctx: &Ctx, q: &CaseloadQuery) -> Result<Caseload, AppError> {
    let caseload = gather(conn, ctx, q)?;
    let shown: Vec<String> = caseload.rows.iter().take(50).map(|r| r.patient.id.clone()).collect();
    let detail = format!("total={} first={}", caseload.rows.len(), shown.join(","));
    ctx.audit(conn, "caseload.read", Some(caseload.clinic.id), None, Some(detail))?;
    Ok(caseload)
}

/// The caseload as an export (CSV): audited with one `caseload.export` event for every
/// patient it contains.
pub fn export(conn: &mut DbConn, ctx: &Ctx, q: &CaseloadQuery) -> Result<Caseload, AppError> {
    let caseload = gather(conn, ctx, q)?;
    let ids = caseload.rows.iter().map(|r| r.patient.id.as_str());
    super::exports::record_patients(conn, ctx, "caseload.export", Some(caseload.clinic.id), ids)?;
    Ok(caseload)
}

fn gather(conn: &mut DbConn, ctx: &Ctx, q: &CaseloadQuery) -> Result<Caseload, AppError> {
    let actor = &ctx.actor;
    actor.require(Permission::TreatPatients)?;
    let clinic_id = match (actor.role, q.clinic) {
        (Role::Admin, Some(c)) => c,
        _ => actor.clinic_id,
    };
    let therapist = if actor.role == Role::Therapist { Some(actor.user_id) } else { q.therapist };
    let clinic = clinics::find(conn, clinic_id)?.ok_or(AppError::NotFound)?;
    let clinics = if actor.role == Role::Admin { clinics::list(conn)? } else { Vec::new() };
    let today = crate::domain::clock::today_in(&clinic.time_zone, chrono::Utc::now());
    let patients = store::patients(conn, clinic_id, None, today - Duration::days(DISCHARGED_WINDOW_DAYS))?;
    let assessments = store::assessments(conn, clinic_id)?;
    let acted: HashSet<(String, String)> = store::actions(conn, clinic_id)?.into_iter().collect();
    let plans = store::plans(conn, clinic_id)?;
    let clinicians = users::clinicians_of(conn, clinic_id)?;

    let mut by_patient: HashMap<&str, Vec<&CaseAssessment>> = HashMap::new();
    for a in &assessments {
        by_patient.entry(a.patient_id.as_str()).or_default().push(a);
    }
    let mut plans_of: HashMap<&str, Vec<&store::CasePlan>> = HashMap::new();
    for p in &plans {
        plans_of.entry(p.patient_id.as_str()).or_default().push(p);
    }
    let names: HashMap<String, &str> = clinicians.iter().map(|u| (u.id.to_string(), u.name.as_str())).collect();
    let rules = Rules {
        reassessment_interval: Duration::weeks(i64::from(clinic.reassessment_weeks.max(1))),
        mcid: clinic.mcid.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default(),
        ..Rules::default()
    };
    let at = now();
    let mut all: Vec<CaseRow> = patients
        .into_iter()
        .map(|p| {
            let own = by_patient.get(p.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            let own_plans = plans_of.get(p.id.as_str()).map(Vec::as_slice).unwrap_or_default();
            let case = facts(own, &acted, own_plans, &p);
            CaseRow {
                therapist: p.therapist_id.as_deref().and_then(|t| names.get(t)).map(|n| (*n).to_owned()),
                stage: own_plans.iter().find(|x| x.status == "active").map(|x| x.current_stage),
                flags: flags(&case, &rules, at),
                last_assessed: own.iter().filter(|a| a.status == "signed").map(|a| a.assessed_on).max(),
                odi_change: odi_change(own),
                patient: p,
            }
        })
        .collect();
    // "My caseload": a therapist's charts and counts cover their own patients only.
    if actor.role == Role::Therapist {
        let me = actor.user_id.to_string();
        all.retain(|r| r.patient.therapist_id.as_deref() == Some(me.as_str()));
    }

    let therapists = clinicians
        .into_iter()
        .filter(|user| actor.role != Role::Therapist || user.id == actor.user_id)
        .map(|user| {
            let id = user.id.to_string();
            let mine: Vec<&CaseRow> =
                all.iter().filter(|r| r.patient.therapist_id.as_deref() == Some(id.as_str())).collect();
            let mut counts = BTreeMap::new();
            for r in &mine {
                for f in &r.flags {
                    *counts.entry(*f).or_insert(0) += 1;
                }
            }
            TherapistLoad { user, active: mine.iter().filter(|r| r.patient.status == "active").count(), flags: counts }
        })
        .collect();
    let mut stages = [0usize; 5];
    for r in all.iter().filter(|r| r.patient.status == "active") {
        stages[r.stage.unwrap_or(0).clamp(0, 4) as usize] += 1;
    }
    all.retain(|r| {
        therapist.is_none_or(|t| r.patient.therapist_id.as_deref() == Some(t.to_string().as_str()))
            && q.flag.is_none_or(|f| r.flags.contains(&f))
            && q.stage.is_none_or(|s| r.stage.unwrap_or(0) == s)
    });
    match q.sort.as_deref() {
        Some("flags") => all.sort_by(|a, b| b.flags.len().cmp(&a.flags.len()).then_with(|| a.flags.cmp(&b.flags))),
        Some("stage") => all.sort_by_key(|r| r.stage.unwrap_or(0)),
        Some("last_assessed") => all.sort_by_key(|r| r.last_assessed),
        _ => {}
    }
    Ok(Caseload { clinic, clinics, therapists, rows: all, stages })
}

/// Reassigns a patient to another clinician of the same clinic (leads and admins).
pub fn reassign(conn: &mut DbConn, ctx: &Ctx, patient: PatientId, therapist: UserId) -> Result<(), AppError> {
    ctx.actor.require(Permission::ReviewCaseload)?;
    let (row, _) = crate::db::patients::find(conn, ctx.actor.scope(), patient)?.ok_or(AppError::NotFound)?;
    let ok = users::find(conn, therapist)?
        .is_some_and(|u| u.clinic_id == row.clinic_id && u.role != Role::Admin && u.active);
    if !ok {
        return Err(AppError::field("therapist_id", "Choose a therapist of this clinic."));
    }
    conn.transaction(|conn| {
        if !store::reassign(conn, &row.id.to_string(), row.version, therapist, now())? {
            return Err(AppError::VersionConflict);
        }
        ctx.audit(
            conn,
            "patient.reassign",
            Some(row.clinic_id),
            Some(patient),
            Some(format!("therapist={therapist}")),
        )?;
        Ok(())
    })
}
