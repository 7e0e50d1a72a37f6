-- The caseload reads every assessment summary of a clinic. The summary columns sit after
-- the large JSON content in each row, so reading them from the table walks the content's
-- overflow pages; this covering index answers the caseload query from the index alone,
-- already in patient and date order.
CREATE INDEX assessments_caseload ON assessments
    (clinic_id, patient_id, assessed_on, created_at, id, kind, status, nprs_worst, odi_percent, red_flags);

-- The same for plans, whose lifecycle columns sit after the plan document.
CREATE INDEX plans_caseload ON plans
    (clinic_id, status, patient_id, current_stage, stage_started_on, stage_planned_weeks, has_override, updated_at);

-- And the caseload's patient list, in name order without touching the rows.
CREATE INDEX patients_caseload ON patients
    (clinic_id, family_name, given_name, id, therapist_id, status, discharged_on, version);
