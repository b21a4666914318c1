//! The rules of the referral screens, without the DOM (tested on the host): which side the
//! caller is on, which moves the lifecycle lets them make, the list's address.
use madar_openapi::referrals::{ReferralDirection, ReferralResponse, ReferralStatus};

/// A status change a person can ask for (`POST /referrals/{id}/<verb>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Accept,
    Decline,
    Start,
    Complete,
    Cancel,
}

impl Move {
    pub fn verb(self) -> &'static str {
        match self {
            Move::Accept => "accept",
            Move::Decline => "decline",
            Move::Start => "start",
            Move::Complete => "complete",
            Move::Cancel => "cancel",
        }
    }
}

/// The sides of a referral the caller stands on: the receiving organization answers, the
/// sending side (who sees the case) withdraws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sides {
    pub receiver: bool,
    pub sender: bool,
}

pub fn sides(referral: &ReferralResponse, organization: &str) -> Sides {
    Sides {
        receiver: referral.to_organization == organization,
        sender: referral.from_organization == organization || referral.case_id.is_some(),
    }
}

/// The moves the lifecycle allows from `status` for the caller's sides, in the order shown.
pub fn moves(status: ReferralStatus, sides: Sides) -> Vec<Move> {
    use ReferralStatus as S;
    let mut out = Vec::new();
    if sides.receiver {
        match status {
            S::Sent => out.extend([Move::Accept, Move::Decline]),
            S::Accepted => out.push(Move::Start),
            S::InProgress => out.push(Move::Complete),
            _ => {}
        }
    }
    if sides.sender && matches!(status, S::Sent | S::Accepted | S::InProgress) {
        out.push(Move::Cancel);
    }
    out
}

/// `/referrals?direction=…&status=…&limit=…&cursor=…`.
pub fn list_path(
    direction: ReferralDirection,
    status: Option<&str>,
    limit: u32,
    cursor: Option<&str>,
) -> String {
    let direction = match direction {
        ReferralDirection::Incoming => "incoming",
        ReferralDirection::Outgoing => "outgoing",
    };
    let mut path = format!("/referrals?direction={direction}&limit={limit}");
    if let Some(status) = status.filter(|s| !s.is_empty()) {
        path.push_str("&status=");
        path.push_str(&encode(status));
    }
    if let Some(cursor) = cursor {
        path.push_str("&cursor=");
        path.push_str(&encode(cursor));
    }
    path
}

/// Percent-encodes a query value (UTF-8; unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The first `max` characters of a text, with "…" when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECEIVER: Sides = Sides {
        receiver: true,
        sender: false,
    };
    const SENDER: Sides = Sides {
        receiver: false,
        sender: true,
    };

    #[test]
    fn the_receiver_answers_and_the_sender_withdraws() {
        use ReferralStatus as S;
        assert_eq!(moves(S::Sent, RECEIVER), [Move::Accept, Move::Decline]);
        assert_eq!(moves(S::Accepted, RECEIVER), [Move::Start]);
        assert_eq!(moves(S::InProgress, RECEIVER), [Move::Complete]);
        for s in [S::Declined, S::Completed, S::Cancelled, S::Expired] {
            assert!(moves(s, RECEIVER).is_empty(), "{s:?}");
            assert!(moves(s, SENDER).is_empty(), "{s:?}");
        }
        for s in [S::Sent, S::Accepted, S::InProgress] {
            assert_eq!(moves(s, SENDER), [Move::Cancel], "{s:?}");
        }
        assert!(moves(S::Sent, Sides::default()).is_empty());
    }

    #[test]
    fn the_list_address_carries_the_filters() {
        assert_eq!(
            list_path(ReferralDirection::Incoming, None, 25, None),
            "/referrals?direction=incoming&limit=25"
        );
        assert_eq!(
            list_path(
                ReferralDirection::Outgoing,
                Some("in_progress"),
                25,
                Some("a+b/c")
            ),
            "/referrals?direction=outgoing&limit=25&status=in_progress&cursor=a%2Bb%2Fc"
        );
        assert_eq!(encode("رب"), "%D8%B1%D8%A8");
    }

    #[test]
    fn excerpts_cut_long_texts() {
        assert_eq!(excerpt("court", 10), "court");
        assert_eq!(excerpt("un texte assez long", 8), "un texte…");
    }
}
