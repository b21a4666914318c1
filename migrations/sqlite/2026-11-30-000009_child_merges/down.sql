DROP TABLE child_merge_moves;
DROP TABLE child_merges;
ALTER TABLE children DROP COLUMN merged_into;
