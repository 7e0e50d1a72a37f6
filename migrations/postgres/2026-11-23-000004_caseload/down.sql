DROP INDEX red_flag_actions_assessment;
DROP INDEX assessments_summary;
ALTER TABLE clinics DROP COLUMN reassessment_weeks;
ALTER TABLE plans DROP COLUMN stage_planned_weeks;
ALTER TABLE assessments DROP COLUMN summary_version;
ALTER TABLE assessments DROP COLUMN red_flags;
ALTER TABLE assessments DROP COLUMN odi_percent;
ALTER TABLE assessments DROP COLUMN nprs_worst;
