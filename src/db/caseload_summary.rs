//! The caseload summary table: one row per patient, written by `service::caseload_summary`
//! and read by the caseload page, its counts and charts, the CSV and the API. Every read is
//! an indexed query over one clinic's rows; time-based flags are range conditions on stored
//! dates against the clinic's today. Its counts are kept beside it (`db::caseload_counts`).

use super::ids::ClinicId;
use super::schema::{caseload_summary as cs, patients};
use super::{DbConn, DbError};
use crate::domain::caseload::Flag;
use crate::domain::patient::PatientStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// Bump when the way a summary is computed changes: older rows are rebuilt at start-up.
pub const SUMMARY_VERSION: i32 = 1;

/// Rows per multi-row insert in a backfill (well under both databases' bind limits).
const INSERT_CHUNK: usize = 500;

/// One patient's summary row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = cs)]
pub struct SummaryRow {
    /// Patient.
    pub patient_id: String,
    /// Clinic.
    pub clinic_id: String,
    /// Assigned therapist.
    pub therapist_id: Option<String>,
    /// Family name (for the list order).
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// Under care or discharged.
    #[diesel(serialize_as = String, deserialize_as = String)]
    pub status: PatientStatus,
    /// The last day the patient is on the caseload (far future while under care).
    pub listed_until: NaiveDate,
    /// Current stage of the active plan; 0 without one.
    pub stage: i32,
    /// Latest signed assessment (any episode).
    pub last_assessed_on: Option<NaiveDate>,
    /// ODI change since baseline (negative = better).
    pub odi_change: Option<f64>,
    /// ODI change band for the chart (see [`odi_band`]).
    pub odi_band: Option<i32>,
    /// Stored flag.
    pub red_flag_unresolved: bool,
    /// Stored flag.
    pub safety_review_needed: bool,
    /// Stored flag.
    pub safety_override: bool,
    /// Stored flag.
    pub not_improving: bool,
    /// Stored flag.
    pub no_baseline_outcome: bool,
    /// Stored flag.
    pub discharged_without_outcome: bool,
    /// How many stored flags are set.
    pub stored_flags: i32,
    /// See `domain::caseload::Summary::reassess_from`.
    pub reassess_from: Option<NaiveDate>,
    /// See `domain::caseload::Summary::stalled_after`.
    pub stalled_after: Option<NaiveDate>,
    /// See `domain::caseload::Summary::draft_since`.
    pub draft_since: Option<NaiveDateTime>,
    /// [`SUMMARY_VERSION`] when written.
    pub summary_version: i32,
    /// When written.
    pub updated_at: NaiveDateTime,
}

impl SummaryRow {
    /// The stored flags set on this row, most urgent first.
    pub fn stored(&self) -> Vec<Flag> {
        let set = [
            (Flag::RedFlagUnresolved, self.red_flag_unresolved),
            (Flag::SafetyReviewNeeded, self.safety_review_needed),
            (Flag::SafetyOverride, self.safety_override),
            (Flag::NotImproving, self.not_improving),
            (Flag::NoBaselineOutcome, self.no_baseline_outcome),
            (Flag::DischargedWithoutOutcome, self.discharged_without_outcome),
        ];
        set.into_iter().filter(|(_, on)| *on).map(|(f, _)| f).collect()
    }
}

/// The chart's ODI band of a change: 0 better by 10 or more, 1 better by less, 2 no
/// change, 3 worse.
pub fn odi_band(change: f64) -> i32 {
    if change <= -10.0 {
        0
    } else if change < 0.0 {
        1
    } else if change == 0.0 {
        2
    } else {
        3
    }
}

/// Replaces one patient's row (delete + insert: portable through the multi-connection) and
/// moves them between the caseload's counted groups.
pub fn replace(conn: &mut DbConn, row: &SummaryRow) -> Result<(), DbError> {
    let old = cs::table.find(&row.patient_id).select(SummaryRow::as_select()).first(conn).optional()?;
    diesel::delete(cs::table.filter(cs::patient_id.eq(&row.patient_id))).execute(conn)?;
    diesel::insert_into(cs::table).values(row.clone()).execute(conn)?;
    super::caseload_counts::moved(conn, old.as_ref(), row)
}

/// Replaces every row of a clinic with `rows` (a backfill) and recounts its groups.
pub fn replace_clinic(conn: &mut DbConn, clinic: ClinicId, rows: &[SummaryRow]) -> Result<(), DbError> {
    diesel::delete(cs::table.filter(cs::clinic_id.eq(clinic.to_string()))).execute(conn)?;
    for chunk in rows.chunks(INSERT_CHUNK) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(cs::table).values(chunk.to_vec()).execute(c)?,
            DbConn::Pg(c) => diesel::insert_into(cs::table).values(chunk.to_vec()).execute(c)?,
        };
    }
    super::caseload_counts::recount(conn, clinic, rows)
}

/// Clinics with a patient whose summary is missing or older than [`SUMMARY_VERSION`]: an
/// anti-join, one lookup by patient (PostgreSQL runs `id != ALL (subquery)` as a nested loop,
/// which took minutes at 50,000 patients).
pub fn stale_clinics(conn: &mut DbConn) -> Result<Vec<String>, DbError> {
    use diesel::dsl::{exists, not};
    let fresh = cs::table.filter(cs::patient_id.eq(patients::id)).filter(cs::summary_version.ge(SUMMARY_VERSION));
    Ok(patients::table.filter(not(exists(fresh))).select(patients::clinic_id).distinct().load(conn)?)
}

