//! Queries on `services` and the territories, concerns and locations of each.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::pathway::ServiceType;
use madar_openapi::reports::{ConcernType, Sex};
use madar_openapi::services::{ServiceLocation, ServiceResponse};

use super::domain::ChildFacts;
use crate::codes::{from_code, to_code};
use crate::db::search::{like_pattern, lower};
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{
    organizations, service_concerns, service_locations, service_territories, services,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = services)]
pub struct ServiceRow {
    pub id: String,
    pub service_type: String,
    pub domain: String,
    pub provider_org: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub name_fr: Option<String>,
    pub description: Option<String>,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub sexes: String,
    pub concerns: String,
    pub languages: String,
    pub capacity: Option<i32>,
    pub places_available: Option<i32>,
    pub capacity_updated_at: Option<NaiveDateTime>,
    pub confidential: bool,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = service_locations)]
pub struct LocationRow {
    pub id: String,
    pub service_id: String,
    pub name: Option<String>,
    pub address: String,
    pub city: Option<String>,
    pub territory_code: Option<String>,
    pub phone: Option<String>,
    pub opening_hours: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// A service with its provider, territories and locations.
#[derive(Debug, Clone)]
pub struct Service {
    pub row: ServiceRow,
    pub provider_code: String,
    pub provider_name: String,
    pub territories: Vec<String>,
    pub locations: Vec<LocationRow>,
}

fn list_of<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(e.into()))
}

fn uuid(text: &str) -> Result<uuid::Uuid, ApiError> {
    text.parse()
        .map_err(|e: uuid::Error| ApiError::Internal(e.into()))
}

impl Service {
    pub fn sexes(&self) -> Result<Vec<Sex>, ApiError> {
        list_of(&self.row.sexes)
    }

    pub fn concerns(&self) -> Result<Vec<ConcernType>, ApiError> {
        list_of(&self.row.concerns)
    }

    pub fn languages(&self) -> Result<Vec<String>, ApiError> {
        list_of(&self.row.languages)
    }

