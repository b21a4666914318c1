//! `/api/v1/approvals`: the coordinators' inbox (approvals on the cases of their territory's
//! subtree) and their decisions. Case workers read the approvals of their organization's cases
//! (their own requests among them) but never decide (403). Free text (the request's reason and
//! outcome note, the decision's comment) is shown to the coordinators, the case's assigned
//! workers and the one who asked; reads are audited as reads of the case.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::approvals::{ApprovalKind, ApprovalResponse, ApprovalStatus, DecideApproval};
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::decide;
use super::store::{self, Approval, Inbox};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::cases::handlers::audit_reads;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalFilter {
    pub status: Option<ApprovalStatus>,
    pub kind: Option<ApprovalKind>,
}

const CURSOR_SEPARATOR: char = '|';

/// The response of an approval as `actor` may see it.
pub fn response(
    state: &AppState,
    actor: &Actor,
    approval: &Approval,
) -> Result<ApprovalResponse, ApiError> {
    let sensitive = sees_sensitive(actor, &approval.assigned);
    approval.response(&state.data_keys, &actor.id, sensitive)
}

/// Approvals on the cases in the caller's scope: pending first, then the oldest first;
/// filters combine (`?status=pending` is a coordinator's inbox).
#[utoipa::path(
    tag = "approvals",
    params(ListQuery, ApprovalFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of approvals", body = Page<ApprovalResponse>), ProblemResponse)
)]
#[get("/approvals")]
pub async fn list_approvals(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<ApprovalFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let limit = query.limit()?;
    let after = match query.after()? {
        None => None,
        Some(cursor) => Some(
            cursor
                .split_once(CURSOR_SEPARATOR)
                .and_then(|(r, id)| Some((r.parse::<i32>().ok()?, id.to_string())))
                .ok_or_else(|| {
                    ApiError::validation(
                        "cursor",
                        "invalid_cursor",
                        "is not a cursor this list gave",
                    )
                })?,
        ),
    };
    let inbox = Inbox {
        status: filter.status,
        kind: filter.kind,
        after,
        limit: limit + 1,
    };
    let scope = case_scope(&actor);
    let rows = db::run(&state.pool, move |c| store::list(c, &scope, &inbox)).await?;
    let (rows, next_cursor) = page(rows, limit, |a| {
        let rank = i32::from(a.row.status != "pending");
        format!("{rank}{CURSOR_SEPARATOR}{}", a.row.id)
    });
    let mut cases: Vec<&str> = rows.iter().map(|a| a.row.case_id.as_str()).collect();
    cases.sort_unstable();
    cases.dedup();
    audit_reads(&state, &actor, AuditAction::CaseRead, &cases)?;
    let items = rows
        .iter()
        .map(|a| response(&state, &actor, a))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads one approval (audited as a read of its case).
#[utoipa::path(
    tag = "approvals",
    params(("id" = uuid::Uuid, Path, description = "Approval id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The approval", body = ApprovalResponse), ProblemResponse)
)]
#[get("/approvals/{id}")]
pub async fn get_approval(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let scope = case_scope(&actor);
    let approval = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id.to_string())
    })
    .await?;
    audit_reads(
        &state,
        &actor,
        AuditAction::CaseRead,
        &[approval.row.case_id.as_str()],
    )?;
    let body = response(&state, &actor, &approval)?;
    Ok(record(StatusCode::OK, approval.row.version, &body))
}

/// Decides a pending approval (coordinators of the case's territory; 403 for other roles):
/// approving a closure closes the case (409 `case_changed` when it can no longer close),
/// approving an assessment completes it and sets the case's risk level, approving a plan
/// makes it active; rejecting marks the assessment or plan `rejected` and leaves the case
/// open. An approval is decided once (409 `approval_already_decided`).
#[utoipa::path(
    tag = "approvals",
    params(
        ("id" = uuid::Uuid, Path, description = "Approval id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = DecideApproval,
    security(("bearer" = [])),
    responses((status = 200, description = "The decided approval", body = ApprovalResponse), ProblemResponse)
)]
#[post("/approvals/{id}/decision")]
pub async fn decide_approval(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<DecideApproval>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::DecideApprovals)?;
    let body = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &body)?;
    let (id, scope) = (id.to_string(), case_scope(&actor));
    let (read_scope, read_id) = (scope.clone(), id.clone());
    db::run(&state.pool, move |c| {
        store::find(c, &read_scope, &read_id).map(|_| ())
    })
    .await?;
    let now = state.clock.now_naive();
    let audit =
        AuditEvent::by(&actor, AuditAction::ApprovalDecide, now).on(Resource::Approval, &id);
    let keys = state.data_keys.clone();
    let (state, actor) = (state.clone(), actor.clone());
    idempotency::run(&state.pool.clone(), request, now, move |c| {
        let comment = body.comment.as_deref();
        decide::decide(c, &keys, &id, body.decision, comment, &actor.id, now)?;
        audit::record(c, &audit)?;
        let approval = store::find(c, &scope, &id)?;
        Stored::ok(approval.row.version, &response(&state, &actor, &approval)?)
    })
    .await
}
