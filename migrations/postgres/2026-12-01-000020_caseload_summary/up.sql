-- The caseload reads a per-patient summary instead of recomputing every patient's flags:
-- one row per patient, rewritten from the patient's record in the same transaction as every
-- write that changes it (service::caseload_summary). Flags that hold until the record
-- changes are stored; the time-based ones are dates compared with the clinic's today.
-- Rows for existing patients are built at start-up (and by `migrate`): a patient without a
-- row, or with an older summary_version, is summarised then.
CREATE TABLE caseload_summary (
    patient_id TEXT PRIMARY KEY NOT NULL REFERENCES patients(id),
    clinic_id TEXT NOT NULL REFERENCES clinics(id),
    therapist_id TEXT REFERENCES users(id),
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Active patients: 9999-12-31; discharged: shown until 90 days after discharge.
    listed_until DATE NOT NULL,
    -- The active plan's current stage; 0 without an active plan.
    stage INTEGER NOT NULL,
    last_assessed_on DATE,
    odi_change DOUBLE PRECISION,
    -- ODI change band for the chart: 0 better by 10+, 1 better by less, 2 no change, 3 worse.
    odi_band INTEGER,
    red_flag_unresolved BOOLEAN NOT NULL,
    safety_review_needed BOOLEAN NOT NULL,
    safety_override BOOLEAN NOT NULL,
    not_improving BOOLEAN NOT NULL,
    no_baseline_outcome BOOLEAN NOT NULL,
    discharged_without_outcome BOOLEAN NOT NULL,
    stored_flags INTEGER NOT NULL,
    reassess_from DATE,
    stalled_after DATE,
    draft_since TIMESTAMP,
    summary_version INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The list in name order (whole clinic, or one therapist's).
CREATE INDEX caseload_summary_name ON caseload_summary (clinic_id, family_name, given_name, patient_id);
CREATE INDEX caseload_summary_therapist ON caseload_summary (clinic_id, therapist_id, family_name, given_name, patient_id);
-- Counts per therapist, stage, ODI band and stored flag: one pass over the index in group order.
CREATE INDEX caseload_summary_counts ON caseload_summary (clinic_id, therapist_id, status, stage, odi_band,
    red_flag_unresolved, safety_review_needed, safety_override, not_improving, no_baseline_outcome,
    discharged_without_outcome, listed_until);
-- Time-based flags: range queries against the clinic's today.
CREATE INDEX caseload_summary_reassess ON caseload_summary (clinic_id, reassess_from);
CREATE INDEX caseload_summary_stalled ON caseload_summary (clinic_id, stalled_after);
CREATE INDEX caseload_summary_draft ON caseload_summary (clinic_id, draft_since);
CREATE INDEX caseload_summary_assessed ON caseload_summary (clinic_id, last_assessed_on);
CREATE INDEX caseload_summary_stage ON caseload_summary (clinic_id, stage, family_name, given_name);
CREATE INDEX caseload_summary_version ON caseload_summary (summary_version);

-- Patient search by part of the name, the date of birth or the phone number (digits only):
-- patient_search holds one lower-cased text per patient, kept in sync by db::patients in the
-- transaction that writes the patient (as on SQLite), with a
-- pg_trgm GIN index that serves substring LIKE. Where the pg_trgm extension cannot be
-- installed the index is left out and the same queries scan patient_search (slower, still
-- right; the migration prints a NOTICE). Queries shorter than three characters
-- use the family name's prefix (patients.family_key, byte order).
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available: patient search scans instead of using an index';
END
$$;
ALTER TABLE patients ADD COLUMN family_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE patients SET family_key = lower(trim(family_name));
CREATE INDEX patients_family_key ON patients (clinic_id, family_key, given_name);
CREATE TABLE patient_search (
    patient_id TEXT PRIMARY KEY NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    clinic_id TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE FUNCTION patient_search_body(name TEXT, born DATE, phone TEXT) RETURNS TEXT
    LANGUAGE sql IMMUTABLE AS
    $$ SELECT lower(name) || ' ' || to_char(born, 'YYYY-MM-DD') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') $$;
INSERT INTO patient_search (patient_id, clinic_id, body)
    SELECT id, clinic_id, patient_search_body(search_name, date_of_birth, phone) FROM patients;
DROP FUNCTION patient_search_body(TEXT, DATE, TEXT);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX patient_search_trgm ON patient_search USING gin (body gin_trgm_ops);
    END IF;
END
$$;
