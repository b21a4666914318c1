-- The case pathway (domain.md, second half): a child's protection case and everything recorded
-- on it. Sensitive free text is stored sealed (AES-256-GCM, see api/src/crypto.rs); codes come
-- from vocabulary.md.

-- Gapless reference numbers, one series per kind (`report`, `case`), territory and year.
CREATE TABLE reference_sequences (
  series TEXT NOT NULL,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  year INTEGER NOT NULL,
  last_value INTEGER NOT NULL,
  PRIMARY KEY (series, territory_code, year)
);
INSERT INTO reference_sequences (series, territory_code, year, last_value)
  SELECT 'report', territory_code, year, last_value FROM report_sequences;
DROP TABLE report_sequences;

CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  child_id TEXT NOT NULL REFERENCES children(id),
  -- The child's territory when the case opened (a transfer may move it).
  territory_code TEXT NOT NULL REFERENCES territories(code),
  owner_org TEXT NOT NULL REFERENCES organizations(id),
  -- Vocabulary: case stages.
  stage TEXT NOT NULL,
  -- On the risk-level scale: how fast the team must act.
  urgency TEXT NOT NULL,
  -- 0 immediate_danger … 3 low: the first key of every work list.
  priority INTEGER NOT NULL,
  -- The level of the latest completed risk assessment.
  risk_level TEXT NULL,
  closure_reason TEXT NULL,
  outcome_note_sealed TEXT NULL,
  opened_at TIMESTAMP NOT NULL,
  closed_at TIMESTAMP NULL,
  opened_by_id TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_child ON cases(child_id);
CREATE INDEX cases_owner ON cases(owner_org, priority, id);
CREATE INDEX cases_territory ON cases(territory_code, priority, id);
CREATE INDEX cases_worklist ON cases(priority, id);

CREATE TABLE case_concerns (
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  concern_code TEXT NOT NULL,
  PRIMARY KEY (case_id, concern_code)
);
CREATE INDEX case_concerns_concern ON case_concerns(concern_code, case_id);

-- The case workers assigned to a case (they see its sensitive fields).
CREATE TABLE case_assignments (
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id),
  assigned_at TIMESTAMP NOT NULL,
  PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_assignments_user ON case_assignments(user_id, case_id);

-- The reports a case was opened from or attached to.
CREATE TABLE case_reports (
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  report_id TEXT NOT NULL REFERENCES reports(id),
  attached_at TIMESTAMP NOT NULL,
  PRIMARY KEY (case_id, report_id)
);
CREATE INDEX case_reports_report ON case_reports(report_id);

