//! The service directory the generated cases refer children to: in each province or prefecture
//! a hospital (a public health service), a delegation of the Entraide Nationale (a public
//! service) and a partner NGO, each with a partner user who answers the referrals, offering a
//! few services of the vocabulary's types to their territory. Existing ones (an earlier run's)
//! are reused; the directory's other active services (the demo's) serve their territories too.
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::sql::{Rows, V};
use super::staff::Staff;
use super::Ids;
use crate::db::DbConn;
use crate::schema::{organizations, service_territories, services, territories, users};

/// One directory service a case may refer a child to.
#[derive(Debug, Clone)]
pub struct Offer {
    pub service_id: String,
    pub service_type: String,
    pub domain: String,
    pub provider_org: String,
    pub provider_code: String,
    /// A partner user of the provider, who answers the referrals.
    pub partner: String,
}

/// The services serving each centre's territory, by territory.
pub struct Directory {
    pub offers: HashMap<String, Vec<Offer>>,
}

/// The providers of a province: (code prefix, org type, sector, names, service types).
type Provider = (
    &'static str,
    &'static str,
    &'static str,
    (&'static str, &'static str, &'static str),
    &'static [&'static str],
);

const PROVIDERS: [Provider; 3] = [
    (
        "hop",
        "public_service",
        "health",
        (
            "Provincial hospital, child protection unit",
            "المستشفى الإقليمي، وحدة حماية الطفولة",
            "Hôpital provincial, unité de protection de l'enfance",
        ),
        &["medical_exam", "forensic_medicine", "psychological_support"],
    ),
    (
        "en",
        "public_service",
        "entraide_nationale",
        (
            "Entraide Nationale delegation",
            "مندوبية التعاون الوطني",
            "Délégation de l'Entraide Nationale",
        ),
        &[
            "social_assistance",
            "emergency_shelter",
            "vocational_training",
            "parenting_support",
        ],
    ),
    (
        "assoc",
        "ngo",
        "",
        (
            "Child protection association",
            "جمعية حماية الطفولة",
            "Association de protection de l'enfance",
        ),
        &[
            "psychological_support",
            "family_mediation",
            "school_reintegration",
            "non_formal_education",
            "cultural_sports_activities",
        ],
    ),
];

