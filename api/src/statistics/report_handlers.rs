//! `/api/v1/statistics/dashboard` and `/api/v1/statistics/territories/{code}/report`: the
//! year's figures of a territory, read by the same roles and masked by the same rules as the
//! statistics; the report's CSV and printable forms are masked under k for every role.
use actix_web::http::{header, StatusCode};
use actix_web::{get, web, HttpRequest, HttpResponse};
use madar_openapi::statistics_report::{
    DashboardQuery, DashboardResponse, ProvincialReport, ReportQuery,
};

use super::handlers::private_json;
use super::report_text::Labels;
use super::{params, report, report_csv, report_html, report_text};
use crate::auth::policy::{authorize, statistics_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::state::AppState;

/// The forms of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Html,
}

/// The form an `Accept` header asks for (the highest `q` first; none: JSON); none of the
/// three: 406.
pub fn negotiate(accept: Option<&str>) -> Result<Format, ApiError> {
    let Some(accept) = accept.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(Format::Json);
    };
    let mut ranges: Vec<(f32, &str)> = accept
        .split(',')
        .map(|item| {
            let mut parts = item.split(';').map(str::trim);
            let range = parts.next().unwrap_or("");
            let q = parts
                .find_map(|p| p.strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (q, range)
        })
        .filter(|(q, _)| *q > 0.0)
        .collect();
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges
        .iter()
        .find_map(|(_, range)| match range.to_ascii_lowercase().as_str() {
            "application/json" | "application/*" | "*/*" => Some(Format::Json),
            "text/csv" => Some(Format::Csv),
            "text/html" => Some(Format::Html),
            _ => None,
        })
        .ok_or(ApiError::Framework {
            status: StatusCode::NOT_ACCEPTABLE,
            code: "not_acceptable",
        })
}

/// The national dashboard of a year: the four indicators, reports and cases opened by concern
/// family per month, reports by region (by province within a region or below), cases opened
/// by current stage, referral delays per service type (median and 90th percentile hours to
/// acceptance and to completion) and protocol compliance (actions done on time, and the
/// screening of immediate-danger reports within its deadline), each with the previous year.
/// Analysts and admins read suppressed counts (a median or a share of a hidden count is
/// hidden too); coordinators exact ones in their subtree (another territory: 404). Other
/// roles: 403.
#[utoipa::path(
    tag = "statistics",
    params(DashboardQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The dashboard", body = DashboardResponse), ProblemResponse)
)]
#[get("/statistics/dashboard")]
pub async fn get_dashboard(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadStatistics)?;
    let (territory, year) =
        params::parse_dashboard(req.query_string(), state.clock.now().date_naive())?;
    let scope = statistics_scope(&actor);
    let (k, now) = (
        i64::from(state.settings.statistics_k),
        state.clock.now_naive(),
    );
    let body = db::run(&state.pool, move |c| {
        report::dashboard(c, &scope, territory, year, k, now)
    })
    .await?;
    Ok(private_json(&body))
}

/// A territory's report of a year for its provincial committee: summary figures, reports by
/// concern family per month, cases by stage, outcomes (the four indicators, closures by
/// reason), referral delays and protocol compliance, each with the previous year. As JSON
/// (default; masked as the statistics are for the caller), CSV (`Accept: text/csv`: one row
/// per figure, `section,series,period,value,suppressed`) or a printable A4 page with inline
/// SVG charts (`Accept: text/html`, `lang=ar|fr`). The CSV and the page are always masked
/// under k, whatever the role. Another form: 406. A territory unknown, or outside a
/// coordinator's subtree: 404.
#[utoipa::path(
    tag = "statistics",
    params(
        ("code" = String, Path, description = "A territory code (usually a province)", example = "421"),
        ReportQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report", content(
            (ProvincialReport = "application/json"),
            (String = "text/csv"),
            (String = "text/html"),
        )),
        ProblemResponse
    )
)]
#[get("/statistics/territories/{code}/report")]
pub async fn get_territory_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadStatistics)?;
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let format = negotiate(accept)?;
    let today = state.clock.now().date_naive();
    let (year, lang) = params::parse_report(req.query_string(), today)?;
    let scope = statistics_scope(&actor);
    let (k, now) = (
        i64::from(state.settings.statistics_k),
        state.clock.now_naive(),
    );
    let code = code.into_inner();
    let (body, labels) = db::run(&state.pool, move |c| {
        let body = report::provincial(c, &scope, code, year, k, now, format != Format::Json)?;
        let labels = match format {
            Format::Html => report_text::load(c)?,
            _ => Labels::default(),
        };
        Ok((body, labels))
    })
    .await?;
    let private = (header::CACHE_CONTROL, "private, no-store");
    match format {
        Format::Json => Ok(private_json(&body)),
        Format::Csv => {
            let file = format!(
                "attachment; filename=\"report-{}-{year}.csv\"",
                body.territory
            );
            Ok(HttpResponse::Ok()
                .insert_header(private)
                .insert_header((header::CONTENT_DISPOSITION, file))
                .content_type("text/csv; charset=utf-8")
                .body(report_csv::render(&body)?))
        }
        Format::Html => Ok(HttpResponse::Ok()
            .insert_header(private)
            .insert_header((header::CONTENT_SECURITY_POLICY, report_html::csp()))
            .content_type("text/html; charset=utf-8")
            .body(report_html::render(&body, lang, &labels, today))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_pick_a_form() {
        assert_eq!(negotiate(None).ok(), Some(Format::Json));
        assert_eq!(negotiate(Some("text/csv")).ok(), Some(Format::Csv));
        assert_eq!(
            negotiate(Some("text/html,application/xhtml+xml,*/*;q=0.8")).ok(),
            Some(Format::Html)
        );
        assert_eq!(
            negotiate(Some("text/csv;q=0.5, application/json")).ok(),
            Some(Format::Json)
        );
        assert_eq!(negotiate(Some("*/*")).ok(), Some(Format::Json));
        assert!(negotiate(Some("image/png")).is_err());
        assert!(negotiate(Some("text/csv;q=0")).is_err());
    }
}
