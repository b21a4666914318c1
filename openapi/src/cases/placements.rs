//! Placements: a child's stays in social care institutions (the children "in institutions"),
//! and the start of the accompaniment of care leavers past 18. A child is in at most one
//! placement at a time.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// A placement to record. `institution` is the code of an active organization of type
/// `social_care_institution` (422 `not_an_institution`); `case_id`, when given, a case of this
/// child that the caller sees (422 `unknown_case`); `from` not after today (422 `in_future`);
/// `to`, the day the child left, not before `from` (422 `before_from`). The period may not
/// overlap another placement of the child, and a child has one open placement at most (409
/// `placement_open`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreatePlacement {
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub institution: String,
    pub case_id: Option<Uuid>,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
    /// Why the child was placed. Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: Option<String>,
}

/// Ends a placement (`to`: the day the child left, not before `from`, without overlapping
/// another placement) or corrects its reason; `PATCH` with `If-Match`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlacement {
    pub to: Option<NaiveDate>,
    /// Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub reason: Option<String>,
}

/// A placement of a child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlacementResponse {
    pub id: Uuid,
    pub child_id: Uuid,
    /// The case the placement was decided in, if any.
    pub case_id: Option<Uuid>,
    /// The institution's organization code.
    pub institution: String,
    pub from: NaiveDate,
    /// The day the child left; `null` while the placement is open.
    pub to: Option<NaiveDate>,
    /// Sensitive: shown to coordinators and to the case workers assigned to the placement's
    /// case (or, without a case, to one of the child's cases); `null` for others.
    pub reason: Option<String>,
    /// Whether the child is in this placement today (the server's date).
    pub current: bool,
    /// The day the child turns 18 (from 1 January of an estimated birth year).
    pub adult_on: Option<NaiveDate>,
    /// Whether `adult_on` comes from an estimated birth year.
    pub birth_date_estimated: bool,
    /// Whether the child turns 18 between today and six months from today: the start of the
    /// post-18 accompaniment of a care leaver.
    pub turns_18_within_6_months: bool,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
