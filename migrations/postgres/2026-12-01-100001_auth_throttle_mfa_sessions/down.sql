DROP TABLE mfa_challenges;
DROP TABLE recovery_codes;
ALTER TABLE clinics DROP COLUMN require_totp;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_enabled;
ALTER TABLE users DROP COLUMN totp_secret;
DROP INDEX api_tokens_expiry;
DROP INDEX api_tokens_id;
ALTER TABLE api_tokens DROP COLUMN id;
DROP INDEX sessions_expiry;
DROP INDEX sessions_id;
ALTER TABLE sessions DROP COLUMN client_addr;
ALTER TABLE sessions DROP COLUMN id;
DROP TABLE login_throttle;
DROP TABLE login_attempts;
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
