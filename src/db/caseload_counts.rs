//! The caseload's counts, kept rather than recomputed: one row per group of a clinic's
//! listed patients (therapist, status, stage, ODI band, flag set) with how many patients it
//! holds. Every summary write moves its patient from one group to another in the same
//! transaction ([`moved`]); a clinic rebuild recounts ([`recount`]). Reading the counts
//! reads the groups, whatever the clinic's size.
//!
//! The two day-based flags (reassessment overdue, stage stalled) and whether a discharged
//! patient is still listed depend on the day. They are judged against the clinic's
//! [`Mark`]: the first caseload read of a new day moves the mark ([`roll`]) and with it only
//! the patients whose dates lie between the old and the new limits. A write reads the mark
//! with a shared lock (PostgreSQL) so a roll never misses a write running beside it.
//! Unsigned drafts are judged by the clock, not the day, so they are counted live from a
//! covering index, reading only the drafts past the limit (the ones the clinic must sign).

use super::caseload_summary::SummaryRow;
use super::ids::ClinicId;
use super::schema::{caseload_counts as cc, caseload_marks as cm, caseload_summary as cs};
use super::{DbConn, DbError};
use crate::domain::caseload::{Flag, STORED};
use crate::domain::patient::PatientStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// Rows per multi-row insert in a recount.
const INSERT_CHUNK: usize = 500;

/// The flags in bit order (bit 0 first): the stored ones in `STORED` order (the migration
/// that built the first counts wrote the same bits), then the two day-based ones.
const BITS: [Flag; 8] = {
    let s = STORED;
    [s[0], s[1], s[2], s[3], s[4], s[5], Flag::ReassessmentOverdue, Flag::StageStalled]
};

/// The day a clinic's counts are judged at, with its day-based flags' limits: reassessment
/// overdue when `reassess_from` is before `reassess_before`, stage stalled when
/// `stalled_after` is before `stalled_before`, listed while `listed_until` is not before
/// `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cm)]
pub struct Mark {
    /// The clinic's day.
    pub today: NaiveDate,
    /// Reassessment overdue before this day.
    pub reassess_before: NaiveDate,
    /// Stage stalled before this day.
    pub stalled_before: NaiveDate,
}

impl Mark {
    /// The earliest mark: nothing is overdue or stalled and every row is listed (a new
    /// clinic's, and a migrated one's).
    pub fn earliest() -> Self {
        let day = NaiveDate::default();
        Self { today: day, reassess_before: day, stalled_before: day }
    }

    /// The group `row` counts in at this mark; `None` when it is not listed.
    fn key(&self, row: &SummaryRow) -> Option<Key> {
        if row.listed_until < self.today {
            return None;
        }
        let stored = row.stored();
        let on = |f: Flag| match f {
            Flag::ReassessmentOverdue => row.reassess_from.is_some_and(|d| d < self.reassess_before),
            Flag::StageStalled => row.stalled_after.is_some_and(|d| d < self.stalled_before),
            stored_flag => stored.contains(&stored_flag),
        };
        let flags = BITS.iter().enumerate().filter(|(_, f)| on(**f)).map(|(i, _)| 1 << i).sum();
        Some(Key {
            clinic_id: row.clinic_id.clone(),
            therapist_id: row.therapist_id.clone().unwrap_or_default(),
            status: row.status.to_string(),
            stage: row.stage,
            odi_band: row.odi_band.unwrap_or(-1),
            flags,
        })
    }
}

/// A group's key, as stored.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Insertable)]
#[diesel(table_name = cc)]
struct Key {
    clinic_id: String,
    therapist_id: String,
    status: String,
    stage: i32,
    odi_band: i32,
    flags: i32,
}

/// A stored group.
#[derive(Queryable, Selectable)]
#[diesel(table_name = cc)]
struct CountRow {
    therapist_id: String,
    #[diesel(deserialize_as = String)]
    status: PatientStatus,
    stage: i32,
    odi_band: i32,
    flags: i32,
    n: i64,
}

/// One group of a clinic's listed patients.
#[derive(Debug, Clone)]
pub struct Group {
    /// Therapist.
    pub therapist_id: Option<String>,
    /// Status.
    pub status: PatientStatus,
    /// Stage.
    pub stage: i32,
    /// ODI band.
    pub odi_band: Option<i32>,
    /// The flags every patient of the group has (the unsigned-draft flag is never among
    /// them: see [`Group::drafts`]).
    pub flags: Vec<Flag>,
    /// Patients.
    pub n: i64,
    /// Patients with a draft unsigned too long. Draft groups are counted apart, so they
    /// carry `n = 0` and no flags; every other group has `drafts = 0`.
    pub drafts: i64,
}

