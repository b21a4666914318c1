//! `/api/v1/services/{id}` and creation: every authenticated actor reads a service; admins, and
//! coordinators within their territory, create and change services; the provider's people
//! update its free places. Confidential locations are shown to case workers and coordinators.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, put, web, HttpRequest, HttpResponse};
use madar_openapi::services::{CreateService, ServiceCapacity, ServiceResponse, UpdateService};

use super::search::response;
use super::store;
use super::{domain, write_store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{
    authorize, manages_service_in, provides, sees_confidential_locations, Action,
};
use crate::auth::Actor;
use crate::children::store::territory_path;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::organizations::store as organizations;
use crate::state::AppState;

/// Reads one service.
#[utoipa::path(
    tag = "services",
    params(("id" = uuid::Uuid, Path, description = "Service id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The service", body = ServiceResponse), ProblemResponse)
)]
#[get("/services/{id}")]
pub async fn get_service(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let service = db::run(&state.pool, move |c| store::find(c, &id.to_string())).await?;
    Ok(record(
        StatusCode::OK,
        service.row.version,
        &response(&actor, &service)?,
    ))
}

/// The paths of territory codes (422 `unknown_territory` on `field`), checked against the
/// actor's reach (422 `territory_outside_scope`).
fn reachable(c: &mut DbConn, actor: &Actor, codes: &[String], field: &str) -> Result<(), ApiError> {
    let mut paths = Vec::new();
    for code in codes {
        paths.push(territory_path(c, code, field)?);
    }
    if manages_service_in(actor, &paths) {
        Ok(())
    } else {
        Err(ApiError::validation(
            field,
            "territory_outside_scope",
            "lies outside the territory you cover",
        ))
    }
}

fn location_territories(c: &mut DbConn, codes: Vec<&String>) -> Result<(), ApiError> {
    for code in codes {
        territory_path(c, code, "locations")?;
    }
    Ok(())
}

/// Creates a service (admins; coordinators for territories within their subtree, 422
/// `territory_outside_scope` otherwise).
#[utoipa::path(
    tag = "services",
    request_body = CreateService,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = ServiceResponse), ProblemResponse)
)]
#[post("/services")]
pub async fn create_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateService>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageServices)?;
    let new = body?.0;
    domain::check_ages(new.min_age, new.max_age)?;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let (checked, reader) = (new.clone(), actor.clone());
    let provider = db::run(&state.pool, move |c| {
        reachable(c, &reader, &checked.territories, "territories")?;
        location_territories(
            c,
            checked
                .locations
                .iter()
                .filter_map(|l| l.territory.as_ref())
                .collect(),
        )?;
        Ok(organizations::id_of(c, &checked.provider, "provider")?.id)
    })
    .await?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ServiceCreate, now);
    let shows = sees_confidential_locations(&actor);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = write_store::create(c, &new, &provider, now)?;
        audit::record(c, &event.on(Resource::Service, &id))?;
        let service = store::find(c, &id)?;
        let location = format!("/api/v1/services/{id}");
        Stored::created(location, service.row.version, &service.response(shows)?)
    })
    .await
}

/// Changes a service (admins; coordinators of a territory containing every territory it
/// serves, 403 otherwise); needs the ETag of the last read in `If-Match` (428 without, 412
/// when another change came first).
#[utoipa::path(
    tag = "services",
    params(
        ("id" = uuid::Uuid, Path, description = "Service id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateService,
    security(("bearer" = [])),
    responses((status = 200, description = "The service", body = ServiceResponse), ProblemResponse)
)]
#[patch("/services/{id}")]
pub async fn update_service(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateService>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageServices)?;
    let id = id.to_string();
    let (read_id, reader) = (id.clone(), actor.clone());
    let current = db::run(&state.pool, move |c| {
        let service = store::find(c, &read_id)?;
        let mut paths = Vec::new();
        for code in &service.territories {
            paths.push(territory_path(c, code, "territories")?);
        }
        if !manages_service_in(&reader, &paths) {
            return Err(ApiError::Forbidden);
        }
        Ok(service)
    })
    .await?;
    let (version, changes) = (if_match?.0, body?.0);
    domain::check_ages(
        changes.min_age.or(current.row.min_age),
        changes.max_age.or(current.row.max_age),
    )?;
    let (checked, reader) = (changes.clone(), actor.clone());
    db::run(&state.pool, move |c| {
        if let Some(codes) = &checked.territories {
            reachable(c, &reader, codes, "territories")?;
        }
        let places = checked
            .locations
            .iter()
            .flatten()
            .filter_map(|l| l.territory.as_ref());
        location_territories(c, places.collect())
    })
    .await?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ServiceUpdate, now).on(Resource::Service, &id);
    let service = db::transaction(&state.pool, move |c| {
        write_store::update(c, &current, version, &changes, now)?;
        audit::record(c, &event)?;
        store::find(c, &id)
    })
    .await?;
    Ok(record(
        StatusCode::OK,
        service.row.version,
        &response(&actor, &service)?,
    ))
}

/// Sets a service's free places: its provider's partners (users and API clients),
/// coordinators and case workers only (403 for others). `If-Match` is optional: with it, 412
/// when another change came first; without it, the count sent is the count kept.
#[utoipa::path(
    tag = "services",
    params(
        ("id" = uuid::Uuid, Path, description = "Service id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the last read"),
    ),
    request_body = ServiceCapacity,
    security(("bearer" = [])),
    responses((status = 200, description = "The service", body = ServiceResponse), ProblemResponse)
)]
#[put("/services/{id}/capacity")]
pub async fn replace_service_capacity(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<ServiceCapacity>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::UpdateServiceCapacity)?;
    let id = id.to_string();
    let read_id = id.clone();
    let service = db::run(&state.pool, move |c| store::find(c, &read_id)).await?;
    if !provides(&actor, &service.row.provider_org) {
        return Err(ApiError::Forbidden);
    }
    let version = match if_match {
        Ok(v) => Some(v.0),
        Err(ApiError::PreconditionRequired) => None,
        Err(e) => return Err(e),
    };
    let places = body?.0.places_available;
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::ServiceCapacityUpdate, now).on(Resource::Service, &id);
    let service = db::transaction(&state.pool, move |c| {
        write_store::set_capacity(c, &id, version, places, now)?;
        audit::record(c, &event)?;
        store::find(c, &id)
    })
    .await?;
    Ok(record(
        StatusCode::OK,
        service.row.version,
        &response(&actor, &service)?,
    ))
}
