//! The national dashboard and the provincial report: the year's statistics, indicators,
//! referral delays and protocol compliance of a territory, each with the previous year. Only
//! codes and counts; small counts suppressed as in `statistics` (`null` with a `suppressed`
//! flag), and a median or share derived from a suppressed count is `null` too.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::statistics::{IndicatorResponse, StatisticsResponse};

/// The parameters of `GET /api/v1/statistics/dashboard`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// A territory code of any level (default: `MA` for analysts and admins, a coordinator's
    /// own territory; a coordinator asking outside their subtree gets 404).
    #[param(value_type = Option<String>, example = "MA")]
    pub territory: Option<String>,
    /// The calendar year (default: the current year).
    #[param(value_type = Option<i32>, example = 2026)]
    pub year: Option<String>,
}

/// The parameters of `GET /api/v1/statistics/territories/{code}/report`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The calendar year (default: the current year).
    #[param(value_type = Option<i32>, example = 2026)]
    pub year: Option<String>,
    /// The language of the printable page (`Accept: text/html`): `ar` (default, right to
    /// left) or `fr`. Another value: 422.
    #[param(value_type = Option<String>, example = "ar")]
    pub lang: Option<String>,
}

/// The delays of the referrals of one service type: hours from sending to acceptance (the
/// referrals accepted in the year) and to completion (those completed in the year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferralDelay {
    /// A service type code (vocabulary: services).
    pub service_type: String,
    pub accepted: Option<i64>,
    pub accepted_suppressed: bool,
    /// `null` when `accepted` is 0 or suppressed.
    pub hours_to_acceptance_median: Option<f64>,
    pub hours_to_acceptance_p90: Option<f64>,
    pub completed: Option<i64>,
    pub completed_suppressed: bool,
    pub hours_to_completion_median: Option<f64>,
    pub hours_to_completion_p90: Option<f64>,
}

/// Referral delays per service type, for the year and the year before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferralDelays {
    pub rows: Vec<ReferralDelay>,
    pub previous_year: Vec<ReferralDelay>,
}

/// How protocol actions falling due in a year were done: `due` counts those done, overdue,
/// or still pending past their due time (waived ones are left out); `on_time` those done by
/// their due time; `share` = on_time / due (`null` when either is 0 or suppressed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Compliance {
    pub due: Option<i64>,
    pub due_suppressed: bool,
    pub on_time: Option<i64>,
    pub on_time_suppressed: bool,
    pub late: Option<i64>,
    pub late_suppressed: bool,
    pub share: Option<f64>,
}

/// Protocol compliance: every action, and the screening of reports of a child in immediate
/// danger (the `screen_report` actions of those reports), each with the year before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProtocolCompliance {
    pub actions: Compliance,
    pub actions_previous_year: Compliance,
    pub immediate_danger_screening: Compliance,
    pub immediate_danger_screening_previous_year: Compliance,
}

/// The national (or a territory's) dashboard for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DashboardResponse {
    pub territory: String,
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The suppression threshold applied; `null` when the caller sees exact counts.
    pub k: Option<i64>,
    /// The four indicators, each with the previous year (`previous_year`).
    pub indicators: Vec<IndicatorResponse>,
    /// Reports by month and concern family.
    pub reports_by_family: StatisticsResponse,
    /// Cases opened by month and concern family.
    pub cases_by_family: StatisticsResponse,
    /// Reports by region (by province for a region or below).
    pub reports_by_territory: StatisticsResponse,
    /// Cases opened in the year, by their current stage.
    pub cases_by_stage: StatisticsResponse,
    pub referral_delays: ReferralDelays,
    pub protocol_compliance: ProtocolCompliance,
}

/// The summary figures of a report: totals of the year with the previous year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportSummary {
    pub reports: StatisticsResponse,
    pub children: StatisticsResponse,
    pub cases_opened: StatisticsResponse,
    pub cases_closed: StatisticsResponse,
}

/// The outcomes of a report: the four indicators and the closures by reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReportOutcomes {
    pub indicators: Vec<IndicatorResponse>,
    pub closures_by_reason: StatisticsResponse,
}

/// A territory's yearly report for its provincial committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProvincialReport {
    pub territory: String,
    pub name_ar: String,
    pub name_fr: String,
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub k: Option<i64>,
    pub summary: ReportSummary,
    /// Reports by month and concern family.
    pub reports_by_concern: StatisticsResponse,
    /// Cases opened in the year, by their current stage.
    pub cases_by_stage: StatisticsResponse,
    pub outcomes: ReportOutcomes,
    pub referral_delays: ReferralDelays,
    pub protocol_compliance: ProtocolCompliance,
}
