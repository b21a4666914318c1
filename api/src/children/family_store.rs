//! Queries of a child's family: guardians (contact data sealed) and sibling links, read in
//! both directions. The child itself is checked within the caller's scope by the handlers.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::children::ChildOwner;
use madar_openapi::family::{
    CreateGuardian, GuardianResponse, SiblingRelation, SiblingResponse, UpdateGuardian,
};

use crate::cases::rows::{open, seal, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{child_guardians, child_siblings, children, organizations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = child_guardians)]
pub struct GuardianRow {
    pub id: String,
    pub child_id: String,
    pub relationship: String,
    pub name_sealed: String,
    pub phone_sealed: Option<String>,
    pub address_sealed: Option<String>,
    pub lives_with_child: bool,
    pub is_primary: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

const TABLE: &str = "child_guardians";

impl GuardianRow {
    /// The guardian as written, its contact data opened.
    pub fn record(&self, keys: &Keyring) -> Result<CreateGuardian, ApiError> {
        let id = self.id.as_str();
        Ok(CreateGuardian {
            relationship: from_code(&self.relationship)?,
            name: keys.open(
                crate::cases::rows::place(TABLE, "name", id),
                &self.name_sealed,
            )?,
            phone: open(keys, (TABLE, "phone", id), self.phone_sealed.as_deref())?,
            address: open(keys, (TABLE, "address", id), self.address_sealed.as_deref())?,
            lives_with_child: self.lives_with_child,
            primary: self.is_primary,
        })
    }

