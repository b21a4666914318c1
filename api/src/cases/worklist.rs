//! Work lists: `GET /api/v1/cases` (urgent first, filters that combine, search by reference or
//! by the child's names across scripts, cursor paging, CSV export) and a child's cases.
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use madar_openapi::cases::{CaseResponse, CaseStage, RiskLevel};
use madar_openapi::reports::ConcernType;
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::handlers::{audit_reads, responses};
use super::rows::Case;
use super::store::{self, WorkList};
use crate::audit::AuditAction;
use crate::auth::policy::{authorize, case_scope, Action};
use crate::auth::Actor;
use crate::children::domain::word_lookups;
use crate::children::store::territory_path;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseListFilter {
    /// `me`, or a user's id: the cases assigned to them.
    pub assigned_to: Option<String>,
    /// The owning organization's code.
    pub organization: Option<String>,
    /// A territory code: cases in its subtree.
    pub territory: Option<String>,
    pub stage: Option<CaseStage>,
    /// The level of the latest completed risk assessment.
    pub risk: Option<RiskLevel>,
    pub concern: Option<ConcernType>,
    /// Words to find: a reference (or its start, `CASE-421-2026`), or the child's names in
    /// either script and any spelling (every word must match).
    pub q: Option<String>,
}

const CURSOR_SEPARATOR: char = '|';

/// Turns the query into a work list (the territory checked, `me` resolved).
async fn work_list(
    state: &AppState,
    actor: &Actor,
    query: &ListQuery,
    filter: &CaseListFilter,
    limit: i64,
) -> Result<WorkList, ApiError> {
    let after = match query.after()? {
        None => None,
        Some(cursor) => {
            let (priority, id) = cursor
                .split_once(CURSOR_SEPARATOR)
                .and_then(|(p, id)| Some((p.parse().ok()?, id.to_string())))
                .ok_or_else(|| {
                    ApiError::validation(
                        "cursor",
                        "invalid_cursor",
                        "is not a cursor this list gave",
                    )
                })?;
            Some((priority, id))
        }
    };
    let assigned_to = match filter.assigned_to.as_deref() {
        None => None,
        Some("me") => Some(actor.id.clone()),
        Some(other) => Some(
            other
                .parse::<uuid::Uuid>()
                .map_err(|_| {
                    ApiError::validation("assigned_to", "invalid", "is neither me nor a user id")
                })?
                .to_string(),
        ),
    };
    let territory_path = match filter.territory.clone() {
        None => None,
        Some(code) => {
            Some(db::run(&state.pool, move |c| territory_path(c, &code, "territory")).await?)
        }
    };
    let mut reference = None;
    let mut words = Vec::new();
    for word in filter.q.as_deref().unwrap_or("").split_whitespace().take(6) {
        let upper = word.to_uppercase();
        if upper.starts_with("CASE-") {
            let safe = upper.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            reference = Some(if safe { upper } else { "\u{0}".into() });
        } else if let Some(lookups) = word_lookups(word) {
            words.push(lookups);
        }
    }
    Ok(WorkList {
        assigned_to,
        organization: filter.organization.clone(),
        territory_path,
        stage: filter.stage,
        risk: filter.risk,
        concern: filter.concern,
        child: None,
        reference,
        words,
        after,
        limit,
    })
}

/// A page of cases fetched with `limit + 1` rows, each read audited.
fn page_of(
    state: &AppState,
    actor: &Actor,
    rows: Vec<Case>,
    limit: i64,
) -> Result<HttpResponse, ApiError> {
    let (rows, next_cursor) = page(rows, limit, |c| {
        format!("{}{CURSOR_SEPARATOR}{}", c.row.priority, c.row.id)
    });
    let ids: Vec<&str> = rows.iter().map(|c| c.row.id.as_str()).collect();
    audit_reads(state, actor, AuditAction::CaseRead, &ids)?;
    let items = responses(state, actor, &rows)?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
}

/// Work lists: the cases in the caller's scope, the most urgent first, then the oldest;
/// filters combine. With `Accept: text/csv`, the whole list (every page, at most 10,000
/// cases) as CSV, each case's export audited.
#[utoipa::path(
    tag = "cases",
    params(ListQuery, CaseListFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of cases, or the whole list as CSV", content(
            (Page<CaseResponse> = "application/json"),
            (String = "text/csv"),
        )),
        ProblemResponse
    )
)]
#[get("/cases")]
pub async fn list_cases(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<CaseListFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    if wants_csv(&req) {
        let list = work_list(&state, &actor, &query, &filter, super::export::PAGE).await?;
        return super::export::csv(&state, &actor, list).await;
    }
    let limit = query.limit()?;
    let list = work_list(&state, &actor, &query, &filter, limit + 1).await?;
    let scope = case_scope(&actor);
    let rows = db::run(&state.pool, move |c| store::list(c, &scope, &list)).await?;
    page_of(&state, &actor, rows, limit)
}

/// A child's cases (in the caller's scope), the most urgent first.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Child id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of cases", body = Page<CaseResponse>), ProblemResponse)
)]
#[get("/children/{id}/cases")]
pub async fn list_child_cases(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let limit = query.limit()?;
    let filter = CaseListFilter {
        assigned_to: None,
        organization: None,
        territory: None,
        stage: None,
        risk: None,
        concern: None,
        q: None,
    };
    let mut list = work_list(&state, &actor, &query, &filter, limit + 1).await?;
    list.child = Some(id.to_string());
    let (child_scope, scope) = (crate::auth::policy::child_scope(&actor), case_scope(&actor));
    let child = id.to_string();
    let rows = db::run(&state.pool, move |c| {
        crate::children::store::find(c, &child_scope, &child)?;
        store::list(c, &scope, &list)
    })
    .await?;
    page_of(&state, &actor, rows, limit)
}
