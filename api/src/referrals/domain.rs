//! The pure rules of referrals: the lifecycle (which move leads from which status to which,
//! and which side makes it), the answer deadline, and whether a referral may be sent with or
//! without a covering consent.
use chrono::{DateTime, TimeDelta, Utc};
use madar_openapi::cases::RiskLevel;
use madar_openapi::referrals::ReferralStatus;
use madar_openapi::users::Role;

use crate::error::ApiError;

/// A status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Accept,
    Decline,
    Start,
    Complete,
    Cancel,
    Expire,
}

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The receiving organization.
    Receiver,
    /// The sending side (the case's organization and coordinators).
    Sender,
    /// The server, when the answer deadline passed.
    System,
}

impl Move {
    pub fn side(self) -> Side {
        match self {
            Move::Accept | Move::Decline | Move::Start | Move::Complete => Side::Receiver,
            Move::Cancel => Side::Sender,
            Move::Expire => Side::System,
        }
    }
}

/// The status a move leads to from `from`; 409 `referral_transition_not_allowed` when the
/// lifecycle has no such step.
pub fn next(from: ReferralStatus, to: Move) -> Result<ReferralStatus, ApiError> {
    use ReferralStatus as S;
    let status = match (from, to) {
        (S::Sent, Move::Accept) => S::Accepted,
        (S::Sent, Move::Decline) => S::Declined,
        (S::Accepted, Move::Start) => S::InProgress,
        (S::InProgress, Move::Complete) => S::Completed,
        (S::Sent | S::Accepted | S::InProgress, Move::Cancel) => S::Cancelled,
        (S::Sent, Move::Expire) => S::Expired,
        _ => {
            return Err(ApiError::conflict(
                "referral_transition_not_allowed",
                "This referral's status does not allow that change.",
            ))
        }
    };
    Ok(status)
}

/// How long the receiver has to answer, by urgency.
pub fn answer_window(urgency: RiskLevel) -> TimeDelta {
    match urgency {
        RiskLevel::ImmediateDanger => TimeDelta::days(1),
        RiskLevel::High => TimeDelta::days(3),
        RiskLevel::Medium => TimeDelta::days(7),
        RiskLevel::Low => TimeDelta::days(14),
    }
}

/// The answer deadline of a referral sent at `sent_at`: the urgency's window, but never after
/// `due_by`, which must lie in the future (422 `in_past` on `due_by`).
pub fn respond_by(
    urgency: RiskLevel,
    sent_at: DateTime<Utc>,
    due_by: DateTime<Utc>,
) -> Result<DateTime<Utc>, ApiError> {
    if due_by <= sent_at {
        return Err(ApiError::validation(
            "due_by",
            "in_past",
            "is not in the future",
        ));
    }
    Ok((sent_at + answer_window(urgency)).min(due_by))
}

/// On what ground a referral shares the child's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ground {
    Consent,
    /// A coordinator's written override.
    Override,
}

