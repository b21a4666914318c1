//! The demo directory (`madar seed --demo`): a few services of the demo organizations in Rabat,
//! Salé and Casablanca, one of them a confidential shelter.
use chrono::NaiveDateTime;
use madar_openapi::pathway::ServiceType;
use madar_openapi::reports::{ConcernType, Sex};
use madar_openapi::services::{CreateService, ServiceLocationInput};

use super::write_store;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::organizations::store as organizations;

fn place(
    address: &str,
    city: &str,
    territory: &str,
    phone: &str,
    hours: &str,
) -> ServiceLocationInput {
    ServiceLocationInput {
        name: None,
        address: address.into(),
        city: Some(city.into()),
        territory: Some(territory.into()),
        phone: Some(phone.into()),
        opening_hours: Some(hours.into()),
        latitude: None,
        longitude: None,
    }
}

fn service(
    type_: ServiceType,
    provider: &str,
    (name, ar, fr): (&str, &str, &str),
    territories: &[&str],
    locations: Vec<ServiceLocationInput>,
) -> CreateService {
    CreateService {
        type_,
        provider: provider.into(),
        name: name.into(),
        name_ar: Some(ar.into()),
        name_fr: Some(fr.into()),
        description: None,
        min_age: None,
        max_age: Some(18),
        sexes: vec![],
        concerns: vec![],
        languages: vec!["ar".into(), "fr".into()],
        capacity: None,
        places_available: None,
        territories: territories.iter().map(|t| t.to_string()).collect(),
        locations,
        confidential: false,
        active: None,
    }
}

fn demo_services() -> Vec<CreateService> {
    use ConcernType as C;
    use ServiceType as S;
    let weekdays = "Lun–Ven 8h30–16h30";
    let mut list = vec![
        service(
            S::HospitalChildUnit,
            "health-rabat",
            (
                "Hospital child unit, Rabat",
                "الوحدة الاستشفائية لحماية الطفولة الرباط",
                "Unité hospitalière de protection de l'enfance, Rabat",
            ),
            &["MA-04"],
            vec![place(
                "Hôpital d'Enfants, avenue Ibn Rochd, Souissi",
                "Rabat",
                "421",
                "+212 5 37 67 28 28",
                "24h/24",
            )],
        ),
        service(
            S::LegalAid,
            "ngo-rabat",
            (
                "Legal aid for children, Rabat-Salé",
                "المساعدة القانونية للأطفال الرباط سلا",
                "Aide juridique aux enfants, Rabat-Salé",
            ),
            &["421", "441"],
            vec![place(
                "12, rue Oued Ziz, Agdal",
                "Rabat",
                "421",
                "+212 5 37 77 11 22",
                weekdays,
            )],
        ),
        service(
            S::FamilyMediation,
            "upe-sale",
            (
                "Family mediation, Salé",
                "الوساطة الأسرية سلا",
                "Médiation familiale, Salé",
            ),
            &["441"],
            vec![place(
                "Avenue Moulay Ismail, Tabriquet",
                "Salé",
                "441",
                "+212 5 37 88 10 10",
                weekdays,
            )],
        ),
        service(
            S::SchoolReintegration,
            "cape-casablanca-anfa",
            (
                "School reintegration, Casablanca-Anfa",
                "الإدماج المدرسي الدار البيضاء أنفا",
                "Réinsertion scolaire, Casablanca-Anfa",
            ),
            &["141-01"],
            vec![place(
                "Boulevard d'Anfa",
                "Casablanca",
                "141-01",
                "+212 5 22 20 30 40",
                weekdays,
            )],
        ),
    ];
    list[3].min_age = Some(6);
    list[3].max_age = Some(15);
    list[3].concerns = vec![C::OutOfSchool];
    let mut outreach = service(
        S::SocialEmergency,
        "samu-casablanca",
        (
            "Night outreach, Casablanca",
            "الإسعاف الاجتماعي الليلي الدار البيضاء",
            "Maraude de nuit, Casablanca",
        ),
        &["141-01"],
        vec![],
    );
    outreach.concerns = vec![C::StreetSituation, C::Abandonment];
    outreach.languages.push("zgh".into());
    list.push(outreach);
    let mut shelter = service(
        S::EmergencyShelter,
        "ngo-rabat",
        (
            "Emergency shelter for girls, Rabat",
            "مأوى استعجالي للفتيات الرباط",
            "Hébergement d'urgence pour filles, Rabat",
        ),
        &["421", "441"],
        vec![place(
            "Adresse communiquée par le CAPE",
            "Rabat",
            "421",
            "+212 6 61 00 00 01",
            "24h/24",
        )],
    );
    shelter.confidential = true;
    shelter.sexes = vec![Sex::Female];
    shelter.min_age = Some(12);
    shelter.concerns = vec![C::SexualViolence, C::PhysicalViolence, C::StreetSituation];
    shelter.capacity = Some(12);
    shelter.places_available = Some(3);
    list.push(shelter);
    list
}

/// Loads the demo directory (the demo organizations exist already).
pub fn load(conn: &mut DbConn, now: NaiveDateTime) -> Result<(), ApiError> {
    for new in demo_services() {
        let provider = organizations::id_of(conn, &new.provider, "provider")?.id;
        write_store::create(conn, &new, &provider, now)?;
    }
    Ok(())
}
