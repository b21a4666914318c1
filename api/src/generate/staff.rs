//! The people and bodies of the national dataset: one support centre (CAPE) per prefecture or
//! province (Casablanca's eight prefectures of arrondissements each count as one), protection
//! units and mobile units in the larger ones, 3–10 case workers per centre and a coordinator
//! per province, and the hotline's API client. Existing ones (the demo's, an earlier run's) are
//! reused, so running the generator again only adds children.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;

use super::dist::population;
use super::sql::{Rows, V};
use super::Ids;
use crate::db::DbConn;
use crate::schema::{api_clients, organization_territories, organizations, territories, users};

/// A support centre and its staff, for one territory where children live.
#[derive(Debug, Clone)]
pub struct Centre {
    pub territory: String,
    pub org_id: String,
    pub workers: Vec<String>,
    pub coordinator: String,
    /// The case-owning organizations a report on a child of this territory is routed to.
    pub routes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub centres: Vec<Centre>,
    /// The hotline's API client (row id) and its organization.
    pub hotline: (String, String),
}

const OWNING: [&str; 3] = ["support_centre", "protection_unit", "mobile_unit"];

/// The leaf territories where children live: provinces and prefectures without sub-territories,
/// and Casablanca's prefectures of arrondissements.
fn leaves(conn: &mut DbConn) -> anyhow::Result<Vec<(String, String, String, String)>> {
    let all: Vec<(String, Option<String>, String, String, String, String)> = territories::table
        .order(territories::path)
        .select((
            territories::code,
            territories::parent_code,
            territories::level,
            territories::path,
            territories::name_ar,
            territories::name_fr,
        ))
        .load(conn)?;
    let parents: std::collections::HashSet<String> =
        all.iter().filter_map(|t| t.1.clone()).collect();
    Ok(all
        .into_iter()
        .filter(|t| t.2 != "nation" && t.2 != "region" && !parents.contains(&t.0))
        .map(|t| (t.0, t.3, t.4, t.5))
        .collect())
}

/// Writes one organization serving one territory.
#[allow(clippy::too_many_arguments)]
fn organization(
    orgs: &mut Rows,
    served: &mut Rows,
    ids: &mut Ids,
    code: &str,
    kind: &str,
    (name, ar, fr): (&str, &str, &str),
    territory: &str,
    now: NaiveDateTime,
) -> String {
    let id = ids.next(now);
    orgs.push(&[
        V::S(&id),
        V::S(code),
        V::S(name),
        V::S(ar),
        V::S(fr),
        V::S(name),
        V::S(kind),
        V::B(true),
        V::T(now),
        V::T(now),
    ]);
    served.push(&[V::S(&id), V::S(territory)]);
    id
}

