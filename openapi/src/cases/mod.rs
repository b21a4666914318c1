//! Cases: a child's protection case, followed by a centre through the stages of the pathway
//! (vocabulary: case stages, risk levels, closure reasons). Each part of a case has a module of
//! its own here.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::reports::{ConcernType, Sex};

pub mod transitions;
pub use transitions::*;
pub mod assessments;
pub use assessments::*;
pub mod plan;
pub use plan::*;
pub mod services;
pub use services::*;
pub mod placements;
pub use placements::*;
pub mod judicial;
pub use judicial::*;
pub mod notes;
pub use notes::*;
pub mod attachments;
pub use attachments::*;
pub mod transfers;
pub use transfers::*;
pub mod legal_hold;
pub use legal_hold::*;

/// Where a case stands on the pathway (vocabulary: case stages).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CaseStage {
    Identification,
    Assessment,
    Planning,
    Implementation,
    FollowUp,
    Closed,
}

/// How much a child is at risk (vocabulary: risk levels); also the scale of a case's urgency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    ImmediateDanger,
}

/// Why a case closed (vocabulary: closure reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    ReintegratedFamily,
    ReintegratedSchool,
    VocationalTraining,
    Apprenticeship,
    /// Kafala, foster family, placement.
    AlternativeCare,
    #[serde(rename = "autonomy_after_18")]
    AutonomyAfter18,
    Transferred,
    NoLongerAtRisk,
    Unreachable,
    Deceased,
    Other,
}

/// The child a case is about, as the case shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseChild {
    pub id: Uuid,
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub sex: Sex,
    /// The date of birth; when only an estimated year is known, 1 January of that year with
    /// `birth_date_estimated`.
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    /// Age in whole years today (from `birth_date`).
    pub age: Option<i32>,
    /// The day the child turns 18 (care leavers are followed past it).
    pub adult_on: Option<NaiveDate>,
}

/// A protection case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseResponse {
    pub id: Uuid,
    /// `CASE-<territory>-<year>-<sequence>`: the child's territory when the case opened, the
    /// year it opened, a sequence without gaps per territory and year.
    pub reference: String,
    pub child: CaseChild,
    /// The territory the case belongs to (its coordinators' scope).
    pub territory: String,
    /// The organization that owns the case (code).
    pub organization: String,
    pub stage: CaseStage,
    /// How fast the team must act: the first key of every work list.
    pub urgency: RiskLevel,
    /// The level of the latest completed risk assessment.
    pub risk_level: Option<RiskLevel>,
    /// Without duplicates, in the vocabulary's order.
    pub concerns: Vec<ConcernType>,
    /// The case workers assigned to the case.
    pub assigned_to: Vec<Uuid>,
    /// The reports the case was opened from or attached to.
    pub reports: Vec<Uuid>,
    pub closure_reason: Option<ClosureReason>,
    /// Sensitive: shown to the assigned workers and the coordinators only.
    pub outcome_note: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// Changes to a case (`PATCH`, with `If-Match`): only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateCase {
    /// The case workers assigned (users of the owning organization; replaces the list).
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub assigned_to: Option<Vec<Uuid>>,
    /// The concerns (replaces the list; at least one).
    #[validate(length(min = 1, max = 23))]
    #[schema(min_items = 1, max_items = 23)]
    pub concerns: Option<Vec<ConcernType>>,
    pub urgency: Option<RiskLevel>,
}

/// What happened on a case (the timeline's event kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseEventKind {
    /// The case was opened from a report at screening (`subject_id`: the report).
    CaseOpened,
    /// A report was attached to the open case at screening (`subject_id`: the report).
    ReportAttached,
    /// Assigned workers, concerns or urgency changed.
    CaseUpdated,
    /// The stage changed (`detail.from`, `detail.to`; `note`: the reason).
    StageChanged,
    AssessmentRecorded,
    PlanUpdated,
    ServiceRecorded,
    PlacementRecorded,
    PlacementUpdated,
    JudicialMeasureRecorded,
    JudicialMeasureUpdated,
    NoteAdded,
    AttachmentAdded,
    ApprovalRequested,
    ApprovalDecided,
    TransferRequested,
    TransferDecided,
    /// A referral was sent (`subject_id`: the referral; `detail.to`, `detail.service_type`,
    /// `detail.consent_overridden`); the next six follow its status changes.
    ReferralSent,
    ReferralAccepted,
    ReferralDeclined,
    ReferralStarted,
    /// (`detail.outcome`; `detail.plan_action_done` when it carried out a plan action).
    ReferralCompleted,
    ReferralCancelled,
    /// Unanswered by its deadline (the actor is the nil UUID: the system).
    ReferralExpired,
}

/// One event of a case's timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaseEvent {
    pub id: Uuid,
    pub kind: CaseEventKind,
    pub at: DateTime<Utc>,
    /// The user or API client who acted.
    pub actor_id: Uuid,
    /// The record the event is about (a report, an assessment, a note...).
    pub subject_id: Option<Uuid>,
    /// Codes only (stages, levels, types): never free text.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// The event's free text (a transition's reason); sensitive: shown to the assigned workers
    /// and the coordinators only.
    pub note: Option<String>,
}
