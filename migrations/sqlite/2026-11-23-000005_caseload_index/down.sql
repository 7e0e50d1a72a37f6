DROP INDEX plans_caseload;
DROP INDEX assessments_caseload;
