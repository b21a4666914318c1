//! The national dashboard and the provincial report, put together from the statistics
//! (`compute::statistics`), the indicators (`compute::indicator`) and the referral delays and
//! protocol compliance (`outcomes`) of one year, each masked as its caller reads it.
use chrono::{NaiveDate, NaiveDateTime};
use madar_openapi::statistics::{
    Dimension, IndicatorCode, IndicatorResponse, Measure, PeriodUnit, StatisticsResponse,
    TerritoryLevel,
};
use madar_openapi::statistics_report::{
    DashboardResponse, ProtocolCompliance, ProvincialReport, ReferralDelays, ReportOutcomes,
    ReportSummary,
};

use super::compute::{self, resolve_territory};
use super::outcomes;
use super::params::{Filters, IndicatorRequest, Request};
use super::store;
use crate::auth::policy::StatisticsScope;
use crate::db::DbConn;
use crate::error::ApiError;

/// The four indicators, in the order the ministry publishes them.
pub const INDICATORS: [IndicatorCode; 4] = [
    IndicatorCode::ChildrenIntegrated,
    IndicatorCode::SocialEmergency,
    IndicatorCode::VocationalTraining,
    IndicatorCode::BackToSchool,
];

/// One year of one territory, as its caller reads it.
struct Frame<'a> {
    /// The scope the figures are masked for (a coordinator's, or `Suppressed` when forced).
    scope: &'a StatisticsScope,
    code: String,
    path: String,
    year: i32,
    k: Option<i64>,
    threshold: i64,
    now: NaiveDateTime,
}

fn first_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

fn last_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()
}

fn window(year: i32) -> (NaiveDateTime, NaiveDateTime) {
    (
        first_day(year).and_time(chrono::NaiveTime::MIN),
        first_day(year + 1).and_time(chrono::NaiveTime::MIN),
    )
}

impl Frame<'_> {
    fn statistic(
        &self,
        conn: &mut DbConn,
        measure: Measure,
        group_by: &[Dimension],
        level: TerritoryLevel,
    ) -> Result<StatisticsResponse, ApiError> {
        let request = Request {
            measure,
            group_by: group_by.to_vec(),
            period: PeriodUnit::Month,
            territory_level: level,
            from: first_day(self.year),
            to: last_day(self.year),
            territory: Some(self.code.clone()),
            filters: Filters::default(),
        };
        compute::statistics(conn, self.scope, request, self.threshold)
    }

    fn indicators(&self, conn: &mut DbConn) -> Result<Vec<IndicatorResponse>, ApiError> {
        INDICATORS
            .iter()
            .map(|code| {
                let request = IndicatorRequest {
                    from: first_day(self.year),
                    to: last_day(self.year),
                    territory: Some(self.code.clone()),
                };
                compute::indicator(conn, self.scope, *code, request, self.threshold)
            })
            .collect()
    }

    fn delays(&self, conn: &mut DbConn) -> Result<ReferralDelays, ApiError> {
        let mut of = |year| {
            let (start, end) = window(year);
            outcomes::referral_delays(conn, Some(&self.path), start, end, self.k)
        };
        Ok(ReferralDelays {
            rows: of(self.year)?,
            previous_year: of(self.year - 1)?,
        })
    }

    fn compliance(&self, conn: &mut DbConn) -> Result<ProtocolCompliance, ApiError> {
        let mut of = |screening, year| {
            let path = Some(self.path.as_str());
            outcomes::compliance(conn, screening, path, window(year), self.now, self.k)
        };
        Ok(ProtocolCompliance {
            actions: of(false, self.year)?,
            actions_previous_year: of(false, self.year - 1)?,
            immediate_danger_screening: of(true, self.year)?,
            immediate_danger_screening_previous_year: of(true, self.year - 1)?,
        })
    }

    /// The level one step below the territory: regions for the nation, else provinces.
    fn breakdown(&self) -> TerritoryLevel {
        if self.path.matches('/').count() <= 1 {
            TerritoryLevel::Region
        } else {
            TerritoryLevel::Province
        }
    }
}

