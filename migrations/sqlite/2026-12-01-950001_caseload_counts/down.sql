DROP INDEX caseload_summary_discharged;
DROP INDEX caseload_summary_draft;
CREATE INDEX caseload_summary_draft ON caseload_summary (clinic_id, draft_since);
CREATE INDEX caseload_summary_counts ON caseload_summary (clinic_id, therapist_id, status, stage, odi_band,
    red_flag_unresolved, safety_review_needed, safety_override, not_improving, no_baseline_outcome,
    discharged_without_outcome, listed_until, reassess_from, stalled_after, draft_since);
DROP TABLE caseload_counts;
DROP TABLE caseload_marks;
