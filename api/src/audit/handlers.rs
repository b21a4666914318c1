//! `/api/v1/audit`: the audit log, for auditors only. Reading it is itself audited.
use actix_web::{get, web, HttpResponse};
use madar_openapi::audit::{AuditEventResponse, AuditFilter};
use madar_openapi::Page;

use super::{store, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse};
use crate::state::AppState;

/// Lists audit events, newest first, filtered by actor, action, resource and time (auditor).
#[utoipa::path(
    operation_id = "list_audit_events",
    tag = "audit",
    params(ListQuery, AuditFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of audit events", body = Page<AuditEventResponse>), ProblemResponse)
)]
#[get("/audit")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<AuditFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadAudit)?;
    let (limit, before) = (query.limit()?, cursor_id(query.after()?)?);
    let filter = filter.into_inner();
    let rows = db::run(&state.pool, move |c| {
        store::list(c, &filter, before, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |e| e.id.to_string());
    let items = rows
        .iter()
        .map(store::AuditRow::response)
        .collect::<Result<_, _>>()?;
    let now = state.clock.now_naive();
    state.audit.record_read(
        AuditEvent::by(&actor, AuditAction::AuditRead, now).about(Resource::AuditLog),
    )?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

fn cursor_id(after: Option<String>) -> Result<Option<i64>, ApiError> {
    after.map(|a| a.parse::<i64>()).transpose().map_err(|_| {
        ApiError::validation("cursor", "invalid_cursor", "is not a cursor this list gave")
    })
}