/// The clinic's mark, created at the earliest one when missing, read with a shared lock on
/// PostgreSQL (`exclusive`: an update lock) for the rest of the caller's transaction.
fn mark(conn: &mut DbConn, clinic: &str, exclusive: bool) -> Result<Mark, DbError> {
    let earliest = Mark::earliest();
    let values = (
        cm::clinic_id.eq(clinic),
        cm::today.eq(earliest.today),
        cm::reassess_before.eq(earliest.reassess_before),
        cm::stalled_before.eq(earliest.stalled_before),
    );
    Ok(match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(cm::table).values(values).on_conflict_do_nothing().execute(c)?;
            cm::table.find(clinic).select(Mark::as_select()).first(c)?
        }
        DbConn::Pg(c) => {
            diesel::insert_into(cm::table).values(values).on_conflict_do_nothing().execute(c)?;
            if exclusive {
                cm::table.find(clinic).select(Mark::as_select()).for_update().first(c)?
            } else {
                cm::table.find(clinic).select(Mark::as_select()).for_share().first(c)?
            }
        }
    })
}

/// Adds `deltas` to the groups, in key order (so concurrent writers lock rows in one order).
fn apply(conn: &mut DbConn, deltas: BTreeMap<Key, i64>) -> Result<(), DbError> {
    for (key, d) in deltas.into_iter().filter(|(_, d)| *d != 0) {
        let values = (key, cc::n.eq(d));
        let target = (cc::clinic_id, cc::therapist_id, cc::status, cc::stage, cc::odi_band, cc::flags);
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(cc::table)
                .values(values)
                .on_conflict(target)
                .do_update()
                .set(cc::n.eq(cc::n + d))
                .execute(c)?,
            DbConn::Pg(c) => diesel::insert_into(cc::table)
                .values(values)
                .on_conflict(target)
                .do_update()
                .set(cc::n.eq(cc::n + d))
                .execute(c)?,
        };
    }
    Ok(())
}

/// Moves one patient's count from the group of `old` (their previous row, if any) to the
/// group of `new`, in the caller's transaction.
pub fn moved(conn: &mut DbConn, old: Option<&SummaryRow>, new: &SummaryRow) -> Result<(), DbError> {
    let mark = mark(conn, &new.clinic_id, false)?;
    let mut deltas = BTreeMap::new();
    shift(&mut deltas, old.and_then(|o| mark.key(o)), mark.key(new));
    apply(conn, deltas)
}

/// Counts one patient out of group `from` and into group `to` (either may be none).
fn shift(deltas: &mut BTreeMap<Key, i64>, from: Option<Key>, to: Option<Key>) {
    if let Some(key) = from {
        *deltas.entry(key).or_insert(0) -= 1;
    }
    if let Some(key) = to {
        *deltas.entry(key).or_insert(0) += 1;
    }
}

/// Recounts a clinic's groups from all its rows, in the caller's transaction.
pub fn recount(conn: &mut DbConn, clinic: ClinicId, rows: &[SummaryRow]) -> Result<(), DbError> {
    let id = clinic.to_string();
    let mark = mark(conn, &id, true)?;
    let mut groups = BTreeMap::new();
    for row in rows {
        shift(&mut groups, None, mark.key(row));
    }
    diesel::delete(cc::table.filter(cc::clinic_id.eq(&id))).execute(conn)?;
    let rows: Vec<_> = groups.into_iter().map(|(key, n)| (key, cc::n.eq(n))).collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        match conn {
            DbConn::Sqlite(c) => diesel::insert_into(cc::table).values(chunk.to_vec()).execute(c)?,
            DbConn::Pg(c) => diesel::insert_into(cc::table).values(chunk.to_vec()).execute(c)?,
        };
    }
    Ok(())
}

