DROP INDEX patients_caseload;
DROP INDEX plans_caseload;
DROP INDEX assessments_caseload;
