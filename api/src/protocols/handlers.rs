//! `/api/v1/protocols`: drafts (admins for the national protocol, coordinators for the
//! variants of their subtree), their changes (If-Match), the versions, and publication (which
//! validates every rule, 422 listing every problem, and retires the version in force for the
//! same territory).
use std::collections::HashSet;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use madar_openapi::protocols::{CreateProtocol, ProtocolResponse, ProtocolStatus, UpdateProtocol};
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain::{self, NATIONAL};
use super::store::{self, NewProtocol};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, manages_protocol_of, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// The path of a protocol's territory, and whether the actor may edit it (403 otherwise).
async fn editable(state: &AppState, actor: &Actor, territory: &str) -> Result<(), ApiError> {
    let code = territory.to_string();
    let path = db::run(&state.pool, move |c| store::territory_path(c, &code)).await?;
    let path = path.ok_or_else(|| {
        ApiError::validation("territory", "unknown_territory", "names no territory")
    })?;
    if manages_protocol_of(actor, &path, territory == NATIONAL) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Creates a draft protocol: the national one (`territory: "MA"`, admins) or a territory's
/// variant (coordinators whose subtree holds it). Its rules are checked at publication.
#[utoipa::path(
    tag = "protocols",
    request_body = CreateProtocol,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "The draft", body = ProtocolResponse), ProblemResponse)
)]
#[post("/protocols")]
pub async fn create_protocol(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateProtocol>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageProtocols)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    editable(&state, &actor, &new.territory).await?;
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ProtocolCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let n = NewProtocol {
            territory: &new.territory,
            title: &new.title,
            rules: &new.rules,
            status: ProtocolStatus::Draft,
            by: &actor.id,
        };
        let id = store::create(c, &n, now)?;
        audit::record(c, &event.on(Resource::Protocol, &id))?;
        let row = store::find(c, &id)?;
        Stored::created(
            format!("/api/v1/protocols/{id}"),
            row.version,
            &row.response()?,
        )
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProtocolFilter {
    /// Only the versions of this territory (`MA`: the national protocol).
    pub territory: Option<String>,
    #[param(inline)]
    pub status: Option<ProtocolStatus>,
}

/// Protocol versions, newest first.
#[utoipa::path(
    tag = "protocols",
    params(ListQuery, ProtocolFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of protocol versions", body = Page<ProtocolResponse>), ProblemResponse)
)]
#[get("/protocols")]
pub async fn list_protocols(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<ProtocolFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadProtocols)?;
    let filter = filter.into_inner();
    let f = store::Filter {
        territory: filter.territory,
        status: filter.status,
        after: query.after()?,
        limit: query.limit()? + 1,
    };
    let limit = f.limit - 1;
    let rows = db::run(&state.pool, move |c| store::list(c, &f)).await?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    let items = rows
        .iter()
        .map(|r| r.response())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One protocol version.
#[utoipa::path(
    tag = "protocols",
    params(("id" = uuid::Uuid, Path, description = "Protocol id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The protocol version", body = ProtocolResponse), ProblemResponse)
)]
#[get("/protocols/{id}")]
pub async fn get_protocol(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadProtocols)?;
    let id = id.to_string();
    let row = db::run(&state.pool, move |c| store::find(c, &id)).await?;
    Ok(record(StatusCode::OK, row.version, &row.response()?))
}

/// Changes a draft (If-Match); a published or retired version is frozen (409
/// `protocol_not_draft`).
#[utoipa::path(
    tag = "protocols",
    params(
        ("id" = uuid::Uuid, Path, description = "Protocol id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateProtocol,
    security(("bearer" = [])),
    responses((status = 200, description = "The changed draft", body = ProtocolResponse), ProblemResponse)
)]
#[patch("/protocols/{id}")]
pub async fn update_protocol(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateProtocol>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageProtocols)?;
    let version = if_match?.0;
    let change = body?.0;
    let id = id.to_string();
    let read_id = id.clone();
    let row = db::run(&state.pool, move |c| store::find(c, &read_id)).await?;
    editable(&state, &actor, &row.territory_code).await?;
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::ProtocolUpdate, now).on(Resource::Protocol, &id);
    let row = db::transaction(&state.pool, move |c| {
        store::touch_draft(c, &id, version, now)?;
        store::update_draft(c, &id, change.title.as_deref(), change.rules.as_deref())?;
        audit::record(c, &event)?;
        store::find(c, &id)
    })
    .await?;
    Ok(record(StatusCode::OK, row.version, &row.response()?))
}

/// Publishes a draft (If-Match): every rule is checked (known codes, deadlines of 1 to 8760
/// hours, unique keys, a variant disabling only rules of the national protocol in force) and
/// 422 lists every problem on `rules[<key>]...`. The version in force for the same territory
/// is retired; the actions it already created stay as they are.
#[utoipa::path(
    tag = "protocols",
    params(
        ("id" = uuid::Uuid, Path, description = "Protocol id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The published version", body = ProtocolResponse), ProblemResponse)
)]
#[post("/protocols/{id}/publish")]
pub async fn publish_protocol(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageProtocols)?;
    let version = if_match?.0;
    let request = Idempotent::new(key?, &actor, &req, &())?;
    let id = id.to_string();
    let read_id = id.clone();
    let (row, base) = db::run(&state.pool, move |c| {
        let row = store::find(c, &read_id)?;
        let base = if row.territory_code == NATIONAL {
            None
        } else {
            let national = store::in_force_on(c, &format!("{NATIONAL}/"))?;
            let mut keys = HashSet::new();
            for p in national {
                keys.extend(p.rules()?.into_iter().map(|r| r.key));
            }
            Some(keys)
        };
        Ok((row, base))
    })
    .await?;
    editable(&state, &actor, &row.territory_code).await?;
    let problems = domain::problems(&row.rules()?, base.as_ref());
    if !problems.is_empty() && row.status()? == ProtocolStatus::Draft {
        return Err(ApiError::Validation(problems));
    }
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::ProtocolPublish, now).on(Resource::Protocol, &id);
    let territory = row.territory_code.clone();
    idempotency::run(&state.pool, request, now, move |c| {
        store::touch_draft(c, &id, version, now)?;
        store::publish(c, &id, &territory, now)?;
        audit::record(c, &event)?;
        let row = store::find(c, &id)?;
        Stored::ok(row.version, &row.response()?)
    })
    .await
}