/// Creates what is missing and returns, per centre, the active services serving it.
pub fn ensure(
    conn: &mut DbConn,
    ids: &mut Ids,
    staff: &Staff,
    password_hash: &str,
    now: NaiveDateTime,
) -> anyhow::Result<Directory> {
    let existing: Vec<String> = organizations::table
        .select(organizations::code)
        .load(conn)?;
    let existing: std::collections::HashSet<String> = existing.into_iter().collect();
    let names: HashMap<String, (String, String)> = territories::table
        .select((
            territories::code,
            territories::name_ar,
            territories::name_fr,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(c, ar, fr)| (c, (ar, fr)))
        .collect();
    let mut orgs = Rows::new(
        "organizations",
        "id, code, name, label_ar, label_fr, label_en, org_type, sector, demo, created_at, \
         updated_at",
    );
    let mut served = Rows::new(
        "organization_territories",
        "organization_id, territory_code",
    );
    let mut people = Rows::new(
        "users",
        "id, email, display_name, password_hash, role, organization_id, territory_code, \
         language, demo, created_at, updated_at",
    );
    let mut offered = Rows::new(
        "services",
        "id, service_type, domain, provider_org, name, name_ar, name_fr, min_age, max_age, \
         sexes, concerns, languages, confidential, active, created_at, updated_at",
    );
    let mut covered = Rows::new("service_territories", "service_id, territory_code");
    let mut domains: HashMap<&str, String> = HashMap::new();
    for (_, _, _, _, types) in PROVIDERS {
        for code in types {
            let service: madar_openapi::pathway::ServiceType = crate::codes::from_code(code)?;
            domains.insert(code, crate::codes::to_code(&service.domain()));
        }
    }
    for centre in &staff.centres {
        let territory = centre.territory.as_str();
        let slug = territory.to_ascii_lowercase();
        let (ar, fr) = names
            .get(territory)
            .cloned()
            .unwrap_or_else(|| (territory.to_string(), territory.to_string()));
        for (prefix, kind, sector, (en_name, ar_name, fr_name), types) in PROVIDERS {
            let code = format!("{prefix}-{slug}");
            if existing.contains(&code) {
                continue;
            }
            let id = ids.next(now);
            let name = format!("{en_name}, {fr}");
            orgs.push(&[
                V::S(&id),
                V::S(&code),
                V::S(&name),
                V::S(&format!("{ar_name} {ar}")),
                V::S(&format!("{fr_name}, {fr}")),
                V::S(&name),
                V::S(kind),
                V::O((!sector.is_empty()).then_some(sector)),
                V::B(true),
                V::T(now),
                V::T(now),
            ]);
            served.push(&[V::S(&id), V::S(territory)]);
            let user = ids.next(now);
            people.push(&[
                V::S(&user),
                V::S(&format!("partner.{code}@gen.madar.ma")),
                V::S(&format!("Referral desk ({fr_name}, {fr})")),
                V::S(password_hash),
                V::S("partner"),
                V::S(&id),
                V::S(territory),
                V::S("fr"),
                V::B(true),
                V::T(now),
                V::T(now),
            ]);
            for service_type in types {
                let sid = ids.next(now);
                let label = service_type.replace('_', " ");
                offered.push(&[
                    V::S(&sid),
                    V::S(service_type),
                    V::S(domains.get(service_type).map_or("", |d| d.as_str())),
                    V::S(&id),
                    V::S(&format!("{label} ({name})")),
                    V::S(&format!("{ar_name} {ar}")),
                    V::S(&format!("{label} — {fr_name}, {fr}")),
                    V::Null,
                    V::I(18),
                    V::S("[]"),
                    V::S("[]"),
                    V::S("[\"ar\",\"fr\"]"),
                    V::B(false),
                    V::B(true),
                    V::T(now),
                    V::T(now),
                ]);
                covered.push(&[V::S(&sid), V::S(territory)]);
            }
        }
    }
    orgs.flush(conn)?;
    served.flush(conn)?;
    people.flush(conn)?;
    offered.flush(conn)?;
    covered.flush(conn)?;
    load(conn, staff)
}

/// Every active service of an active provider with a partner user, per centre whose
/// territory it serves (its territory or an ancestor of it), in a stable order.
fn load(conn: &mut DbConn, staff: &Staff) -> anyhow::Result<Directory> {
    let paths: HashMap<String, String> = territories::table
        .select((territories::code, territories::path))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<(String, String, String, String, String, String)> = services::table
        .inner_join(organizations::table)
        .inner_join(service_territories::table)
        .filter(services::active.eq(true))
        .filter(organizations::active.eq(true))
        .order((services::id, service_territories::territory_code))
        .select((
            services::id,
            services::service_type,
            services::domain,
            services::provider_org,
            organizations::code,
            service_territories::territory_code,
        ))
        .load(conn)?;
    let partners: Vec<(String, String)> = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq("partner"))
        .order(users::id)
        .select((users::organization_id, users::id))
        .load(conn)?;
    let mut partner: HashMap<String, String> = HashMap::new();
    for (org, user) in partners {
        partner.entry(org).or_insert(user);
    }
    let mut offers = HashMap::with_capacity(staff.centres.len());
    for centre in &staff.centres {
        let path = paths.get(&centre.territory).cloned().unwrap_or_default();
        let mut list: Vec<Offer> = Vec::new();
        for (id, service_type, domain, provider, code, territory) in &rows {
            let serves = path.split('/').any(|t| t == territory);
            if !serves || *provider == centre.org_id || list.iter().any(|o| o.service_id == *id) {
                continue;
            }
            let Some(user) = partner.get(provider) else {
                continue;
            };
            list.push(Offer {
                service_id: id.clone(),
                service_type: service_type.clone(),
                domain: domain.clone(),
                provider_org: provider.clone(),
                provider_code: code.clone(),
                partner: user.clone(),
            });
        }
        offers.insert(centre.territory.clone(), list);
    }
    Ok(Directory { offers })
}
