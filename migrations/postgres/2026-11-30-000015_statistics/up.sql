-- Statistics (api/src/statistics): every statistic is an aggregate over the base tables for a
-- window of time, so each counted event's timestamp is indexed.
CREATE INDEX reports_received_at ON reports(received_at);
CREATE INDEX cases_opened_at ON cases(opened_at);
CREATE INDEX cases_closed_at ON cases(closed_at);
-- The indicators: completed referrals by service type and completion time.
CREATE INDEX referrals_completed ON referrals(service_type, closed_at);
