//! The provincial diagnostic of structures and services (آلية تشخيص الهياكل والخدمات): for a
//! territory and a year, the inventory of the service directory (services by pathway domain and
//! type, their capacity and free places), the children in need counted by concern against the
//! services answering each concern (a gap where children wait and no service answers), the main
//! risks (cases opened by concern, with the previous year), and the needs its committee records.
//! Read by the roles that read statistics, masked as they are; the needs are written by the
//! coordinators whose subtree holds the territory.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::pathway::PathwayDomain;
use crate::reports::ConcernType;
use crate::statistics::StatisticsResponse;

/// One service type of the directory serving the territory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceTypeInventory {
    /// A service type code (vocabulary: services).
    pub service_type: String,
    /// Active services of this type serving the territory (its own, its subtree's, and those of
    /// the territories above it, national ones included).
    pub services: i64,
    /// Their declared capacity (`null` when none declares one).
    pub capacity: Option<i64>,
    /// Their free places as last reported (`null` when none reports).
    pub places_available: Option<i64>,
}

/// The services of one pathway domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DomainInventory {
    pub domain: PathwayDomain,
    pub services: i64,
    pub service_types: Vec<ServiceTypeInventory>,
}

/// The children in need of one concern against the services answering it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConcernNeed {
    pub concern: ConcernType,
    /// Distinct children reported with this concern in the year (`null` when suppressed).
    pub children: Option<i64>,
    pub suppressed: bool,
    /// Active services serving the territory that answer this concern (or any concern).
    pub services: i64,
    /// Children wait and no service answers.
    pub gap: bool,
}

/// How pressing a need is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NeedPriority {
    High,
    Medium,
    Low,
}

/// A need the provincial committee records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CommitteeNeed {
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
    pub priority: NeedPriority,
    /// The pathway domain it concerns, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<PathwayDomain>,
}

/// Replaces the committee's needs of a territory (If-Match: the diagnostic's ETag).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordCommitteeNeeds {
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub needs: Vec<CommitteeNeed>,
}

/// A territory's diagnostic for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TerritoryDiagnostic {
    pub territory: String,
    pub name_ar: String,
    pub name_fr: String,
    pub year: i32,
    /// The suppression threshold applied to the counts of children and cases; `null` when the
    /// caller sees exact counts.
    pub k: Option<i64>,
    /// The service directory by pathway domain (domains without a service are listed with 0).
    pub inventory: Vec<DomainInventory>,
    /// The concerns children were reported with in the year, most children first.
    pub needs: Vec<ConcernNeed>,
    /// Cases opened in the year by concern, with the previous year: the main risks.
    pub risks: StatisticsResponse,
    /// The needs the committee recorded, most pressing first as entered.
    pub committee_needs: Vec<CommitteeNeed>,
    pub committee_updated_at: Option<DateTime<Utc>>,
    /// The committee needs' version (the ETag); 0 before any is recorded.
    pub version: i32,
}
