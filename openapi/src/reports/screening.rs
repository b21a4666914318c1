//! Screening a report (`POST /api/v1/reports/{id}/screening`): per reported child, link to a
//! known child or create one from the report's data; or close the report with a reason.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::ReportResponse;
use crate::children::ChildOwner;

/// Why a report is closed without a case (vocabulary: closing reasons without a case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosingReason {
    NoProtectionConcern,
    Duplicate,
    ReferredElsewhere,
    InsufficientInformation,
    OutOfScope,
}

/// What screening does with one reported child: link it to a known child (`child_id`, a child
/// you see; 422 `unknown_child` otherwise) or create a child record from the report's data
/// (`create: true`; owned by your organization). Exactly one of the two (422 `link_or_create`
/// on `children[i]` otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ScreenedChild {
    /// The reported child's position in the report's `children`, from 0 (422 `out_of_range`
    /// beyond the report's children).
    #[validate(range(min = 0, max = 19))]
    #[schema(minimum = 0, maximum = 19)]
    pub index: i32,
    /// Link the reported child to this known child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_id: Option<Uuid>,
    /// Create a child record from the report's data for this child.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub create: bool,
    /// Create even though the matching engine finds a likely match among the children you see
    /// (409 `likely_duplicate` otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub confirm_new: bool,
}

/// What screening decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScreeningDecision {
    /// The report is accepted: its children linked or created, a case opened for each (or the
    /// report attached to the child's open case); it moves to `case_opened`.
    Accept,
    /// The report is closed without a case: it moves to `closed`.
    Close,
}

/// A screening: `{"decision": "accept", "children": [...]}`, one entry per reported child,
/// each child covered exactly once; or `{"decision": "close", "closing_reason": "..."}`. The
/// field of the other decision is refused (422 `not_allowed`), the one of this decision
/// required (422 `required`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "accept", "children": [{"index": 0, "create": true, "confirm_new": true}]}))]
pub struct ScreenReport {
    pub decision: ScreeningDecision,
    /// With `accept`: what becomes of each reported child.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub children: Option<Vec<ScreenedChild>>,
    /// With `close`: why the report is closed without a case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_reason: Option<ClosingReason>,
}

/// What became of one reported child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScreenedChildOutcome {
    /// The reported child's position in the report.
    pub index: i32,
    /// The child record it is now linked to.
    pub child_id: Uuid,
    /// Whether the record was created by this screening (else an existing child was linked).
    pub created: bool,
    /// The child's case: opened by this screening, or the child's open case the report was
    /// attached to.
    pub case_id: Uuid,
    /// Whether the case was opened by this screening.
    pub case_opened: bool,
}

/// A likely match outside your scope for a child you created: its owner, so that you can
/// coordinate with them (nothing about the child itself).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScreeningAnnouncement {
    /// The reported child's position in the report.
    pub index: i32,
    pub owner: ChildOwner,
}

/// The outcome of a screening.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScreeningResponse {
    /// The report with its new status and its children's links.
    pub report: ReportResponse,
    /// Per reported child (accepted reports; empty when closed).
    pub children: Vec<ScreenedChildOutcome>,
    pub announcements: Vec<ScreeningAnnouncement>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_decisions_read_and_unknown_fields_are_refused() {
        let accept: ScreenReport = serde_json::from_value(serde_json::json!({
            "decision": "accept",
            "children": [{"index": 0, "create": true}, {"index": 1, "child_id": Uuid::nil()}]
        }))
        .unwrap();
        let children = accept.children.unwrap_or_default();
        assert!(children[0].create && !children[0].confirm_new);
        assert_eq!(children[1].child_id, Some(Uuid::nil()));
        let close: ScreenReport = serde_json::from_value(
            serde_json::json!({"decision": "close", "closing_reason": "duplicate"}),
        )
        .unwrap();
        assert_eq!(close.closing_reason, Some(ClosingReason::Duplicate));
        for bad in [
            serde_json::json!({"decision": "close", "closing_reason": "bored"}),
            serde_json::json!({"decision": "close", "closing_reason": "duplicate", "x": 1}),
            serde_json::json!({"decision": "accept", "children": [{"index": 0, "x": 1}]}),
            serde_json::json!({"decision": "maybe"}),
        ] {
            assert!(
                serde_json::from_value::<ScreenReport>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
