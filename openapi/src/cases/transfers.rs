//! Transfers: when a child moves, the case moves to a centre of the new territory. The sending
//! side asks; a coordinator of the receiving territory accepts (the case, its child and their
//! ownership move) or rejects.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Where a transfer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    Pending,
    Accepted,
    Rejected,
}

/// A transfer to ask for. `to_organization` is the code of an active support centre,
/// protection unit or mobile unit other than the case's owner (422 otherwise); `territory`,
/// where the case moves, lies within a territory that organization serves (422 `not_served`
/// otherwise) and defaults to the first one it serves.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateTransfer {
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub to_organization: String,
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: Option<String>,
    /// Why the case moves; sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The receiving coordinator's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferDecision {
    Accept,
    Reject,
}

/// A decision on a pending transfer, with an optional comment (sensitive: stored encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DecideTransfer {
    pub decision: TransferDecision,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: Option<String>,
}

/// Which transfers a coordinator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferDirection {
    /// Transfers into a territory of the coordinator's subtree (theirs to decide).
    Incoming,
    /// Transfers of cases from a territory of the coordinator's subtree.
    Outgoing,
}

/// A transfer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TransferResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub case_reference: String,
    /// Organization codes.
    pub from_organization: String,
    pub to_organization: String,
    /// The case's territory when the transfer was asked.
    pub from_territory: String,
    /// The territory the case moves to on acceptance.
    pub territory: String,
    pub status: TransferStatus,
    /// Sensitive: shown to coordinators and to the user who asked; `null` for others.
    pub reason: Option<String>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The decision's comment; sensitive like `reason`.
    pub comment: Option<String>,
}
