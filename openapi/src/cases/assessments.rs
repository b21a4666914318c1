//! Risk assessments: a versioned instrument (items grouped by domain, weighted answers,
//! thresholds from score to risk level) and the assessments recorded with it on a case.
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::RiskLevel;
use crate::Labels;

/// One possible answer to an item, with the weight it adds to the score. A `critical` answer
/// makes the computed level `immediate_danger` whatever the score.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentOption {
    pub code: String,
    pub labels: Labels,
    pub weight: i32,
    pub critical: bool,
}

/// One question of an instrument; every item is answered with one of its options.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentItem {
    /// Unique within the instrument.
    pub code: String,
    pub labels: Labels,
    pub options: Vec<InstrumentOption>,
}

/// A domain of the child's situation (safety, health, family environment...) and its items.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstrumentDomain {
    pub code: String,
    pub labels: Labels,
    pub items: Vec<InstrumentItem>,
}

/// From this score up (to the next threshold), the computed level is `level`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskThreshold {
    pub level: RiskLevel,
    pub min_score: i32,
}

/// A risk-assessment instrument, as data: a code and a version (an assessment names both,
/// so changing the instrument never changes past assessments).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInstrument {
    pub code: String,
    pub version: i32,
    pub labels: Labels,
    pub domains: Vec<InstrumentDomain>,
    /// Ordered by `min_score`, the first at 0.
    pub thresholds: Vec<RiskThreshold>,
}

/// Where an assessment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// In effect: its `risk_level` is the case's.
    Completed,
    /// Waiting for a coordinator's approval (where turned on for the territory).
    PendingApproval,
    /// Refused by a coordinator.
    Rejected,
}

/// An assessment to record: one answer (an option code) for every item of the instrument's
/// version (422 `answer_required` on `answers.<item>` for a missing one; `unknown_item` or
/// `unknown_option` on `answers.<item>`). `risk_level` overrides the computed level; an
/// override that differs from it needs `override_justification` (422
/// `justification_required`); a justification without such an override is not kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateAssessment {
    /// The instrument's code, such as `madar_risk`.
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub instrument: String,
    #[validate(range(min = 1, max = 1000))]
    #[schema(minimum = 1, maximum = 1000)]
    pub version: i32,
    /// Item code → option code.
    pub answers: BTreeMap<String, String>,
    /// The level the worker decides, when it differs from the computed one.
    pub risk_level: Option<RiskLevel>,
    /// Why the level differs from the computed one (sensitive).
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub override_justification: Option<String>,
}

/// A recorded risk assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssessmentResponse {
    pub id: Uuid,
    pub case_id: Uuid,
    pub instrument: String,
    pub version: i32,
    /// Item code → option code.
    pub answers: BTreeMap<String, String>,
    /// The sum of the answers' weights.
    pub score: i32,
    /// The level the instrument gives for these answers.
    pub computed_level: RiskLevel,
    /// The level retained: the computed one, or the worker's override.
    pub risk_level: RiskLevel,
    pub overridden: bool,
    /// Sensitive: shown to the case's assigned workers and the coordinators only.
    pub override_justification: Option<String>,
    pub status: AssessmentStatus,
    pub assessed_by: Uuid,
    pub assessed_at: DateTime<Utc>,
}
