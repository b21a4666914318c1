//! The service directory (دليل الخدمات): what each organization provides, where and for whom
//! (`/api/v1/services`).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::pathway::{PathwayDomain, ServiceType};
use crate::reports::{ConcernType, Sex};

/// ISO 639 language codes: two or three lowercase ASCII letters (`ar`, `fr`, `zgh`).
pub fn language_codes(value: &[String]) -> Result<(), ValidationError> {
    let ok = |c: &String| (2..=3).contains(&c.len()) && c.chars().all(|c| c.is_ascii_lowercase());
    if value.iter().all(ok) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_language"))
    }
}

/// Where a service is given. A confidential service's locations (shelters) are shown to case
/// workers and coordinators only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServiceLocationInput {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub city: Option<String>,
    /// The territory code of the place (422 `unknown_territory` otherwise).
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: Option<String>,
    #[validate(length(min = 3, max = 32), custom(function = "crate::validate::phone"))]
    #[schema(min_length = 3, max_length = 32, pattern = "^[+0-9 ()-]+$")]
    pub phone: Option<String>,
    /// As the provider writes them: `Lun–Ven 8h30–16h30`.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub opening_hours: Option<String>,
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: Option<f64>,
}

/// A new service of the directory. Its pathway domain follows from its type.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    #[serde(rename = "type")]
    pub type_: ServiceType,
    /// The providing organization's code (422 `unknown_organization` otherwise).
    #[validate(length(min = 2, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 2, max_length = 64)]
    pub provider: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name_ar: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name_fr: Option<String>,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: Option<String>,
    /// Youngest age served, in whole years (inclusive).
    #[validate(range(min = 0, max = 25))]
    #[schema(minimum = 0, maximum = 25)]
    pub min_age: Option<i32>,
    /// Oldest age served, in whole years (inclusive); not below `min_age` (422 `age_range`).
    #[validate(range(min = 0, max = 25))]
    #[schema(minimum = 0, maximum = 25)]
    pub max_age: Option<i32>,
    /// The sexes served; empty: any.
    #[serde(default)]
    #[validate(length(max = 3))]
    #[schema(max_items = 3)]
    pub sexes: Vec<Sex>,
    /// The concerns the service answers; empty: any.
    #[serde(default)]
    #[validate(length(max = 40))]
    #[schema(max_items = 40)]
    pub concerns: Vec<ConcernType>,
    /// ISO 639 codes of the languages spoken (`ar`, `zgh`, `fr`...).
    #[serde(default)]
    #[validate(length(max = 10), custom(function = "language_codes"))]
    #[schema(max_items = 10)]
    pub languages: Vec<String>,
    /// Places in all.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub capacity: Option<i32>,
    /// Places free now (the provider keeps it current).
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub places_available: Option<i32>,
    /// Territory codes served (at least one); a service serving a region serves its provinces.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub territories: Vec<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub locations: Vec<ServiceLocationInput>,
    /// A shelter: its locations are shown to case workers and coordinators only.
    #[serde(default)]
    pub confidential: bool,
    /// Default true.
    pub active: Option<bool>,
}

/// Changes to a service; absent fields stay as they are, lists given replace the old ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    #[serde(rename = "type")]
    pub type_: Option<ServiceType>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name_ar: Option<String>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name_fr: Option<String>,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: Option<String>,
    #[validate(range(min = 0, max = 25))]
    #[schema(minimum = 0, maximum = 25)]
    pub min_age: Option<i32>,
    #[validate(range(min = 0, max = 25))]
    #[schema(minimum = 0, maximum = 25)]
    pub max_age: Option<i32>,
    #[validate(length(max = 3))]
    #[schema(max_items = 3)]
    pub sexes: Option<Vec<Sex>>,
    #[validate(length(max = 40))]
    #[schema(max_items = 40)]
    pub concerns: Option<Vec<ConcernType>>,
    #[validate(length(max = 10), custom(function = "language_codes"))]
    #[schema(max_items = 10)]
    pub languages: Option<Vec<String>>,
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub capacity: Option<i32>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub territories: Option<Vec<String>>,
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub locations: Option<Vec<ServiceLocationInput>>,
    pub confidential: Option<bool>,
    pub active: Option<bool>,
}

/// The places a provider has free now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ServiceCapacity {
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub places_available: i32,
}

/// A place where a service is given.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceLocation {
    pub id: Uuid,
    pub name: Option<String>,
    pub address: String,
    pub city: Option<String>,
    pub territory: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A service of the directory. For a `confidential` service, `locations` is empty unless the
/// reader is a case worker or a coordinator.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceResponse {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub type_: ServiceType,
    pub domain: PathwayDomain,
    /// The providing organization's code.
    pub provider: String,
    pub provider_name: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub name_fr: Option<String>,
    pub description: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub sexes: Vec<Sex>,
    pub concerns: Vec<ConcernType>,
    pub languages: Vec<String>,
    pub capacity: Option<i32>,
    pub places_available: Option<i32>,
    pub capacity_updated_at: Option<DateTime<Utc>>,
    pub territories: Vec<String>,
    pub locations: Vec<ServiceLocation>,
    pub confidential: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
