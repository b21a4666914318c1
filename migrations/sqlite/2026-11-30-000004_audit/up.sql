-- The audit log (design.md, "Identity and access"): ids and action codes only, never names or
-- free text. `seq`, `prev_hmac` and `hmac` stay NULL until the sealer chains the event.
CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  occurred_at TIMESTAMP NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('user', 'client', 'system')),
  actor_id TEXT NULL,
  action TEXT NOT NULL,
  resource_type TEXT NULL,
  resource_id TEXT NULL,
  request_id TEXT NULL,
  seq BIGINT NULL,
  prev_hmac TEXT NULL,
  hmac TEXT NULL
);
CREATE UNIQUE INDEX audit_events_seq ON audit_events(seq);
CREATE INDEX audit_events_unsealed ON audit_events(id) WHERE seq IS NULL;
CREATE INDEX audit_events_actor ON audit_events(actor_id);
CREATE INDEX audit_events_resource ON audit_events(resource_type, resource_id);
CREATE INDEX audit_events_occurred_at ON audit_events(occurred_at);
