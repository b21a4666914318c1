//! Services delivered directly on a case (a mobile unit's street intervention, a social
//! emergency, a psychological session by the centre itself): what the ministry's indicators
//! count besides completed referrals. Each is tagged with its service type's pathway domain.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::pathway::{PathwayDomain, ServiceType};

/// A service delivered to record. `delivered_at` may not lie in the future (422 `in_future`)
/// nor more than 30 days before the case opened (422 `before_case_opened`: a service given
/// while the child was being detected counts, an older one belongs to another case);
/// `by_organization` is an active organization's code (422 `unknown_organization`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordCaseService {
    pub service_type: ServiceType,
    pub delivered_at: DateTime<Utc>,
    /// The code of the organization that delivered it.
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub by_organization: String,
    /// What was done. Sensitive: stored encrypted, shown to the case's assigned workers and
    /// coordinators only.
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 4000)]
    pub notes: Option<String>,
}

/// A service delivered on a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseServiceResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub service_type: ServiceType,
    /// The pathway domain of `service_type` (vocabulary: services).
    pub domain: PathwayDomain,
    pub delivered_at: DateTime<Utc>,
    /// The code of the organization that delivered it.
    pub by_organization: String,
    /// Sensitive: `null` for those who do not see the case's sensitive fields.
    pub notes: Option<String>,
    /// The user or API client who recorded it.
    pub recorded_by: Uuid,
    pub created_at: DateTime<Utc>,
}
