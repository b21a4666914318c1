//! `/api/v1/statistics` and `/api/v1/statistics/indicators/{code}`: counts and indicators for
//! the national reading roles (analysts, admins: suppressed under k) and coordinators (exact,
//! within their territory subtree). Case workers, the hotline, partners and auditors: 403.
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use madar_openapi::statistics::{
    IndicatorCode, IndicatorQuery, IndicatorResponse, StatisticsQuery, StatisticsResponse,
};

use super::{compute, params};
use crate::auth::policy::{authorize, statistics_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::state::AppState;

pub(super) fn private_json<T: serde::Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(value)
}

/// Counts of reports, children reported, cases opened or closed, grouped by up to three
/// dimensions and filtered freely, each cell with the previous period of equal length and the
/// same period a year earlier. Only codes and counts: never a name, a reference or a free
/// text. For analysts and admins a count from 1 to k−1 (`MADAR_STATISTICS_K`, 5 by default)
/// is `null` with `suppressed: true`, and more cells are hidden so that none can be recovered
/// from the totals of its rows (every row of cells sharing all codes but one never holds a
/// single hidden cell). Coordinators read exact counts within their territory subtree (another
/// territory: 404). Other roles: 403. A bad parameter: 422 naming it.
#[utoipa::path(
    tag = "statistics",
    params(StatisticsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The statistic", body = StatisticsResponse), ProblemResponse)
)]
#[get("/statistics")]
pub async fn get_statistics(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadStatistics)?;
    let request = params::parse(req.query_string(), state.clock.now().date_naive())?;
    let scope = statistics_scope(&actor);
    let k = i64::from(state.settings.statistics_k);
    let body = db::run(&state.pool, move |c| {
        compute::statistics(c, &scope, request, k)
    })
    .await?;
    Ok(private_json(&body))
}

/// One of the ministry's indicators for a period and a territory, computed as vocabulary.md
/// defines it (distinct children), with the previous period of equal length and the same
/// period a year earlier; suppressed and scoped as the statistics are.
#[utoipa::path(
    tag = "statistics",
    params(
        ("code" = IndicatorCode, Path, description = "The indicator"),
        IndicatorQuery,
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The indicator", body = IndicatorResponse), ProblemResponse)
)]
#[get("/statistics/indicators/{code}")]
pub async fn get_indicator(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadStatistics)?;
    let code: IndicatorCode = serde_json::from_value(serde_json::Value::String(code.into_inner()))
        .map_err(|_| ApiError::NotFound)?;
    let request = params::parse_indicator(req.query_string(), state.clock.now().date_naive())?;
    let scope = statistics_scope(&actor);
    let k = i64::from(state.settings.statistics_k);
    let body = db::run(&state.pool, move |c| {
        compute::indicator(c, &scope, code, request, k)
    })
    .await?;
    Ok(private_json(&body))
}
