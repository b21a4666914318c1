//! `/api/v1/statistics/territories/{code}/diagnostic`: a territory's diagnostic of structures
//! and services for a year, read like the provincial report (JSON, or a printable page), and
//! the needs its committee records (coordinators of a subtree holding the territory).
use actix_web::http::{header, StatusCode};
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::Datelike;
use madar_openapi::diagnostics::{RecordCommitteeNeeds, TerritoryDiagnostic};
use madar_openapi::statistics_report::ReportQuery;

use super::{html, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, manages_plan_of, statistics_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{etag, IfMatch, ProblemResponse, ValidJson};
use crate::state::AppState;
use crate::statistics::report_handlers::{negotiate, Format};
use crate::statistics::{params, report_html, report_text};

/// A territory's diagnostic for a year: the service directory's inventory by pathway domain
/// and type (services, capacity, free places) of the services serving it (its own, its
/// subtree's and those above it), the children reported in the year by concern against the
/// services answering each (`gap` where none does), the main risks (cases opened by concern,
/// with the previous year) and the needs its committee recorded (`ETag`: their version). As
/// JSON (masked as the statistics are for the caller) or a printable page
/// (`Accept: text/html`, `lang=ar|fr`, masked under k whatever the role). A territory unknown,
/// or outside a coordinator's subtree: 404.
#[utoipa::path(
    tag = "statistics",
    params(
        ("code" = String, Path, description = "A territory code (usually a province)", example = "421"),
        ReportQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The diagnostic", content(
            (TerritoryDiagnostic = "application/json"),
            (String = "text/html"),
        )),
        ProblemResponse
    )
)]
#[get("/statistics/territories/{code}/diagnostic")]
pub async fn get_diagnostic(
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
    let format = match negotiate(accept)? {
        Format::Csv => {
            return Err(ApiError::Framework {
                status: StatusCode::NOT_ACCEPTABLE,
                code: "not_acceptable",
            })
        }
        other => other,
    };
    let (year, lang) = params::parse_report(req.query_string(), state.clock.now().date_naive())?;
    let (scope, k) = (
        statistics_scope(&actor),
        i64::from(state.settings.statistics_k),
    );
    let code = code.into_inner();
    let html = format == Format::Html;
    let (body, labels) = db::run(&state.pool, move |c| {
        let body = store::diagnostic(c, &scope, code, year, k, html)?;
        let labels = if html {
            report_text::load(c)?
        } else {
            report_text::Labels::default()
        };
        Ok((body, labels))
    })
    .await?;
    let private = (header::CACHE_CONTROL, "private, no-store");
    let mut res = HttpResponse::Ok();
    res.insert_header(private)
        .insert_header((header::ETAG, etag(body.version)));
    if html {
        Ok(res
            .insert_header((header::CONTENT_SECURITY_POLICY, report_html::csp()))
            .content_type("text/html; charset=utf-8")
            .body(html::render(&body, lang, &labels)))
    } else {
        Ok(res.json(&body))
    }
}

/// Replaces the needs the committee of a territory records (coordinators of a subtree holding
/// it; another: 404 for a territory they do not see, 403 for one above them), with If-Match
/// (the diagnostic's ETag; `"0"` before the first record). Answers the diagnostic of the
/// current year.
#[utoipa::path(
    tag = "statistics",
    params(
        ("code" = String, Path, description = "A territory code", example = "421"),
        ("If-Match" = String, Header, description = "ETag of the last read of the diagnostic"),
    ),
    request_body = RecordCommitteeNeeds,
    security(("bearer" = [])),
    responses((status = 200, description = "The diagnostic", body = TerritoryDiagnostic), ProblemResponse)
)]
#[put("/statistics/territories/{code}/diagnostic/needs")]
pub async fn record_needs(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<RecordCommitteeNeeds>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManagePlans)?;
    let code = code.into_inner();
    let (scope, k) = (
        statistics_scope(&actor),
        i64::from(state.settings.statistics_k),
    );
    // Seen first (404 outside the subtree), then managed.
    let (seen_code, seen_scope) = (code.clone(), scope.clone());
    let path = db::run(&state.pool, move |c| {
        crate::statistics::compute::resolve_territory(c, &seen_scope, Some(seen_code))
    })
    .await
    .map_err(|e| match e {
        ApiError::Validation(_) => ApiError::NotFound,
        other => other,
    })?
    .1
    .ok_or(ApiError::NotFound)?;
    if !manages_plan_of(&actor, &path) {
        return Err(ApiError::Forbidden);
    }
    let version = if_match?.0;
    let needs = body?.0.needs;
    let now = state.clock.now_naive();
    let year = state.clock.now().year();
    let event = AuditEvent::by(&actor, AuditAction::TerritoryNeedsUpdate, now)
        .on(Resource::Territory, &code);
    let body = db::transaction(&state.pool, move |c| {
        store::replace(c, &code, version, &needs, &actor.id, now)?;
        audit::record(c, &event)?;
        store::diagnostic(c, &scope, code, year, k, false)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::ETAG, etag(body.version)))
        .json(&body))
}
