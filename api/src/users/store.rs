//! Queries on `users`. Every read takes the caller's scope and applies it inside the query.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::users::{Role, UpdateUser, UserResponse};
use madar_openapi::Language;

use crate::auth::policy::UserScope;
use crate::codes::{from_code, to_code};
use crate::db::search::{like_pattern, lower};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::organizations::store as organizations_store;
use crate::reference::store as territories;
use crate::schema::{organizations, territories as territory_table, users};
use crate::users::domain::{check_role_territory, check_within_organization, Email};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub territory_code: String,
    pub language: String,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A user with their organization's code.
pub struct User {
    pub row: UserRow,
    pub organization: String,
}

impl User {
    pub fn response(&self) -> Result<UserResponse, ApiError> {
        let r = &self.row;
        Ok(UserResponse {
            id: r
                .id
                .parse()
                .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?,
            email: r.email.clone(),
            display_name: r.display_name.clone(),
            role: from_code(&r.role)?,
            organization: self.organization.clone(),
            territory: r.territory_code.clone(),
            language: Language::parse(&r.language).unwrap_or_default(),
            active: r.active,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

/// What a new user is made of, once checked by the handler.
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub organization: String,
    pub territory: Option<String>,
    pub language: Language,
    pub demo: bool,
}

/// The territory a user gets: the one asked for, or the organization's when it serves one.
fn resolve_territory(
    conn: &mut DbConn,
    org_id: &str,
    asked: Option<String>,
) -> Result<String, ApiError> {
    use crate::schema::organization_territories as ot;
    if let Some(code) = asked {
        territories::find(conn, &code).map_err(|_| {
            ApiError::validation("territory", "unknown_territory", "names no territory")
        })?;
        return Ok(code);
    }
    let served: Vec<String> = ot::table
        .filter(ot::organization_id.eq(org_id))
        .select(ot::territory_code)
        .load(conn)?;
    match served.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(ApiError::validation(
            "territory",
            "required",
            "the organization serves several territories: name the user's",
        )),
    }
}

/// A user's territory suits their role and lies where their organization works.
fn check_territory(
    conn: &mut DbConn,
    org_id: &str,
    role: Role,
    territory: &str,
) -> Result<(), ApiError> {
    use crate::schema::organization_territories as ot;
    let row = territories::find(conn, territory)?;
    check_role_territory(role, row.level == "nation")?;
    let served: Vec<String> = ot::table
        .inner_join(territory_table::table)
        .filter(ot::organization_id.eq(org_id))
        .select(territory_table::path)
        .load(conn)?;
    check_within_organization(&row.path, &served)
}

pub fn create(conn: &mut DbConn, new: NewUser, now: NaiveDateTime) -> Result<User, ApiError> {
    let org = organizations_store::id_of(conn, &new.organization, "organization")?;
    let territory = resolve_territory(conn, &org.id, new.territory)?;
    check_territory(conn, &org.id, new.role, &territory)?;
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::email.eq(new.email.as_str()),
            users::display_name.eq(&new.display_name),
            users::password_hash.eq(&new.password_hash),
            users::role.eq(to_code(&new.role)),
            users::organization_id.eq(&org.id),
            users::territory_code.eq(&territory),
            users::language.eq(new.language.code()),
            users::demo.eq(new.demo),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| match ApiError::from(e) {
            ApiError::Conflict { .. } => {
                ApiError::conflict("email_taken", "A user already has this email.")
            }
            other => other,
        })?;
    find(conn, &UserScope::All, &id)
}

type Scoped<'a> = users::BoxedQuery<'a, crate::db::MultiBackend>;

fn scoped(scope: &UserScope) -> Scoped<'static> {
    let query = users::table.into_boxed();
    match scope {
        UserScope::All => query,
        UserScope::Subtree(path) => query.filter(
            users::territory_code.eq_any(
                territory_table::table
                    .filter(territory_table::path.like(format!("{path}%")))
                    .select(territory_table::code),
            ),
        ),
        UserScope::None => query.filter(users::id.eq("")),
    }
}

