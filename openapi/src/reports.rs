//! Reports of a child at risk, from every source: the 2511 hotline's system, a centre, a mobile
//! unit in the street, the police, a school...
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

pub mod screening;
pub use screening::*;

/// Where a report came from (vocabulary: report sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportSource {
    #[serde(rename = "hotline_2511")]
    Hotline2511,
    #[serde(rename = "online_2511")]
    Online2511,
    WalkIn,
    MobileUnit,
    Police,
    Gendarmerie,
    Prosecutor,
    School,
    HealthFacility,
    Ngo,
    SocialCareInstitution,
    Family,
    ChildSelf,
    Community,
    Other,
}

/// Who reported (vocabulary: reporter types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReporterType {
    ChildSelf,
    Parent,
    Relative,
    Neighbour,
    Professional,
    Anonymous,
    Other,
}

/// Where a report stands (vocabulary: report statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Waiting for screening.
    Received,
    UnderReview,
    CaseOpened,
    Closed,
}

/// Sex (vocabulary: sexes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

/// What the child is exposed to (vocabulary: concern types).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConcernType {
    PhysicalViolence,
    SexualViolence,
    PsychologicalViolence,
    WitnessOfViolence,
    OnlineRisks,
    HarmfulPractices,
    DegradingTreatment,
    EconomicExploitation,
    BeggingExploitation,
    SexualExploitation,
    Trafficking,
    Neglect,
    Abandonment,
    DeprivedOfFamily,
    StreetSituation,
    UnregisteredCivilStatus,
    OutOfSchool,
    Disability,
    Addiction,
    ConflictWithLaw,
    UnaccompaniedMigrant,
    FamilyInDifficulty,
    InInstitution,
}

/// The person who reported. Name and phone are sensitive: stored encrypted, shown only to
/// those who handle the report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Reporter {
    #[serde(rename = "type")]
    pub type_: ReporterType,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[validate(length(min = 3, max = 32), custom(function = "crate::validate::phone"))]
    #[schema(min_length = 3, max_length = 32, pattern = "^[+0-9 ()-]+$")]
    pub phone: Option<String>,
}

/// A child named in a report: at least one name, in Arabic or Latin script (422
/// `name_required` on `children[i]` otherwise).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReportedChild {
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
    pub sex: Sex,
    /// Not in the future, nor before 1990.
    pub date_of_birth: Option<NaiveDate>,
    /// When the date of birth is unknown; not after the current year (422 otherwise).
    #[validate(range(min = 1990, max = 2100))]
    #[schema(minimum = 1990, maximum = 2100)]
    pub estimated_birth_year: Option<i32>,
    /// The territory where the child is (the lowest level known): routes the report.
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: String,
    /// Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 500)]
    pub address_text: Option<String>,
    /// The child's situation, as concern codes (street situation, out of school...).
    #[serde(default)]
    #[validate(length(max = 23))]
    #[schema(max_items = 23)]
    pub situation: Vec<ConcernType>,
}

impl ReportedChild {
    /// Whether the child has at least one name. Checked by the server with the other rules
    /// that span fields, so that the error names `children[i]` (a struct-level `validator`
    /// rule would name `children[i].__all__`).
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

/// A new report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    pub source: ReportSource,
    /// When the report reached its source (the call, the visit); not in the future.
    pub received_at: DateTime<Utc>,
    /// The source's own reference, such as the hotline's call id.
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub external_ref: Option<String>,
    #[validate(nested)]
    pub reporter: Reporter,
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub children: Vec<ReportedChild>,
    #[validate(length(min = 1, max = 23))]
    #[schema(min_items = 1, max_items = 23)]
    pub concerns: Vec<ConcernType>,
    pub immediate_danger: bool,
    /// What happened, in the reporter's words. Sensitive: stored encrypted.
    #[validate(
        length(min = 1, max = 20000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 20000)]
    pub narrative: Option<String>,
}

/// A report, as those who handle it see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportResponse {
    pub id: Uuid,
    /// `RPT-<territory>-<year>-<sequence>`: the territory of the first child, the year the
    /// report was filed, a sequence without gaps per territory and year.
    pub reference: String,
    pub status: ReportStatus,
    pub source: ReportSource,
    pub received_at: DateTime<Utc>,
    pub external_ref: Option<String>,
    pub reporter: Reporter,
    pub children: Vec<ReportedChildResponse>,
    /// Without duplicates, in the vocabulary's order.
    pub concerns: Vec<ConcernType>,
    pub immediate_danger: bool,
    pub narrative: Option<String>,
    /// The organizations the report was routed to (codes); empty when it went to the national
    /// coordinators because no case-owning organization serves the children's territories.
    pub routed_to: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A reported child as those who handle the report see it: what the report said, and the child
/// record it was linked to at screening.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportedChildResponse {
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub sex: Sex,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_birth_year: Option<i32>,
    pub territory: String,
    pub address_text: Option<String>,
    pub situation: Vec<ConcernType>,
    /// The child record this child was linked to (or created as) at screening; absent before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_id: Option<Uuid>,
}

impl ReportedChildResponse {
    /// The reported child's data, linked to `child_id` if screened.
    pub fn of(child: ReportedChild, child_id: Option<Uuid>) -> ReportedChildResponse {
        ReportedChildResponse {
            given_name_ar: child.given_name_ar,
            family_name_ar: child.family_name_ar,
            given_name_latin: child.given_name_latin,
            family_name_latin: child.family_name_latin,
            sex: child.sex,
            date_of_birth: child.date_of_birth,
            estimated_birth_year: child.estimated_birth_year,
            territory: child.territory,
            address_text: child.address_text,
            situation: child.situation,
            child_id,
        }
    }
}

/// A report as its sender (the hotline, a partner) follows it: reference, status and dates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportStatusResponse {
    pub id: Uuid,
    pub reference: String,
    pub status: ReportStatus,
    pub received_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a caller sees of a report: everything, or only its status when it merely sent it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ReportView {
    Full(Box<ReportResponse>),
    Status(ReportStatusResponse),
}
