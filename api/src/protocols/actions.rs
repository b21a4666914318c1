//! Protocol actions and alerts: the actions of a case or a report (within the caller's scope,
//! 404 otherwise), completing one (coordinators and case workers who see it), waiving one
//! (coordinators, with a reason), and `GET /api/v1/alerts`: the caller's overdue actions,
//! immediate-danger reports not screened in time first.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::protocols::{
    AlertKind, AlertResponse, ProtocolActionResponse, ProtocolActionStatus, WaiveProtocolAction,
};
use madar_openapi::Page;

use super::{alerts, proposals, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{
    authorize, case_scope, child_scope, referral_scope, report_scope, Action,
};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

type Proposed = std::collections::HashMap<String, Vec<uuid::Uuid>>;

/// An action's response with the services it proposes.
fn with_proposals(
    state: &AppState,
    row: &store::ActionRow,
    proposed: &mut Proposed,
) -> Result<ProtocolActionResponse, ApiError> {
    let mut body = row.response(&state.data_keys, state.clock.now_naive())?;
    body.proposed_services = proposed.remove(&row.id).unwrap_or_default();
    Ok(body)
}

fn respond(
    state: &AppState,
    (rows, mut proposed): (Vec<store::ActionRow>, Proposed),
) -> Result<HttpResponse, ApiError> {
    let items = rows
        .iter()
        .map(|r| with_proposals(state, r, &mut proposed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// The protocol actions of a case (within the caller's scope, 404 otherwise), by due time.
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The case's protocol actions (one page)", body = Page<ProtocolActionResponse>), ProblemResponse)
)]
#[get("/cases/{id}/actions")]
pub async fn list_case_actions(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::HandleProtocolActions)?;
    let (scope, id) = (case_scope(&actor), id.to_string());
    let (children, today) = (child_scope(&actor), state.clock.now_naive().date());
    let rows = db::run(&state.pool, move |c| {
        crate::cases::store::check(c, &scope, &id)?;
        let rows = store::actions_of(c, &id, true)?;
        let proposed = proposals::of(c, &rows, &children, today)?;
        Ok((rows, proposed))
    })
    .await?;
    respond(&state, rows)
}

/// The protocol actions of a report (within the caller's scope, 404 otherwise), by due time.
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Report id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The report's protocol actions (one page)", body = Page<ProtocolActionResponse>), ProblemResponse)
)]
#[get("/reports/{id}/actions")]
pub async fn list_report_actions(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::HandleProtocolActions)?;
    let (cases, reports, id) = (case_scope(&actor), report_scope(&actor), id.to_string());
    let rows = db::run(&state.pool, move |c| {
        crate::reports::store::find(c, &reports, &id)?;
        let rows = store::actions_of(c, &id, false)?;
        let mut seen = Vec::with_capacity(rows.len());
        for row in rows {
            if store::action_in_scope(c, &row, &cases, &reports)? {
                seen.push(row);
            }
        }
        Ok((seen, Proposed::new()))
    })
    .await?;
    respond(&state, rows)
}

/// Closes an action the caller sees (404 otherwise): done, or waived with a reason.
async fn close(
    req: &HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: uuid::Uuid,
    (if_match, key): (Result<IfMatch, ApiError>, Result<IdempotencyKey, ApiError>),
    waiver: Option<WaiveProtocolAction>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match?.0;
    let request = Idempotent::new(key?, &actor, req, &waiver)?;
    let (cases, reports, id) = (case_scope(&actor), report_scope(&actor), id.to_string());
    let read_id = id.clone();
    db::run(&state.pool, move |c| {
        let row = store::find_action(c, &read_id)?;
        if store::action_in_scope(c, &row, &cases, &reports)? {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    })
    .await?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let (to, audit_action) = match waiver {
        Some(_) => (
            ProtocolActionStatus::Waived,
            AuditAction::ProtocolActionWaive,
        ),
        None => (
            ProtocolActionStatus::Done,
            AuditAction::ProtocolActionComplete,
        ),
    };
    let event = AuditEvent::by(&actor, audit_action, now).on(Resource::ProtocolAction, &id);
    idempotency::run(&state.pool, request, now, move |c| {
        let reason = waiver.as_ref().map(|w| w.reason.as_str());
        store::close(c, &keys, &id, version, to, reason, &actor.id, now)?;
        audit::record(c, &event)?;
        let row = store::find_action(c, &id)?;
        Stored::ok(row.version, &row.response(&keys, now)?)
    })
    .await
}

/// Marks an action done (If-Match; coordinators and case workers who see its case or report).
/// An action already done or waived answers 409 `protocol_action_closed`.
#[utoipa::path(
    tag = "protocols",
    params(
        ("id" = uuid::Uuid, Path, description = "Protocol action id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The action, done", body = ProtocolActionResponse), ProblemResponse)
)]
#[post("/protocol-actions/{id}/completion")]
pub async fn complete_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::HandleProtocolActions)?;
    close(&req, state, actor, *id, (if_match, key), None).await
}

