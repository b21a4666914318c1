-- The needs a provincial committee records in its diagnostic (issue 8): `needs` is the JSON
-- array of the contract's CommitteeNeed, replaced whole (If-Match on `version`).
CREATE TABLE territory_needs (
  territory_code TEXT PRIMARY KEY REFERENCES territories(code),
  needs TEXT NOT NULL,
  updated_by_id TEXT NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  version INTEGER NOT NULL
);
