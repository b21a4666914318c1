//! Statistics: counts of reports, children and cases by period, territory, concern and the
//! child's profile, and the ministry's four indicators. Statistics never carry a name, a
//! reference or a free text: only codes and counts. For the national reading roles a count
//! between 1 and k−1 is suppressed (`null` with `suppressed: true`), with secondary
//! suppression so that no suppressed cell can be recovered from the totals of its rows.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::reports::ConcernType;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Reports received (by `received_at`).
    Reports,
    /// Distinct children reported (by the report's `received_at`): the child record a
    /// reported child was linked to at screening, or the reported child itself before.
    Children,
    /// Cases opened (by `opened_at`).
    CasesOpened,
    /// Cases closed, and still closed (by `closed_at`).
    CasesClosed,
}

/// What a statistic is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The calendar period of the event (`period=month|quarter|year`).
    Period,
    /// The territory (`territory_level=region|province`).
    Territory,
    Concern,
    ConcernFamily,
    Sex,
    /// The age band at the date of the event counted.
    AgeBand,
    /// The report source (reports and children only).
    Source,
    /// The case's current risk level (cases only).
    RiskLevel,
    /// The case's current stage (cases only).
    Stage,
    /// Why the case closed (`cases_closed` only).
    ClosureReason,
}

/// The length of a period bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// `YYYY-MM`.
    Month,
    /// `YYYY-Qn`.
    Quarter,
    /// `YYYY`.
    Year,
}

/// The territory level grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TerritoryLevel {
    Region,
    /// Prefectures and provinces (Casablanca's prefectures of arrondissements count in 141).
    Province,
}

/// The concern families the provincial trend reports group by (vocabulary: concern types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConcernFamily {
    Violence,
    Exploitation,
    Neglect,
    Vulnerability,
}

impl ConcernFamily {
    pub const ALL: [ConcernFamily; 4] = [
        ConcernFamily::Violence,
        ConcernFamily::Exploitation,
        ConcernFamily::Neglect,
        ConcernFamily::Vulnerability,
    ];

    /// The family of a concern type (vocabulary.md).
    pub fn of(concern: ConcernType) -> ConcernFamily {
        use ConcernType as C;
        match concern {
            C::PhysicalViolence
            | C::SexualViolence
            | C::PsychologicalViolence
            | C::WitnessOfViolence
            | C::OnlineRisks
            | C::HarmfulPractices
            | C::DegradingTreatment => ConcernFamily::Violence,
            C::EconomicExploitation
            | C::BeggingExploitation
            | C::SexualExploitation
            | C::Trafficking => ConcernFamily::Exploitation,
            C::Neglect | C::Abandonment | C::DeprivedOfFamily => ConcernFamily::Neglect,
            C::StreetSituation
            | C::UnregisteredCivilStatus
            | C::OutOfSchool
            | C::Disability
            | C::Addiction
            | C::ConflictWithLaw
            | C::UnaccompaniedMigrant
            | C::FamilyInDifficulty
            | C::InInstitution => ConcernFamily::Vulnerability,
        }
    }
}

/// Age bands (vocabulary: age bands), plus `unknown` when neither a date of birth nor an
/// estimated birth year is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum AgeBand {
    #[serde(rename = "0_5")]
    Age0To5,
    #[serde(rename = "6_11")]
    Age6To11,
    #[serde(rename = "12_14")]
    Age12To14,
    #[serde(rename = "15_17")]
    Age15To17,
    #[serde(rename = "18_plus")]
    Age18Plus,
    #[serde(rename = "unknown")]
    Unknown,
}

impl AgeBand {
    /// The band of an age in whole years.
    pub fn of(age: Option<i32>) -> AgeBand {
        match age {
            None => AgeBand::Unknown,
            Some(a) if a < 6 => AgeBand::Age0To5,
            Some(a) if a < 12 => AgeBand::Age6To11,
            Some(a) if a < 15 => AgeBand::Age12To14,
            Some(a) if a < 18 => AgeBand::Age15To17,
            Some(_) => AgeBand::Age18Plus,
        }
    }
}

