//! The directory as HSDS 3.1 objects (Madar profile: `x_` extension fields). Confidential
//! services are published without locations. Nested objects Madar stores as columns
//! (languages, service areas, capacities, addresses, phones, schedules) get stable ids derived
//! from their owner's id, so a consumer can follow them between exports.
use madar_openapi::hsds::{
    HsdsAddress, HsdsCapacity, HsdsLanguage, HsdsLocation, HsdsOrganization, HsdsPhone,
    HsdsSchedule, HsdsService, HsdsServiceArea, HsdsServiceAtLocation, HsdsUnit,
};
use sha2::{Digest, Sha256};

use super::store::Service;
use crate::codes::to_code;
use crate::error::ApiError;
use crate::organizations::store::OrganizationRow;

/// A stable UUID (version 8, RFC 9562) derived from the parts.
pub fn derived_id(parts: &[&str]) -> String {
    let digest = Sha256::digest(parts.join("\n").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

fn time(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An organization; `services` in a single one.
pub fn organization(org: &OrganizationRow, services: Option<Vec<HsdsService>>) -> HsdsOrganization {
    HsdsOrganization {
        id: org.id.clone(),
        name: org.name.clone(),
        description: org.label_fr.clone().unwrap_or_else(|| org.name.clone()),
        x_code: org.code.clone(),
        x_type: org.org_type.clone(),
        x_name_ar: org.label_ar.clone(),
        x_name_fr: org.label_fr.clone(),
        services,
    }
}

fn eligibility(service: &Service) -> Result<Option<String>, ApiError> {
    let r = &service.row;
    let mut parts = Vec::new();
    match (r.min_age, r.max_age) {
        (Some(a), Some(b)) => parts.push(format!("ages {a} to {b}")),
        (Some(a), None) => parts.push(format!("from age {a}")),
        (None, Some(b)) => parts.push(format!("up to age {b}")),
        (None, None) => {}
    }
    let sexes = service.sexes()?;
    if !sexes.is_empty() {
        parts.push(sexes.iter().map(to_code).collect::<Vec<_>>().join(" or "));
    }
    let concerns = service.concerns()?;
    if !concerns.is_empty() {
        let codes: Vec<String> = concerns.iter().map(to_code).collect();
        parts.push(format!("concerns: {}", codes.join(", ")));
    }
    Ok((!parts.is_empty()).then(|| parts.join("; ")))
}

/// A service's one-to-one fields (the list form).
pub fn service(s: &Service) -> Result<HsdsService, ApiError> {
    let r = &s.row;
    Ok(HsdsService {
        id: r.id.clone(),
        organization_id: r.provider_org.clone(),
        name: r.name.clone(),
        description: r.description.clone(),
        status: if r.active { "active" } else { "inactive" }.into(),
        eligibility_description: eligibility(s)?,
        minimum_age: r.min_age,
        maximum_age: r.max_age,
        last_modified: time(r.updated_at),
        x_name_ar: r.name_ar.clone(),
        x_name_fr: r.name_fr.clone(),
        x_service_type: r.service_type.clone(),
        x_domain: r.domain.clone(),
        x_concerns: s.concerns()?.iter().map(to_code).collect(),
        x_sexes: s.sexes()?.iter().map(to_code).collect(),
        x_confidential: r.confidential,
        organization: None,
        languages: None,
        service_areas: None,
        capacities: None,
        service_at_locations: None,
    })
}

/// A whole service: its provider, languages, areas (`area_names`: territory code → name),
/// capacity and, unless confidential, its locations.
pub fn full_service(
    s: &Service,
    provider: &OrganizationRow,
    area_names: &[(String, String)],
) -> Result<HsdsService, ApiError> {
    let r = &s.row;
    let id = r.id.as_str();
    let mut out = service(s)?;
    out.organization = Some(Box::new(organization(provider, None)));
    out.languages = Some(
        s.languages()?
            .into_iter()
            .map(|code| HsdsLanguage {
                id: derived_id(&[id, "language", &code]),
                service_id: r.id.clone(),
                code,
            })
            .collect(),
    );
    out.service_areas = Some(
        s.territories
            .iter()
            .map(|code| HsdsServiceArea {
                id: derived_id(&[id, "service_area", code]),
                service_id: r.id.clone(),
                name: area_names
                    .iter()
                    .find(|(c, _)| c == code)
                    .map_or_else(|| code.clone(), |(_, n)| n.clone()),
                extent: code.clone(),
                extent_type: "madar_territory".into(),
            })
            .collect(),
    );
    out.capacities = Some(
        r.places_available
            .map(|available| HsdsCapacity {
                id: derived_id(&[id, "capacity"]),
                service_id: r.id.clone(),
                unit: HsdsUnit {
                    id: derived_id(&["madar", "unit", "places"]),
                    name: "places".into(),
                },
                available,
                maximum: r.capacity,
                updated: time(r.capacity_updated_at.unwrap_or(r.updated_at)),
            })
            .into_iter()
            .collect(),
    );
    let locations = if r.confidential {
        &[][..]
    } else {
        &s.locations[..]
    };
    let region = s.territories.first().cloned().unwrap_or_default();
    out.service_at_locations = Some(
        locations
            .iter()
            .map(|l| HsdsServiceAtLocation {
                id: derived_id(&[id, "service_at_location", &l.id]),
                service_id: r.id.clone(),
                location_id: l.id.clone(),
                location: HsdsLocation {
                    id: l.id.clone(),
                    location_type: "physical".into(),
                    name: l.name.clone(),
                    latitude: l.latitude,
                    longitude: l.longitude,
                    addresses: vec![HsdsAddress {
                        id: derived_id(&[&l.id, "address"]),
                        location_id: l.id.clone(),
                        address_1: l.address.clone(),
                        city: l.city.clone().unwrap_or_default(),
                        state_province: l.territory_code.clone().unwrap_or_else(|| region.clone()),
                        postal_code: String::new(),
                        country: "MA".into(),
                        address_type: "physical".into(),
                    }],
                    phones: l
                        .phone
                        .iter()
                        .map(|number| HsdsPhone {
                            id: derived_id(&[&l.id, "phone"]),
                            location_id: l.id.clone(),
                            number: number.clone(),
                        })
                        .collect(),
                    schedules: l
                        .opening_hours
                        .iter()
                        .map(|hours| HsdsSchedule {
                            id: derived_id(&[&l.id, "schedule"]),
                            location_id: l.id.clone(),
                            description: hours.clone(),
                        })
                        .collect(),
                },
            })
            .collect(),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_version_8_uuids() {
        let a = derived_id(&["x", "language", "ar"]);
        assert_eq!(a, derived_id(&["x", "language", "ar"]));
        assert_ne!(a, derived_id(&["x", "language", "fr"]));
        let parsed: uuid::Uuid = a.parse().unwrap();
        assert_eq!(parsed.get_version_num(), 8);
    }
}
