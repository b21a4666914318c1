//! `/api/v1/organizations`: every actor lists them (to pick a referral target); admins manage them.
//! Bodies and `If-Match` are extracted as `Result`s and checked after the role, so a role that may
//! never do an operation gets 403 whatever it sent.
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use madar_openapi::organizations::{CreateOrganization, OrganizationResponse, UpdateOrganization};
use madar_openapi::Page;

use super::{domain, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, organization_scope, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

fn one(org: &store::Organization) -> Result<HttpResponse, ApiError> {
    Ok(record(StatusCode::OK, org.row.version, &org.response()?))
}

/// Lists organizations by code.
#[utoipa::path(
    tag = "organizations",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of organizations", body = Page<OrganizationResponse>), ProblemResponse)
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ListOrganizations)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let scope = organization_scope(&actor);
    let rows = db::run(&state.pool, move |c| {
        store::list(c, scope, after, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |o| o.row.code.clone());
    let items = rows
        .iter()
        .map(store::Organization::response)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads one organization.
#[utoipa::path(
    tag = "organizations",
    params(("code" = String, Path, description = "Organization code")),
    security(("bearer" = [])),
    responses((status = 200, description = "The organization", body = OrganizationResponse), ProblemResponse)
)]
#[get("/organizations/{code}")]
pub async fn get_organization(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ListOrganizations)?;
    let scope = organization_scope(&actor);
    let org = db::run(&state.pool, move |c| store::find_in(c, scope, &code)).await?;
    one(&org)
}

/// Creates an organization (admin).
#[utoipa::path(
    tag = "organizations",
    request_body = CreateOrganization,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = OrganizationResponse), ProblemResponse)
)]
#[post("/organizations")]
pub async fn create_organization(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateOrganization>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageOrganizations)?;
    let new = body?.0;
    domain::check_sector(new.type_, new.sector)?;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::OrganizationCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let org = store::create(c, &new, false, now)?;
        audit::record(c, &event.on(Resource::Organization, &org.row.id))?;
        let location = format!("/api/v1/organizations/{}", org.row.code);
        Stored::created(location, org.row.version, &org.response()?)
    })
    .await
}

/// Changes an organization (admin); needs the ETag of the last read in `If-Match`.
#[utoipa::path(
    tag = "organizations",
    params(
        ("code" = String, Path, description = "Organization code"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateOrganization,
    security(("bearer" = [])),
    responses((status = 200, description = "The organization", body = OrganizationResponse), ProblemResponse)
)]
#[patch("/organizations/{code}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateOrganization>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageOrganizations)?;
    let (version, changes) = (if_match?.0, body?.0);
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::OrganizationUpdate, now);
    let org = db::transaction(&state.pool, move |c| {
        let org = store::update(c, &code, version, &changes, now)?;
        audit::record(c, &event.on(Resource::Organization, &org.row.id))?;
        Ok(org)
    })
    .await?;
    one(&org)
}

/// Deactivates an organization (admin): its users and clients are refused from then on. The
/// record stays, as cases and the audit log refer to it.
#[utoipa::path(
    tag = "organizations",
    params(("code" = String, Path, description = "Organization code")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deactivated"), ProblemResponse)
)]
#[delete("/organizations/{code}")]
pub async fn delete_organization(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageOrganizations)?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::OrganizationDeactivate, now);
    db::transaction(&state.pool, move |c| {
        store::deactivate(c, &code, now)?;
        let id = store::find(c, &code)?.row.id;
        audit::record(c, &event.on(Resource::Organization, &id))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
