-- Webhooks (issue 7): partner and hotline organizations register HTTP endpoints; a change
-- writes one delivery per subscribed endpoint in its own transaction (an outbox), and the
-- worker of `madar serve` posts them, signed per Standard Webhooks, retrying with backoff.
-- Secrets are sealed (crypto); the previous one keeps signing until previous_until.
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  previous_secret TEXT NULL,
  previous_until TIMESTAMP NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
  created_by TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_organization ON webhooks(organization_id);

-- One event to one endpoint; its id is the webhook-id header of every attempt.
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'stopped')),
  attempts INTEGER NOT NULL DEFAULT 0,
  first_attempt_at TIMESTAMP NULL,
  next_attempt_at TIMESTAMP NOT NULL,
  delivered_at TIMESTAMP NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries(webhook_id, created_at);

CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  attempted_at TIMESTAMP NOT NULL,
  status_code INTEGER NULL,
  error TEXT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id);
