DROP TRIGGER patient_search_update ON patients;
DROP TRIGGER patient_search_insert ON patients;
DROP TABLE patient_search;
DROP FUNCTION patient_search_sync();
DROP FUNCTION patient_search_body(TEXT, DATE, TEXT);
DROP INDEX patients_family_key;
ALTER TABLE patients DROP COLUMN family_key;
DROP TABLE caseload_summary;
