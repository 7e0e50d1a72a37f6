-- The caseload's counts are kept, not recomputed: one row per group of listed patients
-- (therapist, status, stage, ODI band and flag set), moved by every summary write in its own
-- transaction. The time-based flags (reassessment overdue, stage stalled) and whether a
-- discharged patient is still listed are judged against the clinic's mark, which the first
-- caseload read of a new day moves forward, moving only the patients whose dates it passes.
CREATE TABLE caseload_marks (
    clinic_id TEXT PRIMARY KEY NOT NULL REFERENCES clinics(id),
    today DATE NOT NULL,
    reassess_before DATE NOT NULL,
    stalled_before DATE NOT NULL
);
CREATE TABLE caseload_counts (
    clinic_id TEXT NOT NULL REFERENCES clinics(id),
    -- '' without a therapist.
    therapist_id TEXT NOT NULL,
    status TEXT NOT NULL,
    stage INTEGER NOT NULL,
    -- -1 without an ODI change.
    odi_band INTEGER NOT NULL,
    -- Bits: 1 red flag unresolved, 2 safety review needed, 4 safety override, 8 not
    -- improving, 16 no baseline outcome, 32 discharged without outcome, 64 reassessment
    -- overdue, 128 stage stalled.
    flags INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (clinic_id, therapist_id, status, stage, odi_band, flags)
) WITHOUT ROWID;
-- Existing clinics start at the earliest mark, where no time-based flag is on and every
-- row is listed; the first caseload read moves them to today.
INSERT INTO caseload_marks (clinic_id, today, reassess_before, stalled_before)
    SELECT id, '1970-01-01', '1970-01-01', '1970-01-01' FROM clinics;
INSERT INTO caseload_counts (clinic_id, therapist_id, status, stage, odi_band, flags, n)
    SELECT clinic_id, therapist_id, status, stage, odi_band, flags, COUNT(*) FROM (
        SELECT clinic_id, COALESCE(therapist_id, '') AS therapist_id, status, stage,
            COALESCE(odi_band, -1) AS odi_band,
            (CASE WHEN red_flag_unresolved THEN 1 ELSE 0 END) + (CASE WHEN safety_review_needed THEN 2 ELSE 0 END)
                + (CASE WHEN safety_override THEN 4 ELSE 0 END) + (CASE WHEN not_improving THEN 8 ELSE 0 END)
                + (CASE WHEN no_baseline_outcome THEN 16 ELSE 0 END)
                + (CASE WHEN discharged_without_outcome THEN 32 ELSE 0 END) AS flags
        FROM caseload_summary
    ) AS keyed
    GROUP BY clinic_id, therapist_id, status, stage, odi_band, flags;
-- The counts no longer scan the rows. A mark moving past discharge windows reads the
-- discharged patients by the day they leave the list; the unsigned drafts are counted from
-- an index holding every column their count reads.
DROP INDEX caseload_summary_counts;
CREATE INDEX caseload_summary_discharged ON caseload_summary (clinic_id, status, listed_until);
DROP INDEX caseload_summary_draft;
CREATE INDEX caseload_summary_draft ON caseload_summary (clinic_id, draft_since, listed_until, therapist_id, stage, odi_band);
