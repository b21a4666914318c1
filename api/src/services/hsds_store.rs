//! Queries of the HSDS publication beyond the directory's own: organizations and the names of
//! territories served.
use diesel::prelude::*;

use crate::db::DbConn;
use crate::error::ApiError;
use crate::organizations::store::OrganizationRow;
use crate::schema::{organizations, territories};

/// A page of the active organizations by code, with their total.
pub fn organizations(
    conn: &mut DbConn,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<OrganizationRow>), ApiError> {
    let total = organizations::table
        .filter(organizations::active)
        .count()
        .get_result(conn)?;
    let rows = organizations::table
        .filter(organizations::active)
        .order(organizations::code)
        .offset(offset)
        .limit(limit)
        .select(OrganizationRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// An active organization by id (404 otherwise).
pub fn organization(conn: &mut DbConn, id: &str) -> Result<OrganizationRow, ApiError> {
    Ok(organizations::table
        .filter(organizations::active.and(organizations::id.eq(id)))
        .select(OrganizationRow::as_select())
        .first(conn)?)
}

/// Any organization by id (a service's provider).
pub fn provider(conn: &mut DbConn, id: &str) -> Result<OrganizationRow, ApiError> {
    Ok(organizations::table
        .filter(organizations::id.eq(id))
        .select(OrganizationRow::as_select())
        .first(conn)?)
}

/// (code, French name) of territories.
pub fn territory_names(
    conn: &mut DbConn,
    codes: &[String],
) -> Result<Vec<(String, String)>, ApiError> {
    Ok(territories::table
        .filter(territories::code.eq_any(codes))
        .select((territories::code, territories::name_fr))
        .load(conn)?)
}
