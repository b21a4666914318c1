DROP TABLE programme;