/// The rows of a clinic whose day-based judgement can differ between marks `a` and `b`:
/// a date between the two limits.
fn passed(conn: &mut DbConn, clinic: &str, a: Mark, b: Mark) -> Result<Vec<SummaryRow>, DbError> {
    let span = |x: NaiveDate, y: NaiveDate| (x.min(y), x.max(y));
    let mut found: BTreeMap<String, SummaryRow> = BTreeMap::new();
    let in_clinic = || cs::table.filter(cs::clinic_id.eq(clinic)).select(SummaryRow::as_select());
    let mut keep = |rows: Vec<SummaryRow>| {
        for row in rows {
            found.entry(row.patient_id.clone()).or_insert(row);
        }
    };
    let (lo, hi) = span(a.reassess_before, b.reassess_before);
    if lo < hi {
        keep(in_clinic().filter(cs::reassess_from.ge(lo)).filter(cs::reassess_from.lt(hi)).load(conn)?);
    }
    let (lo, hi) = span(a.stalled_before, b.stalled_before);
    if lo < hi {
        keep(in_clinic().filter(cs::stalled_after.ge(lo)).filter(cs::stalled_after.lt(hi)).load(conn)?);
    }
    // Only discharged patients leave the list (the others are listed until 9999-12-31).
    let (lo, hi) = span(a.today, b.today);
    if lo < hi {
        let discharged = in_clinic().filter(cs::status.eq(PatientStatus::Discharged.code()));
        keep(discharged.filter(cs::listed_until.ge(lo)).filter(cs::listed_until.lt(hi)).load(conn)?);
    }
    Ok(found.into_values().collect())
}

/// Moves a clinic's counts to mark `to` (normally today's): nothing to do when they are
/// there already; otherwise, in one transaction, the mark moves and only the patients whose
/// dates it passes change group. Concurrent rolls to the same mark move it once.
pub fn roll(conn: &mut DbConn, clinic: ClinicId, to: Mark) -> Result<(), DbError> {
    let id = clinic.to_string();
    let from = match cm::table.find(&id).select(Mark::as_select()).first(conn).optional()? {
        Some(mark) => mark,
        None => conn.transaction(|conn| mark(conn, &id, false))?,
    };
    if from == to {
        return Ok(());
    }
    conn.transaction(|conn| {
        // The write lock first: a concurrent roll that got here before finds the mark moved.
        let moved = diesel::update(
            cm::table
                .find(&id)
                .filter(cm::today.eq(from.today))
                .filter(cm::reassess_before.eq(from.reassess_before))
                .filter(cm::stalled_before.eq(from.stalled_before)),
        )
        .set((
            cm::today.eq(to.today),
            cm::reassess_before.eq(to.reassess_before),
            cm::stalled_before.eq(to.stalled_before),
        ))
        .execute(conn)?;
        if moved == 0 {
            return Ok(());
        }
        let mut deltas = BTreeMap::new();
        for row in passed(conn, &id, from, to)? {
            shift(&mut deltas, from.key(&row), to.key(&row));
        }
        apply(conn, deltas)
    })
}

/// The groups of a clinic's listed patients at its mark, and the groups of those with a
/// draft started before `draft_before` (counted live, see the module documentation).
pub fn groups(
    conn: &mut DbConn,
    clinic: ClinicId,
    today: NaiveDate,
    draft_before: NaiveDateTime,
) -> Result<Vec<Group>, DbError> {
    let id = clinic.to_string();
    let kept: Vec<CountRow> =
        cc::table.filter(cc::clinic_id.eq(&id)).filter(cc::n.gt(0)).select(CountRow::as_select()).load(conn)?;
    let drafts: Vec<(Option<String>, i32, Option<i32>, i64)> = cs::table
        .filter(cs::clinic_id.eq(&id))
        .filter(cs::draft_since.lt(draft_before))
        .filter(cs::listed_until.ge(today))
        .group_by((cs::therapist_id, cs::stage, cs::odi_band))
        .select((cs::therapist_id, cs::stage, cs::odi_band, count_star()))
        .load(conn)?;
    let mut out = Vec::with_capacity(kept.len() + drafts.len());
    for row in kept {
        out.push(Group {
            therapist_id: (!row.therapist_id.is_empty()).then_some(row.therapist_id),
            status: row.status,
            stage: row.stage,
            odi_band: (row.odi_band >= 0).then_some(row.odi_band),
            flags: BITS.iter().enumerate().filter(|(i, _)| row.flags & (1 << i) != 0).map(|(_, f)| *f).collect(),
            n: row.n,
            drafts: 0,
        });
    }
    for (therapist_id, stage, odi_band, drafts) in drafts {
        out.push(Group {
            therapist_id,
            status: PatientStatus::Active,
            stage,
            odi_band,
            flags: Vec::new(),
            n: 0,
            drafts,
        });
    }
    Ok(out)
}
