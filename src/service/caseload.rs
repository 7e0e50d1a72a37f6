//! The caseload review: every patient of a clinic with their stage and flags, per-therapist
//! load, and reassignment. Everything is read from the caseload summary
//! (`service::caseload_summary` keeps it): counts and charts from grouped, indexed queries,
//! the patients shown from one page query, whatever the clinic's size.

use super::caseload_summary::rules_of;
use super::{now, Ctx};
use crate::authz::{Permission, Role};
use crate::db::caseload as store;
use crate::db::caseload_counts::{self as counts, Mark};
use crate::db::caseload_summary::{self as summary, FlagFilter, ListQuery, SummaryRow, TimeLimits};
use crate::db::clinics::{self, Clinic};
use crate::db::ids::{ClinicId, PatientId, UserId};
use crate::db::users::{self, User};
use crate::db::DbConn;
use crate::domain::caseload::{draft_before, overdue_before, Flag, Rules, Summary};
use crate::domain::patient::PatientStatus;
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::Connection;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use utoipa::{IntoParams, ToSchema};

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
        Ok(CaseloadQuery { clinic, therapist, flag, stage, sort, page: None })
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
    /// Page of [`PER_PAGE`] rows, from 1 (`None`: every row, for the export).
    pub page: Option<usize>,
}

/// One patient row.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// Patient id.
    pub id: String,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Under care or discharged.
    pub status: PatientStatus,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Therapist's name.
    pub therapist: Option<String>,
    /// Current stage of the active plan.
    pub stage: Option<i32>,
    /// Flags, most urgent first.
    pub flags: Vec<Flag>,
    /// Latest signed assessment.
    pub last_assessed: Option<NaiveDate>,
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
    /// This page of the patients matching the filter (every one for the export), sorted.
    pub rows: Vec<CaseRow>,
    /// Patients matching the filter.
    pub total: usize,
    /// Active patients per stage (index 0: no active plan).
    pub stages: [usize; 5],
    /// Patients matching the filter per ODI change band: better by 10+, better by less, no
    /// change, worse.
    pub odi: [usize; 4],
}

/// Loads a clinic's caseload. Leads and admins see the clinic; therapists see
/// their own patients ("my caseload"). The audit event names the ids shown.
pub fn load(conn: &mut DbConn, ctx: &Ctx, q: &CaseloadQuery) -> Result<crate::db::audit::Audited<Caseload>, AppError> {
    let caseload = gather(conn, ctx, q)?;
    let shown: Vec<String> = caseload.rows.iter().take(50).map(|r| r.id.clone()).collect();
    let detail = Some(format!("total={} first={}", caseload.total, shown.join(",")));
    let clinic = caseload.clinic.id;
    Ok(ctx.audited(caseload, "caseload.read", Some(clinic), None, detail))
}

/// The caseload as an export (CSV): every matching row, audited with one
/// `caseload.export` event for every patient it contains.
pub fn export(conn: &mut DbConn, ctx: &Ctx, q: &CaseloadQuery) -> Result<Caseload, AppError> {
    let caseload = gather(conn, ctx, &CaseloadQuery { page: None, ..q.clone() })?;
    let ids = caseload.rows.iter().map(|r| r.id.as_str());
    super::exports::record_patients(conn, ctx, "caseload.export", Some(caseload.clinic.id), ids)?;
    Ok(caseload)
}

/// The moment the time-based flags are judged at: the clinic's today and now (UTC).
struct Clock {
    today: NaiveDate,
    now: NaiveDateTime,
    rules: Rules,
}

impl Clock {
    fn limits(&self) -> TimeLimits {
        TimeLimits {
            reassess: overdue_before(&self.rules, self.today),
            stalled: self.today,
            draft: draft_before(&self.rules, self.now),
        }
    }

    fn filter(&self, flag: Flag) -> FlagFilter {
        let limits = self.limits();
        match flag {
            Flag::ReassessmentOverdue => FlagFilter::ReassessBefore(limits.reassess),
            Flag::StageStalled => FlagFilter::StalledBefore(limits.stalled),
            Flag::UnsignedDraft => FlagFilter::DraftBefore(limits.draft),
            stored => FlagFilter::Stored(stored),
        }
    }

    fn flags(&self, row: &SummaryRow) -> Vec<Flag> {
        let s = Summary {
            stored: row.stored(),
            reassess_from: row.reassess_from,
            stalled_after: row.stalled_after,
            draft_since: row.draft_since,
        };
        s.flags_at(&self.rules, self.today, self.now)
    }
}

/// A count of patients sharing therapist, status, stage, ODI band and flags.
struct Count<'a> {
    therapist: Option<&'a str>,
    active: bool,
    stage: i32,
    odi: Option<i32>,
    flags: &'a [Flag],
    n: usize,
    /// Of a draft group (see `db::caseload_counts::Group`): patients with a draft unsigned too long.
    drafts: usize,
}

