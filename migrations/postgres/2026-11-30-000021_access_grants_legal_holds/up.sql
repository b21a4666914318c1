-- Break-the-glass (design.md, coordinators): one coordinator's access, for a limited time, to a
-- case outside their territory and its child. `reason_sealed` is the written reason, sealed;
-- auditors list the grants. `ended_at`: ended early by its holder.
CREATE TABLE access_grants (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  case_id TEXT NOT NULL REFERENCES cases(id),
  child_id TEXT NOT NULL REFERENCES children(id),
  reason_sealed TEXT NOT NULL,
  granted_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  ended_at TIMESTAMP NULL
);
CREATE INDEX access_grants_user ON access_grants(user_id, expires_at);
CREATE INDEX access_grants_case ON access_grants(case_id);

-- Legal holds (law 09-08 retention): a case kept whole, past its retention period, while a
-- court or an investigation needs it. `reason_sealed` is sealed. One hold per case.
CREATE TABLE legal_holds (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL UNIQUE REFERENCES cases(id),
  reason_sealed TEXT NOT NULL,
  placed_by_id TEXT NOT NULL REFERENCES users(id),
  placed_at TIMESTAMP NOT NULL
);
