-- Protocols: the framework protocol as versioned data (draft → published → retired). The
-- protocol of territory `MA` is the national one; any other territory's is a variant that
-- overrides national rules by key for its subtree. `rules` is the JSON array of the contract's
-- ProtocolRule. One published version per territory at a time. The shipped national protocol
-- (api/data/protocols/national.json) is published at start-up when no national protocol exists.
CREATE TABLE protocols (
  id TEXT PRIMARY KEY,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  title TEXT NOT NULL,
  -- draft, published, retired.
  status TEXT NOT NULL,
  rules TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  published_at TIMESTAMP NULL,
  retired_at TIMESTAMP NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX protocols_in_force ON protocols(territory_code) WHERE status = 'published';
CREATE INDEX protocols_territory ON protocols(territory_code, id);

-- Protocol actions: what a rule in force asked when its trigger fired on a report or a case,
-- with its due time (trigger time + the rule's deadline). Status: pending, done, overdue (set
-- by the deadline worker, and shown at read when the clock passed due_at), waived (reason
-- sealed).
CREATE TABLE protocol_actions (
  id TEXT PRIMARY KEY,
  protocol_id TEXT NOT NULL REFERENCES protocols(id),
  rule_key TEXT NOT NULL,
  trigger_event TEXT NOT NULL,
  action TEXT NOT NULL,
  service_type TEXT NULL,
  responsible TEXT NOT NULL,
  territory_code TEXT NOT NULL,
  report_id TEXT NULL REFERENCES reports(id) ON DELETE CASCADE,
  case_id TEXT NULL REFERENCES cases(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  due_at TIMESTAMP NOT NULL,
  created_at TIMESTAMP NOT NULL,
  completed_at TIMESTAMP NULL,
  completed_by_id TEXT NULL,
  waiver_reason_sealed TEXT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX protocol_actions_case ON protocol_actions(case_id, due_at);
CREATE INDEX protocol_actions_report ON protocol_actions(report_id, due_at);
CREATE INDEX protocol_actions_due ON protocol_actions(status, due_at);
