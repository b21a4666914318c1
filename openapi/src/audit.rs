//! The audit log as the auditor reads it: ids and action codes only, never names or free text.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Who did it: a person, an API client, or Madar itself (start-up, the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    Client,
    System,
}

impl ActorKind {
    pub fn code(self) -> &'static str {
        match self {
            ActorKind::User => "user",
            ActorKind::Client => "client",
            ActorKind::System => "system",
        }
    }

    pub fn parse(code: &str) -> Option<ActorKind> {
        [ActorKind::User, ActorKind::Client, ActorKind::System]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// One audit event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEventResponse {
    /// Increases with every event recorded.
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    /// The user's or client's id; absent for the system, or for a failed login with an unknown
    /// email.
    pub actor_id: Option<String>,
    /// A snake_case code such as `territory.update`, `auth.login_failed` or `child.read`.
    pub action: String,
    /// `user`, `organization`, `client`, `territory`, `child`, ...
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// The `X-Request-Id` of the request that caused it.
    pub request_id: Option<String>,
    /// The event's position in the sealed HMAC chain; absent until the sealer (about once a
    /// second) has chained it.
    pub seq: Option<i64>,
}

/// Filters of the audit log; all optional, combined with AND.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only events of this user or client id.
    pub actor_id: Option<String>,
    /// Only events with this action code.
    pub action: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// Only events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
}

/// Why the chain breaks at an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditChainFault {
    /// An event before it is missing (deleted, or its position skipped).
    Gap,
    /// Its link to the previous event does not match.
    WrongPrevious,
    /// Its HMAC does not match its fields: it was edited or moved.
    WrongHmac,
}

/// The first event of the audit log that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditChainBreak {
    /// The event's id (as in the log).
    pub event_id: i64,
    /// Its position in the chain.
    pub position: i64,
    pub fault: AuditChainFault,
}

/// The audit log's HMAC chain, verified now from its first event (`madar audit verify` does
/// the same on the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditVerification {
    /// Every sealed event verifies, in order.
    pub intact: bool,
    /// Sealed events verified (those before the break, when broken).
    pub verified: i64,
    /// Events recorded but not sealed yet (the sealer runs every second).
    pub unsealed: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<AuditChainBreak>,
    pub checked_at: DateTime<Utc>,
}
