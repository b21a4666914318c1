//! Queries on `api_clients`.
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use madar_openapi::clients::{ClientResponse, ClientRole, UpdateClient};

use crate::codes::{from_code, to_code};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::organizations::store as organizations_store;
use crate::schema::{api_clients, organizations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_clients)]
pub struct ClientRow {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct Client {
    pub row: ClientRow,
    pub organization: String,
}

impl Client {
    pub fn response(&self) -> Result<ClientResponse, ApiError> {
        let r = &self.row;
        Ok(ClientResponse {
            id: r
                .id
                .parse()
                .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?,
            client_id: r.client_id.clone(),
            name: r.name.clone(),
            organization: self.organization.clone(),
            role: from_code(&r.role)?,
            active: r.active,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// A new client's public id: readable, random, never reused.
pub fn new_client_id() -> String {
    format!(
        "mdr_{}",
        &crate::auth::tokens::token_hash(&crate::auth::tokens::random_token())[..24]
    )
}

pub fn create(
    conn: &mut DbConn,
    name: &str,
    organization: &str,
    role: ClientRole,
    client_id: &str,
    secret_hash: &str,
    now: NaiveDateTime,
) -> Result<Client, ApiError> {
    let org = organizations_store::id_of(conn, organization, "organization")?;
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(api_clients::table)
        .values((
            api_clients::id.eq(&id),
            api_clients::client_id.eq(client_id),
            api_clients::name.eq(name),
            api_clients::secret_hash.eq(secret_hash),
            api_clients::role.eq(to_code(&role)),
            api_clients::organization_id.eq(&org.id),
            api_clients::created_at.eq(now),
            api_clients::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, &id)
}

fn joined(conn: &mut DbConn, rows: Vec<(ClientRow, String)>) -> Vec<Client> {
    let _ = conn;
    rows.into_iter()
        .map(|(row, organization)| Client { row, organization })
        .collect()
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<Client, ApiError> {
    let row = api_clients::table
        .inner_join(organizations::table)
        .filter(api_clients::id.eq(id))
        .select((ClientRow::as_select(), organizations::code))
        .first(conn)?;
    joined(conn, vec![row]).pop().ok_or(ApiError::NotFound)
}

pub fn list(conn: &mut DbConn, after: Option<String>, limit: i64) -> Result<Vec<Client>, ApiError> {
    let mut query = api_clients::table
        .inner_join(organizations::table)
        .select((ClientRow::as_select(), organizations::code))
        .order(api_clients::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(api_clients::id.gt(after));
    }
    let rows = query.load(conn)?;
    Ok(joined(conn, rows))
}

/// Replaces the client's secret (its hash): tokens issued before `now`'s second are refused
/// from then on (`auth::actor::load`). No If-Match: whoever rotates wants the newest secret.
pub fn rotate_secret(
    conn: &mut DbConn,
    id: &str,
    secret_hash: &str,
    now: NaiveDateTime,
) -> Result<Client, ApiError> {
    let rotated_at = now.trunc_subsecs(0);
    let updated = diesel::update(api_clients::table.find(id))
        .set((
            api_clients::secret_hash.eq(secret_hash),
            api_clients::secret_rotated_at.eq(Some(rotated_at)),
            api_clients::version.eq(api_clients::version + 1),
            api_clients::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::NotFound);
    }
    find(conn, id)
}

pub fn update(
    conn: &mut DbConn,
    id: &str,
    version: i32,
    changes: &UpdateClient,
    now: NaiveDateTime,
) -> Result<Client, ApiError> {
    let current = find(conn, id)?;
    let updated = diesel::update(
        api_clients::table.filter(api_clients::id.eq(id).and(api_clients::version.eq(version))),
    )
    .set((
        api_clients::name.eq(changes.name.clone().unwrap_or(current.row.name)),
        api_clients::active.eq(changes.active.unwrap_or(current.row.active)),
        api_clients::version.eq(version + 1),
        api_clients::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    find(conn, id)
}