fn frame<'a>(
    conn: &mut DbConn,
    scope: &'a StatisticsScope,
    code: String,
    year: i32,
    threshold: i64,
    now: NaiveDateTime,
) -> Result<Frame<'a>, ApiError> {
    let (code, path) = match resolve_territory(conn, scope, Some(code))? {
        (Some(code), Some(path)) => (code, path),
        _ => return Err(ApiError::NotFound),
    };
    let k = match scope {
        StatisticsScope::Exact { .. } => None,
        StatisticsScope::Suppressed => Some(threshold),
    };
    Ok(Frame {
        scope,
        code,
        path,
        year,
        k,
        threshold,
        now,
    })
}

/// The dashboard of `territory` (default: the nation, or a coordinator's own territory) for
/// `year`, masked for `scope` (`k`: the threshold).
pub fn dashboard(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    territory: Option<String>,
    year: i32,
    k: i64,
    now: NaiveDateTime,
) -> Result<DashboardResponse, ApiError> {
    let code = territory.unwrap_or_else(|| match scope {
        StatisticsScope::Exact { code, .. } => code.clone(),
        StatisticsScope::Suppressed => "MA".into(),
    });
    let f = frame(conn, scope, code, year, k, now)?;
    let by_family = [Dimension::Period, Dimension::ConcernFamily];
    let level = TerritoryLevel::Province;
    Ok(DashboardResponse {
        indicators: f.indicators(conn)?,
        reports_by_family: f.statistic(conn, Measure::Reports, &by_family, level)?,
        cases_by_family: f.statistic(conn, Measure::CasesOpened, &by_family, level)?,
        reports_by_territory: f.statistic(
            conn,
            Measure::Reports,
            &[Dimension::Territory],
            f.breakdown(),
        )?,
        cases_by_stage: f.statistic(conn, Measure::CasesOpened, &[Dimension::Stage], level)?,
        referral_delays: f.delays(conn)?,
        protocol_compliance: f.compliance(conn)?,
        territory: f.code,
        year,
        from: first_day(year),
        to: last_day(year),
        k: f.k,
    })
}

/// The provincial report of territory `code` for `year`. `disclose`: mask under `k` whatever
/// the caller's role (the CSV and the printable page); else as `scope` reads. A territory
/// unknown or outside a coordinator's subtree: 404.
pub fn provincial(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    code: String,
    year: i32,
    k: i64,
    now: NaiveDateTime,
    disclose: bool,
) -> Result<ProvincialReport, ApiError> {
    let (name_ar, name_fr) = store::territory_names(conn, &code)?.ok_or(ApiError::NotFound)?;
    // Scope first (404 outside a coordinator's subtree), then the masking asked.
    resolve_territory(conn, scope, Some(code.clone()))?;
    let suppressed = StatisticsScope::Suppressed;
    let masked_for = if disclose { &suppressed } else { scope };
    let f = frame(conn, masked_for, code, year, k, now)?;
    let level = TerritoryLevel::Province;
    let total = |conn: &mut DbConn, measure| f.statistic(conn, measure, &[], level);
    Ok(ProvincialReport {
        summary: ReportSummary {
            reports: total(conn, Measure::Reports)?,
            children: total(conn, Measure::Children)?,
            cases_opened: total(conn, Measure::CasesOpened)?,
            cases_closed: total(conn, Measure::CasesClosed)?,
        },
        reports_by_concern: f.statistic(
            conn,
            Measure::Reports,
            &[Dimension::Period, Dimension::ConcernFamily],
            level,
        )?,
        cases_by_stage: f.statistic(conn, Measure::CasesOpened, &[Dimension::Stage], level)?,
        outcomes: ReportOutcomes {
            indicators: f.indicators(conn)?,
            closures_by_reason: f.statistic(
                conn,
                Measure::CasesClosed,
                &[Dimension::ClosureReason],
                level,
            )?,
        },
        referral_delays: f.delays(conn)?,
        protocol_compliance: f.compliance(conn)?,
        territory: f.code,
        name_ar,
        name_fr,
        year,
        from: first_day(year),
        to: last_day(year),
        k: f.k,
    })
}