/// The ministry's published indicators (vocabulary.md, "The ministry's indicators").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorCode {
    /// Distinct children whose case closed in the period with reason reintegrated_family,
    /// reintegrated_school, vocational_training, apprenticeship, alternative_care or
    /// autonomy_after_18.
    ChildrenIntegrated,
    /// Distinct children with a referral of type social_emergency completed in the period, or
    /// a service of that type recorded on their case in the period.
    SocialEmergency,
    /// Distinct children with a referral of type vocational_training or apprenticeship
    /// completed in the period, or a case closed in the period with those reasons.
    VocationalTraining,
    /// Distinct children with a referral of type school_reintegration or
    /// non_formal_education completed in the period, or a case closed in the period with
    /// reason reintegrated_school.
    BackToSchool,
}

/// The parameters of `GET /api/v1/statistics`. Every filter combines with the others (AND);
/// code filters take one code or a comma-separated list (any of them). An unknown parameter or
/// code is refused (422 `validation_failed` naming the parameter).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// What is counted (required): `reports`, `children`, `cases_opened`, `cases_closed`.
    #[param(value_type = Measure)]
    pub measure: Option<String>,
    /// Up to 3 dimensions, comma-separated: `period`, `territory`, `concern`,
    /// `concern_family`, `sex`, `age_band`, `source` (reports, children), `risk_level`,
    /// `stage` (cases), `closure_reason` (cases_closed). None: one total.
    #[param(value_type = Option<String>, example = "period,concern_family")]
    pub group_by: Option<String>,
    /// The period bucket when grouping by `period`: `month` (default), `quarter`, `year`. With
    /// a period, `from` and `to` widen to whole periods.
    #[param(value_type = Option<PeriodUnit>)]
    pub period: Option<String>,
    /// The level when grouping by `territory`: `region`, `province` (default).
    #[param(value_type = Option<TerritoryLevel>)]
    pub territory_level: Option<String>,
    /// First day counted (default: 1 January of `to`'s year).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last day counted, included (default: today). At most 20 years after `from`.
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// A territory code of any level: its whole subtree. A coordinator's statistics always
    /// stay within their own subtree (another territory answers 404).
    #[param(value_type = Option<String>, example = "MA-07")]
    pub territory: Option<String>,
    /// Concern type codes.
    #[param(value_type = Option<String>, example = "sexual_violence")]
    pub concern: Option<String>,
    /// Concern family codes: `violence`, `exploitation`, `neglect`, `vulnerability`.
    #[param(value_type = Option<String>)]
    pub concern_family: Option<String>,
    /// `female`, `male`, `unknown`.
    #[param(value_type = Option<String>)]
    pub sex: Option<String>,
    /// `0_5`, `6_11`, `12_14`, `15_17`, `18_plus`, `unknown` (age at the event).
    #[param(value_type = Option<String>, example = "12_14")]
    pub age_band: Option<String>,
    /// Report source codes (reports and children only).
    #[param(value_type = Option<String>)]
    pub source: Option<String>,
    /// Risk level codes, or `unassessed` (cases only).
    #[param(value_type = Option<String>)]
    pub risk_level: Option<String>,
    /// Case stage codes (cases only).
    #[param(value_type = Option<String>)]
    pub stage: Option<String>,
}

/// The parameters of `GET /api/v1/statistics/indicators/{code}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// First day counted (default: 1 January of `to`'s year).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last day counted, included (default: today).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// A territory code of any level (default: the whole country, or a coordinator's own
    /// territory); the case's territory counts.
    #[param(value_type = Option<String>)]
    pub territory: Option<String>,
}

