-- Idempotency keys: the first request with a key writes this row in the same transaction as its
-- effect, with a fingerprint of the request and the response, which a retry then replays.
-- Kept for at least 7 days.
CREATE TABLE idempotency_keys (
  actor_id TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  location TEXT NULL,
  etag TEXT NULL,
  created_at timestamp NOT NULL,
  PRIMARY KEY (actor_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
