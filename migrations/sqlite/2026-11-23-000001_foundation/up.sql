-- Foundation: clinics, users, sessions, API tokens, login throttling, patients, audit.
-- Ids are UUID v7 text; times are UTC without zone; booleans are 0/1.
CREATE TABLE clinics (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    phone TEXT,
    address TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    clinic_id TEXT NOT NULL REFERENCES clinics(id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('therapist', 'lead', 'admin')),
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_clinic ON users (clinic_id, name);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);

CREATE TABLE patients (
    id TEXT PRIMARY KEY NOT NULL,
    clinic_id TEXT NOT NULL REFERENCES clinics(id),
    therapist_id TEXT REFERENCES users(id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    date_of_birth DATE NOT NULL,
    sex TEXT,
    phone TEXT,
    email TEXT,
    condition TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('left', 'right', 'bilateral')),
    onset_date DATE,
    history TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'discharged')),
    discharged_on DATE,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX patients_clinic_name ON patients (clinic_id, family_name, given_name);
CREATE INDEX patients_clinic_status ON patients (clinic_id, status);
CREATE INDEX patients_therapist ON patients (therapist_id, status);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_id TEXT,
    clinic_id TEXT,
    action TEXT NOT NULL,
    patient_id TEXT,
    request_id TEXT,
    client_addr TEXT,
    detail TEXT
);
CREATE INDEX audit_at ON audit_events (at);
CREATE INDEX audit_patient ON audit_events (patient_id, at);
CREATE INDEX audit_actor ON audit_events (actor_id, at);
CREATE INDEX audit_clinic ON audit_events (clinic_id, at);
