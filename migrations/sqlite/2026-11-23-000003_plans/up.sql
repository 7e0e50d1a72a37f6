-- Modality library (built-in rows have no clinic), staged plans with version snapshots,
-- and protocols (plan templates). Definitions and plan content are JSON documents
-- validated by the domain code; the columns beside them exist to filter and index.
CREATE TABLE modalities (
    id TEXT PRIMARY KEY NOT NULL,
    clinic_id TEXT REFERENCES clinics(id),
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    is_current BOOLEAN NOT NULL,
    category TEXT NOT NULL,
    name TEXT NOT NULL,
    body_region TEXT NOT NULL,
    stages TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX modalities_current ON modalities (is_current, category, name);
CREATE INDEX modalities_clinic_code ON modalities (clinic_id, code, version);

CREATE TABLE plans (
    id TEXT PRIMARY KEY NOT NULL,
    patient_id TEXT NOT NULL REFERENCES patients(id),
    clinic_id TEXT NOT NULL REFERENCES clinics(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'active', 'completed', 'discontinued')),
    plan_version INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL,
    amend_reason TEXT,
    current_stage INTEGER NOT NULL DEFAULT 1,
    stage_started_on DATE,
    has_override BOOLEAN NOT NULL DEFAULT 0,
    end_reason TEXT,
    created_by TEXT NOT NULL REFERENCES users(id),
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plans_patient ON plans (patient_id, created_at);
CREATE INDEX plans_clinic_status ON plans (clinic_id, status, current_stage);

CREATE TABLE plan_versions (
    id TEXT PRIMARY KEY NOT NULL,
    plan_id TEXT NOT NULL REFERENCES plans(id),
    number INTEGER NOT NULL,
    content TEXT NOT NULL,
    reason TEXT,
    activated_by TEXT NOT NULL REFERENCES users(id),
    activated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX plan_versions_number ON plan_versions (plan_id, number);

CREATE TABLE protocols (
    id TEXT PRIMARY KEY NOT NULL,
    clinic_id TEXT REFERENCES clinics(id),
    code TEXT,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    content TEXT NOT NULL,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX protocols_clinic ON protocols (clinic_id, name);
