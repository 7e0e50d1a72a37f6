ALTER TABLE clinics DROP COLUMN mcid;
DROP TABLE red_flag_actions;
DROP TABLE assessment_amendments;
DROP TABLE assessments;
