ALTER TABLE plan_versions DROP COLUMN changes;
DROP TABLE plan_blobs;
