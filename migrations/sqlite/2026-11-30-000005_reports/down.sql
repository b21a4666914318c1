DROP TABLE report_routes;
DROP TABLE report_concerns;
DROP TABLE report_children;
DROP TABLE reports;
DROP TABLE report_sequences;