    pub fn response(&self, keys: &Keyring) -> Result<GuardianResponse, ApiError> {
        let g = self.record(keys)?;
        Ok(GuardianResponse {
            id: uuid(&self.id)?,
            child_id: uuid(&self.child_id)?,
            relationship: g.relationship,
            name: g.name,
            phone: g.phone,
            address: g.address,
            lives_with_child: g.lives_with_child,
            primary: g.primary,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

/// The guardian with the changes applied.
pub fn changed(current: CreateGuardian, changes: UpdateGuardian) -> CreateGuardian {
    CreateGuardian {
        relationship: changes.relationship.unwrap_or(current.relationship),
        name: changes.name.unwrap_or(current.name),
        phone: changes.phone.or(current.phone),
        address: changes.address.or(current.address),
        lives_with_child: changes.lives_with_child.unwrap_or(current.lives_with_child),
        primary: changes.primary.unwrap_or(current.primary),
    }
}

/// A primary contact takes the flag from the child's other guardians (whose records change,
/// and so their versions).
fn demote_others(conn: &mut DbConn, child: &str, id: &str) -> Result<(), ApiError> {
    diesel::update(
        child_guardians::table
            .filter(child_guardians::child_id.eq(child))
            .filter(child_guardians::id.ne(id))
            .filter(child_guardians::is_primary.eq(true)),
    )
    .set((
        child_guardians::is_primary.eq(false),
        child_guardians::version.eq(child_guardians::version + 1),
    ))
    .execute(conn)?;
    Ok(())
}

/// Writes a new guardian; returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    child: &str,
    g: &CreateGuardian,
    by: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(child_guardians::table)
        .values((
            child_guardians::id.eq(&id),
            child_guardians::child_id.eq(child),
            child_guardians::relationship.eq(to_code(&g.relationship)),
            child_guardians::name_sealed
                .eq(keys.seal(crate::cases::rows::place(TABLE, "name", &id), &g.name)?),
            child_guardians::phone_sealed.eq(seal(
                keys,
                (TABLE, "phone", &id),
                g.phone.as_deref(),
            )?),
            child_guardians::address_sealed.eq(seal(
                keys,
                (TABLE, "address", &id),
                g.address.as_deref(),
            )?),
            child_guardians::lives_with_child.eq(g.lives_with_child),
            child_guardians::is_primary.eq(g.primary),
            child_guardians::created_by_id.eq(by),
            child_guardians::created_at.eq(now),
            child_guardians::updated_at.eq(now),
        ))
        .execute(conn)?;
    if g.primary {
        demote_others(conn, child, &id)?;
    }
    Ok(id)
}

/// Rewrites a guardian if still at `version` (compare-and-set first; 412 when stale).
pub fn update(
    conn: &mut DbConn,
    keys: &Keyring,
    (child, id, version): (&str, &str, i32),
    g: &CreateGuardian,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let updated = diesel::update(
        child_guardians::table.filter(
            child_guardians::id
                .eq(id)
                .and(child_guardians::child_id.eq(child))
                .and(child_guardians::version.eq(version)),
        ),
    )
    .set((
        child_guardians::relationship.eq(to_code(&g.relationship)),
        child_guardians::name_sealed
            .eq(keys.seal(crate::cases::rows::place(TABLE, "name", id), &g.name)?),
        child_guardians::phone_sealed.eq(seal(keys, (TABLE, "phone", id), g.phone.as_deref())?),
        child_guardians::address_sealed.eq(seal(
            keys,
            (TABLE, "address", id),
            g.address.as_deref(),
        )?),
        child_guardians::lives_with_child.eq(g.lives_with_child),
        child_guardians::is_primary.eq(g.primary),
        child_guardians::version.eq(version + 1),
        child_guardians::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if g.primary {
        demote_others(conn, child, id)?;
    }
    Ok(())
}

pub fn find_guardian(conn: &mut DbConn, child: &str, id: &str) -> Result<GuardianRow, ApiError> {
    child_guardians::table
        .filter(
            child_guardians::id
                .eq(id)
                .and(child_guardians::child_id.eq(child)),
        )
        .select(GuardianRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

pub fn guardians(conn: &mut DbConn, child: &str) -> Result<Vec<GuardianRow>, ApiError> {
    Ok(child_guardians::table
        .filter(child_guardians::child_id.eq(child))
        .order((child_guardians::is_primary.desc(), child_guardians::id))
        .select(GuardianRow::as_select())
        .load(conn)?)
}

/// Removes a guardian of the child (404 when it is not one of the child's).
pub fn delete_guardian(conn: &mut DbConn, child: &str, id: &str) -> Result<(), ApiError> {
    let deleted = diesel::delete(
        child_guardians::table.filter(
            child_guardians::id
                .eq(id)
                .and(child_guardians::child_id.eq(child)),
        ),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// Links two children (409 `already_linked` when they are).
pub fn link(
    conn: &mut DbConn,
    (child, other): (&str, &str),
    relation: SiblingRelation,
    by: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(child_siblings::table)
        .values((
            child_siblings::id.eq(&id),
            child_siblings::child_id.eq(child),
            child_siblings::other_child_id.eq(other),
            child_siblings::relation.eq(to_code(&relation)),
            child_siblings::created_by_id.eq(by),
            child_siblings::created_at.eq(now),
        ))
        .execute(conn)?;
    let links: i64 = child_siblings::table
        .filter(
            (child_siblings::child_id
                .eq(child)
                .and(child_siblings::other_child_id.eq(other)))
            .or(child_siblings::child_id
                .eq(other)
                .and(child_siblings::other_child_id.eq(child))),
        )
        .count()
        .get_result(conn)?;
    if links > 1 {
        return Err(ApiError::conflict(
            "already_linked",
            "These children are already linked as siblings.",
        ));
    }
    Ok(id)
}

/// Removes a sibling link of the child, whichever side it was made from.
pub fn unlink(conn: &mut DbConn, child: &str, id: &str) -> Result<(), ApiError> {
    let deleted = diesel::delete(
        child_siblings::table.filter(
            child_siblings::id.eq(id).and(
                child_siblings::child_id
                    .eq(child)
                    .or(child_siblings::other_child_id.eq(child)),
            ),
        ),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

type SiblingRow = (String, String, String, NaiveDateTime);

/// A sibling's names in both scripts, its owner's code and its territory.
type SiblingNames = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
);

/// The child's siblings, each shown whole when `visible` says the caller sees it, else by
/// its owner only. Siblings merged into another record are left out.
pub fn siblings(
    conn: &mut DbConn,
    child: &str,
    visible: impl Fn(&mut DbConn, Vec<String>) -> Result<Vec<String>, ApiError>,
) -> Result<Vec<SiblingResponse>, ApiError> {
    let rows: Vec<(String, String, String, String, NaiveDateTime)> = child_siblings::table
        .filter(
            child_siblings::child_id
                .eq(child)
                .or(child_siblings::other_child_id.eq(child)),
        )
        .order(child_siblings::id)
        .select((
            child_siblings::id,
            child_siblings::child_id,
            child_siblings::other_child_id,
            child_siblings::relation,
            child_siblings::created_at,
        ))
        .load(conn)?;
    let links: Vec<SiblingRow> = rows
        .into_iter()
        .map(|(id, a, b, relation, at)| (id, if a == child { b } else { a }, relation, at))
        .collect();
    let seen = visible(conn, links.iter().map(|l| l.1.clone()).collect())?;
    let mut out = Vec::new();
    for (id, other, relation, at) in links {
        let row: Option<SiblingNames> = children::table
            .inner_join(organizations::table)
            .filter(children::id.eq(&other))
            .filter(children::merged_into.is_null())
            .select((
                children::given_name_ar,
                children::family_name_ar,
                children::given_name_latin,
                children::family_name_latin,
                organizations::code,
                children::territory_code,
            ))
            .first(conn)
            .optional()?;
        let Some((gar, far, glat, flat, organization, territory)) = row else {
            continue;
        };
        let visible = seen.contains(&other);
        let names = |n: Option<String>| if visible { n } else { None };
        out.push(SiblingResponse {
            id: uuid(&id)?,
            relation: from_code(&relation)?,
            child_id: uuid(&other)?,
            visible,
            given_name_ar: names(gar),
            family_name_ar: names(far),
            given_name_latin: names(glat),
            family_name_latin: names(flat),
            owner: (!visible).then_some(ChildOwner {
                organization,
                territory,
            }),
            created_at: at.and_utc(),
        });
    }
    Ok(out)
}
