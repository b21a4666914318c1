//! `/api/v1/cases/{id}/referrals` and `/api/v1/referrals`: sending a referral from a case
//! (coordinators and case workers who see the case), the inboxes (`direction=incoming`: those
//! addressed to the caller's organization; `outgoing`: those sent from the cases the caller
//! sees) and one referral with its snapshot. Partners (users and API clients) see only the
//! referrals addressed to their organization. Every read and change first expires the
//! referrals whose answer deadline passed (`expiry`).
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::cases::{CaseEventKind, CaseStage};
use madar_openapi::referrals::{
    CreateReferral, ReferralDirection, ReferralResponse, ReferralStatus,
};
use madar_openapi::Page;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::{expiry, prepare, store, writes};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, referral_scope, Action};
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

/// Expires the referrals whose answer deadline passed (before any read or change).
pub async fn expire(state: &AppState) -> Result<(), ApiError> {
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    db::run(&state.pool, move |c| {
        expiry::expire_due(c, &keys, now).map(|_| ())
    })
    .await
}

/// Sends a referral of the case's child to an organization (by a directory service, or by an
/// organization's code and a service type). The receiver gets a snapshot of the named field
/// groups taken now, never the case. Needs an active consent of the child naming the
/// organization (or its type) and covering every group; without one only a coordinator sends
/// it, with an `override_reason` (audited as `referral.override`): 422 `consent_required`
/// otherwise. A closed case sends none (409 `case_closed`).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateReferral,
    security(("bearer" = [])),
    responses((status = 201, description = "The sent referral, with its snapshot", body = ReferralResponse), ProblemResponse)
)]
#[post("/cases/{id}/referrals")]
pub async fn send_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateReferral>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let case = case_in_scope(&state, &actor, id.to_string()).await?;
    if case.row.stage == to_code(&CaseStage::Closed) {
        return Err(ApiError::conflict(
            "case_closed",
            "A closed case sends no referral.",
        ));
    }
    let (clock_now, keys) = (state.clock.now(), state.data_keys.clone());
    let read_actor = actor.clone();
    let n = db::run(&state.pool, move |c| {
        prepare::prepare(c, &keys, &read_actor, &case, new, clock_now)
    })
    .await?;
    let (now, keys) = (clock_now.naive_utc(), state.data_keys.clone());
    let sent = AuditEvent::by(&actor, AuditAction::ReferralSend, now);
    let overridden = AuditEvent::by(&actor, AuditAction::ReferralOverride, now);
    let completed = AuditEvent::by(&actor, AuditAction::ProtocolActionComplete, now);
    let scope = referral_scope(&actor);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = writes::create(c, &keys, &n, now)?;
        if let Some(action) = &n.protocol_action_id {
            crate::protocols::store::complete_by_referral(c, action, &actor.id, now)?;
            audit::record(c, &completed.on(Resource::ProtocolAction, action))?;
        }
        let referral = store::find(c, &scope, &id)?;
        crate::events::publish(
            c,
            &crate::events::NewEvent::referral_created(&id, &referral.row.to_org),
            now,
        )?;
        let detail = json!({
            "to": referral.to_code,
            "service_type": n.service_type,
            "consent_overridden": n.override_reason.is_some(),
        });
        let event = Event::new(&n.case_id, CaseEventKind::ReferralSent, &actor.id)
            .subject(&id)
            .detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &sent.on(Resource::Referral, &id))?;
        if n.override_reason.is_some() {
            audit::record(c, &overridden.on(Resource::Referral, &id))?;
        }
        let location = format!("/api/v1/referrals/{id}");
        let body = referral.response(&keys, &actor, true)?;
        Stored::created(location, referral.row.version, &body)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralFilter {
    /// `incoming`: addressed to the caller's organization (its inbox); `outgoing`: sent from
    /// the cases the caller sees. Both when absent.
    #[param(inline)]
    pub direction: Option<ReferralDirection>,
    #[param(inline)]
    pub status: Option<ReferralStatus>,
}

/// Referrals, newest first: a partner's are those addressed to its organization; a case
/// worker's those sent from or to their organization; a coordinator's those of the cases in
/// their territory and those addressed to their organization. Without snapshots.
#[utoipa::path(
    tag = "referrals",
    params(ListQuery, ReferralFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of referrals", body = Page<ReferralResponse>), ProblemResponse)
)]
#[get("/referrals")]
pub async fn list_referrals(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<ReferralFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadReferrals)?;
    let (limit, after) = (query.limit()?, query.after()?);
    expire(&state).await?;
    let scope = referral_scope(&actor);
    let filter = store::Filter {
        direction: filter.direction,
        status: filter.status,
        case_id: None,
    };
    let rows = db::run(&state.pool, move |c| {
        store::list(c, &scope, filter, after, limit + 1)
    })
    .await?;
    respond_page(&state, &actor, rows, limit)
}

fn respond_page(
    state: &AppState,
    actor: &Actor,
    rows: Vec<store::Referral>,
    limit: i64,
) -> Result<HttpResponse, ApiError> {
    let (rows, next_cursor) = page(rows, limit, |r| r.row.id.clone());
    let items = rows
        .iter()
        .map(|r| r.response(&state.data_keys, actor, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// The referrals sent from a case (within the caller's scope, 404 otherwise), newest first.
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Case id"), ListQuery, ReferralFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of the case's referrals", body = Page<ReferralResponse>), ProblemResponse)
)]
#[get("/cases/{id}/referrals")]
pub async fn list_case_referrals(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
    filter: web::Query<ReferralFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (limit, after) = (query.limit()?, query.after()?);
    expire(&state).await?;
    let (cases, scope, case_id) = (case_scope(&actor), referral_scope(&actor), id.to_string());
    let filter = store::Filter {
        direction: filter.direction,
        status: filter.status,
        case_id: Some(case_id.clone()),
    };
    let rows = db::run(&state.pool, move |c| {
        crate::cases::store::check(c, &cases, &case_id)?;
        store::list(c, &scope, filter, after, limit + 1)
    })
    .await?;
    respond_page(&state, &actor, rows, limit)
}

/// One referral with the snapshot of the child's data it carries (within the caller's scope,
/// 404 otherwise); reading it is audited (`referral.read`).
#[utoipa::path(
    tag = "referrals",
    params(("id" = uuid::Uuid, Path, description = "Referral id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The referral and its snapshot", body = ReferralResponse), ProblemResponse)
)]
#[get("/referrals/{id}")]
pub async fn get_referral(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadReferrals)?;
    expire(&state).await?;
    let (scope, id) = (referral_scope(&actor), id.to_string());
    let read_id = id.clone();
    let referral = db::run(&state.pool, move |c| store::find(c, &scope, &read_id)).await?;
    let body = referral.response(&state.data_keys, &actor, true)?;
    let event = AuditEvent::by(&actor, AuditAction::ReferralRead, state.clock.now_naive())
        .on(Resource::Referral, &id);
    state.audit.record_read(event)?;
    Ok(record(StatusCode::OK, referral.row.version, &body))
}
