-- Consents: who agreed, for a child, that which groups of the child's data may be shared with
-- which recipients (organization codes or organization types), for what purpose and until
-- when. Referrals check them (api/src/children/consent.rs, `covers`). The purpose and the
-- withdrawal reason are free text, stored sealed (AES-256-GCM, see api/src/crypto.rs).
CREATE TABLE child_consents (
  id TEXT PRIMARY KEY,
  child_id TEXT NOT NULL REFERENCES children(id),
  given_by TEXT NOT NULL,
  relationship TEXT NOT NULL,
  given_at timestamp NOT NULL,
  -- A JSON array of organization codes and organization types.
  recipients TEXT NOT NULL,
  -- A JSON array of field-group codes.
  field_groups TEXT NOT NULL,
  purpose_sealed TEXT NOT NULL,
  expires_at timestamp NULL,
  withdrawn_at timestamp NULL,
  withdrawn_by_id TEXT NULL,
  withdrawal_reason_sealed TEXT NULL,
  created_by_id TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);
CREATE INDEX child_consents_child ON child_consents(child_id, id);
