//! `GET /api/v1/children/{id}/access-log`: who read or changed a child's record, for the
//! coordinators of its territory. Read through the audit store: ids and action codes only.
use actix_web::{get, web, HttpResponse};
use madar_openapi::audit::AuditFilter;
use madar_openapi::children::ChildAccessEvent;
use madar_openapi::Page;

use super::store;
use crate::audit::store::{self as audit_store, AuditRow};
use crate::audit::{AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse};
use crate::state::AppState;

fn entry(row: &AuditRow) -> Result<ChildAccessEvent, ApiError> {
    let event = row.response()?;
    Ok(ChildAccessEvent {
        id: event.id,
        occurred_at: event.occurred_at,
        actor_kind: event.actor_kind,
        actor_id: event.actor_id,
        action: event.action,
    })
}

/// The audit events about a child (reads, changes, merges...), newest recorded first, as the
/// audit log orders them (coordinators of its territory; 404 outside it, and for a merged
/// duplicate). Reads are recorded within a second, so the latest may show a moment later. Reading the access log is itself audited (`audit.read`).
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "Child id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of the child's audit events", body = Page<ChildAccessEvent>), ProblemResponse)
)]
#[get("/children/{id}/access-log")]
pub async fn get_child_access_log(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildAccessLog)?;
    let limit = query.limit()?;
    let before = query
        .after()?
        .map(|a| a.parse::<i64>())
        .transpose()
        .map_err(|_| {
            ApiError::validation("cursor", "invalid_cursor", "is not a cursor this list gave")
        })?;
    let (id, scope) = (id.to_string(), child_scope(&actor));
    let rows = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id)?;
        let filter = AuditFilter {
            resource_type: Some(Resource::Child.code().into()),
            resource_id: Some(id),
            ..AuditFilter::default()
        };
        audit_store::list(c, &filter, before, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |e| e.id.to_string());
    let items = rows.iter().map(entry).collect::<Result<Vec<_>, _>>()?;
    let now = state.clock.now_naive();
    state.audit.record_read(
        AuditEvent::by(&actor, AuditAction::AuditRead, now).about(Resource::AuditLog),
    )?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}
