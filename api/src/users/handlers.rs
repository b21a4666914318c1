//! `/api/v1/users`: admins manage users; coordinators list the users of their territory.
//! Bodies and `If-Match` are checked after the role (see `organizations::handlers`).
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use madar_openapi::users::{CreateUser, Role, UpdateUser, UserResponse};
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain::{check_self_change, Email};
use super::store::{self, NewUser, User, UserFilter};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, user_scope, Action, UserScope};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// One user, with the ETag an update must send back.
pub fn one(user: &User) -> Result<HttpResponse, ApiError> {
    Ok(record(StatusCode::OK, user.row.version, &user.response()?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only users of this organization (code).
    pub organization: Option<String>,
    /// Only users whose email or display name contains this text (any case; at most 100
    /// characters, 422 `length` beyond).
    pub q: Option<String>,
}

/// Lists users: all of them for an admin, those of their territory's subtree for a coordinator.
#[utoipa::path(
    tag = "users",
    params(ListQuery, UserListFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of users", body = Page<UserResponse>), ProblemResponse)
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<UserListFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ListUsers)?;
    let (limit, after, scope) = (query.limit()?, query.after()?, user_scope(&actor));
    let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(ApiError::validation(
            "q",
            "length",
            "at most 100 characters",
        ));
    }
    let filter = UserFilter {
        role: filter.role,
        organization: filter.organization.clone(),
        q: q.map(str::to_string),
    };
    let rows = db::run(&state.pool, move |c| {
        store::list(c, &scope, &filter, after, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |u| u.row.id.clone());
    let items = rows.iter().map(User::response).collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads one user within the caller's scope.
#[utoipa::path(
    tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The user", body = UserResponse), ProblemResponse)
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ListUsers)?;
    let scope = user_scope(&actor);
    let user = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id.to_string())
    })
    .await?;
    one(&user)
}

/// Creates a user (admin).
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = UserResponse), ProblemResponse)
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateUser>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageUsers)?;
    let body = body?.0;
    // The password stays out of the stored fingerprint.
    let fingerprinted = CreateUser {
        password: String::new(),
        ..body.clone()
    };
    let request = Idempotent::new(key?, &actor, &req, &fingerprinted)?;
    let password_hash = state.hasher.hash(body.password).await?;
    let new = NewUser {
        email: Email::parse(&body.email),
        display_name: body.display_name,
        password_hash,
        role: body.role,
        organization: body.organization,
        territory: body.territory,
        language: body.language.unwrap_or_default(),
        demo: false,
    };
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::UserCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let user = store::create(c, new, now)?;
        audit::record(c, &event.on(Resource::User, &user.row.id))?;
        let location = format!("/api/v1/users/{}", user.row.id);
        Stored::created(location, user.row.version, &user.response()?)
    })
    .await
}

/// Changes a user (admin); needs the ETag of the last read in `If-Match`. Deactivating a user
/// or setting a new password ends their sessions.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = uuid::Uuid, Path, description = "User id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateUser,
    security(("bearer" = [])),
    responses((status = 200, description = "The user", body = UserResponse), ProblemResponse)
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateUser>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageUsers)?;
    let (version, changes) = (if_match?.0, body?.0);
    let removes_access =
        changes.active == Some(false) || changes.role.is_some_and(|r| r != Role::Admin);
    check_self_change(actor.id == id.to_string(), removes_access)?;
    let hash = match &changes.password {
        Some(p) => Some(state.hasher.hash(p.clone()).await?),
        None => None,
    };
    let now = state.clock.now_naive();
    let action = if changes.active == Some(false) {
        AuditAction::UserDeactivate
    } else {
        AuditAction::UserUpdate
    };
    let event = AuditEvent::by(&actor, action, now);
    let user = db::transaction(&state.pool, move |c| {
        let user = store::update(c, &id.to_string(), version, &changes, hash, now)?;
        audit::record(c, &event.on(Resource::User, &user.row.id))?;
        Ok(user)
    })
    .await?;
    one(&user)
}

/// Deactivates a user (admin): refused from their next request on, sessions ended. The record
/// stays, as cases and the audit log refer to it.
#[utoipa::path(
    tag = "users",
    params(("id" = uuid::Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deactivated"), ProblemResponse)
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageUsers)?;
    check_self_change(actor.id == id.to_string(), true)?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::UserDeactivate, now);
    db::transaction(&state.pool, move |c| {
        store::find(c, &UserScope::All, &id.to_string())?;
        store::deactivate(c, &id.to_string(), now)?;
        audit::record(c, &event.on(Resource::User, id.to_string()))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
