//! The case plan (خطة التكفل): objectives per pathway domain, each with its actions
//! (responsible organization, due date, status). One plan per case, replaced whole.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::pathway::PathwayDomain;

/// Where a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// In effect.
    Active,
    /// Waiting for a coordinator's approval (where turned on for the territory).
    PendingApproval,
    /// Refused by a coordinator.
    Rejected,
}

/// Where a plan action stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanActionStatus {
    #[default]
    Planned,
    InProgress,
    Done,
    Cancelled,
}

/// An action of a plan to write.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewPlanAction {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    /// The code of the active organization responsible (422 `unknown_organization`).
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub responsible_organization: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// `planned` when absent.
    #[serde(default)]
    pub status: PlanActionStatus,
}

/// An objective of a plan to write.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewPlanObjective {
    pub domain: PathwayDomain,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::validate::free_text")
    )]
    #[schema(min_length = 1, max_length = 2000)]
    pub description: String,
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub actions: Vec<NewPlanAction>,
}

/// A whole plan, replacing the previous one (`PUT`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplacePlan {
    #[validate(length(min = 1, max = 20), nested)]
    #[schema(min_items = 1, max_items = 20)]
    pub objectives: Vec<NewPlanObjective>,
}

/// An action of a plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanAction {
    pub id: Uuid,
    pub description: String,
    /// The responsible organization's code.
    pub responsible_organization: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub status: PlanActionStatus,
}

/// An objective of a plan, with its actions in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanObjective {
    pub id: Uuid,
    pub domain: PathwayDomain,
    pub description: String,
    pub actions: Vec<PlanAction>,
}

/// A case's plan. Its `version` is its ETag.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CasePlan {
    pub case_id: Uuid,
    pub status: PlanStatus,
    pub version: i32,
    pub objectives: Vec<PlanObjective>,
    pub updated_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
