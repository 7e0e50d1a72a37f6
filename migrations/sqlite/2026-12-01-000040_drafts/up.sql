-- A form post that met an ended session, held until its author signs in again (at most
-- 30 minutes). Keyed by the hash of a random one-time token kept in an HttpOnly cookie;
-- bound to the user whose form it was; taken (deleted) when replayed or refused.
CREATE TABLE held_posts (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX held_posts_expires ON held_posts (expires_at);
