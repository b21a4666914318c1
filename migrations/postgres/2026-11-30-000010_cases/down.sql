DROP TABLE case_transfers;
DROP TABLE case_attachments;
DROP TABLE case_notes;
DROP TABLE judicial_measures;
DROP TABLE placements;
DROP TABLE case_services;
DROP TABLE plan_actions;
DROP TABLE plan_objectives;
DROP TABLE case_plans;
DROP TABLE case_assessments;
DROP TABLE approval_rules;
DROP TABLE approvals;
DROP TABLE case_events;
DROP TABLE case_reports;
DROP TABLE case_assignments;
DROP TABLE case_concerns;
DROP TABLE cases;
CREATE TABLE report_sequences (
  territory_code TEXT NOT NULL REFERENCES territories(code),
  year INTEGER NOT NULL,
  last_value INTEGER NOT NULL,
  PRIMARY KEY (territory_code, year)
);
INSERT INTO report_sequences (territory_code, year, last_value)
  SELECT territory_code, year, last_value FROM reference_sequences WHERE series = 'report';
DROP TABLE reference_sequences;
