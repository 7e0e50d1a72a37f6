DROP INDEX plans_one_active;
DROP INDEX plans_safety_review;
ALTER TABLE red_flag_actions DROP COLUMN kind;
ALTER TABLE plans DROP COLUMN screen_override_reason;
ALTER TABLE plans DROP COLUMN safety_review;
ALTER TABLE patients DROP COLUMN episode_started_on;
ALTER TABLE patients DROP COLUMN episode_number;
