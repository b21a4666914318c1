//! `/api/v1/cases`: work lists (JSON or CSV), one case, its changes and its timeline, for
//! coordinators (their territory's subtree) and case workers (their organization's cases).
//! Every read of a case is audited.
use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use madar_openapi::cases::{
    CaseEvent, CaseEventKind, CaseResponse, CaseStage, RiskLevel, UpdateCase,
};
use madar_openapi::reports::ConcernType;
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::events::{self, Event};
use super::rows::Case;
use super::store::{self, Changes, WorkList};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::children::domain::word_lookups;
use crate::children::store::territory_path;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::state::AppState;

/// Records one audited read per case.
pub fn audit_reads(
    state: &AppState,
    actor: &Actor,
    action: AuditAction,
    ids: &[&str],
) -> Result<(), ApiError> {
    let now = state.clock.now_naive();
    for id in ids {
        state
            .audit
            .record_read(AuditEvent::by(actor, action, now).on(Resource::Case, *id))?;
    }
    Ok(())
}

/// The responses of cases, each showing its sensitive fields to those who may see them.
pub fn responses(
    state: &AppState,
    actor: &Actor,
    cases: &[Case],
) -> Result<Vec<CaseResponse>, ApiError> {
    let today = state.clock.now().date_naive();
    cases
        .iter()
        .map(|c| c.response(&state.data_keys, today, sees_sensitive(actor, &c.assigned)))
        .collect()
}

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

/// Reads one case (audited).
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseResponse), ProblemResponse)
)]
#[get("/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let scope = case_scope(&actor);
    let case = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id.to_string())
    })
    .await?;
    audit_reads(
        &state,
        &actor,
        AuditAction::CaseRead,
        &[case.row.id.as_str()],
    )?;
    let body = responses(&state, &actor, std::slice::from_ref(&case))?;
    Ok(record(StatusCode::OK, case.row.version, &body[0]))
}

/// Changes a case's assigned workers (active case workers or coordinators of the owning
/// organization: 422 `unknown_user` otherwise), concerns or urgency; needs the ETag of the
/// last read in `If-Match` (428 without, 412 when another change came first).
#[utoipa::path(
    tag = "cases",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateCase,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseResponse), ProblemResponse)
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateCase>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let (version, body) = (if_match?.0, body?.0);
    let (id, scope) = (id.to_string(), case_scope(&actor));
    let changes = Changes {
        assigned_to: body
            .assigned_to
            .map(|users| users.iter().map(|u| u.to_string()).collect::<Vec<_>>()),
        concerns: body.concerns,
        urgency: body.urgency,
    };
    let (read_scope, read_id, wanted) = (scope.clone(), id.clone(), changes.clone());
    db::run(&state.pool, move |c| {
        let case = store::find(c, &read_scope, &read_id)?;
        if let Some(users) = wanted.assigned_to {
            let count = users.len();
            let mut unique = users.clone();
            unique.sort();
            unique.dedup();
            let staff = store::staff_of(c, &case.row.owner_org, unique.clone())?;
            if staff.len() != unique.len() || unique.len() != count {
                return Err(ApiError::validation(
                    "assigned_to",
                    "unknown_user",
                    "names someone who is not an active case worker or coordinator of the \
                     case's organization, or names someone twice",
                ));
            }
        }
        Ok(())
    })
    .await?;
    let now = state.clock.now_naive();
    let audit = AuditEvent::by(&actor, AuditAction::CaseUpdate, now).on(Resource::Case, &id);
    let (keys, actor_id) = (state.data_keys.clone(), actor.id.clone());
    let case = db::transaction(&state.pool, move |c| {
        store::update(c, &id, version, &changes, now)?;
        let event = Event::new(&id, CaseEventKind::CaseUpdated, &actor_id);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit)?;
        store::find(c, &scope, &id)
    })
    .await?;
    let body = responses(&state, &actor, std::slice::from_ref(&case))?;
    Ok(record(StatusCode::OK, case.row.version, &body[0]))
}

/// A case's timeline: every event in order (report, screening, stage changes, assessments,
/// plan changes, services, placements, judicial measures, notes, approvals, transfers). The
/// events' free text is shown to the assigned workers and the coordinators only.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The events, oldest first", body = Vec<CaseEvent>), ProblemResponse)
)]
#[get("/cases/{id}/timeline")]
pub async fn get_case_timeline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (scope, keys, reader) = (case_scope(&actor), state.data_keys.clone(), actor.clone());
    let id = id.to_string();
    let case_id = id.clone();
    let events = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &case_id)?;
        events::timeline(c, &keys, &case_id, sees_sensitive(&reader, &case.assigned))
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[id.as_str()])?;
    Ok(HttpResponse::Ok().json(events))
}
