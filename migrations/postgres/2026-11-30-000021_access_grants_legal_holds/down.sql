DROP TABLE legal_holds;
DROP TABLE access_grants;
