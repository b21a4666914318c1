//! Reference data: territories and the shared code lists of the vocabulary.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::common::{Labels, PartialLabels};

/// The level of a territory in Morocco's administrative division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryLevel {
    Nation,
    Region,
    Prefecture,
    Province,
    PrefectureOfArrondissements,
}

/// A territory with its sub-territories: the nation, its 12 regions, their 75 prefectures and
/// provinces, and Casablanca's 8 prefectures of arrondissements.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(no_recursion)]
pub struct TerritoryNode {
    pub code: String,
    pub level: TerritoryLevel,
    pub labels: Labels,
    pub iso_code: Option<String>,
    pub children: Vec<TerritoryNode>,
}

/// One territory, without its children.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TerritoryResponse {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: TerritoryLevel,
    pub labels: Labels,
    pub iso_code: Option<String>,
}

/// A correction of a territory's names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateTerritory {
    #[validate(nested)]
    pub labels: PartialLabels,
}

/// One item of a reference list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferenceItem {
    pub code: String,
    pub labels: Labels,
    /// The item's parent in another list: a concern type's family (`concern_families`), a
    /// service type's pathway domain (`pathway_domains`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ReferenceParent>,
}

/// Where a reference item belongs in another list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferenceParent {
    pub list: String,
    pub code: String,
}

/// A whole reference list, in its vocabulary order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferenceList {
    pub list: String,
    pub items: Vec<ReferenceItem>,
}

/// The names of the reference lists.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferenceLists {
    pub lists: Vec<String>,
}
