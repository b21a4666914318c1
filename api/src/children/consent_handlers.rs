//! `/api/v1/children/{id}/consents`: the consents given for a child, recorded and withdrawn by
//! the coordinators and case workers who see the child (404 outside their scope, 403 for other
//! roles). Reading them is a read of the child's data, audited as such.
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::consents::{ConsentResponse, CreateConsent, WithdrawConsent};
use madar_openapi::Page;

use super::{consent, consent_store, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Finds the child within the caller's scope (404 otherwise).
async fn child_in_scope(state: &AppState, actor: &Actor, id: String) -> Result<(), ApiError> {
    let scope = child_scope(actor);
    db::run(&state.pool, move |c| {
        store::find(c, &scope, &id).map(|_| ())
    })
    .await
}

/// Records a consent given for a child: which groups of its data may be shared with which
/// recipients (organization codes or types), for what purpose, until when.
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateConsent,
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = ConsentResponse), ProblemResponse)
)]
#[post("/children/{id}/consents")]
pub async fn create_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateConsent>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let child_id = id.to_string();
    child_in_scope(&state, &actor, child_id.clone()).await?;
    let clock_now = state.clock.now();
    let checked = consent::checked(new, clock_now)?;
    let recipients = checked.recipients.clone();
    db::run(&state.pool, move |c| {
        consent_store::check_recipients(c, &recipients)
    })
    .await?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let event = AuditEvent::by(&actor, AuditAction::ConsentCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = consent_store::create(c, &keys, &child_id, &checked, &actor, now)?;
        audit::record(c, &event.on(Resource::Consent, &id))?;
        let row = consent_store::find(c, &child_id, &id)?;
        let location = format!("/api/v1/children/{child_id}/consents/{id}");
        Stored::created(location, row.version, &row.response(&keys, clock_now)?)
    })
    .await
}

/// The consents given for a child, newest first, each with its status at the server's time.
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "Child id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of consents", body = Page<ConsentResponse>), ProblemResponse)
)]
#[get("/children/{id}/consents")]
pub async fn list_consents(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let child_id = id.to_string();
    let scope = child_scope(&actor);
    let read_id = child_id.clone();
    let rows = db::run(&state.pool, move |c| {
        store::find(c, &scope, &read_id)?;
        consent_store::list(c, &read_id, after, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    let event = AuditEvent::by(&actor, AuditAction::ChildRead, state.clock.now_naive())
        .on(Resource::Child, &child_id);
    state.audit.record_read(event)?;
    let now = state.clock.now();
    let items = rows
        .iter()
        .map(|r| r.response(&state.data_keys, now))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Withdraws a consent: from now on it covers nothing. A consent is withdrawn once (409
/// `consent_already_withdrawn` after).
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("consent_id" = uuid::Uuid, Path, description = "Consent id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = WithdrawConsent,
    security(("bearer" = [])),
    responses((status = 200, description = "The withdrawn consent", body = ConsentResponse), ProblemResponse)
)]
#[post("/children/{id}/consents/{consent_id}/withdraw")]
pub async fn withdraw_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<WithdrawConsent>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let withdrawal = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &withdrawal)?;
    let (child_id, consent_id) = (path.0.to_string(), path.1.to_string());
    child_in_scope(&state, &actor, child_id.clone()).await?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let clock_now = state.clock.now();
    let event = AuditEvent::by(&actor, AuditAction::ConsentWithdraw, now)
        .on(Resource::Consent, &consent_id);
    idempotency::run(&state.pool, request, now, move |c| {
        consent_store::withdraw(
            c,
            &keys,
            &child_id,
            &consent_id,
            &withdrawal.reason,
            &actor,
            now,
        )?;
        audit::record(c, &event)?;
        let row = consent_store::find(c, &child_id, &consent_id)?;
        Stored::ok(row.version, &row.response(&keys, clock_now)?)
    })
    .await
}
