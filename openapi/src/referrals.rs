//! Referrals: a case's centre sends a child to the organization that provides a service the
//! child needs (addressed to an organization, never a person), with a consent that names that
//! organization and the groups of the child's data sent, and follows the answer. The receiver
//! sees the referral and a snapshot of the named field groups taken when it was sent, never
//! the case. Lifecycle (vocabulary: referral statuses): `sent → accepted | declined`,
//! `accepted → in_progress → completed`, `sent | accepted | in_progress → cancelled` (by the
//! sender), `sent → expired` once its answer deadline (`respond_by`) passed unanswered.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::cases::RiskLevel;
use crate::consents::FieldGroup;
use crate::family::GuardianRelationship;
use crate::pathway::{PathwayDomain, ServiceType};
use crate::reports::{ConcernType, Sex};

/// Where a referral stands (vocabulary: referral statuses).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Sent,
    Accepted,
    Declined,
    InProgress,
    Completed,
    Cancelled,
    Expired,
}

/// How a completed referral ended for the child, as the receiver reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralOutcome {
    /// The service was delivered as asked.
    Achieved,
    PartiallyAchieved,
    NotAchieved,
}

/// Which side of a referral to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralDirection {
    /// Addressed to the caller's organization (its inbox).
    Incoming,
    /// Sent from the caller's cases.
    Outgoing,
}

/// A referral to send, addressed by a service of the directory (`service_id`) or by an
/// organization's code and a service type — one or the other (422 `target_required`). The
/// organization must be active and not the case's own (422 `unknown_organization`,
/// `same_organization` on `organization`). Without an active consent of the child that names
/// the organization (or its type) and covers every field group (422 `consent_required` on
/// `consent_id`), only a coordinator may send it, with a written `override_reason` (sealed,
/// audited). `consent_id`, when given, must be a consent of the case's child (422
/// `unknown_consent`); when absent, any of the child's consents may cover. `due_by` lies in
/// the future (422 `in_past`); the answer deadline `respond_by` follows from the urgency.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateReferral {
    pub service_id: Option<Uuid>,
    /// The receiving organization's code.
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub organization: Option<String>,
    pub service_type: Option<ServiceType>,
    /// Why the child is referred; sensitive: stored encrypted, shown to both sides.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    pub urgency: RiskLevel,
    /// When the service is needed by.
    pub due_by: DateTime<Utc>,
    pub consent_id: Option<Uuid>,
    /// The groups of the child's data the receiver gets in the snapshot.
    #[validate(length(min = 1, max = 6))]
    #[schema(min_items = 1, max_items = 6)]
    pub field_groups: Vec<FieldGroup>,
    /// The plan action this referral carries out: completing the referral marks it done.
    pub plan_action_id: Option<Uuid>,
    /// The protocol action this referral carries out: an open `service_referral` action of
    /// the case, of the referral's service type (422 `unknown_protocol_action` otherwise). It
    /// is marked done with the sending, in one transaction (409 `protocol_action_closed` if it
    /// was done or waived meanwhile); one call turns the action into a referral.
    #[serde(default)]
    pub protocol_action_id: Option<Uuid>,
    /// A coordinator's written reason to send without a covering consent; sensitive.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub override_reason: Option<String>,
}

/// A receiver's refusal, with its reason (sensitive: stored encrypted).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct DeclineReferral {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The end of a referral in progress: its outcome and the receiver's feedback (sensitive).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CompleteReferral {
    pub outcome: ReferralOutcome,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub feedback: Option<String>,
}

/// The sender's withdrawal of a referral not yet ended, with an optional reason (sensitive).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CancelReferral {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: Option<String>,
}

/// `identity`: the child's names, sex and birth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotIdentity {
    pub given_name_ar: Option<String>,
    pub family_name_ar: Option<String>,
    pub given_name_latin: Option<String>,
    pub family_name_latin: Option<String>,
    pub sex: Sex,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
}

/// One guardian's contact, from the child's guardians.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotGuardian {
    pub relationship: GuardianRelationship,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub lives_with_child: bool,
    pub primary: bool,
}

/// `contact`: the child's territory and its guardians' contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotContact {
    pub territory: String,
    pub guardians: Vec<SnapshotGuardian>,
}

/// A plan objective of the case, by domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotObjective {
    pub domain: PathwayDomain,
    pub description: String,
}

/// A service delivered on the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotService {
    pub service_type: String,
    pub delivered_at: DateTime<Utc>,
}

/// `health`: the case's plan objectives and services delivered in the health and
/// psychological care domains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotHealth {
    pub objectives: Vec<SnapshotObjective>,
    pub services: Vec<SnapshotService>,
}

/// `situation`: the child's situation codes and family situation, the case's concerns and
/// risk level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotSituation {
    pub situation: Vec<ConcernType>,
    pub family_situation: Option<String>,
    pub concerns: Vec<ConcernType>,
    pub risk_level: Option<RiskLevel>,
}

/// `education`: the child's schooling and the plan objectives in education and training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotEducation {
    pub schooling: Option<String>,
    pub objectives: Vec<SnapshotObjective>,
}

/// The child's data as sent: only the field groups the referral names (the others `null`),
/// taken when it was sent and never updated. `narrative`: the accounts of the case's reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferralSnapshot {
    pub taken_at: DateTime<Utc>,
    pub identity: Option<SnapshotIdentity>,
    pub contact: Option<SnapshotContact>,
    pub health: Option<SnapshotHealth>,
    pub narrative: Option<Vec<String>>,
    pub situation: Option<SnapshotSituation>,
    pub education: Option<SnapshotEducation>,
}

/// A referral. The sending side (the case's coordinators and the sending organization's
/// workers) also sees `case_id`, `case_reference`, `consent_id`, `plan_action_id` and
/// `override_reason`; for the receiver they are `null`. `snapshot` is given by
/// `GET /referrals/{id}` only (`null` in lists).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReferralResponse {
    pub id: Uuid,
    pub case_id: Option<Uuid>,
    pub case_reference: Option<String>,
    /// Organization codes.
    pub from_organization: String,
    pub to_organization: String,
    pub service_id: Option<Uuid>,
    pub service_type: ServiceType,
    pub domain: PathwayDomain,
    pub status: ReferralStatus,
    pub urgency: RiskLevel,
    pub reason: String,
    pub due_by: DateTime<Utc>,
    /// The answer deadline: a referral still `sent` then expires.
    pub respond_by: DateTime<Utc>,
    pub field_groups: Vec<FieldGroup>,
    pub consent_id: Option<Uuid>,
    pub plan_action_id: Option<Uuid>,
    /// Whether a coordinator sent it without a covering consent.
    pub consent_overridden: bool,
    pub override_reason: Option<String>,
    pub decline_reason: Option<String>,
    pub outcome: Option<ReferralOutcome>,
    pub feedback: Option<String>,
    pub cancel_reason: Option<String>,
    pub sent_by: Uuid,
    pub sent_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub snapshot: Option<ReferralSnapshot>,
}