/// Creates what is missing and returns every centre with its staff.
pub fn ensure<R: Rng>(
    conn: &mut DbConn,
    rng: &mut R,
    ids: &mut Ids,
    password_hash: &str,
    now: NaiveDateTime,
) -> anyhow::Result<Staff> {
    let leaves = leaves(conn)?;
    let existing: Vec<(String, String, String, String)> = organizations::table
        .inner_join(organization_territories::table)
        .filter(organizations::org_type.eq_any(OWNING))
        .select((
            organizations::id,
            organizations::code,
            organizations::org_type,
            organization_territories::territory_code,
        ))
        .load(conn)?;
    let mut orgs = Rows::new(
        "organizations",
        "id, code, name, label_ar, label_fr, label_en, org_type, demo, created_at, updated_at",
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
    let mut centres = Vec::new();
    for (code, _path, ar, fr) in &leaves {
        let find = |kind: &str| {
            existing
                .iter()
                .find(|o| o.2 == kind && &o.3 == code)
                .map(|o| o.0.clone())
        };
        let weight = population(code);
        let slug = code.to_ascii_lowercase();
        let cape = match find("support_centre") {
            Some(id) => id,
            None => organization(
                &mut orgs,
                &mut served,
                ids,
                &format!("cape-{slug}"),
                "support_centre",
                (
                    &format!("Child protection support centre, {fr}"),
                    &format!("مركز المواكبة لحماية الطفولة {ar}"),
                    &format!("CAPE {fr}"),
                ),
                code,
                now,
            ),
        };
        if weight >= 8.0 && find("protection_unit").is_none() {
            organization(
                &mut orgs,
                &mut served,
                ids,
                &format!("upe-{slug}"),
                "protection_unit",
                (
                    &format!("Child protection unit, {fr}"),
                    &format!("وحدة حماية الطفولة {ar}"),
                    &format!("UPE {fr}"),
                ),
                code,
                now,
            );
        }
        if weight >= 12.0 && find("mobile_unit").is_none() {
            organization(
                &mut orgs,
                &mut served,
                ids,
                &format!("samu-{slug}"),
                "mobile_unit",
                (
                    &format!("Mobile social emergency unit, {fr}"),
                    &format!("الإسعاف الاجتماعي المتنقل {ar}"),
                    &format!("SAMU social {fr}"),
                ),
                code,
                now,
            );
        }
        let staff: Vec<(String, String)> = users::table
            .filter(users::organization_id.eq(&cape))
            .filter(users::active)
            .select((users::id, users::role))
            .load(conn)?;
        let mut workers: Vec<String> = staff
            .iter()
            .filter(|u| u.1 == "case_worker")
            .map(|u| u.0.clone())
            .collect();
        let wanted = 3 + (weight * 0.6) as usize + rng.gen_range(0..=1);
        let mut user = |email: String, name: String, role: &str| {
            let id = ids.next(now);
            people.push(&[
                V::S(&id),
                V::S(&email),
                V::S(&name),
                V::S(password_hash),
                V::S(role),
                V::S(&cape),
                V::S(code),
                V::S("ar"),
                V::B(true),
                V::T(now),
                V::T(now),
            ]);
            id
        };
        for n in workers.len()..wanted.min(10) {
            workers.push(user(
                format!("worker.{slug}.{}@gen.madar.ma", n + 1),
                format!("Case worker {} ({fr})", n + 1),
                "case_worker",
            ));
        }
        let coordinator = match staff.iter().find(|u| u.1 == "coordinator") {
            Some(u) => u.0.clone(),
            None => user(
                format!("coordinator.{slug}@gen.madar.ma"),
                format!("Coordinator ({fr})"),
                "coordinator",
            ),
        };
        centres.push(Centre {
            territory: code.clone(),
            org_id: cape,
            workers,
            coordinator,
            routes: Vec::new(),
        });
    }
    orgs.flush(conn)?;
    served.flush(conn)?;
    people.flush(conn)?;
    // Routes as the server computes them, over every case-owning organization now present.
    let owners: Vec<(String, String)> = organization_territories::table
        .inner_join(organizations::table)
        .inner_join(territories::table)
        .filter(organizations::active.and(organizations::org_type.eq_any(OWNING)))
        .select((organizations::id, territories::path))
        .load(conn)?;
    for (centre, (_, path, _, _)) in centres.iter_mut().zip(&leaves) {
        centre.routes = crate::reports::domain::route(path, &owners);
    }
    Ok(Staff {
        centres,
        hotline: hotline_client(conn, password_hash, ids, now)?,
    })
}

/// The hotline's API client, created when absent (its secret is the generated users' password).
fn hotline_client(
    conn: &mut DbConn,
    secret_hash: &str,
    ids: &mut Ids,
    now: NaiveDateTime,
) -> anyhow::Result<(String, String)> {
    let found: Option<(String, String)> = api_clients::table
        .inner_join(organizations::table)
        .filter(organizations::org_type.eq("hotline"))
        .filter(api_clients::role.eq("hotline"))
        .select((api_clients::id, api_clients::organization_id))
        .first(conn)
        .optional()?;
    if let Some(found) = found {
        return Ok(found);
    }
    let org: String = organizations::table
        .filter(organizations::org_type.eq("hotline"))
        .order(organizations::code)
        .select(organizations::id)
        .first(conn)?;
    let id = ids.next(now);
    diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(&id),
            api_clients::client_id.eq(super::HOTLINE_CLIENT_ID),
            api_clients::name.eq("National listening centre 2511 (generated)"),
            api_clients::secret_hash.eq(secret_hash),
            api_clients::role.eq("hotline"),
            api_clients::organization_id.eq(&org),
            api_clients::created_at.eq(now),
            api_clients::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok((id, org))
}
