//! Protocols: the framework protocol (البروتوكول الإطار) as versioned data. A protocol belongs
//! to a territory: `MA` holds the national protocol, any other territory a variant that
//! overrides the national rules for its subtree, rule by rule (by `key`): a variant's rule
//! replaces the national rule of the same key, disables it (`disabled: true`), or adds a rule
//! of its own. Lifecycle: `draft → published → retired`; publishing validates every rule (422
//! listing every problem, each on `rules[<key>]...`) and retires the version in force for the
//! same territory. Codes in rules are plain strings, checked at publication, so that a draft
//! may hold work in progress.
//!
//! Protocol actions are what the rules in force ask when a trigger fires (a report received, a
//! case opened...): an action code, who answers for it, and a due time. Their status is
//! `pending`, `done`, `overdue` (its due time passed) or `waived` (by a coordinator, with a
//! reason).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The territory whose protocol is the national one.
pub const NATIONAL: &str = "MA";

/// What fires a rule (the codes a rule's `trigger.event` may hold; checked at publication).
pub const EVENTS: [&str; 7] = [
    "report_received",
    "case_opened",
    "risk_level_reached",
    "concern_present",
    "stage_reached",
    "turning_18_in_institution",
    "referral_unanswered",
];

/// What a rule may ask for (the codes of `actions[].action`).
pub const ACTIONS: [&str; 12] = [
    "screen_report",
    "contact_child",
    "assessment",
    "notify_prosecutor",
    "medical_exam",
    "forensic_exam",
    "psychological_support",
    "service_referral",
    "home_visit",
    "transition_plan",
    "mobile_unit_contact",
    "follow_up_visit",
];

/// Who answers for an action when it is not an organization type of the territory.
pub const OWNING_ORGANIZATION: &str = "owning_organization";

/// Where a protocol version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolStatus {
    Draft,
    Published,
    Retired,
}

/// What fires a rule, and the conditions it must meet. Codes: `event` one of
/// `report_received`, `case_opened`, `risk_level_reached`, `concern_present`, `stage_reached`,
/// `turning_18_in_institution`, `referral_unanswered`; `concerns` concern types (any of them);
/// `risk_level` a risk level (reached or exceeded); `stage` a case stage; ages in years.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RuleTrigger {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub event: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 30))]
    #[schema(max_items = 30)]
    pub concerns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub risk_level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub stage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 0, max = 30))]
    #[schema(minimum = 0, maximum = 30)]
    pub min_age: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 0, max = 30))]
    #[schema(minimum = 0, maximum = 30)]
    pub max_age: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immediate_danger: Option<bool>,
}

/// One thing a rule asks for. `action`: `screen_report`, `contact_child`, `assessment`,
/// `notify_prosecutor`, `medical_exam`, `forensic_exam`, `psychological_support`,
/// `service_referral` (with `service_type`), `home_visit`, `transition_plan`,
/// `mobile_unit_contact`, `follow_up_visit`. `responsible`: `owning_organization` or an
/// organization type of the territory (`mobile_unit`, `public_service`...). `deadline_hours`:
/// from the trigger, 1 to 8760 (a year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RuleAction {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 64))]
    #[schema(max_length = 64)]
    pub service_type: Option<String>,
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub responsible: String,
    pub deadline_hours: i64,
}

/// A rule: a stable `key` (what variants override by), a trigger and its actions. In a
/// variant, `disabled: true` turns off the national rule of that key (trigger and actions
/// are then not needed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProtocolRule {
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub key: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 500), custom(function = "crate::validate::free_text"))]
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub trigger: Option<RuleTrigger>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub actions: Vec<RuleAction>,
}

/// A new draft: the national protocol (`territory: "MA"`, admins) or a territory's variant
/// (coordinators whose subtree holds the territory).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateProtocol {
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub rules: Vec<ProtocolRule>,
}

/// Changes to a draft (absent fields unchanged); a published or retired version is frozen
/// (409 `protocol_not_draft`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateProtocol {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[validate(length(max = 200), nested)]
    #[schema(max_items = 200)]
    pub rules: Option<Vec<ProtocolRule>>,
}

/// One protocol version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProtocolResponse {
    pub id: Uuid,
    /// `MA` for the national protocol, else the territory of the variant.
    pub territory: String,
    pub national: bool,
    pub title: String,
    pub status: ProtocolStatus,
    pub rules: Vec<ProtocolRule>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// Where a protocol action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolActionStatus {
    Pending,
    Done,
    Overdue,
    Waived,
}

/// One action a protocol rule asked for, on a report or a case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProtocolActionResponse {
    pub id: Uuid,
    pub protocol_id: Uuid,
    pub rule_key: String,
    /// The trigger event that created it.
    pub trigger: String,
    pub action: String,
    pub service_type: Option<String>,
    pub responsible: String,
    pub report_id: Option<Uuid>,
    pub case_id: Option<Uuid>,
    pub status: ProtocolActionStatus,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Why it was waived (coordinators' text; sensitive, stored encrypted).
    pub waiver_reason: Option<String>,
    /// For an open `service_referral` on a case: the ids of the active services of its
    /// `service_type` that serve the child's territory and admit the child (the directory's
    /// eligibility search), at most 20; empty otherwise.
    #[serde(default)]
    pub proposed_services: Vec<Uuid>,
    pub version: i32,
}

/// Waives an action (coordinators), with the reason.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct WaiveProtocolAction {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A report of a child in immediate danger not screened by its deadline.
    ImmediateDangerUnscreened,
    /// A protocol action past its due time.
    OverdueAction,
    /// An outgoing referral not answered by its `respond_by` (still sent, or expired).
    ReferralUnanswered,
    /// A child placed in a social-care institution whose 18th birthday is within six months.
    #[serde(rename = "turning_18_in_institution")]
    Turning18InInstitution,
    /// An open case with no timeline event for `MADAR_ALERT_NO_FOLLOW_UP_DAYS` days.
    NoFollowUp,
}

/// One alert for the caller.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AlertResponse {
    pub kind: AlertKind,
    /// The protocol action (`overdue_action`, `immediate_danger_unscreened`).
    pub action_id: Option<Uuid>,
    pub action: Option<String>,
    pub report_id: Option<Uuid>,
    pub case_id: Option<Uuid>,
    /// The referral (`referral_unanswered`).
    pub referral_id: Option<Uuid>,
    /// The child (`turning_18_in_institution`).
    pub child_id: Option<Uuid>,
    /// When it fell due: the action's due time, the referral's `respond_by`, the child's 18th
    /// birthday, or the last timeline event plus the follow-up period (`no_follow_up`).
    pub due_at: DateTime<Utc>,
}