/// One count, with the previous period and the same period a year earlier.
/// A suppressed count is `null` with its `*_suppressed` flag set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatisticsCell {
    /// The cell's code for each dimension of `group_by`, in that order (`period`: `2026-03`,
    /// `2026-Q1` or `2026`; `territory`: a territory code).
    pub key: Vec<String>,
    pub count: Option<i64>,
    pub suppressed: bool,
    /// The previous period (with a `period` dimension: the previous month, quarter or year;
    /// else as many whole months before a window of whole months, or the days of equal length
    /// before another window).
    pub previous: Option<i64>,
    pub previous_suppressed: bool,
    /// The same period a year earlier.
    pub previous_year: Option<i64>,
    pub previous_year_suppressed: bool,
}

/// A statistic: its cells, each with its comparisons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatisticsResponse {
    pub measure: Measure,
    pub group_by: Vec<Dimension>,
    /// The period bucket, when grouped by period.
    pub period: Option<PeriodUnit>,
    /// The days counted (widened to whole periods when grouped by period).
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub previous_from: NaiveDate,
    pub previous_to: NaiveDate,
    pub previous_year_from: NaiveDate,
    pub previous_year_to: NaiveDate,
    /// The territory filter, if any.
    pub territory: Option<String>,
    /// The suppression threshold applied (counts from 1 to k−1 are hidden); `null` when the
    /// caller sees exact counts.
    pub k: Option<i64>,
    /// The cells with a count in any of the three periods; a missing cell counts 0.
    pub cells: Vec<StatisticsCell>,
}

/// One of the ministry's indicators for a period and a territory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorResponse {
    pub code: IndicatorCode,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub territory: Option<String>,
    pub k: Option<i64>,
    pub value: Option<i64>,
    pub suppressed: bool,
    pub previous: Option<i64>,
    pub previous_suppressed: bool,
    pub previous_year: Option<i64>,
    pub previous_year_suppressed: bool,
}

/// The parameters of `GET /api/v1/statistics/referrals`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReferralCountsQuery {
    /// The first day of sending counted (default: 1 January of the current year).
    pub from: Option<NaiveDate>,
    /// The last day counted (default: today); on or after `from`.
    pub to: Option<NaiveDate>,
}

/// The referrals of one service type in one status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferralCountCell {
    pub service_type: String,
    pub status: crate::referrals::ReferralStatus,
    /// `null` when suppressed.
    pub count: Option<i64>,
    pub suppressed: bool,
}

/// Counts of referrals sent in a period, by service type and current status: a partner's
/// those addressed to its organization, a coordinator's those of the cases of their subtree,
/// national for analysts and admins. Only codes and counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReferralCountsResponse {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The suppression threshold applied; `null` when the caller reads exact counts.
    pub k: Option<i64>,
    /// Cells with at least one referral, by service type then status.
    pub cells: Vec<ReferralCountCell>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_concern_has_a_family() {
        let fam = |c: &str| {
            let c: ConcernType = serde_json::from_value(serde_json::json!(c)).unwrap();
            ConcernFamily::of(c)
        };
        assert_eq!(fam("sexual_violence"), ConcernFamily::Violence);
        assert_eq!(fam("trafficking"), ConcernFamily::Exploitation);
        assert_eq!(fam("abandonment"), ConcernFamily::Neglect);
        assert_eq!(fam("in_institution"), ConcernFamily::Vulnerability);
    }

    #[test]
    fn age_bands_follow_the_vocabulary() {
        assert_eq!(AgeBand::of(Some(5)), AgeBand::Age0To5);
        assert_eq!(AgeBand::of(Some(6)), AgeBand::Age6To11);
        assert_eq!(AgeBand::of(Some(14)), AgeBand::Age12To14);
        assert_eq!(AgeBand::of(Some(17)), AgeBand::Age15To17);
        assert_eq!(AgeBand::of(Some(18)), AgeBand::Age18Plus);
        assert_eq!(AgeBand::of(None), AgeBand::Unknown);
        assert_eq!(serde_json::to_value(AgeBand::Age12To14).unwrap(), "12_14");
    }
}
