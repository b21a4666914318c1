//! Approvals a coordinator decides: a closure a case worker asked for, and assessments and
//! plans where the territory's coordinators turned approval on.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// What is to be approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalKind {
    /// Closing a case (asked by a case worker).
    Closure,
    /// A risk assessment (where turned on for the territory).
    Assessment,
    /// A case plan (where turned on for the territory).
    Plan,
}

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    Pending,
    Approved,
    Rejected,
}

/// A coordinator's answer to an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalDecision {
    Approve,
    Reject,
}

/// An approval and where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovalResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: ApprovalKind,
    pub status: ApprovalStatus,
    /// The record to approve (an assessment), when it is a row of its own.
    pub subject_id: Option<Uuid>,
    /// What was asked, codes only (a closure: `to`, `closure_reason`).
    #[schema(value_type = Object)]
    pub request: serde_json::Value,
    /// The request's free text (a closure: `reason`, `outcome_note`). Sensitive: shown to the
    /// coordinators and the case's assigned workers only.
    #[schema(value_type = Option<Object>)]
    pub request_text: Option<serde_json::Value>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The coordinator's comment. Sensitive, like `request_text`.
    pub comment: Option<String>,
}

/// A decision on a pending approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DecideApproval {
    pub decision: ApprovalDecision,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: Option<String>,
}

/// An approval rule: approvals of `kind` are required for the cases of `territory`'s subtree.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApprovalRule {
    /// A territory code.
    pub territory: String,
    pub kind: ApprovalKind,
    pub enabled: bool,
    /// Who turned it on (when on).
    pub enabled_by: Option<Uuid>,
    pub enabled_at: Option<DateTime<Utc>>,
}

/// Turns an approval rule on or off for the caller's territory.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SetApprovalRule {
    pub enabled: bool,
}
