//! Writes of the service directory: create, change (compare-and-set), capacity.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::reports::ConcernType;
use madar_openapi::services::{CreateService, ServiceLocationInput, UpdateService};

use crate::codes::to_code;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{service_concerns, service_locations, service_territories, services};

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// Replaces a service's territories, concerns and locations.
pub fn set_parts(
    conn: &mut DbConn,
    id: &str,
    territories: Option<&[String]>,
    concerns: Option<&[ConcernType]>,
    locations: Option<&[ServiceLocationInput]>,
) -> Result<(), ApiError> {
    if let Some(codes) = territories {
        diesel::delete(service_territories::table.filter(service_territories::service_id.eq(id)))
            .execute(conn)?;
        let mut codes = codes.to_vec();
        codes.sort();
        codes.dedup();
        for code in codes {
            diesel::insert_into(service_territories::table)
                .values((
                    service_territories::service_id.eq(id),
                    service_territories::territory_code.eq(code),
                ))
                .execute(conn)?;
        }
    }
    if let Some(concerns) = concerns {
        diesel::delete(service_concerns::table.filter(service_concerns::service_id.eq(id)))
            .execute(conn)?;
        for c in concerns {
            diesel::insert_into(service_concerns::table)
                .values((
                    service_concerns::service_id.eq(id),
                    service_concerns::concern_code.eq(to_code(c)),
                ))
                .execute(conn)?;
        }
    }
    if let Some(locations) = locations {
        diesel::delete(service_locations::table.filter(service_locations::service_id.eq(id)))
            .execute(conn)?;
        for (i, l) in locations.iter().enumerate() {
            diesel::insert_into(service_locations::table)
                .values((
                    service_locations::id.eq(uuid::Uuid::now_v7().to_string()),
                    service_locations::service_id.eq(id),
                    service_locations::position.eq(i as i32),
                    service_locations::name.eq(&l.name),
                    service_locations::address.eq(&l.address),
                    service_locations::city.eq(&l.city),
                    service_locations::territory_code.eq(&l.territory),
                    service_locations::phone.eq(&l.phone),
                    service_locations::opening_hours.eq(&l.opening_hours),
                    service_locations::latitude.eq(l.latitude),
                    service_locations::longitude.eq(l.longitude),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Inserts a service (`provider`: the organization's id; sets normalised).
pub fn create(
    conn: &mut DbConn,
    new: &CreateService,
    provider: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let concerns = super::normalised(&new.concerns);
    diesel::insert_into(services::table)
        .values((
            services::id.eq(&id),
            services::service_type.eq(to_code(&new.type_)),
            services::domain.eq(to_code(&new.type_.domain())),
            services::provider_org.eq(provider),
            services::name.eq(&new.name),
            services::name_ar.eq(&new.name_ar),
            services::name_fr.eq(&new.name_fr),
            services::description.eq(&new.description),
            services::min_age.eq(new.min_age),
            services::max_age.eq(new.max_age),
            services::sexes.eq(json(&super::sexes(&new.sexes))),
            services::concerns.eq(json(&concerns)),
            services::languages.eq(json(&super::normalised(&new.languages))),
            services::capacity.eq(new.capacity),
            services::places_available.eq(new.places_available),
            services::capacity_updated_at.eq(new.places_available.map(|_| now)),
            services::confidential.eq(new.confidential),
            services::active.eq(new.active.unwrap_or(true)),
            services::created_at.eq(now),
            services::updated_at.eq(now),
        ))
        .execute(conn)?;
    set_parts(
        conn,
        &id,
        Some(&new.territories),
        Some(&concerns),
        Some(&new.locations),
    )?;
    Ok(id)
}

/// Applies changes if the service is still at `version` (compare-and-set, the transaction's
/// first statement); `current` is the service as read before.
pub fn update(
    conn: &mut DbConn,
    current: &super::store::Service,
    version: i32,
    changes: &UpdateService,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let r = &current.row;
    let c = changes;
    let service_type = c.type_.map(|t| (to_code(&t), to_code(&t.domain())));
    let (service_type, domain) =
        service_type.unwrap_or_else(|| (r.service_type.clone(), r.domain.clone()));
    let concerns = c.concerns.as_ref().map(|v| super::normalised(v));
    let updated = diesel::update(
        services::table.filter(services::id.eq(&r.id).and(services::version.eq(version))),
    )
    .set((
        services::service_type.eq(service_type),
        services::domain.eq(domain),
        services::name.eq(c.name.clone().unwrap_or_else(|| r.name.clone())),
        services::name_ar.eq(c.name_ar.clone().or_else(|| r.name_ar.clone())),
        services::name_fr.eq(c.name_fr.clone().or_else(|| r.name_fr.clone())),
        services::description.eq(c.description.clone().or_else(|| r.description.clone())),
        services::min_age.eq(c.min_age.or(r.min_age)),
        services::max_age.eq(c.max_age.or(r.max_age)),
        services::sexes.eq(c
            .sexes
            .as_ref()
            .map(|s| json(&super::sexes(s)))
            .unwrap_or_else(|| r.sexes.clone())),
        services::concerns.eq(concerns
            .as_ref()
            .map(json)
            .unwrap_or_else(|| r.concerns.clone())),
        services::languages.eq(c
            .languages
            .as_ref()
            .map(|l| json(&super::normalised(l)))
            .unwrap_or_else(|| r.languages.clone())),
        services::capacity.eq(c.capacity.or(r.capacity)),
        services::confidential.eq(c.confidential.unwrap_or(r.confidential)),
        services::active.eq(c.active.unwrap_or(r.active)),
        services::version.eq(version + 1),
        services::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    set_parts(
        conn,
        &r.id,
        c.territories.as_deref(),
        concerns.as_deref(),
        c.locations.as_deref(),
    )
}

/// Sets the free places, at `version` when given (compare-and-set), else whatever the version.
pub fn set_capacity(
    conn: &mut DbConn,
    id: &str,
    version: Option<i32>,
    places: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let values = (
        services::places_available.eq(Some(places)),
        services::capacity_updated_at.eq(Some(now)),
        services::version.eq(services::version + 1),
        services::updated_at.eq(now),
    );
    let updated = match version {
        Some(v) => {
            diesel::update(services::table.filter(services::id.eq(id).and(services::version.eq(v))))
                .set(values)
                .execute(conn)?
        }
        None => diesel::update(services::table.filter(services::id.eq(id)))
            .set(values)
            .execute(conn)?,
    };
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}
