DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE api_clients;
DROP TABLE users;
DROP TABLE organization_territories;
DROP TABLE organizations;
DROP TABLE settings;
