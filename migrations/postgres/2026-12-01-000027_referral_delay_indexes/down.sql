DROP INDEX referrals_closed_at;
DROP INDEX referrals_answered_at;
