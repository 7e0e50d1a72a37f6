ALTER TABLE clinics DROP COLUMN version;
ALTER TABLE clinics DROP COLUMN time_zone;