fn with_organization(conn: &mut DbConn, rows: Vec<UserRow>) -> Result<Vec<User>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let orgs: Vec<(String, String)> = users::table
        .inner_join(organizations::table)
        .filter(users::id.eq_any(&ids))
        .select((users::id, organizations::code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let organization = orgs
                .iter()
                .find(|(u, _)| *u == row.id)
                .map(|(_, o)| o.clone())
                .unwrap_or_default();
            User { row, organization }
        })
        .collect())
}

pub fn find(conn: &mut DbConn, scope: &UserScope, id: &str) -> Result<User, ApiError> {
    let row = scoped(scope)
        .filter(users::id.eq(id.to_string()))
        .select(UserRow::as_select())
        .first(conn)?;
    with_organization(conn, vec![row])?
        .pop()
        .ok_or(ApiError::NotFound)
}

pub struct UserFilter {
    pub role: Option<Role>,
    pub organization: Option<String>,
    /// Text to find in the email or the display name.
    pub q: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    scope: &UserScope,
    filter: &UserFilter,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<User>, ApiError> {
    let mut query = scoped(scope)
        .select(UserRow::as_select())
        .order(users::id)
        .limit(limit);
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(to_code(&role)));
    }
    if let Some(code) = &filter.organization {
        query = query.filter(
            users::organization_id.eq_any(
                organizations::table
                    .filter(organizations::code.eq(code.clone()))
                    .select(organizations::id),
            ),
        );
    }
    if let Some(q) = &filter.q {
        let pattern = like_pattern(q);
        query = query.filter(
            lower(users::email)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    let rows = query.load(conn)?;
    with_organization(conn, rows)
}

/// Applies an admin's changes if the user is still at `version` (compare-and-set).
pub fn update(
    conn: &mut DbConn,
    id: &str,
    version: i32,
    changes: &UpdateUser,
    password_hash: Option<String>,
    now: NaiveDateTime,
) -> Result<User, ApiError> {
    let current = find(conn, &UserScope::All, id)?;
    let role: Role = changes
        .role
        .map(Ok)
        .unwrap_or_else(|| from_code(&current.row.role))?;
    let org_id = match &changes.organization {
        Some(code) => organizations_store::id_of(conn, code, "organization")?.id,
        None => users::table
            .find(id)
            .select(users::organization_id)
            .first(conn)?,
    };
    let territory = match &changes.territory {
        Some(code) => resolve_territory(conn, &org_id, Some(code.clone()))?,
        None => current.row.territory_code.clone(),
    };
    check_territory(conn, &org_id, role, &territory)?;
    let target = users::table.filter(users::id.eq(id).and(users::version.eq(version)));
    let updated = diesel::update(target)
        .set((
            users::display_name.eq(changes
                .display_name
                .clone()
                .unwrap_or(current.row.display_name)),
            users::role.eq(to_code(&role)),
            users::organization_id.eq(&org_id),
            users::territory_code.eq(&territory),
            users::language.eq(changes
                .language
                .map(|l| l.code().to_string())
                .unwrap_or(current.row.language)),
            users::active.eq(changes.active.unwrap_or(current.row.active)),
            users::version.eq(version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(hash) = password_hash {
        diesel::update(users::table.find(id))
            .set(users::password_hash.eq(hash))
            .execute(conn)?;
    }
    if changes.active == Some(false) || changes.password.is_some() {
        crate::auth::store::revoke_all_for_user(conn, id)?;
    }
    find(conn, &UserScope::All, id)
}

pub fn deactivate(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::active.eq(false),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(ApiError::NotFound);
    }
    crate::auth::store::revoke_all_for_user(conn, id)
}

pub fn set_language(
    conn: &mut DbConn,
    id: &str,
    language: Language,
    now: NaiveDateTime,
) -> Result<User, ApiError> {
    diesel::update(users::table.find(id))
        .set((
            users::language.eq(language.code()),
            users::version.eq(users::version + 1),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, &UserScope::All, id)
}