fn gather(conn: &mut DbConn, ctx: &Ctx, q: &CaseloadQuery) -> Result<Caseload, AppError> {
    let actor = &ctx.actor;
    actor.require(Permission::TreatPatients)?;
    let clinic_id = match (actor.role, q.clinic) {
        (Role::Admin, Some(c)) => c,
        _ => actor.clinic_id,
    };
    let mine = (actor.role == Role::Therapist).then(|| actor.user_id.to_string());
    let therapist = mine.clone().or_else(|| q.therapist.map(|t| t.to_string()));
    let clinic = clinics::find(conn, clinic_id)?.ok_or(AppError::NotFound)?;
    let clinics = if actor.role == Role::Admin { clinics::list(conn)? } else { Vec::new() };
    let clock = Clock {
        today: crate::domain::clock::today_in(&clinic.time_zone, chrono::Utc::now()),
        now: now(),
        rules: rules_of(&clinic),
    };
    let clinicians = users::clinicians_of(conn, clinic_id)?;
    let names: HashMap<String, String> = clinicians.iter().map(|u| (u.id.to_string(), u.name.clone())).collect();

    let limits = clock.limits();
    let mark = Mark { today: clock.today, reassess_before: limits.reassess, stalled_before: limits.stalled };
    counts::roll(conn, clinic_id, mark)?;
    let list = ListQuery {
        clinic: clinic_id,
        today: clock.today,
        therapist: therapist.clone(),
        stage: q.stage,
        flag: q.flag.map(|f| clock.filter(f)),
        sort: q.sort.clone(),
        limits,
    };
    let (offset, limit) = match q.page {
        Some(page) => (i64::try_from(page.saturating_sub(1) * PER_PAGE).unwrap_or(i64::MAX), Some(PER_PAGE as i64)),
        None => (0, None),
    };
    // The groups and the page from one snapshot (SQLite keeps its page cache between them).
    let (groups, page) = conn.transaction(|conn| -> Result<_, AppError> {
        Ok((counts::groups(conn, clinic_id, clock.today, limits.draft)?, summary::rows(conn, &list, offset, limit)?))
    })?;
    let n = |v: i64| usize::try_from(v).unwrap_or(0);
    let mut counts: Vec<Count<'_>> = groups
        .iter()
        .map(|g| Count {
            therapist: g.therapist_id.as_deref(),
            active: g.status == PatientStatus::Active,
            stage: g.stage,
            odi: g.odi_band,
            flags: &g.flags,
            n: n(g.n),
            drafts: n(g.drafts),
        })
        .collect();
    // "My caseload": a therapist's charts and counts cover their own patients only.
    if let Some(me) = &mine {
        counts.retain(|c| c.therapist == Some(me.as_str()));
    }

    let therapists = clinicians
        .into_iter()
        .filter(|user| actor.role != Role::Therapist || user.id == actor.user_id)
        .map(|user| {
            let id = user.id.to_string();
            let own = |t: Option<&str>| t == Some(id.as_str());
            let mut flags = BTreeMap::new();
            for c in counts.iter().filter(|c| own(c.therapist)) {
                for f in c.flags {
                    *flags.entry(*f).or_insert(0) += c.n;
                }
                if c.drafts > 0 {
                    *flags.entry(Flag::UnsignedDraft).or_insert(0) += c.drafts;
                }
            }
            let active = counts.iter().filter(|c| own(c.therapist) && c.active).map(|c| c.n).sum();
            TherapistLoad { user, active, flags }
        })
        .collect();
    let mut stages = [0usize; 5];
    for c in counts.iter().filter(|c| c.active) {
        stages[c.stage.clamp(0, 4) as usize] += c.n;
    }

    // The patients matching the filter: their number and ODI bands from the same groups.
    let mut total = 0;
    let mut odi = [0usize; 4];
    let matching = counts.iter().filter(|c| {
        therapist.as_deref().is_none_or(|want| c.therapist == Some(want)) && q.stage.is_none_or(|s| c.stage == s)
    });
    for c in matching {
        let k = match q.flag {
            Some(Flag::UnsignedDraft) => c.drafts,
            Some(f) if !c.flags.contains(&f) => 0,
            _ => c.n,
        };
        total += k;
        if let Some(b) = c.odi {
            odi[b.clamp(0, 3) as usize] += k;
        }
    }

    let rows = page
        .into_iter()
        .map(|r| CaseRow {
            flags: clock.flags(&r),
            therapist: r.therapist_id.as_deref().and_then(|t| names.get(t)).cloned(),
            stage: (r.stage > 0).then_some(r.stage),
            last_assessed: r.last_assessed_on,
            odi_change: r.odi_change,
            id: r.patient_id,
            given_name: r.given_name,
            family_name: r.family_name,
            status: r.status,
            therapist_id: r.therapist_id,
        })
        .collect();
    Ok(Caseload { clinic, clinics, therapists, rows, total, stages, odi })
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
        super::caseload_summary::refresh(conn, patient)?;
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
