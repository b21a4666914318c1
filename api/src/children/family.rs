//! A child's family: `/api/v1/children/{id}/guardians` (guardians and contacts, their contact
//! data sealed) and `/api/v1/children/{id}/siblings` (links between child records), for the
//! coordinators and case workers who see the child (404 outside their scope). Reading them is
//! a read of the child's data, audited as such.
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use madar_openapi::family::{
    CreateGuardian, GuardianResponse, LinkSibling, SiblingResponse, UpdateGuardian,
};

use super::{family_store as store, store as children};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Checks the child lies within the caller's scope (404 otherwise).
async fn in_scope(state: &AppState, actor: &Actor, child: &str) -> Result<(), ApiError> {
    let (scope, id) = (child_scope(actor), child.to_string());
    db::run(&state.pool, move |c| {
        children::find(c, &scope, &id).map(|_| ())
    })
    .await
}

fn audit_read(state: &AppState, actor: &Actor, child: &str) -> Result<(), ApiError> {
    let event = AuditEvent::by(actor, AuditAction::ChildRead, state.clock.now_naive());
    state.audit.record_read(event.on(Resource::Child, child))
}

/// The child's guardians and contacts, the primary contact first.
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "Child id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The guardians", body = Vec<GuardianResponse>), ProblemResponse)
)]
#[get("/children/{id}/guardians")]
pub async fn list_guardians(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let child = id.to_string();
    in_scope(&state, &actor, &child).await?;
    let read = child.clone();
    let rows = db::run(&state.pool, move |c| store::guardians(c, &read)).await?;
    audit_read(&state, &actor, &child)?;
    let body = rows
        .iter()
        .map(|g| g.response(&state.data_keys))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(body))
}

/// Records a guardian or contact of the child; `primary` moves the primary flag to them.
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateGuardian,
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = GuardianResponse), ProblemResponse)
)]
#[post("/children/{id}/guardians")]
pub async fn create_guardian(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateGuardian>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let child = id.to_string();
    in_scope(&state, &actor, &child).await?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let event = AuditEvent::by(&actor, AuditAction::GuardianCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = store::create(c, &keys, &child, &new, &actor.id, now)?;
        audit::record(c, &event.on(Resource::Guardian, &id))?;
        let row = store::find_guardian(c, &child, &id)?;
        let location = format!("/api/v1/children/{child}/guardians/{id}");
        Stored::created(location, row.version, &row.response(&keys)?)
    })
    .await
}

/// Changes a guardian; needs the ETag of the last read in `If-Match` (428 without, 412 stale).
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("guardian_id" = uuid::Uuid, Path, description = "Guardian id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateGuardian,
    security(("bearer" = [])),
    responses((status = 200, description = "The guardian", body = GuardianResponse), ProblemResponse)
)]
#[patch("/children/{id}/guardians/{guardian_id}")]
pub async fn update_guardian(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateGuardian>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let (version, changes) = (if_match?.0, body?.0);
    let (child, id) = (path.0.to_string(), path.1.to_string());
    in_scope(&state, &actor, &child).await?;
    let keys = state.data_keys.clone();
    let (read_keys, read_child, read_id) = (keys.clone(), child.clone(), id.clone());
    let changed = db::run(&state.pool, move |c| {
        let current = store::find_guardian(c, &read_child, &read_id)?;
        Ok(store::changed(current.record(&read_keys)?, changes))
    })
    .await?;
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::GuardianUpdate, now).on(Resource::Guardian, &id);
    let row = db::transaction(&state.pool, move |c| {
        store::update(c, &keys, (&child, &id, version), &changed, now)?;
        audit::record(c, &event)?;
        store::find_guardian(c, &child, &id)
    })
    .await?;
    Ok(record(
        StatusCode::OK,
        row.version,
        &row.response(&state.data_keys)?,
    ))
}

/// Removes a guardian or contact of the child.
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("guardian_id" = uuid::Uuid, Path, description = "Guardian id"),
    ),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), ProblemResponse)
)]
#[delete("/children/{id}/guardians/{guardian_id}")]
pub async fn delete_guardian(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let (child, id) = (path.0.to_string(), path.1.to_string());
    in_scope(&state, &actor, &child).await?;
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::GuardianDelete, now).on(Resource::Guardian, &id);
    db::transaction(&state.pool, move |c| {
        store::delete_guardian(c, &child, &id)?;
        audit::record(c, &event)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The child's siblings: shown whole when you see the sibling's record, else by the
/// organization that owns it (so that you can coordinate), nothing more.
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "Child id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The siblings", body = Vec<SiblingResponse>), ProblemResponse)
)]
#[get("/children/{id}/siblings")]
pub async fn list_siblings(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let child = id.to_string();
    in_scope(&state, &actor, &child).await?;
    let (scope, read) = (child_scope(&actor), child.clone());
    let body = db::run(&state.pool, move |c| {
        store::siblings(c, &read, |c, ids| children::in_scope(c, &scope, ids))
    })
    .await?;
    audit_read(&state, &actor, &child)?;
    Ok(HttpResponse::Ok().json(body))
}

/// Links the child and another child you see as siblings (422 `unknown_child` for a child
/// you do not see or the child itself; 409 `already_linked`).
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = LinkSibling,
    security(("bearer" = [])),
    responses((status = 201, description = "Linked", body = SiblingResponse), ProblemResponse)
)]
#[post("/children/{id}/siblings")]
pub async fn create_sibling(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<LinkSibling>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let (child, other) = (id.to_string(), new.child_id.to_string());
    in_scope(&state, &actor, &child).await?;
    let (scope, check) = (child_scope(&actor), other.clone());
    let seen = db::run(&state.pool, move |c| {
        children::in_scope(c, &scope, vec![check])
    })
    .await?;
    if other == child || seen.is_empty() {
        return Err(ApiError::validation(
            "child_id",
            "unknown_child",
            "names no other child you see",
        ));
    }
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::SiblingLink, now);
    let scope = child_scope(&actor);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = store::link(c, (&child, &other), new.relation, &actor.id, now)?;
        audit::record(c, &event.on(Resource::SiblingLink, &id))?;
        let link = store::siblings(c, &child, |c, ids| children::in_scope(c, &scope, ids))?
            .into_iter()
            .find(|s| s.id.to_string() == id)
            .ok_or(ApiError::NotFound)?;
        Stored::created(format!("/api/v1/children/{child}/siblings"), 1, &link)
    })
    .await
}

/// Removes a sibling link (from either child's side).
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("link_id" = uuid::Uuid, Path, description = "The link's id"),
    ),
    security(("bearer" = [])),
    responses((status = 204, description = "Removed"), ProblemResponse)
)]
#[delete("/children/{id}/siblings/{link_id}")]
pub async fn delete_sibling(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let (child, id) = (path.0.to_string(), path.1.to_string());
    in_scope(&state, &actor, &child).await?;
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::SiblingUnlink, now).on(Resource::SiblingLink, &id);
    db::transaction(&state.pool, move |c| {
        store::unlink(c, &child, &id)?;
        audit::record(c, &event)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
