//! `/api/v1/audit`: the audit log, for auditors only. Reading it is itself audited.
use actix_web::{get, web, HttpResponse};
use madar_openapi::audit::{
    AuditChainBreak, AuditChainFault, AuditEventResponse, AuditFilter, AuditVerification,
};
use madar_openapi::Page;

use super::chain::{self, Fault};
use super::key::AuditKey;
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

/// Verifies the audit log's HMAC chain now, from its first event, as `madar audit verify`
/// does (auditor): whether it is intact, how many sealed events verify, how many wait for the
/// sealer, and the first event that breaks the chain. The check is audited like a read.
#[utoipa::path(
    operation_id = "verify_audit_chain",
    tag = "audit",
    security(("bearer" = [])),
    responses((status = 200, description = "The chain's state", body = AuditVerification), ProblemResponse)
)]
#[get("/audit/verification")]
pub async fn verify_audit_chain(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadAudit)?;
    let key = AuditKey::existing(&state.settings).map_err(ApiError::Internal)?;
    let (walked, unsealed) = db::run(&state.pool, move |c| {
        let walked = chain::walk(key, |after| store::sealed_after(c, after, 2000))?;
        Ok::<_, ApiError>((walked, store::count_unsealed(c)?))
    })
    .await?;
    let now = state.clock.now();
    state.audit.record_read(
        AuditEvent::by(&actor, AuditAction::AuditRead, now.naive_utc()).about(Resource::AuditLog),
    )?;
    let broken_at = walked.broken.map(|b| AuditChainBreak {
        event_id: b.id,
        position: b.seq,
        fault: match b.fault {
            Fault::Gap => AuditChainFault::Gap,
            Fault::WrongPrevious => AuditChainFault::WrongPrevious,
            Fault::WrongHmac => AuditChainFault::WrongHmac,
        },
    });
    Ok(HttpResponse::Ok().json(AuditVerification {
        intact: broken_at.is_none(),
        verified: walked.verified,
        unsealed,
        broken_at,
        checked_at: now,
    }))
}
