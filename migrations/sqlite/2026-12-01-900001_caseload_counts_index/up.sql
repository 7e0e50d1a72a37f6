-- The caseload's counts and its time-based flag counts in one pass over one index: the
-- counts index also holds the three dates the time-based flags compare with today.
DROP INDEX caseload_summary_counts;
CREATE INDEX caseload_summary_counts ON caseload_summary (clinic_id, therapist_id, status, stage, odi_band,
    red_flag_unresolved, safety_review_needed, safety_override, not_improving, no_baseline_outcome,
    discharged_without_outcome, listed_until, reassess_from, stalled_after, draft_since);
