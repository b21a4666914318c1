//! The national executive programme (البرنامج الوطني التنفيذي) of the integrated public policy
//! for child protection: strategic objectives (the five of the policy, shipped) → sub-objectives
//! → measures, each with its responsible sector, partners, schedule, status and indicators
//! (baseline, target, yearly values). Admins edit it (`PUT`, If-Match); coordinators, analysts and
//! admins read it, with a progress summary per objective.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::common::Labels;
use crate::plans::PlanMeasureStatus;

/// One year's value of an indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct YearValue {
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    pub value: f64,
}

/// An indicator of a measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeIndicator {
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub key: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(default)]
    #[validate(length(max = 30), nested)]
    #[schema(max_items = 30)]
    pub yearly: Vec<YearValue>,
}

/// A measure of the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeMeasure {
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub key: String,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// The government sector responsible for it.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub sector: String,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub partners: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub starts_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub ends_year: Option<i32>,
    pub status: PlanMeasureStatus,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub indicators: Vec<ProgrammeIndicator>,
}

/// A sub-objective and its measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SubObjective {
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub key: String,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 60), nested)]
    #[schema(max_items = 60)]
    pub measures: Vec<ProgrammeMeasure>,
}

/// A strategic objective of the policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct StrategicObjective {
    /// `so1` … `so5` for the policy's five.
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    #[validate(nested)]
    pub title: Labels,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub sub_objectives: Vec<SubObjective>,
}

/// The whole programme, replaced at once (admins, If-Match). The policy's strategic objectives
/// stay: a body that drops one answers 422.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplaceProgramme {
    #[validate(length(min = 1, max = 10), nested)]
    #[schema(min_items = 1, max_items = 10)]
    pub objectives: Vec<StrategicObjective>,
}

/// How many measures are in one status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatusCount {
    pub status: PlanMeasureStatus,
    pub measures: i64,
}

/// An objective's progress: its measures by status, and its indicators whose latest yearly value
/// reached the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ObjectiveProgress {
    pub objective: String,
    pub sub_objectives: i64,
    pub measures: i64,
    pub by_status: Vec<StatusCount>,
    /// Done measures over all measures not cancelled, 0 to 1 (`null` without any).
    pub share_done: Option<f64>,
    pub indicators: i64,
    /// Indicators with a target whose latest yearly value reached it (a target below the
    /// baseline is reached by going down to it).
    pub indicators_on_target: i64,
}

/// The programme with each objective's progress.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeResponse {
    pub objectives: Vec<StrategicObjective>,
    pub progress: Vec<ObjectiveProgress>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// One objective's progress report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ObjectiveReport {
    pub objective: StrategicObjective,
    pub progress: ObjectiveProgress,
}
