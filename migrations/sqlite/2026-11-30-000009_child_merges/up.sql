-- Merging a duplicate child record into the surviving one (api/src/children/merge.rs). The
-- duplicate stays, marked with the survivor's id: hidden from lists, searches and matches,
-- its matching keys removed; the rows that pointed at it (report links, and every table listed
-- in api/src/children/merge_store.rs) point at the survivor. Each merge keeps which rows moved,
-- so that undoing it restores exactly the previous state.
ALTER TABLE children ADD COLUMN merged_into TEXT NULL;

CREATE TABLE child_merges (
  id TEXT PRIMARY KEY,
  survivor_id TEXT NOT NULL REFERENCES children(id),
  duplicate_id TEXT NOT NULL REFERENCES children(id),
  merged_by TEXT NOT NULL,
  merged_at TIMESTAMP NOT NULL,
  -- Set once, by compare-and-set: a merge is undone at most once.
  undone_by TEXT NULL,
  undone_at TIMESTAMP NULL
);
CREATE INDEX child_merges_survivor ON child_merges(survivor_id);
CREATE INDEX child_merges_duplicate ON child_merges(duplicate_id);

-- The rows a merge moved: the table and the row's key in it (merge_store::FOLLOWERS).
CREATE TABLE child_merge_moves (
  merge_id TEXT NOT NULL REFERENCES child_merges(id) ON DELETE CASCADE,
  table_name TEXT NOT NULL,
  row_key TEXT NOT NULL,
  PRIMARY KEY (merge_id, table_name, row_key)
);
