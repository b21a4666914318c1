//! Stage transitions: the only way a case's stage changes (`POST /cases/{id}/transitions`).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::{CaseStage, ClosureReason};

/// A change of stage, with its reason. Closing needs `closure_reason` and `outcome_note`
/// (and is only asked, as a pending approval, when a case worker sends it); the two are
/// refused on any other transition. Free text is sensitive: shown to the assigned workers and
/// the coordinators only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CaseTransition {
    /// The stage to move to.
    pub to: CaseStage,
    /// Why (kept on the timeline).
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    /// Why the case closes (closing only).
    pub closure_reason: Option<ClosureReason>,
    /// What the child's situation is at closure (closing only).
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub outcome_note: Option<String>,
}
