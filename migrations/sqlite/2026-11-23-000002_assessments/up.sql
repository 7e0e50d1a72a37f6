-- Structured assessments. Content (findings, ODI, STarT Back, impression) is JSON validated
-- by the domain code on write and on read; signed content never changes: amendments add a
-- new content version with who, when and why.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    clinic_id TEXT NOT NULL REFERENCES clinics(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('initial', 'reassessment')),
    assessed_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'signed')),
    content TEXT NOT NULL,
    signed_by TEXT REFERENCES users(id),
    signed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX assessments_patient ON assessments (patient_id, assessed_on, created_at);
CREATE INDEX assessments_clinic_status ON assessments (clinic_id, status, created_at);

CREATE TABLE assessment_amendments (
    id TEXT PRIMARY KEY NOT NULL,
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    author_id TEXT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assessment_amendments_assessment ON assessment_amendments (assessment_id, created_at);

CREATE TABLE red_flag_actions (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    flag_code TEXT NOT NULL,
    action TEXT NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES users(id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX red_flag_actions_patient ON red_flag_actions (patient_id);
CREATE UNIQUE INDEX red_flag_actions_once ON red_flag_actions (assessment_id, flag_code);

-- Clinic-configurable MCID thresholds (JSON; defaults from clinical-reference.md when NULL).
ALTER TABLE clinics ADD COLUMN mcid TEXT;
