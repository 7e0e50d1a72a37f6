DROP TABLE protocols;
DROP TABLE plan_versions;
DROP TABLE plans;
DROP TABLE modalities;
