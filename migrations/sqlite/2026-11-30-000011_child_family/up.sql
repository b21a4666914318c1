-- A child's family: guardians (contacts, sealed: name, phone and address are contact data) and
-- links between child records (siblings), both following a child into a merge.
CREATE TABLE child_guardians (
  id TEXT PRIMARY KEY,
  child_id TEXT NOT NULL REFERENCES children(id),
  -- `mother`, `father`, `grandparent`, `sibling`, `other_relative`, `legal_guardian`, `kafil`,
  -- `foster_parent`, `other`.
  relationship TEXT NOT NULL,
  name_sealed TEXT NOT NULL,
  phone_sealed TEXT NULL,
  address_sealed TEXT NULL,
  lives_with_child BOOLEAN NOT NULL,
  -- The first person to contact.
  is_primary BOOLEAN NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX child_guardians_child ON child_guardians(child_id, id);

-- Sibling links between two child records, stored once (child_id < other_child_id is not
-- required: both directions are read).
CREATE TABLE child_siblings (
  id TEXT PRIMARY KEY,
  child_id TEXT NOT NULL REFERENCES children(id),
  other_child_id TEXT NOT NULL REFERENCES children(id),
  -- `full_sibling` or `half_sibling`.
  relation TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX child_siblings_child ON child_siblings(child_id);
CREATE INDEX child_siblings_other ON child_siblings(other_child_id);
