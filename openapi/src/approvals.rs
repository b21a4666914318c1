//! Approvals a coordinator decides: a closure a case worker asked for, and assessments and
//! plans where the territory's coordinators turned approval on.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
