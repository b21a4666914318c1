//! Break-the-glass (design.md, coordinators): a coordinator may open a case outside their
//! territory, with its child, for a limited time and a written reason. The grant is audited
//! (`access_grant.create`, `access_grant.end`) and auditors list every grant with its reason.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Hours a grant lasts when the request names none.
pub const DEFAULT_GRANT_HOURS: u32 = 8;
/// The longest grant.
pub const MAX_GRANT_HOURS: u32 = 72;

/// Asks for access to a case outside the caller's territory. `reason` says why (an emergency, a
/// child who moved, a court's request); it is sealed and shown to auditors. A case already in
/// the caller's scope answers 422 `in_scope`; an active grant of the caller on the same case,
/// 409 `grant_active`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateAccessGrant {
    pub case_id: Uuid,
    #[validate(
        length(min = 20, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 20, max_length = 2000)]
    pub reason: String,
    /// How long the access lasts, in hours (default 8).
    #[validate(range(min = 1, max = 72))]
    #[schema(minimum = 1, maximum = 72)]
    pub hours: Option<u32>,
}

/// A grant, as its holder, admins and auditors see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessGrantResponse {
    pub id: Uuid,
    /// The coordinator who holds it.
    pub user_id: Uuid,
    pub case_id: Uuid,
    /// The case's child, opened with it.
    pub child_id: Uuid,
    pub reason: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Set when its holder ended it before it expired.
    pub ended_at: Option<DateTime<Utc>>,
    /// Whether it opens the case now.
    pub active: bool,
}
