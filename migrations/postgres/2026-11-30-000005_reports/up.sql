-- Reports of children at risk. Sensitive free text (reporter name and phone, narrative,
-- address) is stored sealed (AES-256-GCM, see api/src/crypto.rs), never in clear.
CREATE TABLE report_sequences (
  territory_code TEXT NOT NULL REFERENCES territories(code),
  year INTEGER NOT NULL,
  last_value INTEGER NOT NULL,
  PRIMARY KEY (territory_code, year)
);

CREATE TABLE reports (
  id TEXT PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  source TEXT NOT NULL,
  received_at timestamp NOT NULL,
  external_ref TEXT NULL,
  reporter_type TEXT NOT NULL,
  reporter_name_sealed TEXT NULL,
  reporter_phone_sealed TEXT NULL,
  immediate_danger boolean NOT NULL,
  -- 0 for immediate danger, 1 otherwise: the inbox's first sort key.
  priority INTEGER NOT NULL,
  narrative_sealed TEXT NULL,
  status TEXT NOT NULL,
  routed_national boolean NOT NULL,
  created_by_kind TEXT NOT NULL,
  created_by_id TEXT NOT NULL,
  created_by_org TEXT NOT NULL REFERENCES organizations(id),
  version INTEGER NOT NULL DEFAULT 1,
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);
-- The inbox: (status,) immediate danger first, then the oldest (ids are time-ordered UUIDv7).
CREATE INDEX reports_inbox ON reports(status, priority, id);
CREATE INDEX reports_priority ON reports(priority, id);
CREATE INDEX reports_created_by_org ON reports(created_by_org, id);

CREATE TABLE report_children (
  report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  given_name_ar TEXT NULL,
  family_name_ar TEXT NULL,
  given_name_latin TEXT NULL,
  family_name_latin TEXT NULL,
  sex TEXT NOT NULL,
  date_of_birth date NULL,
  estimated_birth_year INTEGER NULL,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  address_sealed TEXT NULL,
  situation TEXT NOT NULL,
  PRIMARY KEY (report_id, position)
);
CREATE INDEX report_children_territory ON report_children(territory_code);

CREATE TABLE report_concerns (
  report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  concern_code TEXT NOT NULL,
  PRIMARY KEY (report_id, concern_code)
);

CREATE TABLE report_routes (
  report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  PRIMARY KEY (report_id, organization_id)
);
CREATE INDEX report_routes_organization ON report_routes(organization_id, report_id);
