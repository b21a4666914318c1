//! `GET /api/v1/services`: the directory searched by every authenticated actor (JSON pages or
//! the whole search as CSV), filters that combine, eligibility for a child in scope.
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use madar_openapi::pathway::{PathwayDomain, ServiceType};
use madar_openapi::reports::ConcernType;
use madar_openapi::services::ServiceResponse;
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, Search, Service};
use super::{domain, eligibility, export};
use crate::audit::{AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, sees_confidential_locations, Action};
use crate::auth::Actor;
use crate::children::store::territory_path;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse};
use crate::organizations::store as organizations;
use crate::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceFilter {
    /// A territory code: services serving it or one of its ancestors.
    pub territory: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<ServiceType>,
    pub domain: Option<PathwayDomain>,
    /// Services answering this concern, or any.
    pub concern: Option<ConcernType>,
    /// The providing organization's code.
    pub provider: Option<String>,
    /// Default true: active services only.
    pub active: Option<bool>,
    /// A child in the caller's scope (404 otherwise): services whose age range, sexes,
    /// concerns and territories admit them today.
    pub eligible_for_child: Option<uuid::Uuid>,
    /// Words of the name (French, Arabic or the usual name).
    pub q: Option<String>,
}

/// The service as the actor may see it.
pub fn response(actor: &Actor, service: &Service) -> Result<ServiceResponse, ApiError> {
    service.response(sees_confidential_locations(actor))
}

/// Turns the query into a search (territory and provider resolved, the child's facts read).
pub async fn search_of(
    state: &AppState,
    actor: &Actor,
    filter: &ServiceFilter,
    after: Option<String>,
    limit: i64,
) -> Result<Search, ApiError> {
    let (f, scope) = (filter.clone(), child_scope(actor));
    let today = state.clock.now().date_naive();
    let (territories, provider, child) = db::run(&state.pool, move |c| {
        let territories = match &f.territory {
            Some(code) => Some(domain::lineage(&territory_path(c, code, "territory")?)),
            None => None,
        };
        let provider = match &f.provider {
            Some(code) => Some(organizations::id_of(c, code, "provider")?.id),
            None => None,
        };
        let child = match f.eligible_for_child {
            Some(id) => Some(eligibility::facts(c, &scope, &id.to_string(), today)?),
            None => None,
        };
        Ok((territories, provider, child))
    })
    .await?;
    if let Some(id) = filter.eligible_for_child {
        let event = AuditEvent::by(actor, AuditAction::ChildRead, state.clock.now_naive());
        state
            .audit
            .record_read(event.on(Resource::Child, id.to_string()))?;
    }
    Ok(Search {
        territories,
        service_type: filter.type_,
        domain: filter.domain.map(|d| to_code(&d)),
        concern: filter.concern,
        provider,
        active: Some(filter.active.unwrap_or(true)),
        child,
        q: filter.q.clone(),
        after,
        limit,
    })
}

/// Searches the directory, by id; filters combine. With `Accept: text/csv`, the whole search
/// (every page, at most 10,000 services) as CSV.
#[utoipa::path(
    tag = "services",
    params(ListQuery, ServiceFilter),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of services, or the whole search as CSV", content(
            (Page<ServiceResponse> = "application/json"),
            (String = "text/csv"),
        )),
        ProblemResponse
    )
)]
#[get("/services")]
pub async fn search_services(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<ServiceFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let wants_csv = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    if wants_csv {
        let search = search_of(&state, &actor, &filter, None, export::PAGE).await?;
        return export::csv(&state, &actor, search).await;
    }
    let (limit, after) = (query.limit()?, query.after()?);
    let search = search_of(&state, &actor, &filter, after, limit + 1).await?;
    let rows = db::run(&state.pool, move |c| store::search(c, &search)).await?;
    let (rows, next_cursor) = page(rows, limit, |s| s.row.id.clone());
    let items = rows
        .iter()
        .map(|s| response(&actor, s))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}
