-- One current version per clinic library item. Concurrent edits could leave several
-- versions marked current; keep the newest (highest version, then highest id) and retire
-- the others, then let the database refuse a second current version.
UPDATE modalities SET is_current = 0
WHERE is_current AND clinic_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM modalities newer
    WHERE newer.clinic_id = modalities.clinic_id AND newer.code = modalities.code AND newer.is_current
      AND (newer.version > modalities.version OR (newer.version = modalities.version AND newer.id > modalities.id))
);
CREATE UNIQUE INDEX modalities_one_current ON modalities (clinic_id, code) WHERE is_current;
