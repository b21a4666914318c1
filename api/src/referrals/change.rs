//! The one way a referral's status changes: the side's right (403), If-Match
//! (compare-and-set on the version, the first statement), the lifecycle's rule (409), the
//! change, its timeline event and audit event, in one idempotent transaction.
use actix_web::{web, HttpRequest, HttpResponse};
use madar_openapi::cases::CaseEventKind;
use serde::Serialize;
use serde_json::json;

use super::domain::{self, Move, Side};
use super::handlers::expire;
use super::store;
use super::writes::{self, Change};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, receives_referral, referral_scope, sends_referral, Action};
use crate::auth::Actor;
use crate::cases::events::{self, Event};
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::http::IfMatch;
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

fn kind_and_action(m: Move) -> (CaseEventKind, AuditAction) {
    match m {
        Move::Accept => (CaseEventKind::ReferralAccepted, AuditAction::ReferralAccept),
        Move::Decline => (
            CaseEventKind::ReferralDeclined,
            AuditAction::ReferralDecline,
        ),
        Move::Start => (CaseEventKind::ReferralStarted, AuditAction::ReferralStart),
        Move::Complete => (
            CaseEventKind::ReferralCompleted,
            AuditAction::ReferralComplete,
        ),
        Move::Cancel => (
            CaseEventKind::ReferralCancelled,
            AuditAction::ReferralCancel,
        ),
        Move::Expire => (CaseEventKind::ReferralExpired, AuditAction::ReferralExpire),
    }
}

/// One request for a move.
pub struct Asked<'a, B: Serialize> {
    pub req: &'a HttpRequest,
    pub state: web::Data<AppState>,
    pub actor: Actor,
    pub id: uuid::Uuid,
    pub if_match: Result<IfMatch, ApiError>,
    pub key: Result<IdempotencyKey, ApiError>,
    pub body: Result<B, ApiError>,
}

pub async fn change<B: Serialize>(
    asked: Asked<'_, B>,
    moved: Move,
    change_of: fn(&B) -> Change,
) -> Result<HttpResponse, ApiError> {
    let Asked {
        req,
        state,
        actor,
        id,
        if_match,
        key,
        body,
    } = asked;
    let side = moved.side();
    let action = match side {
        Side::Sender => Action::ManageCases,
        _ => Action::ReadReferrals,
    };
    authorize(&actor, action)?;
    let version = if_match?.0;
    let body = body?;
    let change = change_of(&body);
    let request = Idempotent::new(key?, &actor, req, &body)?;
    expire(&state).await?;
    let (scope, id) = (referral_scope(&actor), id.to_string());
    let (read_scope, read_id) = (scope.clone(), id.clone());
    let referral = db::run(&state.pool, move |c| store::find(c, &read_scope, &read_id)).await?;
    let allowed = match side {
        Side::Receiver => receives_referral(&actor, &referral.row.to_org),
        Side::Sender => sends_referral(&actor, &referral.row.from_org, &referral.case_path),
        Side::System => false,
    };
    if !allowed {
        return Err(ApiError::Forbidden);
    }
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let (kind, audit_action) = kind_and_action(moved);
    let audit = AuditEvent::by(&actor, audit_action, now).on(Resource::Referral, &id);
    idempotency::run(&state.pool, request, now, move |c| {
        writes::touch(c, &id, version, &actor.id, now)?;
        let from = writes::status(c, &id)?;
        let to = domain::next(from, moved)?;
        writes::apply(c, &keys, &id, (moved, to), &change, now)?;
        let row = &referral.row;
        crate::events::publish(
            c,
            &crate::events::NewEvent::referral_updated(&id, &row.from_org, &row.to_org),
            now,
        )?;
        let mut detail = json!({"from": to_code(&from), "to": to_code(&to)});
        if let Some(outcome) = change.outcome {
            detail["outcome"] = json!(to_code(&outcome));
        }
        if let (Move::Complete, Some(action)) = (moved, &row.plan_action_id) {
            detail["plan_action_done"] =
                json!(writes::mark_action_done(c, &row.case_id, action, now)?);
        }
        let note = change.reason.as_deref();
        let event = Event::new(&row.case_id, kind, &actor.id)
            .subject(&id)
            .detail(detail)
            .note(note);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit)?;
        let changed = store::find(c, &scope, &id)?;
        Stored::ok(
            changed.row.version,
            &changed.response(&keys, &actor, false)?,
        )
    })
    .await
}
