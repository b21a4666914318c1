//! `/api/v1/clients` (admin): API clients for the hotline's and partners' systems.
//! Bodies and `If-Match` are checked after the role (see `organizations::handlers`).
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use madar_openapi::clients::{ClientResponse, CreateClient, CreatedClient, UpdateClient};
use madar_openapi::Page;

use super::store::{self, Client};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, Action};
use crate::auth::tokens::random_token;
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{created, record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::state::AppState;

fn one(client: &Client) -> Result<HttpResponse, ApiError> {
    Ok(record(
        StatusCode::OK,
        client.row.version,
        &client.response()?,
    ))
}

/// Lists API clients (admin).
#[utoipa::path(
    tag = "clients",
    params(ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of clients", body = Page<ClientResponse>), ProblemResponse)
)]
#[get("/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageClients)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let rows = db::run(&state.pool, move |c| store::list(c, after, limit + 1)).await?;
    let (rows, next_cursor) = page(rows, limit, |c| c.row.id.clone());
    let items = rows
        .iter()
        .map(Client::response)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// Reads one API client (admin).
#[utoipa::path(
    tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "Client record id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The client", body = ClientResponse), ProblemResponse)
)]
#[get("/clients/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageClients)?;
    let client = db::run(&state.pool, move |c| store::find(c, &id.to_string())).await?;
    one(&client)
}

/// Creates an API client (admin). The secret is in this response only; Madar keeps a hash.
#[utoipa::path(
    tag = "clients",
    request_body = CreateClient,
    security(("bearer" = [])),
    responses((status = 201, description = "Created, with its secret", body = CreatedClient), ProblemResponse)
)]
#[post("/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    actor: Actor,
    body: Result<ValidJson<CreateClient>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageClients)?;
    let body = body?.0;
    let secret = random_token();
    let hash = state.hasher.hash(secret.clone()).await?;
    let now = state.clock.now_naive();
    let client_id = store::new_client_id();
    let event = AuditEvent::by(&actor, AuditAction::ClientCreate, now);
    let client = db::transaction(&state.pool, move |c| {
        let client = store::create(
            c,
            &body.name,
            &body.organization,
            body.role,
            &client_id,
            &hash,
            now,
        )?;
        audit::record(c, &event.on(Resource::Client, &client.row.id))?;
        Ok(client)
    })
    .await?;
    let location = format!("/api/v1/clients/{}", client.row.id);
    let body = CreatedClient {
        client: client.response()?,
        client_secret: secret,
    };
    Ok(created(&location, client.row.version, &body))
}

/// Renames or (de)activates an API client (admin); needs `If-Match`.
#[utoipa::path(
    tag = "clients",
    params(
        ("id" = uuid::Uuid, Path, description = "Client record id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateClient,
    security(("bearer" = [])),
    responses((status = 200, description = "The client", body = ClientResponse), ProblemResponse)
)]
#[patch("/clients/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateClient>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageClients)?;
    let (version, changes) = (if_match?.0, body?.0);
    let now = state.clock.now_naive();
    let action = if changes.active == Some(false) {
        AuditAction::ClientDeactivate
    } else {
        AuditAction::ClientUpdate
    };
    let event = AuditEvent::by(&actor, action, now);
    let client = db::transaction(&state.pool, move |c| {
        let client = store::update(c, &id.to_string(), version, &changes, now)?;
        audit::record(c, &event.on(Resource::Client, &client.row.id))?;
        Ok(client)
    })
    .await?;
    one(&client)
}

/// Replaces an API client's secret (admin), when it leaked or as routine: the new secret is in
/// this answer only (Madar keeps its hash, so no Idempotency-Key replays it: a lost answer is
/// a second rotation), the old one stops working at once, and so do the tokens issued with
/// it (401 `invalid_token`).
#[utoipa::path(
    tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "Client record id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The client with its new secret", body = CreatedClient), ProblemResponse)
)]
#[post("/clients/{id}/secret-rotation")]
pub async fn rotate_client_secret(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageClients)?;
    let secret = random_token();
    let hash = state.hasher.hash(secret.clone()).await?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ClientSecretRotate, now);
    let client = db::transaction(&state.pool, move |c| {
        let client = store::rotate_secret(c, &id.to_string(), &hash, now)?;
        audit::record(c, &event.on(Resource::Client, &client.row.id))?;
        Ok(client)
    })
    .await?;
    let body = CreatedClient {
        client: client.response()?,
        client_secret: secret,
    };
    Ok(record(StatusCode::OK, client.row.version, &body))
}

/// Deactivates an API client (admin): its tokens are refused from the next request on.
#[utoipa::path(
    tag = "clients",
    params(("id" = uuid::Uuid, Path, description = "Client record id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deactivated"), ProblemResponse)
)]
#[delete("/clients/{id}")]
pub async fn delete_client(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageClients)?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ClientDeactivate, now);
    db::transaction(&state.pool, move |c| {
        let current = store::find(c, &id.to_string())?;
        audit::record(c, &event.on(Resource::Client, &current.row.id))?;
        let off = madar_openapi::clients::UpdateClient {
            name: None,
            active: Some(false),
        };
        store::update(c, &id.to_string(), current.row.version, &off, now).map(|_| ())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