    /// The service as `shows_locations` lets the reader see it.
    pub fn response(&self, shows_locations: bool) -> Result<ServiceResponse, ApiError> {
        let r = &self.row;
        let service_type: ServiceType = from_code(&r.service_type)?;
        let locations = if shows_locations || !r.confidential {
            self.locations
                .iter()
                .map(|l| {
                    Ok(ServiceLocation {
                        id: uuid(&l.id)?,
                        name: l.name.clone(),
                        address: l.address.clone(),
                        city: l.city.clone(),
                        territory: l.territory_code.clone(),
                        phone: l.phone.clone(),
                        opening_hours: l.opening_hours.clone(),
                        latitude: l.latitude,
                        longitude: l.longitude,
                    })
                })
                .collect::<Result<_, ApiError>>()?
        } else {
            Vec::new()
        };
        Ok(ServiceResponse {
            id: uuid(&r.id)?,
            type_: service_type,
            domain: service_type.domain(),
            provider: self.provider_code.clone(),
            provider_name: self.provider_name.clone(),
            name: r.name.clone(),
            name_ar: r.name_ar.clone(),
            name_fr: r.name_fr.clone(),
            description: r.description.clone(),
            min_age: r.min_age,
            max_age: r.max_age,
            sexes: self.sexes()?,
            concerns: self.concerns()?,
            languages: self.languages()?,
            capacity: r.capacity,
            places_available: r.places_available,
            capacity_updated_at: r.capacity_updated_at.map(|t| t.and_utc()),
            territories: self.territories.clone(),
            locations,
            confidential: r.confidential,
            active: r.active,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// A search of the directory (every filter optional but `active`).
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The codes of a territory and its ancestors: services serving any of them.
    pub territories: Option<Vec<String>>,
    pub service_type: Option<ServiceType>,
    pub domain: Option<String>,
    pub concern: Option<ConcernType>,
    /// The providing organization's id.
    pub provider: Option<String>,
    pub active: Option<bool>,
    pub child: Option<ChildFacts>,
    pub q: Option<String>,
    pub after: Option<String>,
    pub limit: i64,
}

type Boxed = services::BoxedQuery<'static, MultiBackend>;

fn serving(codes: Vec<String>) -> impl Fn(Boxed) -> Boxed {
    move |query| {
        let ids = service_territories::table
            .filter(service_territories::territory_code.eq_any(codes.clone()))
            .select(service_territories::service_id);
        query.filter(services::id.eq_any(ids))
    }
}

fn answering(codes: Vec<String>, query: Boxed) -> Boxed {
    let ids = service_concerns::table
        .filter(service_concerns::concern_code.eq_any(codes))
        .select(service_concerns::service_id);
    query.filter(services::id.eq_any(ids).or(services::concerns.eq("[]")))
}

fn filtered(search: &Search) -> Boxed {
    let mut query = services::table.into_boxed();
    if let Some(codes) = &search.territories {
        query = serving(codes.clone())(query);
    }
    if let Some(t) = search.service_type {
        query = query.filter(services::service_type.eq(to_code(&t)));
    }
    if let Some(d) = &search.domain {
        query = query.filter(services::domain.eq(d.clone()));
    }
    if let Some(c) = search.concern {
        query = answering(vec![to_code(&c)], query);
    }
    if let Some(p) = &search.provider {
        query = query.filter(services::provider_org.eq(p.clone()));
    }
    if let Some(active) = search.active {
        query = query.filter(services::active.eq(active));
    }
    if let Some(q) = search.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let p = like_pattern(q);
        query = query.filter(
            lower(services::name)
                .like(p.clone())
                .escape('\\')
                .or(services::name_ar.like(p.clone()).escape('\\'))
                .or(lower(services::name_fr.assume_not_null())
                    .like(p)
                    .escape('\\')),
        );
    }
    if let Some(child) = &search.child {
        query = serving(child.territories.clone())(query);
        if let Some(age) = child.age {
            query = query
                .filter(services::min_age.is_null().or(services::min_age.le(age)))
                .filter(services::max_age.is_null().or(services::max_age.ge(age)));
        }
        let sex = format!("%\"{}\"%", to_code(&child.sex));
        query = query.filter(services::sexes.eq("[]").or(services::sexes.like(sex)));
        query = answering(child.concerns.iter().map(to_code).collect(), query);
    }
    query
}

/// A page of the search, by id.
pub fn search(conn: &mut DbConn, search: &Search) -> Result<Vec<Service>, ApiError> {
    let mut query = filtered(search).order(services::id).limit(search.limit);
    if let Some(after) = &search.after {
        query = query.filter(services::id.gt(after.clone()));
    }
    let rows = query.select(ServiceRow::as_select()).load(conn)?;
    complete(conn, rows)
}

/// Every service by id, `offset` and `limit` as HSDS pages them, with the total.
pub fn page(
    conn: &mut DbConn,
    filter: &Search,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Service>), ApiError> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order(services::id)
        .offset(offset)
        .limit(limit)
        .select(ServiceRow::as_select())
        .load(conn)?;
    Ok((total, complete(conn, rows)?))
}

/// Adds providers, territories and locations to rows.
fn complete(conn: &mut DbConn, rows: Vec<ServiceRow>) -> Result<Vec<Service>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let orgs: Vec<String> = rows.iter().map(|r| r.provider_org.clone()).collect();
    let providers: Vec<(String, String, String)> = organizations::table
        .filter(organizations::id.eq_any(orgs))
        .select((organizations::id, organizations::code, organizations::name))
        .load(conn)?;
    let links: Vec<(String, String)> = service_territories::table
        .filter(service_territories::service_id.eq_any(ids.clone()))
        .select((
            service_territories::service_id,
            service_territories::territory_code,
        ))
        .order(service_territories::territory_code)
        .load(conn)?;
    let locations: Vec<LocationRow> = service_locations::table
        .filter(service_locations::service_id.eq_any(ids))
        .order((service_locations::service_id, service_locations::position))
        .select(LocationRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            let (_, code, name) = providers
                .iter()
                .find(|(id, _, _)| *id == row.provider_org)
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("service without provider")))?;
            Ok(Service {
                territories: links
                    .iter()
                    .filter(|(s, _)| *s == row.id)
                    .map(|(_, t)| t.clone())
                    .collect(),
                locations: locations
                    .iter()
                    .filter(|l| l.service_id == row.id)
                    .cloned()
                    .collect(),
                provider_code: code,
                provider_name: name,
                row,
            })
        })
        .collect()
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Service, ApiError> {
    let row = services::table
        .find(id.to_string())
        .select(ServiceRow::as_select())
        .first(conn)?;
    complete(conn, vec![row])?.pop().ok_or(ApiError::NotFound)
}
