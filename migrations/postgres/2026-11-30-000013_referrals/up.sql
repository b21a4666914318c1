-- Referrals: a case's centre sends a child to the organization that provides a service
-- (addressed to an organization, never a person), with a sealed snapshot of the field groups
-- a consent (or a coordinator's written override) lets it see. Lifecycle in
-- api/src/referrals/domain.rs. Free text (reason, override reason, decline and cancel reasons,
-- feedback) and the snapshot are sealed (AES-256-GCM, see api/src/crypto.rs).
CREATE TABLE referrals (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
  child_id TEXT NOT NULL REFERENCES children(id),
  from_org TEXT NOT NULL REFERENCES organizations(id),
  to_org TEXT NOT NULL REFERENCES organizations(id),
  service_id TEXT NULL REFERENCES services(id),
  -- Vocabulary: service types, and the pathway domain of the type.
  service_type TEXT NOT NULL,
  domain TEXT NOT NULL,
  -- Vocabulary: referral statuses.
  status TEXT NOT NULL,
  -- Vocabulary: risk levels.
  urgency TEXT NOT NULL,
  reason_sealed TEXT NOT NULL,
  -- When the service is needed by; respond_by: the answer deadline (sent → expired after it).
  due_by timestamp NOT NULL,
  respond_by timestamp NOT NULL,
  consent_id TEXT NULL REFERENCES child_consents(id),
  -- A JSON array of field-group codes.
  field_groups TEXT NOT NULL,
  -- A JSON object (the contract's ReferralSnapshot), sealed.
  snapshot_sealed TEXT NOT NULL,
  -- No foreign key: replacing a plan renews its actions' ids.
  plan_action_id TEXT NULL,
  override_reason_sealed TEXT NULL,
  decline_reason_sealed TEXT NULL,
  -- A referral outcome code (completed referrals).
  outcome TEXT NULL,
  feedback_sealed TEXT NULL,
  cancel_reason_sealed TEXT NULL,
  sent_by_id TEXT NOT NULL,
  sent_at timestamp NOT NULL,
  answered_at timestamp NULL,
  started_at timestamp NULL,
  closed_at timestamp NULL,
  updated_by_id TEXT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  updated_at timestamp NOT NULL
);
CREATE INDEX referrals_case ON referrals(case_id, id);
CREATE INDEX referrals_to ON referrals(to_org, status, id);
CREATE INDEX referrals_from ON referrals(from_org, status, id);
CREATE INDEX referrals_due ON referrals(status, respond_by);
