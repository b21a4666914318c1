//! `POST /api/v1/cases/{id}/transitions`: the only way a case's stage changes, with the rules
//! of `stages`, If-Match (compare-and-set on the case's version) and an Idempotency-Key. A
//! case worker's closure becomes a pending approval (202) that a coordinator decides.
use actix_web::{post, web, HttpRequest, HttpResponse};
use madar_openapi::approvals::{ApprovalKind, ApprovalResponse};
use madar_openapi::cases::{CaseEventKind, CaseResponse, CaseStage, CaseTransition};
use madar_openapi::users::Role;
use serde_json::json;

use super::events::{self, Event};
use super::stages::{self, Given};
use super::transitions_store::{self as transitions, Applied};
use super::{handlers, store};
use crate::approvals::{self, store as approval_store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, Action};
use crate::auth::Actor;
use crate::codes::to_code;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::{IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Moves a case to another stage (needs the ETag of the last read in `If-Match`: 428 without,
/// 412 when another change came first). Refusals are 422 with a code:
/// `transition_not_allowed` (no such step), `assessment_required` (planning needs a completed
/// risk assessment), `plan_required` (implementation needs an active plan with an objective),
/// `closure_reason_required` and `outcome_note_required` (closing), `closure_fields_not_allowed`
/// (those two sent on another step). A case worker's closure is not applied but asked: 202 with
/// the pending approval a coordinator decides (409 `approval_pending` while one waits). The
/// reason and outcome note are sensitive (assigned workers and coordinators only).
#[utoipa::path(
    tag = "cases",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CaseTransition,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The case at its new stage", body = CaseResponse),
        (status = 202, description = "A case worker's closure, waiting for a coordinator", body = ApprovalResponse),
        ProblemResponse
    )
)]
#[post("/cases/{id}/transitions")]
pub async fn transition_case(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CaseTransition>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let version = if_match?.0;
    let body = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &body)?;
    let (id, scope) = (id.to_string(), case_scope(&actor));
    let (read_scope, read_id) = (scope.clone(), id.clone());
    db::run(&state.pool, move |c| {
        store::check(c, &read_scope, &read_id).map(|_| ())
    })
    .await?;
    let now = state.clock.now_naive();
    let moved = AuditEvent::by(&actor, AuditAction::CaseTransition, now).on(Resource::Case, &id);
    let asked = AuditEvent::by(&actor, AuditAction::ApprovalRequest, now);
    let (state, actor) = (state.clone(), actor.clone());
    idempotency::run(&state.pool.clone(), request, now, move |c| {
        let keys = state.data_keys.clone();
        store::touch(c, &id, Some(version), now)?;
        let from = transitions::stage(c, &id)?;
        let facts = transitions::facts(c, &id)?;
        let given = Given {
            closure_reason: body.closure_reason.is_some(),
            outcome_note: body.outcome_note.is_some(),
        };
        stages::check(from, body.to, facts, given)?;
        if body.to == CaseStage::Closed && actor.role == Role::CaseWorker {
            let approval_id = ask_closure(c, &state, &actor, &id, &body, now)?;
            audit::record(c, &asked.on(Resource::Approval, &approval_id))?;
            let approval = approval_store::find(c, &scope, &approval_id)?;
            let response = approvals::handlers::response(&state, &actor, &approval)?;
            let mut stored = Stored::ok(approval.row.version, &response)?;
            stored.status = 202;
            stored.location = Some(format!("/api/v1/approvals/{approval_id}"));
            return Ok(stored);
        }
        let applied = Applied {
            case_id: &id,
            from,
            to: body.to,
            closure_reason: body.closure_reason,
            outcome_note: body.outcome_note.as_deref(),
            reason: &body.reason,
            actor_id: &actor.id,
            approval_id: None,
        };
        transitions::apply(c, &keys, applied, now)?;
        audit::record(c, &moved)?;
        let case = store::find(c, &scope, &id)?;
        let response = handlers::responses(&state, &actor, std::slice::from_ref(&case))?;
        Stored::ok(case.row.version, &response[0])
    })
    .await
}

/// Records a case worker's closure as a pending approval (one at a time per case) and its
/// `approval_requested` event; returns the approval's id.
fn ask_closure(
    c: &mut DbConn,
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    body: &CaseTransition,
    now: chrono::NaiveDateTime,
) -> Result<String, ApiError> {
    if approval_store::closure_pending(c, case_id)? {
        return Err(ApiError::conflict(
            "approval_pending",
            "A closure of this case already waits for a coordinator's decision.",
        ));
    }
    let reason = body.closure_reason.map(|r| to_code(&r));
    let request = json!({"to": to_code(&CaseStage::Closed), "closure_reason": reason});
    let text = json!({"reason": body.reason, "outcome_note": body.outcome_note}).to_string();
    let asked = approvals::Request {
        case_id,
        kind: ApprovalKind::Closure,
        subject_id: None,
        request: request.clone(),
        sealed: Some(&text),
        requested_by: &actor.id,
    };
    let approval_id = approvals::request(c, &state.data_keys, asked, now)?;
    let mut detail = request;
    detail["kind"] = json!(to_code(&ApprovalKind::Closure));
    let event = Event::new(case_id, CaseEventKind::ApprovalRequested, &actor.id)
        .subject(&approval_id)
        .detail(detail)
        .note(Some(&body.reason));
    events::append(c, &state.data_keys, event, now)?;
    Ok(approval_id)
}
