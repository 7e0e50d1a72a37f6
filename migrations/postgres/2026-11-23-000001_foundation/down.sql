DROP TABLE audit_events;
DROP TABLE patients;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE clinics;
