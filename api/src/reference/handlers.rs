//! `/api/v1/territories` and `/api/v1/reference`: public, cacheable (ETag + Cache-Control).
use actix_web::http::{header, StatusCode};
use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use madar_openapi::reference::{
    ReferenceList, ReferenceLists, TerritoryNode, TerritoryResponse, UpdateTerritory,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::store;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::state::AppState;

/// A public JSON response that caches may keep for five minutes and revalidate by ETag.
fn cacheable<T: Serialize>(req: &HttpRequest, value: &T) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))?;
    let tag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
    let cache = (header::CACHE_CONTROL, "public, max-age=300");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*")
        });
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header(cache)
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, tag))
        .insert_header(cache)
        .body(body))
}

/// The territory tree: nation, regions, prefectures and provinces, prefectures of arrondissements.
#[utoipa::path(
    tag = "reference",
    responses(
        (status = 200, description = "The territory tree", body = Vec<TerritoryNode>),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        ProblemResponse,
    )
)]
#[get("/territories")]
pub async fn list_territories(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rows = db::run(&state.pool, store::all).await?;
    cacheable(&req, &store::tree(&rows)?)
}

/// One territory, with the ETag to send when correcting it.
#[utoipa::path(
    tag = "reference",
    params(("code" = String, Path, description = "Territory code, such as `MA-04`, `421` or `141-01`")),
    responses(
        (status = 200, description = "The territory", body = TerritoryResponse),
        ProblemResponse,
    )
)]
#[get("/territories/{code}")]
pub async fn get_territory(
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = db::run(&state.pool, move |c| store::find(c, &code)).await?;
    Ok(record(StatusCode::OK, row.version, &row.response()?))
}

/// Corrects a territory's names (admin).
#[utoipa::path(
    tag = "reference",
    params(
        ("code" = String, Path, description = "Territory code"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateTerritory,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The corrected territory", body = TerritoryResponse),
        ProblemResponse,
    )
)]
#[patch("/territories/{code}")]
pub async fn update_territory(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateTerritory>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    // A role that may never correct territories is refused before its request is checked.
    authorize(&actor, Action::ManageReference)?;
    let (version, labels) = (if_match?.0, body?.0.labels);
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::TerritoryUpdate, now)
        .on(Resource::Territory, code.as_str());
    let row = db::transaction(&state.pool, move |c| {
        let row = store::rename(c, &code, version, &labels, now)?;
        audit::record(c, &event)?;
        Ok(row)
    })
    .await?;
    Ok(record(StatusCode::OK, row.version, &row.response()?))
}

/// The names of the reference lists.
#[utoipa::path(
    tag = "reference",
    responses(
        (status = 200, description = "The list names", body = ReferenceLists),
        ProblemResponse,
    )
)]
#[get("/reference")]
pub async fn list_reference_lists(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lists = db::run(&state.pool, store::list_names).await?;
    cacheable(&req, &ReferenceLists { lists })
}

/// One reference list (concern types, pathway domains, report sources, ...) with labels in
/// Arabic, French and English.
#[utoipa::path(
    tag = "reference",
    params(("list" = String, Path, description = "List name, such as `concern_types`")),
    responses(
        (status = 200, description = "The list, in vocabulary order", body = ReferenceList),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        ProblemResponse,
    )
)]
#[get("/reference/{list}")]
pub async fn get_reference_list(
    req: HttpRequest,
    state: web::Data<AppState>,
    list: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let list = list.into_inner();
    let name = list.clone();
    let items = db::run(&state.pool, move |c| store::list_items(c, &name)).await?;
    if items.is_empty() {
        return Err(ApiError::NotFound);
    }
    cacheable(&req, &ReferenceList { list, items })
}
