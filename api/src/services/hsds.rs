//! `/api/v1/hsds`: the service directory published as Open Referral HSDS 3.1 for partners'
//! systems, with HSDS's own paging (`?page=&per_page=` → `total_items`, `total_pages`,
//! `page_number`, `size`, `first_page`, `last_page`, `empty`, `contents`). Read by every
//! authenticated actor (users and API clients), like the directory; confidential services
//! (shelters) are published without locations whoever reads.
use actix_web::{get, web, HttpRequest, HttpResponse};
use madar_openapi::hsds::{
    HsdsInfo, HsdsOrganization, HsdsPage, HsdsService, PROFILE_URL, VERSION,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, Search};
use super::{hsds_map as map, hsds_store};
use crate::auth::policy::{authorize, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::state::AppState;

/// HSDS paging.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HsdsPaging {
    /// Page number, from 1 (default 1) to 1,000,000.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

/// HSDS filters of services.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HsdsServiceFilter {
    /// Words of the service's name.
    pub search: Option<String>,
    /// The providing organization's HSDS id.
    pub organization_id: Option<String>,
}

const MAX_PAGE: i64 = 1_000_000;

impl HsdsPaging {
    /// (page, per_page), 422 when out of range.
    fn parts(&self) -> Result<(i64, i64), ApiError> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(50);
        // Bounded, so that the offset it makes can never overflow.
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(ApiError::validation(
                "page",
                "range",
                "must be between 1 and 1000000",
            ));
        }
        if !(1..=200).contains(&per_page) {
            return Err(ApiError::validation(
                "per_page",
                "range",
                "must be between 1 and 200",
            ));
        }
        Ok((page, per_page))
    }
}

fn hsds_page<T>(page: i64, per_page: i64, total: i64, contents: Vec<T>) -> HsdsPage<T> {
    let total_pages = (total + per_page - 1) / per_page;
    HsdsPage {
        total_items: total,
        total_pages,
        page_number: page,
        size: contents.len() as i64,
        first_page: page == 1,
        last_page: page >= total_pages,
        empty: contents.is_empty(),
        contents,
    }
}

/// What this HSDS API is: the HSDS version, the Madar profile, the OpenAPI document.
#[utoipa::path(
    tag = "hsds",
    security(("bearer" = [])),
    responses((status = 200, description = "HSDS version and profile", body = HsdsInfo), ProblemResponse)
)]
#[get("/hsds/")]
pub async fn get_hsds(req: HttpRequest, actor: Actor) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let info = req.connection_info();
    Ok(HttpResponse::Ok().json(HsdsInfo {
        version: VERSION.into(),
        profile: PROFILE_URL.into(),
        openapi_url: format!("{}://{}/api/v1/openapi.json", info.scheme(), info.host()),
    }))
}

/// Services in HSDS (one-to-one fields), by id, active and inactive (`status`).
#[utoipa::path(
    tag = "hsds",
    params(HsdsPaging, HsdsServiceFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of HSDS services", body = HsdsPage<HsdsService>), ProblemResponse)
)]
#[get("/hsds/services")]
pub async fn list_hsds_services(
    state: web::Data<AppState>,
    actor: Actor,
    paging: web::Query<HsdsPaging>,
    filter: web::Query<HsdsServiceFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let (page, per_page) = paging.parts()?;
    let search = Search {
        provider: filter.organization_id.clone(),
        q: filter.search.clone(),
        ..Search::default()
    };
    let (total, rows) = db::run(&state.pool, move |c| {
        store::page(c, &search, (page - 1) * per_page, per_page)
    })
    .await?;
    let contents = rows.iter().map(map::service).collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(hsds_page(page, per_page, total, contents)))
}

/// One service in HSDS, fully nested: its organization, languages, service areas, capacity
/// and locations (none for a confidential service).
#[utoipa::path(
    tag = "hsds",
    params(("id" = String, Path, description = "Service id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The HSDS service", body = HsdsService), ProblemResponse)
)]
#[get("/hsds/services/{id}")]
pub async fn get_hsds_service(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let (service, provider, names) = db::run(&state.pool, move |c| {
        let service = store::find(c, &id)?;
        let provider = hsds_store::provider(c, &service.row.provider_org)?;
        let names = hsds_store::territory_names(c, &service.territories)?;
        Ok((service, provider, names))
    })
    .await?;
    Ok(HttpResponse::Ok().json(map::full_service(&service, &provider, &names)?))
}

/// Active organizations in HSDS, by code.
#[utoipa::path(
    tag = "hsds",
    params(HsdsPaging),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of HSDS organizations", body = HsdsPage<HsdsOrganization>), ProblemResponse)
)]
#[get("/hsds/organizations")]
pub async fn list_hsds_organizations(
    state: web::Data<AppState>,
    actor: Actor,
    paging: web::Query<HsdsPaging>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let (page, per_page) = paging.parts()?;
    let (total, rows) = db::run(&state.pool, move |c| {
        hsds_store::organizations(c, (page - 1) * per_page, per_page)
    })
    .await?;
    let contents = rows.iter().map(|o| map::organization(o, None)).collect();
    Ok(HttpResponse::Ok().json(hsds_page(page, per_page, total, contents)))
}

/// One active organization in HSDS, with its services (one-to-one fields, at most 1,000).
#[utoipa::path(
    tag = "hsds",
    params(("id" = String, Path, description = "Organization id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The HSDS organization", body = HsdsOrganization), ProblemResponse)
)]
#[get("/hsds/organizations/{id}")]
pub async fn get_hsds_organization(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadServices)?;
    let (org, services) = db::run(&state.pool, move |c| {
        let org = hsds_store::organization(c, &id)?;
        let search = Search {
            provider: Some(org.id.clone()),
            ..Search::default()
        };
        let (_, services) = store::page(c, &search, 0, 1000)?;
        Ok((org, services))
    })
    .await?;
    let services = services
        .iter()
        .map(map::service)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(map::organization(&org, Some(services))))
}
