DROP INDEX referrals_completed;
DROP INDEX cases_closed_at;
DROP INDEX cases_opened_at;
DROP INDEX reports_received_at;
