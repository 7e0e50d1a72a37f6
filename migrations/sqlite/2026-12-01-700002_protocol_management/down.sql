ALTER TABLE modalities DROP COLUMN retired;
ALTER TABLE protocols DROP COLUMN retired;
ALTER TABLE protocols DROP COLUMN version;
