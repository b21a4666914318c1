//! `/api/v1/children`: the records of the children Madar follows, for coordinators (their
//! territory's subtree) and case workers (the children their organization owns). Every read of
//! a child's data is audited. The matches endpoint lives in `matches`.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use madar_openapi::children::{ChildResponse, CreateChild, UpdateChild};
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain::{self, ChildRecord};
use super::store;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Records one audited read of a child's data per child.
fn audit_reads(state: &AppState, actor: &Actor, ids: &[&str]) -> Result<(), ApiError> {
    let now = state.clock.now_naive();
    for id in ids {
        let event = AuditEvent::by(actor, AuditAction::ChildRead, now).on(Resource::Child, *id);
        state.audit.record_read(event)?;
        if actor.grants.iter().any(|g| g.child_id == *id) {
            let used = AuditEvent::by(actor, AuditAction::AccessGrantUse, now);
            state.audit.record_read(used.on(Resource::Child, *id))?;
        }
    }
    Ok(())
}

/// Creates a child record, owned by the caller's organization.
#[utoipa::path(
    tag = "children",
    request_body = CreateChild,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = ChildResponse), ProblemResponse)
)]
#[post("/children")]
pub async fn create_child(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateChild>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let child = ChildRecord::checked(new, state.clock.now())?;
    let (territory, scope) = (child.get().territory.clone(), child_scope(&actor));
    let check = scope.clone();
    db::run(&state.pool, move |c| {
        store::check_territory(c, &check, &territory)
    })
    .await?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let event = AuditEvent::by(&actor, AuditAction::ChildCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = store::create(c, &keys, &child, &actor, now)?;
        audit::record(c, &event.on(Resource::Child, &id))?;
        let child = store::find(c, &scope, &id)?;
        let location = format!("/api/v1/children/{id}");
        Stored::created(location, child.row.version, &child.response(&keys)?)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildListFilter {
    /// A name search, in either script and any spelling: every word must match a name.
    pub q: Option<String>,
}

/// The children in the caller's scope, oldest record first; `q` searches names the way
/// matching does (across scripts and spellings).
#[utoipa::path(
    tag = "children",
    params(ListQuery, ChildListFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of children", body = Page<ChildResponse>), ProblemResponse)
)]
#[get("/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<ChildListFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let words: Vec<_> = filter
        .q
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .take(6)
        .filter_map(domain::word_lookups)
        .collect();
    let (scope, keys) = (child_scope(&actor), state.data_keys.clone());
    let rows = db::run(&state.pool, move |c| {
        store::list(c, &scope, &words, after, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |c| c.row.id.clone());
    let ids: Vec<&str> = rows.iter().map(|c| c.row.id.as_str()).collect();
    audit_reads(&state, &actor, &ids)?;
    let items = rows
        .iter()
        .map(|c| c.response(&keys))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads one child record (audited).
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "Child id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The child", body = ChildResponse), ProblemResponse)
)]
#[get("/children/{id}")]
pub async fn get_child(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let scope = child_scope(&actor);
    let child = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id.to_string())
    })
    .await?;
    audit_reads(&state, &actor, &[child.row.id.as_str()])?;
    Ok(record(
        StatusCode::OK,
        child.row.version,
        &child.response(&state.data_keys)?,
    ))
}

/// Changes a child record; needs the ETag of the last read in `If-Match` (428 without, 412
/// when another change came first).
#[utoipa::path(
    tag = "children",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateChild,
    security(("bearer" = [])),
    responses((status = 200, description = "The child", body = ChildResponse), ProblemResponse)
)]
#[patch("/children/{id}")]
pub async fn update_child(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateChild>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let (version, changes) = (if_match?.0, body?.0);
    let (id, scope, keys) = (id.to_string(), child_scope(&actor), state.data_keys.clone());
    let now = state.clock.now();
    // Read outside the write's transaction: the compare-and-set decides, and on SQLite a
    // transaction that starts with a write cannot fail to take the write lock.
    let (read_keys, read_scope, read_id) = (keys.clone(), scope.clone(), id.clone());
    let changed = db::run(&state.pool, move |c| {
        let current = store::find(c, &read_scope, &read_id)?;
        let record = ChildRecord::checked(current.record(&read_keys)?, now)?;
        let changed = record.changed(changes, now)?;
        store::check_territory(c, &read_scope, &changed.get().territory)?;
        Ok(changed)
    })
    .await?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ChildUpdate, now).on(Resource::Child, &id);
    let child = db::transaction(&state.pool, move |c| {
        store::update(c, &keys, &id, version, &changed, now)?;
        audit::record(c, &event)?;
        store::find(c, &scope, &id)
    })
    .await?;
    Ok(record(
        StatusCode::OK,
        child.row.version,
        &child.response(&state.data_keys)?,
    ))
}