-- The timeline: one row per event, written in the transaction of the write it records.
-- `detail` is a small JSON object of codes (stage from/to, levels, types), never free text.
CREATE TABLE case_events (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  at TIMESTAMP NOT NULL,
  actor_id TEXT NOT NULL,
  subject_id TEXT NULL,
  detail TEXT NOT NULL,
  -- The free text of the event (a transition's reason), sealed.
  note_sealed TEXT NULL
);
CREATE INDEX case_events_case ON case_events(case_id, at, id);

-- Approvals a coordinator decides: closures asked by case workers, and assessments and plans
-- where the territory's coordinators turned them on (approval_rules).
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  -- `closure`, `assessment`, `plan`.
  kind TEXT NOT NULL,
  -- `pending`, `approved`, `rejected`.
  status TEXT NOT NULL,
  -- The id of what is to be approved (an assessment), when it is a row of its own.
  subject_id TEXT NULL,
  -- What was asked (JSON of codes), and its free text sealed (JSON).
  request TEXT NOT NULL,
  request_sealed TEXT NULL,
  requested_by_id TEXT NOT NULL,
  requested_at TIMESTAMP NOT NULL,
  decided_by_id TEXT NULL,
  decided_at TIMESTAMP NULL,
  comment_sealed TEXT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX approvals_status ON approvals(status, id);
CREATE INDEX approvals_case ON approvals(case_id, id);

CREATE TABLE approval_rules (
  territory_code TEXT NOT NULL REFERENCES territories(code),
  -- `assessment` or `plan`.
  kind TEXT NOT NULL,
  enabled_by_id TEXT NOT NULL,
  enabled_at TIMESTAMP NOT NULL,
  PRIMARY KEY (territory_code, kind)
);

CREATE TABLE case_assessments (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  instrument_code TEXT NOT NULL,
  instrument_version INTEGER NOT NULL,
  -- JSON object: item code → option code.
  answers TEXT NOT NULL,
  score INTEGER NOT NULL,
  computed_level TEXT NOT NULL,
  risk_level TEXT NOT NULL,
  override_justification_sealed TEXT NULL,
  -- `completed`, `pending_approval`, `rejected`.
  status TEXT NOT NULL,
  assessed_by_id TEXT NOT NULL,
  assessed_at TIMESTAMP NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_assessments_case ON case_assessments(case_id, id);

CREATE TABLE case_plans (
  case_id TEXT PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
  -- `active`, `pending_approval`.
  status TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  updated_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);

CREATE TABLE plan_objectives (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  -- Vocabulary: pathway domains.
  domain TEXT NOT NULL,
  description_sealed TEXT NOT NULL
);
CREATE INDEX plan_objectives_case ON plan_objectives(case_id, position);

CREATE TABLE plan_actions (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  objective_id TEXT NOT NULL REFERENCES plan_objectives(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  description_sealed TEXT NOT NULL,
  responsible_org TEXT NULL REFERENCES organizations(id),
  due_date DATE NULL,
  -- `planned`, `in_progress`, `done`, `cancelled`.
  status TEXT NOT NULL
);
CREATE INDEX plan_actions_case ON plan_actions(case_id, objective_id, position);
CREATE INDEX plan_actions_due ON plan_actions(status, due_date);

-- Services delivered directly on a case (vocabulary: service types, with their domain).
CREATE TABLE case_services (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  service_type TEXT NOT NULL,
  domain TEXT NOT NULL,
  delivered_at TIMESTAMP NOT NULL,
  by_org TEXT NOT NULL REFERENCES organizations(id),
  notes_sealed TEXT NULL,
  recorded_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_services_case ON case_services(case_id, id);
CREATE INDEX case_services_type ON case_services(service_type, delivered_at);

-- A child's placements in institutions (children "in institutions", post-18 accompaniment).
CREATE TABLE placements (
  id TEXT PRIMARY KEY,
  child_id TEXT NOT NULL REFERENCES children(id),
  case_id TEXT NULL REFERENCES cases(id) ON DELETE SET NULL,
  institution_org TEXT NOT NULL REFERENCES organizations(id),
  from_date DATE NOT NULL,
  to_date DATE NULL,
  reason_sealed TEXT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX placements_child ON placements(child_id, from_date);
CREATE INDEX placements_institution ON placements(institution_org, to_date);

CREATE TABLE judicial_measures (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  -- `prosecutor_notified`, `protection_order`, `placement_order`, `hearing`, `decision`.
  measure_type TEXT NOT NULL,
  authority TEXT NOT NULL,
  measure_date DATE NOT NULL,
  reference TEXT NULL,
  next_date DATE NULL,
  outcome_sealed TEXT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX judicial_measures_case ON judicial_measures(case_id, measure_date);

CREATE TABLE case_notes (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  note_type TEXT NOT NULL,
  occurred_at TIMESTAMP NOT NULL,
  -- Shown only to the assigned workers and the coordinators.
  sensitive BOOLEAN NOT NULL,
  text_sealed TEXT NOT NULL,
  author_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

CREATE TABLE case_attachments (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  -- The file, sealed (base64 text of the AES-256-GCM ciphertext, bound to this row).
  content_sealed TEXT NOT NULL,
  uploaded_by_id TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id, id);

CREATE TABLE case_transfers (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  from_org TEXT NOT NULL REFERENCES organizations(id),
  to_org TEXT NOT NULL REFERENCES organizations(id),
  -- The case's territory when asked, and the territory it moves to on acceptance.
  from_territory_code TEXT NOT NULL REFERENCES territories(code),
  to_territory_code TEXT NOT NULL REFERENCES territories(code),
  -- `pending`, `accepted`, `rejected`, `cancelled`.
  status TEXT NOT NULL,
  reason_sealed TEXT NULL,
  requested_by_id TEXT NOT NULL,
  requested_at TIMESTAMP NOT NULL,
  decided_by_id TEXT NULL,
  decided_at TIMESTAMP NULL,
  comment_sealed TEXT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX case_transfers_case ON case_transfers(case_id, id);
CREATE INDEX case_transfers_to ON case_transfers(to_org, status, id);
-- At most one pending transfer per case.
CREATE UNIQUE INDEX case_transfers_one_pending ON case_transfers(case_id) WHERE status = 'pending';
