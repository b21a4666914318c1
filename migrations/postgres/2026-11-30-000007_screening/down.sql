DROP TABLE report_child_links;
DROP TABLE report_screenings;