/// A flag condition as the database answers it.
#[derive(Debug, Clone, Copy)]
pub enum FlagFilter {
    /// A stored flag column is set.
    Stored(Flag),
    /// `reassess_from` before this day.
    ReassessBefore(NaiveDate),
    /// `stalled_after` before this day (today).
    StalledBefore(NaiveDate),
    /// `draft_since` before this time.
    DraftBefore(NaiveDateTime),
}

/// Which rows of a clinic's caseload, in which order.
#[derive(Debug, Clone)]
pub struct ListQuery {
    /// The clinic.
    pub clinic: ClinicId,
    /// The clinic's today: rows listed until before it are left out.
    pub today: NaiveDate,
    /// One therapist's patients.
    pub therapist: Option<String>,
    /// Only this stage (0: no active plan).
    pub stage: Option<i32>,
    /// Only rows with this flag.
    pub flag: Option<FlagFilter>,
    /// `name`, `stage`, `last_assessed` or `flags`.
    pub sort: Option<String>,
    /// The time-based flags' limits, for the `flags` order.
    pub limits: TimeLimits,
}

type Backend = <DbConn as Connection>::Backend;

/// The rows a query selects, filtered and ordered (not paged).
fn listed(lq: &ListQuery) -> cs::BoxedQuery<'static, Backend> {
    let mut query =
        cs::table.filter(cs::clinic_id.eq(lq.clinic.to_string())).filter(cs::listed_until.ge(lq.today)).into_boxed();
    if let Some(t) = &lq.therapist {
        query = query.filter(cs::therapist_id.eq(t.clone()));
    }
    if let Some(s) = lq.stage {
        query = query.filter(cs::stage.eq(s));
    }
    query = match lq.flag {
        None => query,
        Some(FlagFilter::ReassessBefore(d)) => query.filter(cs::reassess_from.lt(d)),
        Some(FlagFilter::StalledBefore(d)) => query.filter(cs::stalled_after.lt(d)),
        Some(FlagFilter::DraftBefore(t)) => query.filter(cs::draft_since.lt(t)),
        Some(FlagFilter::Stored(f)) => match f {
            Flag::RedFlagUnresolved => query.filter(cs::red_flag_unresolved.eq(true)),
            Flag::SafetyReviewNeeded => query.filter(cs::safety_review_needed.eq(true)),
            Flag::SafetyOverride => query.filter(cs::safety_override.eq(true)),
            Flag::NotImproving => query.filter(cs::not_improving.eq(true)),
            Flag::NoBaselineOutcome => query.filter(cs::no_baseline_outcome.eq(true)),
            Flag::DischargedWithoutOutcome => query.filter(cs::discharged_without_outcome.eq(true)),
            // Time-based flags are never asked for as stored ones.
            Flag::ReassessmentOverdue | Flag::StageStalled | Flag::UnsignedDraft => {
                query.filter(cs::patient_id.ne(cs::patient_id))
            }
        },
    };
    let TimeLimits { reassess, stalled, draft } = lq.limits;
    match lq.sort.as_deref() {
        Some("stage") => {
            query.order((cs::stage.asc(), cs::family_name.asc(), cs::given_name.asc(), cs::patient_id.asc()))
        }
        Some("last_assessed") => query.order((
            cs::last_assessed_on.is_not_null().asc(),
            cs::last_assessed_on.asc(),
            cs::family_name.asc(),
            cs::given_name.asc(),
            cs::patient_id.asc(),
        )),
        Some("flags") => query.order((
            (cs::stored_flags
                + diesel::dsl::case_when::<_, _, diesel::sql_types::Integer>(cs::reassess_from.lt(reassess), 1)
                    .otherwise(0)
                + diesel::dsl::case_when::<_, _, diesel::sql_types::Integer>(cs::stalled_after.lt(stalled), 1)
                    .otherwise(0)
                + diesel::dsl::case_when::<_, _, diesel::sql_types::Integer>(cs::draft_since.lt(draft), 1)
                    .otherwise(0))
            .desc(),
            cs::family_name.asc(),
            cs::given_name.asc(),
            cs::patient_id.asc(),
        )),
        _ => query.order((cs::family_name.asc(), cs::given_name.asc(), cs::patient_id.asc())),
    }
}

/// One page of rows (`offset`, `limit`), or every row with `limit` `None` (the export).
pub fn rows(conn: &mut DbConn, lq: &ListQuery, offset: i64, limit: Option<i64>) -> Result<Vec<SummaryRow>, DbError> {
    let query = listed(lq).select(SummaryRow::as_select());
    Ok(match limit {
        Some(n) => query.offset(offset).limit(n).load(conn)?,
        None => query.load(conn)?,
    })
}

/// When the time-based flags are on: `reassess_from`, `stalled_after` and `draft_since`
/// before these.
#[derive(Debug, Clone, Copy)]
pub struct TimeLimits {
    /// Reassessment overdue.
    pub reassess: NaiveDate,
    /// Stage stalled.
    pub stalled: NaiveDate,
    /// Draft left unsigned.
    pub draft: NaiveDateTime,
}
