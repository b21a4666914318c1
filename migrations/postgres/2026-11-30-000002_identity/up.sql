-- Identity and access: settings, organizations, users, API clients, refresh tokens, lockouts.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  label_ar TEXT NULL,
  label_fr TEXT NULL,
  label_en TEXT NULL,
  org_type TEXT NOT NULL,
  sector TEXT NULL,
  active boolean NOT NULL DEFAULT TRUE,
  demo boolean NOT NULL DEFAULT FALSE,
  version INTEGER NOT NULL DEFAULT 1,
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);

CREATE TABLE organization_territories (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  territory_code TEXT NOT NULL REFERENCES territories(code),
  PRIMARY KEY (organization_id, territory_code)
);
CREATE INDEX organization_territories_territory ON organization_territories(territory_code);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  territory_code TEXT NOT NULL REFERENCES territories(code),
  language TEXT NOT NULL DEFAULT 'ar',
  active boolean NOT NULL DEFAULT TRUE,
  demo boolean NOT NULL DEFAULT FALSE,
  version INTEGER NOT NULL DEFAULT 1,
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);
CREATE INDEX users_organization ON users(organization_id);
CREATE INDEX users_territory ON users(territory_code);

CREATE TABLE api_clients (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id),
  active boolean NOT NULL DEFAULT TRUE,
  version INTEGER NOT NULL DEFAULT 1,
  created_at timestamp NOT NULL,
  updated_at timestamp NOT NULL
);

-- Refresh tokens are stored as SHA-256 hashes. A rotation marks the old token rotated; its
-- successor is derived from it (HMAC), so a reuse within the grace period returns the same pair.
CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  issued_at timestamp NOT NULL,
  expires_at timestamp NOT NULL,
  rotated_at timestamp NULL,
  revoked boolean NOT NULL DEFAULT FALSE
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

-- Failed logins per email (lower-cased), whether or not the account exists.
CREATE TABLE login_failures (
  email TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start timestamp NOT NULL,
  locked_until timestamp NULL
);
