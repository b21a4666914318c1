-- Live updates (issue 7): the events the SSE stream sends, written in the transaction of the
-- change they announce, read by every server process (the fan-out goes through the database).
-- Thin: a type and a resource id, never names. `organizations` and `territories` (JSON
-- arrays of organization ids and territory paths) say who may see one (auth::policy).
CREATE TABLE live_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  organizations TEXT NOT NULL,
  territories TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX live_events_created_at ON live_events(created_at);

-- Single-use tickets that open a stream (EventSource sends no header): only the SHA-256 of
-- the ticket is kept, with the subject and the expiry of the access token it was issued for.
CREATE TABLE event_tickets (
  ticket_hash TEXT PRIMARY KEY,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'client')),
  subject_id TEXT NOT NULL,
  token_expires_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL,
  used_at TIMESTAMP NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX event_tickets_expires_at ON event_tickets(expires_at);
