//! Consents: a child's, or a parent's or relative's, agreement that named groups of the child's
//! data may be shared with named recipients for a purpose, until withdrawn or expired. Referrals
//! check them before sharing anything.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

/// Who gave a consent, in relation to the child: the reporter types of the vocabulary that can
/// consent for a child (`child_self`, `parent`, `relative`, `other`). A legal guardian who is
/// not a parent or relative is `other` (the vocabulary has no `guardian` code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentRelationship {
    ChildSelf,
    Parent,
    Relative,
    Other,
}

/// A named group of a child's data that a consent lets a recipient see:
/// - `identity`: names, aliases, sex, birth, nationality, civil status;
/// - `contact`: where the child lives and the contacts of the family and guardians;
/// - `health`: health, disability and care needs;
/// - `narrative`: the reports' accounts and the workers' notes;
/// - `situation`: the concerns, the family's situation, street situation, institution;
/// - `education`: schooling and training.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FieldGroup {
    Identity,
    Contact,
    Health,
    Narrative,
    Situation,
    Education,
}

/// Where a consent stands at the server's present time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    Active,
    Withdrawn,
    Expired,
}

/// Recipients: 1 to 20, each a code (an organization's code, or an organization type of the
/// vocabulary: `ngo`, `public_service`...), at most 64 characters.
fn valid_recipients(values: &[String]) -> Result<(), ValidationError> {
    for value in values {
        if value.len() > 64 {
            return Err(ValidationError::new("length"));
        }
        crate::validate::code(value)?;
    }
    Ok(())
}

/// A consent to record. `given_at` may not lie in the future; `expires_at`, when given, comes
/// after `given_at` (422 on the field otherwise). A recipient that is an organization type
/// names every organization of that type; any other recipient must be an existing
/// organization's code (422 `unknown_organization` on `recipients`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateConsent {
    /// Who gave it (a name, or a description such as "the mother").
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub given_by: String,
    pub relationship: ConsentRelationship,
    pub given_at: DateTime<Utc>,
    /// Organization codes and organization types; duplicates are dropped.
    #[validate(length(min = 1, max = 20), custom(function = "valid_recipients"))]
    #[schema(min_items = 1, max_items = 20)]
    pub recipients: Vec<String>,
    /// The groups of data the recipients may see; duplicates are dropped.
    #[validate(length(min = 1, max = 6))]
    #[schema(min_items = 1, max_items = 6)]
    pub field_groups: Vec<FieldGroup>,
    /// What the data may be used for. Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub purpose: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Withdraws a consent, optionally with a reason (sensitive: stored encrypted).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WithdrawConsent {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// A consent as those who see the child see it; `status` is computed at the server's time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentResponse {
    pub id: Uuid,
    pub child_id: Uuid,
    pub given_by: String,
    pub relationship: ConsentRelationship,
    pub given_at: DateTime<Utc>,
    pub recipients: Vec<String>,
    /// In the order of the groups' list, without duplicates.
    pub field_groups: Vec<FieldGroup>,
    pub purpose: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub status: ConsentStatus,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// The id of the user (or API client) who withdrew it.
    pub withdrawn_by: Option<String>,
    pub withdrawal_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
