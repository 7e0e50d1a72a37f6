DROP TABLE patient_search;
DROP TABLE patient_search_keys;
DROP INDEX patients_family_key;
ALTER TABLE patients DROP COLUMN family_key;
DROP TABLE caseload_summary;
