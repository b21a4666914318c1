-- When an API client's secret was last replaced (whole seconds): tokens issued before it are
-- refused, so a leaked secret stops working at once, not when its tokens expire.
ALTER TABLE api_clients ADD COLUMN secret_rotated_at TIMESTAMP;
