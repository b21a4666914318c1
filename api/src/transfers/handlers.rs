//! `/api/v1/cases/{id}/transfers` and `/api/v1/transfers`: asking that a case move to another
//! centre (coordinators and case workers who see the case), listing and reading transfers
//! (coordinators: into or out of their subtree; case workers: from or to their organization),
//! and the receiving coordinator's decision. The reason and comment are sealed and shown to
//! coordinators and the requester only (`policy::sees_transfer_reason`).
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::cases::{
    CaseEventKind, CaseStage, CreateTransfer, DecideTransfer, TransferDirection, TransferResponse,
    TransferStatus,
};
use madar_openapi::Page;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::domain::{check_target, target_territory};
use super::store;
use super::writes::{self, NewTransfer};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, decides_transfer, transfer_scope, Action};
use crate::auth::Actor;
use crate::cases::events::{self, Event};
use crate::cases::notes::case_in_scope;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Asks that a case move to another support centre, protection unit or mobile unit (the child
/// moved). One pending transfer per case (409 `transfer_pending`); a closed case does not move
/// (409 `case_closed`). A coordinator of the target territory decides.
#[utoipa::path(
    tag = "approvals",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateTransfer,
    security(("bearer" = [])),
    responses((status = 201, description = "The pending transfer", body = TransferResponse), ProblemResponse)
)]
#[post("/cases/{id}/transfers")]
pub async fn create_transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateTransfer>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let asked = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &asked)?;
    let case = case_in_scope(&state, &actor, id.to_string()).await?;
    if case.row.stage == to_code(&CaseStage::Closed) {
        return Err(ApiError::conflict(
            "case_closed",
            "A closed case is not transferred.",
        ));
    }
    let (case_id, owner) = (case.row.id.clone(), case.row.owner_org.clone());
    let (code, territory) = (asked.to_organization.clone(), asked.territory.clone());
    let (to_org, to_territory) = db::run(&state.pool, move |c| {
        let target = store::target(c, &code)?;
        check_target(target.as_ref(), &owner)?;
        let target = target.ok_or(ApiError::NotFound)?;
        let asked = match territory {
            None => None,
            Some(code) => {
                let path = store::path_of(c, &code)?.ok_or_else(|| {
                    ApiError::validation("territory", "unknown_territory", "names no territory")
                })?;
                Some((code, path))
            }
        };
        let to = target_territory(
            &target,
            asked.as_ref().map(|(c, p)| (c.as_str(), p.as_str())),
        )?;
        writes::check_none_pending(c, &case_id)?;
        Ok((target.id, to))
    })
    .await?;
    let new = NewTransfer {
        case_id: case.row.id.clone(),
        from_org: case.row.owner_org.clone(),
        to_org,
        from_territory: case.row.territory_code.clone(),
        to_territory,
        reason: asked.reason,
        requested_by: actor.id.clone(),
    };
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::TransferRequest, now);
    let scope = transfer_scope(&actor);
    let (from, to) = (case.organization.clone(), asked.to_organization);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = writes::create(c, &keys, &new, now)?;
        crate::cases::store::touch(c, &new.case_id, None, now)?;
        let detail = json!({"from": from, "to": to, "territory": new.to_territory});
        let event = Event::new(&new.case_id, CaseEventKind::TransferRequested, &actor.id)
            .subject(&id)
            .detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit.on(Resource::Transfer, &id))?;
        let transfer = store::find(c, &scope, &id)?;
        let location = format!("/api/v1/transfers/{id}");
        Stored::created(
            location,
            transfer.row.version,
            &transfer.response(&keys, &actor)?,
        )
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferFilter {
    pub status: Option<TransferStatus>,
    /// `incoming`: into the caller's subtree (or organization); `outgoing`: out of it. Both
    /// when absent.
    #[param(inline)]
    pub direction: Option<TransferDirection>,
}

/// Transfers, the newest first: for a coordinator, those into or out of their territory's
/// subtree (`direction=incoming` is their inbox to decide); for a case worker, those from or to
/// their organization.
#[utoipa::path(
    tag = "approvals",
    params(ListQuery, TransferFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of transfers", body = Page<TransferResponse>), ProblemResponse)
)]
#[get("/transfers")]
pub async fn list_transfers(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<TransferFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let (scope, direction, status) = (transfer_scope(&actor), filter.direction, filter.status);
    let rows = db::run(&state.pool, move |c| {
        store::list(c, &scope, direction, status, after, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |t| t.row.id.clone());
    let items = rows
        .iter()
        .map(|t| t.response(&state.data_keys, &actor))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One transfer (within the caller's scope, 404 otherwise).
#[utoipa::path(
    tag = "approvals",
    params(("id" = uuid::Uuid, Path, description = "Transfer id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The transfer", body = TransferResponse), ProblemResponse)
)]
#[get("/transfers/{id}")]
pub async fn get_transfer(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (scope, id) = (transfer_scope(&actor), id.to_string());
    let transfer = db::run(&state.pool, move |c| store::find(c, &scope, &id)).await?;
    let body = transfer.response(&state.data_keys, &actor)?;
    Ok(record(StatusCode::OK, transfer.row.version, &body))
}

/// Accepts or rejects a pending transfer: only a coordinator of the target territory (the
/// receiving side; 403 for the sending coordinator and for case workers). Accepting moves the
/// case and its child to the receiving organization and territory and ends the case's
/// assignments, in one transaction. A transfer is decided once (409
/// `transfer_already_decided`).
#[utoipa::path(
    tag = "approvals",
    params(
        ("id" = uuid::Uuid, Path, description = "Transfer id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = DecideTransfer,
    security(("bearer" = [])),
    responses((status = 200, description = "The decided transfer", body = TransferResponse), ProblemResponse)
)]
#[post("/transfers/{id}/decision")]
pub async fn decide_transfer(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<DecideTransfer>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::DecideApprovals)?;
    let decision = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &decision)?;
    let (scope, id) = (transfer_scope(&actor), id.to_string());
    let (read_scope, read_id) = (scope.clone(), id.clone());
    let transfer = db::run(&state.pool, move |c| store::find(c, &read_scope, &read_id)).await?;
    if !decides_transfer(&actor, &transfer.to_path) {
        return Err(ApiError::Forbidden);
    }
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit =
        AuditEvent::by(&actor, AuditAction::TransferDecide, now).on(Resource::Transfer, &id);
    idempotency::run(&state.pool, request, now, move |c| {
        let comment = decision.comment.as_deref();
        writes::decide(c, &keys, &id, decision.decision, comment, &actor.id, now)?;
        let row = &transfer.row;
        if decision.decision == madar_openapi::cases::TransferDecision::Accept {
            writes::move_case(c, row, now)?;
        } else {
            crate::cases::store::touch(c, &row.case_id, None, now)?;
        }
        let detail = json!({
            "decision": to_code(&decision.decision),
            "from": transfer.from_code,
            "to": transfer.to_code,
        });
        let event = Event::new(&row.case_id, CaseEventKind::TransferDecided, &actor.id)
            .subject(&id)
            .detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit)?;
        let decided = store::find(c, &scope, &id)?;
        Stored::ok(decided.row.version, &decided.response(&keys, &actor)?)
    })
    .await
}
