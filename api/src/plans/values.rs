//! Indicators' values now: a bound indicator is counted by the statistics (over the plan's
//! territory and its period so far, with the reader's statistics scope, so analysts and admins
//! read counts from 1 to k−1 suppressed), a typed one takes its last recorded value.
use chrono::NaiveDate;
use madar_openapi::plans::{
    ActionPlanIndicator, PlanIndicatorValue, PlanProgressResponse, PlanValueSource,
};
use madar_openapi::statistics::IndicatorCode;
use madar_openapi::FieldError;

use super::domain;
use super::store::PlanRow;
use crate::auth::policy::StatisticsScope;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::statistics::compute;
use crate::statistics::params::{self, IndicatorRequest};

/// The query string a bound statistics query runs as.
fn bound_query(query: &str, territory: &str, from: NaiveDate, to: NaiveDate) -> String {
    format!("{query}&territory={territory}&from={from}&to={to}")
}

/// Whether a bound query parses as a statistics request; its problems on `field`. A query
/// that sets the plan's own parameters is `domain::content_problems`' to name.
pub fn query_problems(
    field: &str,
    query: &str,
    territory: &str,
    today: NaiveDate,
) -> Vec<FieldError> {
    if !domain::fixed_params_set(query).is_empty() {
        return Vec::new();
    }
    match params::parse(&bound_query(query, territory, today, today), today) {
        Ok(_) => Vec::new(),
        Err(ApiError::Validation(errors)) => errors
            .into_iter()
            .map(|e| FieldError {
                field: field.to_string(),
                code: "bad_query".into(),
                message: format!("{}: {}", e.field, e.message),
            })
            .collect(),
        Err(_) => vec![FieldError {
            field: field.to_string(),
            code: "bad_query".into(),
            message: "is not a statistics query".into(),
        }],
    }
}

/// A count and whether it is suppressed.
type Count = (Option<i64>, bool);

fn statistics_count(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    query: &str,
    territory: &str,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
    k: i64,
) -> Result<Count, ApiError> {
    let request = params::parse(&bound_query(query, territory, from, to), today)?;
    let answer = compute::statistics(conn, scope, request, k)?;
    if answer.cells.iter().any(|c| c.suppressed) {
        return Ok((None, true));
    }
    Ok((
        Some(answer.cells.iter().filter_map(|c| c.count).sum()),
        false,
    ))
}

fn indicator_count(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    code: IndicatorCode,
    territory: &str,
    (from, to): (NaiveDate, NaiveDate),
    k: i64,
) -> Result<Count, ApiError> {
    let request = IndicatorRequest {
        from,
        to,
        territory: Some(territory.to_string()),
    };
    let answer = compute::indicator(conn, scope, code, request, k)?;
    Ok((answer.value, answer.suppressed))
}

fn bound(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    plan: &PlanRow,
    indicator: &ActionPlanIndicator,
    today: NaiveDate,
    k: i64,
) -> Result<Option<Count>, ApiError> {
    let Some(days) = domain::counted_days(plan.starts_on, plan.ends_on, today) else {
        // The plan has not started: nothing counted yet.
        return Ok(Some((Some(0), false)));
    };
    let territory = plan.territory_code.as_str();
    if let Some(query) = &indicator.statistics_query {
        return match statistics_count(conn, scope, query, territory, days, today, k) {
            Ok(count) => Ok(Some(count)),
            // A query the vocabulary no longer accepts counts nothing, and says so by a null.
            Err(ApiError::Validation(_)) => Ok(Some((None, false))),
            Err(e) => Err(e),
        };
    }
    match indicator.ministry_indicator {
        Some(code) => indicator_count(conn, scope, code, territory, days, k).map(Some),
        None => Ok(None),
    }
}

/// Every indicator of the plan, with its value now.
pub fn values(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    plan: &PlanRow,
    history: &[PlanProgressResponse],
    today: NaiveDate,
    k: i64,
) -> Result<Vec<PlanIndicatorValue>, ApiError> {
    let objectives = plan.objectives()?;
    let mut out = Vec::new();
    for (_, measure) in domain::measures(&objectives) {
        for indicator in &measure.indicators {
            let (source, value, suppressed) = match bound(conn, scope, plan, indicator, today, k)? {
                Some((count, suppressed)) => (
                    PlanValueSource::Computed,
                    count.map(|n| n as f64),
                    suppressed,
                ),
                None => match domain::last_recorded(history, &measure.key, &indicator.key) {
                    Some(v) => (PlanValueSource::Recorded, Some(v), false),
                    None => (PlanValueSource::None, None, false),
                },
            };
            out.push(PlanIndicatorValue {
                measure: measure.key.clone(),
                indicator: indicator.key.clone(),
                source,
                value,
                suppressed,
                baseline: indicator.baseline,
                target: indicator.target,
            });
        }
    }
    Ok(out)
}