/// Waives an action, with the reason (If-Match; coordinators only: 403 for others). An action
/// already done or waived answers 409 `protocol_action_closed`.
#[utoipa::path(
    tag = "protocols",
    params(
        ("id" = uuid::Uuid, Path, description = "Protocol action id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = WaiveProtocolAction,
    security(("bearer" = [])),
    responses((status = 200, description = "The action, waived", body = ProtocolActionResponse), ProblemResponse)
)]
#[post("/protocol-actions/{id}/waiver")]
pub async fn waive_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<WaiveProtocolAction>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::WaiveProtocolActions)?;
    let waiver = body?.0;
    close(&req, state, actor, *id, (if_match, key), Some(waiver)).await
}

/// One protocol action (within the caller's scope, 404 otherwise).
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Protocol action id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The action", body = ProtocolActionResponse), ProblemResponse)
)]
#[get("/protocol-actions/{id}")]
pub async fn get_action(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::HandleProtocolActions)?;
    let (cases, reports, id) = (case_scope(&actor), report_scope(&actor), id.to_string());
    let (children, today) = (child_scope(&actor), state.clock.now_naive().date());
    let (row, mut proposed) = db::run(&state.pool, move |c| {
        let row = store::find_action(c, &id)?;
        if !store::action_in_scope(c, &row, &cases, &reports)? {
            return Err(ApiError::NotFound);
        }
        let proposed = proposals::of(c, std::slice::from_ref(&row), &children, today)?;
        Ok((row, proposed))
    })
    .await?;
    let body = with_proposals(&state, &row, &mut proposed)?;
    Ok(record(StatusCode::OK, row.version, &body))
}

/// The caller's alerts: the open protocol actions past their due time on the cases and
/// reports they see (an immediate-danger report's overdue screening is
/// `immediate_danger_unscreened`, listed first; others `overdue_action`), their outgoing
/// referrals unanswered past `respond_by` (`referral_unanswered`), the children of their cases
/// turning 18 within six months while placed in a social-care institution
/// (`turning_18_in_institution`), and their open cases without a timeline event for
/// `MADAR_ALERT_NO_FOLLOW_UP_DAYS` days (`no_follow_up`); then by due time (at most 200 of
/// each kind).
#[utoipa::path(
    tag = "protocols",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller's alerts (one page)", body = Page<AlertResponse>), ProblemResponse)
)]
#[get("/alerts")]
pub async fn list_alerts(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::HandleProtocolActions)?;
    let (cases, reports, referrals, now) = (
        case_scope(&actor),
        report_scope(&actor),
        referral_scope(&actor),
        state.clock.now_naive(),
    );
    let days = state.settings.alert_no_follow_up_days;
    let (rows, unanswered, turning, quiet) = db::run(&state.pool, move |c| {
        let rows = store::overdue(c, &cases, &reports, now, 200)?;
        let unanswered = alerts::unanswered_referrals(c, &referrals, now, 200)?;
        let turning = alerts::turning_18(c, &cases, now)?;
        let quiet = alerts::no_follow_up(c, &cases, days, now, 200)?;
        Ok((rows, unanswered, turning, quiet))
    })
    .await?;
    let id = |s: &str| uuid::Uuid::parse_str(s).map_err(|e| ApiError::Internal(e.into()));
    let empty = |kind: AlertKind, due_at: chrono::NaiveDateTime| AlertResponse {
        kind,
        action_id: None,
        action: None,
        report_id: None,
        case_id: None,
        referral_id: None,
        child_id: None,
        due_at: due_at.and_utc(),
    };
    let mut items = Vec::with_capacity(rows.len());
    for (row, danger) in rows {
        let kind = if danger && row.action == "screen_report" {
            AlertKind::ImmediateDangerUnscreened
        } else {
            AlertKind::OverdueAction
        };
        let r = row.response(&state.data_keys, now)?;
        items.push(AlertResponse {
            action_id: Some(r.id),
            action: Some(r.action),
            report_id: r.report_id,
            case_id: r.case_id,
            ..empty(kind, row.due_at)
        });
    }
    for (referral, case, respond_by) in unanswered {
        items.push(AlertResponse {
            referral_id: Some(id(&referral)?),
            case_id: Some(id(&case)?),
            ..empty(AlertKind::ReferralUnanswered, respond_by)
        });
    }
    for (child, case, birthday) in turning {
        items.push(AlertResponse {
            child_id: Some(id(&child)?),
            case_id: Some(id(&case)?),
            ..empty(AlertKind::Turning18InInstitution, birthday)
        });
    }
    for (case, due) in quiet {
        items.push(AlertResponse {
            case_id: Some(id(&case)?),
            ..empty(AlertKind::NoFollowUp, due)
        });
    }
    items.sort_by_key(|a| (a.kind != AlertKind::ImmediateDangerUnscreened, a.due_at));
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
