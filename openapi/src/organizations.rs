//! Organizations: the ministry, support centres, protection and mobile units, the hotline,
//! public services, social care institutions and NGOs.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::common::Labels;

/// What kind of body an organization is (vocabulary: organization types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationType {
    Ministry,
    SupportCentre,
    ProtectionUnit,
    MobileUnit,
    Hotline,
    PublicService,
    SocialCareInstitution,
    Ngo,
}

impl OrganizationType {
    /// Only support centres, protection units and mobile units own cases.
    pub fn may_own_cases(self) -> bool {
        matches!(
            self,
            Self::SupportCentre | Self::ProtectionUnit | Self::MobileUnit
        )
    }
}

/// The sector of a public service (vocabulary: public-service sectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Health,
    Education,
    JusticeProsecutor,
    Court,
    Police,
    Gendarmerie,
    EntraideNationale,
    LocalAuthority,
    YouthSports,
    VocationalTraining,
    Other,
}

/// A new organization. `code` is a stable identifier chosen by people (`cape-rabat`), used in
/// every body that names an organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    #[validate(length(min = 2, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 2, max_length = 64, pattern = "^[A-Za-z0-9_-]+$")]
    pub code: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(nested)]
    pub labels: Option<Labels>,
    #[serde(rename = "type")]
    pub type_: OrganizationType,
    /// Required for a public service, absent for the others.
    pub sector: Option<Sector>,
    /// Territory codes the organization serves (at least one).
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub territories: Vec<String>,
}

/// Changes to an organization; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(nested)]
    pub labels: Option<Labels>,
    pub sector: Option<Sector>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub territories: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// An organization as Madar knows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrganizationResponse {
    pub code: String,
    pub name: String,
    pub labels: Option<Labels>,
    #[serde(rename = "type")]
    pub type_: OrganizationType,
    pub sector: Option<Sector>,
    pub territories: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
