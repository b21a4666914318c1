-- Referral delays (the dashboard, the provincial report) read the referrals answered, or
-- closed, within a year: by that time, not by a scan of every referral (issue 8; at 1,000,000
-- children, 443,000 referrals, a scan took 0.5 s a query).
CREATE INDEX IF NOT EXISTS referrals_answered_at ON referrals(answered_at);
CREATE INDEX IF NOT EXISTS referrals_closed_at ON referrals(closed_at);
