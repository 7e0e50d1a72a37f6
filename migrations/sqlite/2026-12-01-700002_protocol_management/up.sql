-- Clinic protocols are edited (versioned: stale edits are refused) and retired (no longer
-- offered for new plans; plans made from them keep what they copied). Clinic library items
-- are retired the same way: hidden from the picker, refused for new adds, kept by plans.
ALTER TABLE protocols ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE protocols ADD COLUMN retired BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE modalities ADD COLUMN retired BOOLEAN NOT NULL DEFAULT 0;
