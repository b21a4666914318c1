//! Legal holds (law 09-08 retention): a case a court or an investigation still needs is kept
//! whole past its retention period; `madar retention run` leaves its child's records alone while
//! any case of the child is held.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// Places (or replaces) the hold on a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PlaceLegalHold {
    /// Why the case is kept (e.g. the court and the proceeding); sealed.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The hold on a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LegalHoldResponse {
    pub case_id: Uuid,
    pub reason: String,
    pub placed_by: Uuid,
    pub placed_at: DateTime<Utc>,
}
