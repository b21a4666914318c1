//! Judicial measures on a case: the prosecutor notified, orders, hearings and decisions, with
//! the authority, dates, reference and outcome.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The kind of a judicial measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JudicialMeasureType {
    ProsecutorNotified,
    ProtectionOrder,
    PlacementOrder,
    Hearing,
    Decision,
}

/// A judicial measure to record. `next_date` (the next hearing, a review) may not come before
/// `date` (422 `before_date`); `date` may lie in the future (a hearing scheduled).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateJudicialMeasure {
    pub measure_type: JudicialMeasureType,
    /// The court or prosecutor's office.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub authority: String,
    pub date: NaiveDate,
    /// The file or decision number.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub reference: Option<String>,
    pub next_date: Option<NaiveDate>,
    /// What was decided. Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub outcome: Option<String>,
}

/// Records a measure's outcome, next date or reference (`PATCH` with `If-Match`); only the
/// fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateJudicialMeasure {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub reference: Option<String>,
    pub next_date: Option<NaiveDate>,
    /// Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub outcome: Option<String>,
}

/// A judicial measure of a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JudicialMeasureResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub measure_type: JudicialMeasureType,
    pub authority: String,
    pub date: NaiveDate,
    pub reference: Option<String>,
    pub next_date: Option<NaiveDate>,
    /// Sensitive: shown to the case's assigned workers and coordinators only (`null` for
    /// others).
    pub outcome: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
