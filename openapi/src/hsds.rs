//! The service directory published as Open Referral HSDS 3.1 (`/api/v1/hsds`), with the Madar
//! profile: HSDS objects plus extension fields prefixed `x_` (HSDS schemas allow additional
//! properties): `x_name_ar` and `x_name_fr` (the Arabic and French names), `x_service_type` and
//! `x_domain` (vocabulary codes), `x_concerns`, `x_sexes`, `x_confidential`, `x_territory` and
//! `x_code`. Absent values are left out rather than sent as `null`, as HSDS types them as strings.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The Madar profile of HSDS.
pub const PROFILE_URL: &str = "https://madar.social.gov.ma/hsds/profile/madar-1.0";
/// The HSDS version published.
pub const VERSION: &str = "3.1";

/// What this HSDS API is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsInfo {
    pub version: String,
    pub profile: String,
    pub openapi_url: String,
}

/// A page in HSDS's own paging (`?page=&per_page=`, pages numbered from 1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsPage<T> {
    pub total_items: i64,
    pub total_pages: i64,
    pub page_number: i64,
    pub size: i64,
    pub first_page: bool,
    pub last_page: bool,
    pub empty: bool,
    pub contents: Vec<T>,
}

/// An HSDS organization.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsOrganization {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Madar profile: the organization's code.
    pub x_code: String,
    /// Madar profile: the organization's type (vocabulary).
    pub x_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_name_ar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_name_fr: Option<String>,
    /// In a single organization: its services (HSDS one-to-one fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub services: Option<Vec<HsdsService>>,
}

/// An HSDS service; the nested lists are present in a single service only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsService {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `active` or `inactive`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_age: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum_age: Option<i32>,
    pub last_modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_name_ar: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_name_fr: Option<String>,
    pub x_service_type: String,
    pub x_domain: String,
    pub x_concerns: Vec<String>,
    pub x_sexes: Vec<String>,
    /// A shelter: its locations are never published.
    pub x_confidential: bool,
    /// In a single service: its organization (without its services).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub organization: Option<Box<HsdsOrganization>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<HsdsLanguage>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_areas: Option<Vec<HsdsServiceArea>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacities: Option<Vec<HsdsCapacity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_at_locations: Option<Vec<HsdsServiceAtLocation>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsLanguage {
    pub id: String,
    pub service_id: String,
    pub code: String,
}

/// A territory served; `extent` is the Madar territory code (`extent_type` `madar_territory`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsServiceArea {
    pub id: String,
    pub service_id: String,
    pub name: String,
    pub extent: String,
    pub extent_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsUnit {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsCapacity {
    pub id: String,
    pub service_id: String,
    pub unit: HsdsUnit,
    pub available: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i32>,
    pub updated: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsServiceAtLocation {
    pub id: String,
    pub service_id: String,
    pub location_id: String,
    pub location: HsdsLocation,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsLocation {
    pub id: String,
    /// Always `physical`.
    pub location_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    pub addresses: Vec<HsdsAddress>,
    pub phones: Vec<HsdsPhone>,
    pub schedules: Vec<HsdsSchedule>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsAddress {
    pub id: String,
    pub location_id: String,
    pub address_1: String,
    pub city: String,
    /// The territory code of the place, or the service's first territory.
    pub state_province: String,
    /// Empty: Madar does not record postal codes.
    pub postal_code: String,
    pub country: String,
    pub address_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsPhone {
    pub id: String,
    pub location_id: String,
    pub number: String,
}

/// Opening hours as the provider writes them, in `description`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HsdsSchedule {
    pub id: String,
    pub location_id: String,
    pub description: String,
}
