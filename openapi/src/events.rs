//! Live updates: the Server-Sent Events stream of `GET /api/v1/events`, opened with a
//! single-use ticket from `POST /api/v1/events/tickets` (a browser's EventSource sends no
//! header). Events are thin: a type and an id, never a name; the client fetches the record
//! with its own token (and that read is audited).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A ticket that opens one event stream, once, within 30 seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventTicket {
    /// Pass it as `GET /api/v1/events?ticket=…`.
    pub ticket: String,
    pub expires_at: DateTime<Utc>,
}

/// The type of a live event (the SSE `event:` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum LiveEventType {
    /// A new report routed to the caller's organization, or with a child in the caller's
    /// territory (coordinators). `id`: the report.
    #[serde(rename = "report.received")]
    ReportReceived,
    /// A referral addressed to the caller's organization. `id`: the referral.
    #[serde(rename = "referral.created")]
    ReferralCreated,
    /// A referral sent from or to the caller's organization changed status. `id`: the
    /// referral.
    #[serde(rename = "referral.updated")]
    ReferralUpdated,
    /// A protocol action on a case or report the caller sees fell overdue (an
    /// `overdue_action` or `immediate_danger_unscreened` alert). `id`: the action.
    #[serde(rename = "alert.created")]
    AlertCreated,
}

impl LiveEventType {
    /// Every type the stream sends.
    pub const ALL: [LiveEventType; 4] = [
        LiveEventType::ReportReceived,
        LiveEventType::ReferralCreated,
        LiveEventType::ReferralUpdated,
        LiveEventType::AlertCreated,
    ];

    /// The stored and sent code.
    pub fn code(self) -> &'static str {
        match self {
            LiveEventType::ReportReceived => "report.received",
            LiveEventType::ReferralCreated => "referral.created",
            LiveEventType::ReferralUpdated => "referral.updated",
            LiveEventType::AlertCreated => "alert.created",
        }
    }

    pub fn parse(code: &str) -> Option<LiveEventType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// The `data:` of one event: `{"type": "report.received", "id": "…"}`. Its SSE `id:` is the
/// sequence number to resume after (`Last-Event-ID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LiveEvent {
    #[serde(rename = "type")]
    pub type_: LiveEventType,
    /// The id of the resource the event is about.
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_the_serialized_names() {
        for t in [
            LiveEventType::ReportReceived,
            LiveEventType::ReferralCreated,
            LiveEventType::ReferralUpdated,
        ] {
            assert_eq!(LiveEventType::parse(t.code()), Some(t));
            assert_eq!(
                serde_json::to_value(t).ok(),
                Some(serde_json::json!(t.code()))
            );
        }
        assert_eq!(
            LiveEventType::parse("alert.created"),
            Some(LiveEventType::AlertCreated)
        );
    }
}