/// Whether a referral may be sent: a covering consent suffices; without one, only a
/// coordinator with a written override reason (422 `consent_required` on `consent_id`
/// otherwise).
pub fn ground(covered: bool, role: Role, override_reason: bool) -> Result<Ground, ApiError> {
    match (covered, role, override_reason) {
        (true, _, _) => Ok(Ground::Consent),
        (false, Role::Coordinator, true) => Ok(Ground::Override),
        _ => Err(ApiError::validation(
            "consent_id",
            "consent_required",
            "no active consent names the organization and covers every field group; only a \
             coordinator may send it, with an override_reason",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferralStatus as S;

    fn code(r: Result<impl std::fmt::Debug, ApiError>) -> String {
        match r {
            Err(ApiError::Validation(e)) => format!("{}:{}", e[0].field, e[0].code),
            Err(other) => format!("{other:?}"),
            Ok(v) => format!("ok {v:?}"),
        }
    }

    #[test]
    fn the_lifecycle_allows_exactly_its_steps() {
        let all = [
            S::Sent,
            S::Accepted,
            S::Declined,
            S::InProgress,
            S::Completed,
            S::Cancelled,
            S::Expired,
        ];
        let moves = [
            Move::Accept,
            Move::Decline,
            Move::Start,
            Move::Complete,
            Move::Cancel,
            Move::Expire,
        ];
        let allowed = [
            (S::Sent, Move::Accept, S::Accepted),
            (S::Sent, Move::Decline, S::Declined),
            (S::Accepted, Move::Start, S::InProgress),
            (S::InProgress, Move::Complete, S::Completed),
            (S::Sent, Move::Cancel, S::Cancelled),
            (S::Accepted, Move::Cancel, S::Cancelled),
            (S::InProgress, Move::Cancel, S::Cancelled),
            (S::Sent, Move::Expire, S::Expired),
        ];
        for from in all {
            for to in moves {
                let expected = allowed
                    .iter()
                    .find(|(f, m, _)| *f == from && *m == to)
                    .map(|(_, _, s)| *s);
                match (next(from, to), expected) {
                    (Ok(got), Some(want)) => assert_eq!(got, want, "{from:?} {to:?}"),
                    (Err(ApiError::Conflict { code, .. }), None) => {
                        assert_eq!(code, "referral_transition_not_allowed")
                    }
                    (got, want) => panic!("{from:?} {to:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn the_receiver_answers_the_sender_cancels_the_server_expires() {
        assert_eq!(Move::Accept.side(), Side::Receiver);
        assert_eq!(Move::Complete.side(), Side::Receiver);
        assert_eq!(Move::Cancel.side(), Side::Sender);
        assert_eq!(Move::Expire.side(), Side::System);
    }

    #[test]
    fn the_answer_deadline_follows_the_urgency_within_due_by() {
        let now: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap();
        let later = now + TimeDelta::days(30);
        let cases = [
            (RiskLevel::ImmediateDanger, 1),
            (RiskLevel::High, 3),
            (RiskLevel::Medium, 7),
            (RiskLevel::Low, 14),
        ];
        for (urgency, days) in cases {
            let got = respond_by(urgency, now, later).unwrap();
            assert_eq!(got, now + TimeDelta::days(days), "{urgency:?}");
        }
        let soon = now + TimeDelta::hours(5);
        assert_eq!(respond_by(RiskLevel::Low, now, soon).unwrap(), soon);
        assert_eq!(code(respond_by(RiskLevel::Low, now, now)), "due_by:in_past");
    }

    fn actor(role: Role, org: &str, path: Option<&str>) -> crate::auth::Actor {
        crate::auth::Actor {
            kind: crate::auth::tokens::Subject::User,
            id: "u".into(),
            role,
            organization_id: org.into(),
            organization_code: org.into(),
            territory: path.map(|p| crate::auth::actor::Scope {
                code: "x".into(),
                path: p.into(),
            }),
            grants: Vec::new(),
        }
    }

    #[test]
    fn partners_reach_their_inbox_senders_their_cases() {
        use crate::auth::policy::{
            authorize, receives_referral, referral_scope, sends_referral, Action, ReferralScope,
        };
        let partner = actor(Role::Partner, "ngo", None);
        let worker = actor(Role::CaseWorker, "cape", Some("MA/MA-04/421/"));
        let coordinator = actor(Role::Coordinator, "delegation", Some("MA/MA-04/"));
        assert_eq!(
            referral_scope(&partner),
            ReferralScope::AddressedTo("ngo".into())
        );
        assert_eq!(
            referral_scope(&worker),
            ReferralScope::Organization("cape".into())
        );
        assert!(matches!(
            referral_scope(&coordinator),
            ReferralScope::Subtree { .. }
        ));
        for role in [Role::Hotline, Role::Analyst, Role::Auditor, Role::Admin] {
            let other = actor(role, "ngo", Some("MA/"));
            assert_eq!(referral_scope(&other), ReferralScope::None, "{role:?}");
            assert!(
                authorize(&other, Action::ReadReferrals).is_err(),
                "{role:?}"
            );
            assert!(!receives_referral(&other, "ngo"), "{role:?}");
        }
        assert!(receives_referral(&partner, "ngo") && !receives_referral(&partner, "cape"));
        assert!(!sends_referral(&partner, "ngo", "MA/MA-04/421/"));
        assert!(sends_referral(&worker, "cape", "MA/MA-05/"));
        assert!(!sends_referral(&worker, "other", "MA/MA-04/421/"));
        assert!(sends_referral(&coordinator, "other", "MA/MA-04/421/"));
        assert!(!sends_referral(&coordinator, "other", "MA/MA-05/"));
    }

    #[test]
    fn without_consent_only_a_coordinator_with_a_reason_sends() {
        let table = [
            (true, Role::CaseWorker, false, "ok Consent"),
            (true, Role::Coordinator, true, "ok Consent"),
            (false, Role::Coordinator, true, "ok Override"),
            (
                false,
                Role::Coordinator,
                false,
                "consent_id:consent_required",
            ),
            (false, Role::CaseWorker, true, "consent_id:consent_required"),
            (
                false,
                Role::CaseWorker,
                false,
                "consent_id:consent_required",
            ),
        ];
        for (covered, role, reason, want) in table {
            assert_eq!(
                code(ground(covered, role, reason)),
                want,
                "{covered} {role:?}"
            );
        }
    }
}
