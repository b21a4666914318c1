//! `madar seed --demo`: demo organizations in the 8 pilot provinces and one demo user per role.
//! Never run by the server itself, so production holds no demo data by accident.
use anyhow::bail;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::common::Labels;
use madar_openapi::organizations::{CreateOrganization, OrganizationType, Sector};
use madar_openapi::users::Role;
use madar_openapi::Language;

use crate::auth::passwords;
use crate::db::DbConn;
use crate::schema::{organizations, users};
use crate::users::domain::Email;
use crate::{organizations as orgs, users as people};

/// The demo password of every demo user (README lists them).
pub const DEMO_PASSWORD: &str = "madar-demo-2026";

fn org(
    code: &str,
    name: &str,
    ar: &str,
    fr: &str,
    type_: OrganizationType,
    sector: Option<Sector>,
    territory: &str,
) -> CreateOrganization {
    CreateOrganization {
        code: code.into(),
        name: name.into(),
        labels: Some(Labels {
            ar: ar.into(),
            fr: fr.into(),
            en: name.into(),
        }),
        type_,
        sector,
        territories: vec![territory.into()],
    }
}

fn demo_organizations() -> Vec<CreateOrganization> {
    use OrganizationType as T;
    let centres = [
        ("511", "tanger-assilah", "طنجة أصيلة", "Tanger-Assilah"),
        ("421", "rabat", "الرباط", "Rabat"),
        ("441", "sale", "سلا", "Salé"),
        (
            "141-01",
            "casablanca-anfa",
            "الدار البيضاء أنفا",
            "Casablanca-Anfa",
        ),
        ("061", "meknes", "مكناس", "Meknès"),
        ("351", "marrakech", "مراكش", "Marrakech"),
        ("001", "agadir", "أكادير", "Agadir"),
        ("321", "laayoune", "العيون", "Laâyoune"),
    ];
    let mut list = vec![
        org(
            "ministry",
            "Ministry in charge of children",
            "الوزارة المكلفة بالطفولة",
            "Ministère chargé de l'enfance",
            T::Ministry,
            None,
            "MA",
        ),
        org(
            "hotline-2511",
            "National listening centre 2511",
            "المركز الوطني للاستماع والإشعار 2511",
            "Centre national d'écoute 2511",
            T::Hotline,
            None,
            "MA",
        ),
        org(
            "upe-sale",
            "Child protection unit, Salé",
            "وحدة حماية الطفولة سلا",
            "Unité de protection de l'enfance, Salé",
            T::ProtectionUnit,
            None,
            "441",
        ),
        org(
            "samu-casablanca",
            "Mobile social emergency unit, Casablanca",
            "الإسعاف الاجتماعي المتنقل الدار البيضاء",
            "SAMU social, Casablanca",
            T::MobileUnit,
            None,
            "141-01",
        ),
        org(
            "health-rabat",
            "Hospital child unit, Rabat",
            "الوحدة الاستشفائية للتكفل بالأطفال الرباط",
            "Unité hospitalière de l'enfant, Rabat",
            T::PublicService,
            Some(Sector::Health),
            "421",
        ),
        org(
            "ngo-rabat",
            "Child rights association, Rabat",
            "جمعية حقوق الطفل الرباط",
            "Association des droits de l'enfant, Rabat",
            T::Ngo,
            None,
            "421",
        ),
    ];
    for (territory, slug, ar, fr) in centres {
        list.push(org(
            &format!("cape-{slug}"),
            &format!("Child protection support centre, {fr}"),
            &format!("مركز المواكبة لحماية الطفولة {ar}"),
            &format!("CAPE {fr}"),
            T::SupportCentre,
            None,
            territory,
        ));
    }
    list
}

/// The demo users: (email, name, role, organization, territory).
pub const DEMO_USERS: [(&str, &str, Role, &str, &str); 7] = [
    (
        "admin@demo.madar.ma",
        "Demo admin",
        Role::Admin,
        "ministry",
        "MA",
    ),
    (
        "coordinator@demo.madar.ma",
        "Demo coordinator (Rabat)",
        Role::Coordinator,
        "cape-rabat",
        "421",
    ),
    (
        "caseworker@demo.madar.ma",
        "Demo case worker (Rabat)",
        Role::CaseWorker,
        "cape-rabat",
        "421",
    ),
    (
        "partner@demo.madar.ma",
        "Demo partner NGO (Rabat)",
        Role::Partner,
        "ngo-rabat",
        "421",
    ),
    (
        "hotline@demo.madar.ma",
        "Demo hotline operator",
        Role::Hotline,
        "hotline-2511",
        "MA",
    ),
    (
        "analyst@demo.madar.ma",
        "Demo analyst",
        Role::Analyst,
        "ministry",
        "MA",
    ),
    (
        "auditor@demo.madar.ma",
        "Demo auditor",
        Role::Auditor,
        "ministry",
        "MA",
    ),
];

pub fn demo(conn: &mut DbConn, now: NaiveDateTime) -> anyhow::Result<()> {
    let real_orgs: i64 = organizations::table
        .filter(organizations::demo.eq(false))
        .count()
        .get_result(conn)?;
    let real_users: i64 = users::table
        .filter(users::demo.eq(false))
        .count()
        .get_result(conn)?;
    if real_orgs + real_users > 0 {
        bail!(
            "this database holds real (non-demo) organizations or users: refusing to add demo data"
        );
    }
    let demo_orgs: i64 = organizations::table
        .filter(organizations::demo.eq(true))
        .count()
        .get_result(conn)?;
    if demo_orgs > 0 {
        println!("the demo data is already loaded");
        return Ok(());
    }
    let hash = passwords::hash(DEMO_PASSWORD)?;
    conn.transaction(|c| {
        for new in demo_organizations() {
            orgs::store::create(c, &new, true, now)?;
        }
        for (email, name, role, organization, territory) in DEMO_USERS {
            let user = people::store::NewUser {
                email: Email::parse(email),
                display_name: name.into(),
                password_hash: hash.clone(),
                role,
                organization: organization.into(),
                territory: Some(territory.into()),
                language: Language::Ar,
                demo: true,
            };
            people::store::create(c, user, now)?;
        }
        crate::services::demo::load(c, now)?;
        Ok::<_, crate::error::ApiError>(())
    })
    .map_err(|e| anyhow::anyhow!("loading the demo failed: {e}"))?;
    println!(
        "demo data loaded: {} organizations, {} users (password {DEMO_PASSWORD})",
        demo_organizations().len(),
        DEMO_USERS.len()
    );
    Ok(())
}
