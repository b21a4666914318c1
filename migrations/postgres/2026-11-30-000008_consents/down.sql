DROP TABLE child_consents;
