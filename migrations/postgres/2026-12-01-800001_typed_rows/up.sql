-- Users carry a version: an administrator's edit of a user is refused (409) when stale.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
