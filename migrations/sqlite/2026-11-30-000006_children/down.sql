DROP TABLE child_match_keys;
DROP TABLE children;
