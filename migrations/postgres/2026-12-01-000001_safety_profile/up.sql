-- Safety as an invariant: episodes of care, the plan's stored safety status (for the
-- caseload), the red-flag screen override, and the kind of each red-flag action.
ALTER TABLE patients ADD COLUMN episode_number INTEGER NOT NULL DEFAULT 1;
ALTER TABLE patients ADD COLUMN episode_started_on DATE;
ALTER TABLE plans ADD COLUMN safety_review BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE plans ADD COLUMN screen_override_reason TEXT;
ALTER TABLE red_flag_actions ADD COLUMN kind TEXT;
CREATE INDEX plans_safety_review ON plans (clinic_id, safety_review);
-- One active plan per patient. Should an older database hold two, the newest stays active
-- and the others are discontinued with a reason that says why.
UPDATE plans SET status = 'discontinued',
    end_reason = 'Discontinued on upgrade: another plan of this patient was active.'
WHERE status = 'active'
  AND id NOT IN (SELECT MAX(id) FROM plans WHERE status = 'active' GROUP BY patient_id);
CREATE UNIQUE INDEX plans_one_active ON plans (patient_id) WHERE status = 'active';
