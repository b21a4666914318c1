//! Children: the one record of each child Madar follows, and the matches that keep it one
//! record across reports, scripts and spellings.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::reports::{ConcernType, Sex};

/// Whether the child is registered in the civil-status register (vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CivilStatus {
    Registered,
    Unregistered,
    Unknown,
}

/// Other names the child goes by: at most 10, each 1 to 100 characters on one line.
fn valid_aliases(values: &[String]) -> Result<(), ValidationError> {
    for alias in values {
        if alias.chars().count() > 100 {
            return Err(ValidationError::new("length"));
        }
        crate::validate::safe_line(alias)?;
    }
    Ok(())
}

/// A nationality as an ISO 3166-1 alpha-2 code (`MA`, `SN`); stored upper-case.
fn country_code(value: &str) -> Result<(), ValidationError> {
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(ValidationError::new("invalid_country_code"))
    }
}

/// A new child record. At least one name, in Arabic or Latin script (422 `name_required` on
/// `names` otherwise); a date of birth or, when unknown, an estimated year (not in the future,
/// not before 1990, and agreeing when both are given).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "given_name_ar": "أمينة", "family_name_ar": "العلوي",
    "given_name_latin": "Amina", "family_name_latin": "Alaoui",
    "sex": "female", "estimated_birth_year": 2014, "civil_status": "registered",
    "territory": "421", "situation": ["out_of_school"]
}))]
pub struct CreateChild {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name_ar: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name_ar: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub given_name_latin: Option<String>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub family_name_latin: Option<String>,
    /// Other names the child goes by, in either script (each 1 to 100 characters).
    #[serde(default)]
    #[validate(length(max = 10), custom(function = "valid_aliases"))]
    #[schema(max_items = 10)]
    pub aliases: Vec<String>,
    pub sex: Sex,
    pub date_of_birth: Option<NaiveDate>,
    #[validate(range(min = 1990, max = 2100))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub estimated_birth_year: Option<i32>,
    /// ISO 3166-1 alpha-2 (`MA`); any case, stored upper-case.
    #[validate(length(max = 2), custom(function = "country_code"))]
    #[schema(max_length = 2, pattern = "^[A-Za-z]{2}$")]
    pub nationality: Option<String>,
    pub civil_status: CivilStatus,
    /// Where the child lives (the lowest territory level known).
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: String,
    /// The child's situation as concern codes (street situation, out of school, disability,
    /// in institution, unaccompanied migrant, working...); duplicates are dropped.
    #[serde(default)]
    pub situation: Vec<ConcernType>,
    /// The family's situation, in the worker's words. Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub family_situation: Option<String>,
    /// Schooling, in the worker's words. Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    pub schooling: Option<String>,
}

impl CreateChild {
    /// Whether at least one name is given (checked by the server with the rules that span
    /// fields).
    pub fn has_a_name(&self) -> bool {
        [
            &self.given_name_ar,
            &self.family_name_ar,
            &self.given_name_latin,
            &self.family_name_latin,
        ]
        .iter()
        .any(|n| n.is_some())
    }
}

/// Changes to a child record: the fields sent replace the stored ones; the others stay. An
/// optional text field sent as `null` is cleared (a child keeps at least one name: 422
/// `name_required` on `names` otherwise).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateChild {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub given_name_ar: Option<Option<String>>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub family_name_ar: Option<Option<String>>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub given_name_latin: Option<Option<String>>,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub family_name_latin: Option<Option<String>>,
    #[validate(length(max = 10), custom(function = "valid_aliases"))]
    #[schema(max_items = 10)]
    pub aliases: Option<Vec<String>>,
    pub sex: Option<Sex>,
    pub date_of_birth: Option<NaiveDate>,
    #[validate(range(min = 1990, max = 2100))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub estimated_birth_year: Option<i32>,
    #[validate(length(max = 2), custom(function = "country_code"))]
    #[schema(max_length = 2, pattern = "^[A-Za-z]{2}$")]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub nationality: Option<Option<String>>,
    pub civil_status: Option<CivilStatus>,
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: Option<String>,
    pub situation: Option<Vec<ConcernType>>,
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub family_situation: Option<Option<String>>,
    #[validate(
        length(min = 1, max = 5000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 5000)]
    #[serde(
        default,
        deserialize_with = "crate::validate::nullable",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(nullable)]
    pub schooling: Option<Option<String>>,
}

/// A child record as those in whose scope it lies see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildResponse {
    pub id: Uuid,
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub aliases: Vec<String>,
    pub sex: Sex,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_birth_year: Option<i32>,
    pub nationality: Option<String>,
    pub civil_status: CivilStatus,
    pub territory: String,
    /// Without duplicates, in the vocabulary's order.
    pub situation: Vec<ConcernType>,
    pub family_situation: Option<String>,
    pub schooling: Option<String>,
    /// The organization that owns the record (code).
    pub organization: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchDecision {
    /// Probably the same child: link to it (or coordinate with its owner) rather than create.
    Likely,
    /// Worth a look.
    Possible,
}

/// Why a candidate scored as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchReason {
    GivenNameExact,
    GivenNamePhonetic,
    GivenNamePartial,
    FamilyNameExact,
    FamilyNamePhonetic,
    FamilyNamePartial,
    FamilyNameMissing,
    CrossScript,
    Typo,
    BirthDateExact,
    BirthYearClose,
    BirthYearFar,
    SexMismatch,
    SameTerritory,
    NearbyTerritory,
}

/// Who holds a likely match outside the caller's scope, so that workers coordinate instead of
/// creating a duplicate. Nothing about the child itself.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildOwner {
    /// The owning organization's code.
    pub organization: String,
    /// The child's territory code.
    pub territory: String,
}

/// One candidate: the child when in the caller's scope, else (likely matches only) its owner.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildMatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildResponse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<ChildOwner>,
    /// Similarity in 0..=1.
    pub score: f64,
    pub decision: MatchDecision,
    pub reasons: Vec<MatchReason>,
}

/// The candidates for an identity, best first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildMatches {
    pub items: Vec<ChildMatch>,
}

/// Folds a duplicate child record into the one in the path.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MergeChild {
    /// The duplicate record: hidden once merged, what pointed at it then points at the survivor.
    pub duplicate_id: Uuid,
}

/// A record that followed the duplicate to the survivor in a merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MovedRecord {
    /// `report_link` (a report's child: `{report_id}:{position}`) or `consent` (its id).
    pub kind: String,
    pub id: String,
}

/// A merge of a duplicate child record into a surviving one, and its undoing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildMergeResponse {
    pub id: Uuid,
    pub survivor_id: Uuid,
    pub duplicate_id: Uuid,
    /// What moved from the duplicate to the survivor (and moves back on undo).
    pub moved: Vec<MovedRecord>,
    /// The coordinator's user id.
    pub merged_by: String,
    pub merged_at: DateTime<Utc>,
    pub undone_by: Option<String>,
    pub undone_at: Option<DateTime<Utc>>,
}

/// One event of a child's access log: ids and action codes only.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildAccessEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: crate::audit::ActorKind,
    pub actor_id: Option<String>,
    /// The action code (`child.read`, `child.update`, `child.merge`...).
    pub action: String,
}
