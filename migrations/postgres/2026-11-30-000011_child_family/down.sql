DROP TABLE child_siblings;
DROP TABLE child_guardians;
