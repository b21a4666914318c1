//! Queries on `organizations` and `organization_territories`.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::common::Labels;
use madar_openapi::organizations::{CreateOrganization, OrganizationResponse, UpdateOrganization};

use crate::auth::policy::OrganizationScope;
use crate::codes::{from_code, to_code};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::reference::store as territories;
use crate::schema::{organization_territories, organizations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub label_ar: Option<String>,
    pub label_fr: Option<String>,
    pub label_en: Option<String>,
    pub org_type: String,
    pub sector: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organization with the territories it serves.
pub struct Organization {
    pub row: OrganizationRow,
    pub territories: Vec<String>,
}

impl Organization {
    pub fn response(&self) -> Result<OrganizationResponse, ApiError> {
        let r = &self.row;
        let labels = match (&r.label_ar, &r.label_fr, &r.label_en) {
            (Some(ar), Some(fr), Some(en)) => Some(Labels {
                ar: ar.clone(),
                fr: fr.clone(),
                en: en.clone(),
            }),
            _ => None,
        };
        Ok(OrganizationResponse {
            code: r.code.clone(),
            name: r.name.clone(),
            labels,
            type_: from_code(&r.org_type)?,
            sector: r.sector.as_deref().map(from_code).transpose()?,
            territories: self.territories.clone(),
            active: r.active,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

fn check_territories(conn: &mut DbConn, codes: &[String]) -> Result<(), ApiError> {
    if territories::all_exist(conn, codes)? {
        Ok(())
    } else {
        Err(ApiError::validation(
            "territories",
            "unknown_territory",
            "names a territory that does not exist",
        ))
    }
}

fn set_territories(conn: &mut DbConn, id: &str, codes: &[String]) -> Result<(), ApiError> {
    diesel::delete(
        organization_territories::table.filter(organization_territories::organization_id.eq(id)),
    )
    .execute(conn)?;
    let mut codes = codes.to_vec();
    codes.sort();
    codes.dedup();
    for code in &codes {
        diesel::insert_into(organization_territories::table)
            .values((
                organization_territories::organization_id.eq(id),
                organization_territories::territory_code.eq(code),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn territories_of(conn: &mut DbConn, id: &str) -> Result<Vec<String>, ApiError> {
    Ok(organization_territories::table
        .filter(organization_territories::organization_id.eq(id))
        .select(organization_territories::territory_code)
        .order(organization_territories::territory_code)
        .load(conn)?)
}

pub fn create(
    conn: &mut DbConn,
    new: &CreateOrganization,
    demo: bool,
    now: NaiveDateTime,
) -> Result<Organization, ApiError> {
    check_territories(conn, &new.territories)?;
    let id = uuid::Uuid::now_v7().to_string();
    let labels = new.labels.clone();
    diesel::insert_into(organizations::table)
        .values((
            organizations::id.eq(&id),
            organizations::code.eq(&new.code),
            organizations::name.eq(&new.name),
            organizations::label_ar.eq(labels.as_ref().map(|l| l.ar.clone())),
            organizations::label_fr.eq(labels.as_ref().map(|l| l.fr.clone())),
            organizations::label_en.eq(labels.as_ref().map(|l| l.en.clone())),
            organizations::org_type.eq(to_code(&new.type_)),
            organizations::sector.eq(new.sector.as_ref().map(to_code)),
            organizations::demo.eq(demo),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict { .. } => ApiError::conflict(
                "organization_code_taken",
                "An organization already has this code.",
            ),
            other => other,
        })?;
    set_territories(conn, &id, &new.territories)?;
    find(conn, &new.code)
}

fn scoped(scope: OrganizationScope) -> organizations::BoxedQuery<'static, crate::db::MultiBackend> {
    match scope {
        OrganizationScope::All => organizations::table.into_boxed(),
        OrganizationScope::Active => organizations::table
            .filter(organizations::active)
            .into_boxed(),
    }
}

pub fn find(conn: &mut DbConn, code: &str) -> Result<Organization, ApiError> {
    find_in(conn, OrganizationScope::All, code)
}

/// An organization the caller may see.
pub fn find_in(
    conn: &mut DbConn,
    scope: OrganizationScope,
    code: &str,
) -> Result<Organization, ApiError> {
    let row = scoped(scope)
        .filter(organizations::code.eq(code.to_string()))
        .select(OrganizationRow::as_select())
        .first(conn)?;
    let territories = territories_of(conn, &row.id)?;
    Ok(Organization { row, territories })
}

/// The id of an organization named by code in a request body, or a 422 on `field`.
pub fn id_of(conn: &mut DbConn, code: &str, field: &str) -> Result<OrganizationRow, ApiError> {
    organizations::table
        .filter(organizations::code.eq(code))
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::validation(field, "unknown_organization", "names no organization"))
}

pub fn list(
    conn: &mut DbConn,
    scope: OrganizationScope,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<Organization>, ApiError> {
    let mut query = scoped(scope)
        .select(OrganizationRow::as_select())
        .order(organizations::code)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(organizations::code.gt(after));
    }
    let rows = query.load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.id).collect();
    let links: Vec<(String, String)> = organization_territories::table
        .filter(organization_territories::organization_id.eq_any(ids))
        .select((
            organization_territories::organization_id,
            organization_territories::territory_code,
        ))
        .order(organization_territories::territory_code)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let territories = links
                .iter()
                .filter(|(o, _)| *o == row.id)
                .map(|(_, t)| t.clone())
                .collect();
            Organization { row, territories }
        })
        .collect())
}

/// Applies changes if the organization is still at `version` (compare-and-set).
pub fn update(
    conn: &mut DbConn,
    code: &str,
    version: i32,
    changes: &UpdateOrganization,
    now: NaiveDateTime,
) -> Result<Organization, ApiError> {
    let current = find(conn, code)?;
    let type_ = from_code(&current.row.org_type)?;
    let sector = match changes.sector {
        Some(s) => Some(s),
        None => current.row.sector.as_deref().map(from_code).transpose()?,
    };
    super::domain::check_sector(type_, sector)?;
    let labels = changes.labels.clone();
    let updated = diesel::update(
        organizations::table.filter(
            organizations::code
                .eq(code)
                .and(organizations::version.eq(version)),
        ),
    )
    .set((
        organizations::name.eq(changes.name.clone().unwrap_or(current.row.name)),
        organizations::label_ar.eq(labels
            .as_ref()
            .map(|l| l.ar.clone())
            .or(current.row.label_ar)),
        organizations::label_fr.eq(labels
            .as_ref()
            .map(|l| l.fr.clone())
            .or(current.row.label_fr)),
        organizations::label_en.eq(labels
            .as_ref()
            .map(|l| l.en.clone())
            .or(current.row.label_en)),
        organizations::sector.eq(sector.as_ref().map(to_code)),
        organizations::active.eq(changes.active.unwrap_or(current.row.active)),
        organizations::version.eq(version + 1),
        organizations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(codes) = &changes.territories {
        check_territories(conn, codes)?;
        set_territories(conn, &current.row.id, codes)?;
    }
    find(conn, code)
}

pub fn deactivate(conn: &mut DbConn, code: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let n = diesel::update(organizations::table.filter(organizations::code.eq(code)))
        .set((
            organizations::active.eq(false),
            organizations::version.eq(organizations::version + 1),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}
