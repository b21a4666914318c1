DROP INDEX cases_stage;
DROP INDEX cases_owner_stage;
