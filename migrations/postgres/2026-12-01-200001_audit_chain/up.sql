-- The audit trail becomes a hash chain: each event's position, the previous event's hash and
-- its own. Existing events are numbered here in time order; the app hashes them once on its
-- next start (audit_head.sealed), then every append goes through audit_head, which
-- serialises writers (one row, updated first in the appending transaction).
ALTER TABLE audit_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
UPDATE audit_events SET seq = r.n
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY at, id) AS n FROM audit_events) AS r
WHERE audit_events.id = r.id;
CREATE UNIQUE INDEX audit_seq ON audit_events (seq);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    sealed BOOLEAN NOT NULL
);
INSERT INTO audit_head (id, seq, hash, sealed)
SELECT 1, COALESCE(MAX(seq), 0), '', FALSE FROM audit_events;
