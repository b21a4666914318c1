//! A child's family: guardians and the people to contact (sensitive contact data, stored
//! encrypted), and sibling links between child records.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::children::ChildOwner;

/// How a guardian or contact is related to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GuardianRelationship {
    Mother,
    Father,
    Grandparent,
    Sibling,
    OtherRelative,
    LegalGuardian,
    /// The kafil of a child under kafala.
    Kafil,
    FosterParent,
    Other,
}

/// A guardian or contact to record. Name, phone and address are contact data: stored
/// encrypted, shown to those who see the child.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateGuardian {
    pub relationship: GuardianRelationship,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(length(min = 3, max = 32), custom(function = "crate::validate::phone"))]
    #[schema(min_length = 3, max_length = 32, pattern = "^[+0-9 ()-]+$")]
    pub phone: Option<String>,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub address: Option<String>,
    #[serde(default)]
    pub lives_with_child: bool,
    /// The first person to contact (at most one per child: setting it moves the flag).
    #[serde(default)]
    pub primary: bool,
}

/// Changes to a guardian (`PATCH`, with `If-Match`): only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateGuardian {
    pub relationship: Option<GuardianRelationship>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(length(min = 3, max = 32), custom(function = "crate::validate::phone"))]
    #[schema(min_length = 3, max_length = 32, pattern = "^[+0-9 ()-]+$")]
    pub phone: Option<String>,
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 1000)]
    pub address: Option<String>,
    pub lives_with_child: Option<bool>,
    pub primary: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GuardianResponse {
    pub id: Uuid,
    pub child_id: Uuid,
    pub relationship: GuardianRelationship,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub lives_with_child: bool,
    pub primary: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How two children are siblings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiblingRelation {
    FullSibling,
    HalfSibling,
}

/// Links the child to another child record as siblings (both children must be ones you see).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LinkSibling {
    pub child_id: Uuid,
    pub relation: SiblingRelation,
}

/// A sibling of the child: the sibling's names when you see that child, else only the
/// organization that owns its record (to coordinate with).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SiblingResponse {
    /// The link's id (to remove it).
    pub id: Uuid,
    pub relation: SiblingRelation,
    pub child_id: Uuid,
    pub visible: bool,
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    /// When the sibling's record lies outside your scope.
    pub owner: Option<ChildOwner>,
    pub created_at: DateTime<Utc>,
}
