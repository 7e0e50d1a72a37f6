-- One uploaded picture per clinic library item (by the item's code, so every version of
-- the item shows it). The bytes are the checked file (a rebuilt document for SVG).
CREATE TABLE clinic_media (
    id TEXT PRIMARY KEY NOT NULL,
    clinic_id TEXT NOT NULL REFERENCES clinics (id),
    modality_code TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX clinic_media_one_per_item ON clinic_media (clinic_id, modality_code);
