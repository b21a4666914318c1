-- The service directory (دليل الخدمات): what each organization provides, where, for whom.
CREATE TABLE services (
  id TEXT PRIMARY KEY,
  -- Vocabulary: service types, and the pathway domain of the type.
  service_type TEXT NOT NULL,
  domain TEXT NOT NULL,
  provider_org TEXT NOT NULL REFERENCES organizations(id),
  name TEXT NOT NULL,
  name_ar TEXT NULL,
  name_fr TEXT NULL,
  description TEXT NULL,
  -- Eligibility: an age range (years, inclusive), sexes and concerns (JSON arrays of codes;
  -- empty: any).
  min_age INTEGER NULL,
  max_age INTEGER NULL,
  sexes TEXT NOT NULL,
  concerns TEXT NOT NULL,
  -- JSON array of ISO 639-1 codes (ar, fr, en, zgh, es...).
  languages TEXT NOT NULL,
  capacity INTEGER NULL,
  places_available INTEGER NULL,
  capacity_updated_at TIMESTAMP NULL,
  -- Shelters: locations shown only to case workers and coordinators.
  confidential BOOLEAN NOT NULL,
  active BOOLEAN NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE INDEX services_type ON services(service_type, id);
CREATE INDEX services_provider ON services(provider_org, id);

CREATE TABLE service_territories (
  service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  PRIMARY KEY (service_id, territory_code)
);
CREATE INDEX service_territories_territory ON service_territories(territory_code, service_id);

CREATE TABLE service_concerns (
  service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  concern_code TEXT NOT NULL,
  PRIMARY KEY (service_id, concern_code)
);
CREATE INDEX service_concerns_concern ON service_concerns(concern_code, service_id);

CREATE TABLE service_locations (
  id TEXT PRIMARY KEY,
  service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NULL,
  address TEXT NOT NULL,
  city TEXT NULL,
  territory_code TEXT NULL REFERENCES territories(code),
  phone TEXT NULL,
  -- Free text as the provider writes it ("Mon–Fri 8:30–16:30"), or HSDS-like JSON.
  opening_hours TEXT NULL,
  latitude REAL NULL,
  longitude REAL NULL
);
CREATE INDEX service_locations_service ON service_locations(service_id, position);
