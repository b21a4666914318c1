//! `/api/v1/access-grants`: break-the-glass. Coordinators open a case outside their territory
//! (with its child) for a limited time and a written reason, list and end their own grants;
//! auditors list every grant with its reason. Other roles: 403.
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{SubsecRound, TimeDelta};
use madar_openapi::access::{AccessGrantResponse, CreateAccessGrant, DEFAULT_GRANT_HOURS};
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, GrantRow, NewGrant};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, grant_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Grants carry no version: their ETag is constant.
const VERSION: i32 = 1;

/// Opens a case outside the caller's territory, with its child, for `hours` (default 8, at
/// most 72). The case then answers every case and child operation as if it lay in the
/// caller's territory until the grant expires or is ended; each read under it is audited as
/// `access_grant.use`. 422 `unknown_case` (no such case) or `in_scope` (no grant needed);
/// 409 `grant_active` when the caller already holds one on the case.
#[utoipa::path(
    tag = "access",
    request_body = CreateAccessGrant,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "The grant, in force", body = AccessGrantResponse), ProblemResponse)
)]
#[post("/access-grants")]
pub async fn create_access_grant(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateAccessGrant>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::BreakGlass)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let territory = actor.territory.as_ref().map(|t| t.path.clone());
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let hours = new.hours.unwrap_or(DEFAULT_GRANT_HOURS);
    let event = AuditEvent::by(&actor, AuditAction::AccessGrantCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let case_id = new.case_id.to_string();
        let Some((child_id, path)) = store::case_place(c, &case_id)? else {
            return Err(ApiError::validation(
                "case_id",
                "unknown_case",
                "names no case",
            ));
        };
        if territory.is_some_and(|t| path.starts_with(&t)) {
            return Err(ApiError::validation(
                "case_id",
                "in_scope",
                "the case lies within your territory: no grant is needed",
            ));
        }
        if store::holds(c, &actor.id, &case_id, now)? {
            return Err(ApiError::conflict(
                "grant_active",
                "you already hold a grant in force on this case",
            ));
        }
        let n = NewGrant {
            user_id: &actor.id,
            case_id: &case_id,
            child_id: &child_id,
            reason: &new.reason,
            expires_at: now + TimeDelta::hours(i64::from(hours)),
        };
        let row = store::create(c, &keys, &n, now)?;
        audit::record(c, &event.on(Resource::AccessGrant, &row.id))?;
        let location = format!("/api/v1/access-grants/{}", row.id);
        Stored::created(location, VERSION, &row.response(&keys, now)?)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GrantFilter {
    /// Only the grants of this coordinator.
    pub user_id: Option<uuid::Uuid>,
    /// Only the grants on this case.
    pub case_id: Option<uuid::Uuid>,
    /// Only those in force (`true`), or only those expired or ended (`false`).
    pub active: Option<bool>,
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Grants, newest first: auditors see every one, coordinators their own.
#[utoipa::path(
    tag = "access",
    params(GrantFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of grants", body = Page<AccessGrantResponse>), ProblemResponse)
)]
#[get("/access-grants")]
pub async fn list_access_grants(
    state: web::Data<AppState>,
    actor: Actor,
    filter: web::Query<GrantFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadAccessGrants)?;
    let filter = filter.into_inner();
    let paging = ListQuery {
        limit: filter.limit,
        cursor: filter.cursor.clone(),
    };
    let (limit, after) = (paging.limit()?, paging.after()?);
    let (scope, now) = (grant_scope(&actor), state.clock.now_naive());
    let f = store::Filter {
        user_id: filter.user_id.map(|u| u.to_string()),
        case_id: filter.case_id.map(|u| u.to_string()),
        active: filter.active,
        now,
        after,
        limit: limit + 1,
    };
    let rows = db::run(&state.pool, move |c| store::list(c, &scope, &f)).await?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    let items = rows
        .iter()
        .map(|r| r.response(&state.data_keys, now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One grant (auditors: any; coordinators: their own, else 404).
#[utoipa::path(
    tag = "access",
    params(("id" = uuid::Uuid, Path, description = "Grant id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The grant", body = AccessGrantResponse), ProblemResponse)
)]
#[get("/access-grants/{id}")]
pub async fn get_access_grant(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadAccessGrants)?;
    let (scope, id) = (grant_scope(&actor), id.to_string());
    let row: GrantRow = db::run(&state.pool, move |c| store::find(c, &scope, &id)).await?;
    Ok(HttpResponse::Ok().json(row.response(&state.data_keys, state.clock.now_naive())?))
}

/// Ends one of the caller's grants now (another's: 404). A grant already expired or ended is
/// answered as it is.
#[utoipa::path(
    tag = "access",
    params(
        ("id" = uuid::Uuid, Path, description = "Grant id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The grant, ended", body = AccessGrantResponse), ProblemResponse)
)]
#[post("/access-grants/{id}/end")]
pub async fn end_access_grant(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::BreakGlass)?;
    let id = id.to_string();
    let request = Idempotent::new(key?, &actor, &req, &())?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let scope = grant_scope(&actor);
    let event = AuditEvent::by(&actor, AuditAction::AccessGrantEnd, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let mut row = store::find(c, &scope, &id)?;
        if store::end(c, &id, now)? {
            audit::record(c, &event.on(Resource::AccessGrant, &id))?;
            // As stored (microseconds), without reading the row again.
            row.ended_at = Some(now.trunc_subsecs(6));
        }
        Stored::ok(VERSION, &row.response(&keys, now)?)
    })
    .await
}
