-- Caseload review: summary columns kept beside the JSON documents so that flags are
-- computed from a few set-based queries (outcomes and red flags per assessment, the
-- planned weeks of a plan's current stage) and a clinic's reassessment interval.
-- summary_version marks rows whose summary the application has computed; rows older
-- than the current version are (re)computed at start-up.
ALTER TABLE assessments ADD COLUMN nprs_worst REAL;
ALTER TABLE assessments ADD COLUMN odi_percent REAL;
ALTER TABLE assessments ADD COLUMN red_flags TEXT NOT NULL DEFAULT '';
ALTER TABLE assessments ADD COLUMN summary_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN stage_planned_weeks INTEGER;
ALTER TABLE clinics ADD COLUMN reassessment_weeks INTEGER NOT NULL DEFAULT 4;
CREATE INDEX assessments_summary ON assessments (summary_version);
CREATE INDEX red_flag_actions_assessment ON red_flag_actions (assessment_id);
