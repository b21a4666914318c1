ALTER TABLE api_clients DROP COLUMN secret_rotated_at;
