-- Children: one record per child, owned by the organization that created it. Names stay in
-- clear (matching and search need them; the access policy guards them); the sensitive free
-- text (family situation, schooling) is stored sealed (AES-256-GCM, see api/src/crypto.rs).
CREATE TABLE children (
  id TEXT PRIMARY KEY,
  given_name_ar TEXT NULL,
  family_name_ar TEXT NULL,
  given_name_latin TEXT NULL,
  family_name_latin TEXT NULL,
  -- A JSON array of strings.
  aliases TEXT NOT NULL,
  sex TEXT NOT NULL,
  date_of_birth date NULL,
  estimated_birth_year INTEGER NULL,
  nationality TEXT NULL,
  civil_status TEXT NOT NULL,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  -- A JSON array of concern codes.
  situation TEXT NOT NULL,
  family_situation_sealed TEXT NULL,
  schooling_sealed TEXT NULL,
  owner_org TEXT NOT NULL REFERENCES organizations(id),
  created_by_id TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);
CREATE INDEX children_territory ON children(territory_code, id);
CREATE INDEX children_owner ON children(owner_org, id);

-- The matching engine's blocking keys (api/src/children/matching/keys.rs), rewritten with the
-- child in the same transaction: finding candidates is an indexed lookup on key (the primary
-- key's leading column), even at a million children.
CREATE TABLE child_match_keys (
  -- Byte order ("C"), so that the prefix ranges of a search compare as the engine means.
  key TEXT COLLATE "C" NOT NULL,
  child_id TEXT NOT NULL REFERENCES children(id) ON DELETE CASCADE,
  PRIMARY KEY (key, child_id)
);
CREATE INDEX child_match_keys_child ON child_match_keys(child_id);
