//! `/api/v1/webhooks`: an organization's endpoints (partners and hotlines, users and API
//! clients, their own organization's only: another's answer 404).
use std::net::ToSocketAddrs;

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use madar_openapi::webhooks::{CreateWebhook, WebhookDelivery, WebhookResponse, WebhookWithSecret};
use madar_openapi::Page;

use super::{domain, signing, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, webhook_organization, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// The most deliveries listed.
const DELIVERIES: i64 = 100;

fn not_allowed(detail: &str) -> ApiError {
    ApiError::Unprocessable {
        code: "webhook_url_not_allowed",
        detail: detail.to_string(),
    }
}

/// Checks a URL: http or https, a host that resolves, and (unless
/// `MADAR_WEBHOOK_ALLOW_PRIVATE`) to no private, loopback or link-local address.
async fn check_url(url: &str, allow_private: bool) -> Result<(), ApiError> {
    let parsed = reqwest::Url::parse(url).map_err(|_| not_allowed("Not a URL."))?;
    if let Some(problem) = domain::url_problem(&parsed) {
        return Err(not_allowed(problem));
    }
    if allow_private {
        return Ok(());
    }
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_matches(['[', ']'])
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses = web::block(move || {
        (host.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.map(|s| s.ip()).collect::<Vec<_>>())
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("resolve: {e}")))?
    .map_err(|_| not_allowed("The URL's host does not resolve."))?;
    if addresses.is_empty() || addresses.iter().any(|ip| domain::is_private(*ip)) {
        return Err(not_allowed(
            "The URL's host resolves to a private, loopback or link-local address.",
        ));
    }
    Ok(())
}

/// Registers an endpoint for the caller's organization. The answer carries its signing
/// secret (`whsec_…`), shown this once. 422 `webhook_url_not_allowed` for a URL that is not
/// http(s) or whose host resolves to a private, loopback or link-local address.
#[utoipa::path(
    tag = "webhooks",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    request_body = CreateWebhook,
    security(("bearer" = [])),
    responses((status = 201, description = "Registered, with its secret", body = WebhookWithSecret), ProblemResponse)
)]
#[post("/webhooks")]
pub async fn create_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateWebhook>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageWebhooks)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    check_url(&new.url, state.settings.webhook_allow_private).await?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let organization = webhook_organization(&actor);
    let created = AuditEvent::by(&actor, AuditAction::WebhookCreate, now);
    let by = actor.id.clone();
    idempotency::run(&state.pool, request, now, move |c| {
        let id = uuid::Uuid::now_v7().to_string();
        let secret = signing::new_secret();
        let row = store::create(
            c,
            &keys,
            &id,
            &organization,
            &new.url,
            &new.events,
            &secret,
            &by,
            now,
        )?;
        audit::record(c, &created.on(Resource::Webhook, &id))?;
        let body = WebhookWithSecret {
            webhook: row.response(now)?,
            secret,
        };
        Stored::created(format!("/api/v1/webhooks/{id}"), 1, &body)
    })
    .await
}

/// The caller's organization's endpoints, without their secrets.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    responses((status = 200, description = "The endpoints", body = Page<WebhookResponse>), ProblemResponse)
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageWebhooks)?;
    let (organization, now) = (webhook_organization(&actor), state.clock.now_naive());
    let rows = db::run(&state.pool, move |c| store::list(c, &organization)).await?;
    let items = rows
        .iter()
        .map(|r| r.response(now))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// One endpoint of the caller's organization, without its secret.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The endpoint", body = WebhookResponse), ProblemResponse)
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageWebhooks)?;
    let (organization, now, id) = (
        webhook_organization(&actor),
        state.clock.now_naive(),
        id.to_string(),
    );
    let row = db::run(&state.pool, move |c| store::find(c, &organization, &id)).await?;
    Ok(HttpResponse::Ok().json(row.response(now)?))
}

/// Deletes an endpoint, with its deliveries.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Deleted"), ProblemResponse)
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageWebhooks)?;
    let (organization, id) = (webhook_organization(&actor), id.to_string());
    let deleted = AuditEvent::by(&actor, AuditAction::WebhookDelete, state.clock.now_naive());
    db::transaction(&state.pool, move |c| {
        store::delete(c, &organization, &id)?;
        audit::record(c, &deleted.on(Resource::Webhook, &id))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the endpoint's signing secret; the new one is in this answer only. For 24 hours
/// deliveries carry two signatures (new and previous, space-separated), so the receiver can
/// switch without losing any.
#[utoipa::path(
    tag = "webhooks",
    params(
        ("id" = uuid::Uuid, Path, description = "Webhook id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The endpoint with its new secret", body = WebhookWithSecret), ProblemResponse)
)]
#[post("/webhooks/{id}/secret-rotation")]
pub async fn rotate_webhook_secret(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageWebhooks)?;
    let id = id.to_string();
    let request = Idempotent::new(key?, &actor, &req, &id)?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let organization = webhook_organization(&actor);
    let rotated = AuditEvent::by(&actor, AuditAction::WebhookSecretRotate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let secret = signing::new_secret();
        let row = store::rotate(c, &keys, &organization, &id, &secret, now)?;
        audit::record(c, &rotated.on(Resource::Webhook, &id))?;
        let body = WebhookWithSecret {
            webhook: row.response(now)?,
            secret,
        };
        Stored::ok(1, &body)
    })
    .await
}

/// The endpoint's deliveries (the newest 100), each with its attempts.
#[utoipa::path(
    tag = "webhooks",
    params(("id" = uuid::Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The deliveries, newest first", body = Page<WebhookDelivery>), ProblemResponse)
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageWebhooks)?;
    let (organization, id) = (webhook_organization(&actor), id.to_string());
    let items = db::run(&state.pool, move |c| {
        store::find(c, &organization, &id)?;
        store::deliveries(c, &id, DELIVERIES)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}
