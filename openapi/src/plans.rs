//! Provincial action plans (خطط العمل الإقليمية): what a provincial committee decides to do for
//! a period, objective by objective, measure by measure (responsible organizations, budget,
//! duration, expected results), and the indicators it follows. An indicator is either typed
//! (its values recorded with the progress) or bound to a statistics query, so that its value
//! is computed from the cases, never typed: `statistics_query` takes the parameters of
//! `GET /api/v1/statistics` (without `territory`, `from`, `to` and `group_by`: the plan's
//! territory and period apply), `ministry_indicator` one of the ministry's indicators.
//!
//! Coordinators create and change the plans of their subtree's territories and record progress;
//! analysts and admins read them (with bound values suppressed under k, as statistics are).
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::pathway::PathwayDomain;
use crate::statistics::IndicatorCode;

/// Where a plan stands: `draft` (being written), `active` (adopted by the committee, progress
/// recorded), `closed` (its period over; frozen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionPlanStatus {
    Draft,
    Active,
    Closed,
}

/// Where a measure stands, as its last progress record says (`planned` before any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanMeasureStatus {
    Planned,
    InProgress,
    Done,
    Delayed,
    Cancelled,
}

impl PlanMeasureStatus {
    /// Every status, in the order of a measure's life.
    pub const ALL: [PlanMeasureStatus; 5] = [
        PlanMeasureStatus::Planned,
        PlanMeasureStatus::InProgress,
        PlanMeasureStatus::Done,
        PlanMeasureStatus::Delayed,
        PlanMeasureStatus::Cancelled,
    ];
}

/// An indicator a measure is followed by. At most one binding: `statistics_query` or
/// `ministry_indicator`; without one, its values are recorded with the progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ActionPlanIndicator {
    /// Stable within the plan (progress records name it).
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
    /// Parameters of `GET /api/v1/statistics` (e.g. `measure=cases_opened&concern_family=violence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub statistics_query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ministry_indicator: Option<IndicatorCode>,
}

/// A measure: what is done, by whom, with what budget, when, and what it should bring.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ActionPlanMeasure {
    /// Stable within the plan (progress records name it).
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub key: String,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// The pathway domain it serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<PathwayDomain>,
    /// Codes of the organizations that answer for it.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub responsible: Vec<String>,
    /// In dirhams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(range(min = 0, max = 10_000_000_000i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000i64)]
    pub budget_mad: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 2000), custom(function = "crate::validate::free_text"))]
    #[schema(max_length = 2000)]
    pub expected_results: Option<String>,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub indicators: Vec<ActionPlanIndicator>,
}

/// An objective of the plan and its measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ActionPlanObjective {
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
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub measures: Vec<ActionPlanMeasure>,
}

/// A new plan (a draft) for a territory of the coordinator's subtree.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateActionPlan {
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(default)]
    #[validate(length(max = 30), nested)]
    #[schema(max_items = 30)]
    pub objectives: Vec<ActionPlanObjective>,
}

/// Changes to a plan (absent fields unchanged); a closed plan is frozen (409 `plan_closed`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateActionPlan {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub status: Option<ActionPlanStatus>,
    #[validate(length(max = 30), nested)]
    #[schema(max_items = 30)]
    pub objectives: Option<Vec<ActionPlanObjective>>,
}

/// A typed indicator value recorded with progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PlanRecordedValue {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub indicator: String,
    pub value: f64,
}

/// Progress on one measure of an active plan, as of a day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RecordPlanProgress {
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64)]
    pub measure: String,
    pub status: PlanMeasureStatus,
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub percent_done: i32,
    pub as_of: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 2000), custom(function = "crate::validate::free_text"))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Values of the measure's typed indicators (bound ones are computed).
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub values: Vec<PlanRecordedValue>,
}

/// One progress record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanProgressResponse {
    pub id: Uuid,
    pub measure: String,
    pub status: PlanMeasureStatus,
    pub percent_done: i32,
    pub as_of: NaiveDate,
    pub note: Option<String>,
    pub values: Vec<PlanRecordedValue>,
    pub recorded_at: DateTime<Utc>,
}

/// Where an indicator's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanValueSource {
    /// Counted from the data over the plan's territory and period (so far).
    Computed,
    /// The last value recorded with progress.
    Recorded,
    /// Nothing yet.
    None,
}

/// An indicator's value now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanIndicatorValue {
    pub measure: String,
    pub indicator: String,
    pub source: PlanValueSource,
    pub value: Option<f64>,
    /// A computed count from 1 to k−1, hidden from readers of suppressed statistics.
    pub suppressed: bool,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// A measure's state now (its last progress record).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanMeasureState {
    pub measure: String,
    pub objective: String,
    pub status: PlanMeasureStatus,
    pub percent_done: i32,
    pub as_of: Option<NaiveDate>,
}

/// A plan, with each measure's state and each indicator's value now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActionPlanResponse {
    pub id: Uuid,
    pub territory: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ActionPlanStatus,
    pub objectives: Vec<ActionPlanObjective>,
    pub measures: Vec<PlanMeasureState>,
    pub indicators: Vec<PlanIndicatorValue>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A plan in a list (without its computed values).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActionPlanSummary {
    pub id: Uuid,
    pub territory: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: ActionPlanStatus,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}
