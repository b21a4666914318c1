//! Queries on children. The caller's scope is applied inside every query that returns a child
//! to show; sensitive text is sealed on the way in (`rows`); the blocking keys are rewritten
//! with the record, in its transaction (`key_store`).
use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::domain::{ChildRecord, Lookups};
use super::key_store;
use super::rows::{json, seal, ChildRow};
use crate::auth::policy::ChildScope;
use crate::auth::Actor;
use crate::codes::to_code;
use crate::crypto::Keyring;
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{cases, children, organizations, territories};

pub use super::rows::Child;

/// The materialized path of a territory named in a body or a query, or a 422 on `field`.
pub fn territory_path(conn: &mut DbConn, code: &str, field: &str) -> Result<String, ApiError> {
    territories::table
        .find(code)
        .select(territories::path)
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::validation(field, "unknown_territory", "names no territory"))
}

/// Checks that a child's territory exists and lies within the caller's scope (422 on
/// `territory` otherwise).
pub fn check_territory(conn: &mut DbConn, scope: &ChildScope, code: &str) -> Result<(), ApiError> {
    if scope.covers(&territory_path(conn, code, "territory")?) {
        Ok(())
    } else {
        Err(ApiError::validation(
            "territory",
            "territory_outside_scope",
            "lies outside the territory you cover",
        ))
    }
}

/// Writes a new child owned by `by`'s organization, with its matching keys; returns its id.
/// The insert is the transaction's first statement (see `reports::store::territory_paths`).
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    record: &ChildRecord,
    by: &Actor,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let c = record.get();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(children::table)
        .values((
            children::id.eq(&id),
            children::given_name_ar.eq(&c.given_name_ar),
            children::family_name_ar.eq(&c.family_name_ar),
            children::given_name_latin.eq(&c.given_name_latin),
            children::family_name_latin.eq(&c.family_name_latin),
            children::aliases.eq(json(&c.aliases)?),
            children::sex.eq(to_code(&c.sex)),
            children::date_of_birth.eq(c.date_of_birth),
            children::estimated_birth_year.eq(c.estimated_birth_year),
            children::nationality.eq(&c.nationality),
            children::civil_status.eq(to_code(&c.civil_status)),
            children::territory_code.eq(&c.territory),
            children::situation.eq(json(&c.situation)?),
            children::family_situation_sealed.eq(seal(
                keys,
                "family_situation",
                &id,
                &c.family_situation,
            )?),
            children::schooling_sealed.eq(seal(keys, "schooling", &id, &c.schooling)?),
            children::owner_org.eq(&by.organization_id),
            children::created_by_id.eq(&by.id),
            children::created_at.eq(now),
            children::updated_at.eq(now),
        ))
        .execute(conn)?;
    key_store::write_keys(conn, &id, record)?;
    Ok(id)
}

/// Applies a changed record if the child is still at `version` (compare-and-set, the
/// transaction's first statement), and rewrites its keys. 412 when stale.
pub fn update(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    version: i32,
    record: &ChildRecord,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let c = record.get();
    let updated = diesel::update(
        children::table.filter(children::id.eq(id).and(children::version.eq(version))),
    )
    .set((
        children::given_name_ar.eq(&c.given_name_ar),
        children::family_name_ar.eq(&c.family_name_ar),
        children::given_name_latin.eq(&c.given_name_latin),
        children::family_name_latin.eq(&c.family_name_latin),
        children::aliases.eq(json(&c.aliases)?),
        children::sex.eq(to_code(&c.sex)),
        children::date_of_birth.eq(c.date_of_birth),
        children::estimated_birth_year.eq(c.estimated_birth_year),
        children::nationality.eq(&c.nationality),
        children::civil_status.eq(to_code(&c.civil_status)),
        children::territory_code.eq(&c.territory),
        children::situation.eq(json(&c.situation)?),
        children::family_situation_sealed.eq(seal(
            keys,
            "family_situation",
            id,
            &c.family_situation,
        )?),
        children::schooling_sealed.eq(seal(keys, "schooling", id, &c.schooling)?),
        children::version.eq(version + 1),
        children::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    key_store::write_keys(conn, id, record)
}

type Scoped = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<
        diesel::dsl::InnerJoin<children::table, organizations::table>,
        territories::table,
    >,
    MultiBackend,
>;

/// Every child not merged into another: a merged duplicate is hidden from reads, lists,
/// searches and matches (`merge`).
fn joined() -> Scoped {
    children::table
        .inner_join(organizations::table)
        .inner_join(territories::table)
        .filter(children::merged_into.is_null())
        .into_boxed()
}

fn scoped(scope: &ChildScope) -> Scoped {
    match scope {
        ChildScope::Subtree { path, granted } => {
            let within = territories::path.like(format!("{path}%"));
            if granted.is_empty() {
                joined().filter(within)
            } else {
                joined().filter(within.or(children::id.eq_any(granted.clone())))
            }
        }
        ChildScope::OwnedBy(org) => {
            let of_cases = cases::table
                .filter(cases::owner_org.eq(org.clone()))
                .select(cases::child_id);
            joined().filter(
                children::owner_org
                    .eq(org.clone())
                    .or(children::id.eq_any(of_cases)),
            )
        }
        ChildScope::None => joined().filter(children::id.eq("")),
    }
}

fn load(query: Scoped, conn: &mut DbConn) -> Result<Vec<Child>, ApiError> {
    let rows: Vec<(ChildRow, String, String)> = query
        .select((
            ChildRow::as_select(),
            organizations::code,
            territories::path,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, organization, territory_path)| Child {
            row,
            organization,
            territory_path,
        })
        .collect())
}

/// The children with these ids, whole (the caller has already checked they are in scope).
pub fn by_ids(conn: &mut DbConn, ids: Vec<String>) -> Result<Vec<Child>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    load(joined().filter(children::id.eq_any(ids)), conn)
}

/// One child within the caller's scope.
pub fn find(conn: &mut DbConn, scope: &ChildScope, id: &str) -> Result<Child, ApiError> {
    load(scoped(scope).filter(children::id.eq(id.to_string())), conn)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// A page of the children in scope, by id; with `words`, only those reached by every word's
/// key lookups (`domain::word_lookups`).
pub fn list(
    conn: &mut DbConn,
    scope: &ChildScope,
    words: &[Lookups],
    after: Option<String>,
    limit: i64,
) -> Result<Vec<Child>, ApiError> {
    let mut query = scoped(scope).order(children::id).limit(limit);
    if let Some(after) = after {
        query = query.filter(children::id.gt(after));
    }
    for word in words {
        query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &key_store::keyed_sql("children.id", word),
        ));
    }
    load(query, conn)
}

/// Which of `ids` lie within the caller's scope.
pub fn in_scope(
    conn: &mut DbConn,
    scope: &ChildScope,
    ids: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    Ok(scoped(scope)
        .filter(children::id.eq_any(ids))
        .select(children::id)
        .load(conn)?)
}

/// The candidates of a match, whatever the caller's scope (which decides only what is shown).
pub fn candidates(conn: &mut DbConn, lookups: &Lookups) -> Result<Vec<Child>, ApiError> {
    let ids = key_store::candidate_ids(conn, lookups)?;
    load(
        joined()
            .filter(children::id.eq_any(ids))
            .order(children::id),
        conn,
    )
}
