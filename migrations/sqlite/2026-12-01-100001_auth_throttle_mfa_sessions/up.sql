-- Authentication: race-proof sign-in throttling (attempts counted before hashing, one lock
-- row per client address), TOTP second factor with recovery codes and a pending second
-- step, public ids for sessions and tokens (listed and ended from the account page).
DROP TABLE login_failures;

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_addr ON login_attempts (client_addr, attempted_at);
CREATE INDEX login_attempts_at ON login_attempts (attempted_at);

-- Attempts from one address are counted while this row is locked (UPDATE), so concurrent
-- attempts on several app instances are counted one after another.
CREATE TABLE login_throttle (
    client_addr TEXT PRIMARY KEY NOT NULL,
    touched_at TIMESTAMP NOT NULL
);

DELETE FROM sessions;
DELETE FROM api_tokens;
ALTER TABLE sessions ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN client_addr TEXT;
CREATE UNIQUE INDEX sessions_id ON sessions (id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
ALTER TABLE api_tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);

ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE clinics ADD COLUMN require_totp BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- The password was right; the second factor is still to be checked (HTML sign-in).
CREATE TABLE mfa_challenges (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0
);
