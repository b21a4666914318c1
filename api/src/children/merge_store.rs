//! Queries of merges: the compare-and-set that marks a duplicate merged into a survivor, the
//! rows that follow it (and go back on undo), the merge's record.
//!
//! What points at a child follows it into a merge: each table is one line of [`FOLLOWERS`].
//! The moves are written as SQL text because they run over a list of tables; only constants
//! and ids that parse as UUIDs reach it (checked by [`literal`]), never text a caller sent.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::children::MovedRecord;

use crate::auth::policy::ChildScope;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{child_match_keys, child_merge_moves, child_merges, children, territories};

/// A table whose rows point at a child and follow it into a merge.
pub struct Follower {
    /// The kind of record, as the merge's response names it.
    pub kind: &'static str,
    pub table: &'static str,
    /// The column holding the child's id.
    pub column: &'static str,
    /// SQL giving a row's key, as text (both backends).
    pub key: &'static str,
}

/// Every table that follows a child into a merge. Adding one is one line.
pub const FOLLOWERS: &[Follower] = &[
    Follower {
        kind: "report_link",
        table: "report_child_links",
        column: "child_id",
        key: "report_id || ':' || CAST(position AS TEXT)",
    },
    Follower {
        kind: "consent",
        table: "child_consents",
        column: "child_id",
        key: "id",
    },
    Follower {
        kind: "case",
        table: "cases",
        column: "child_id",
        key: "id",
    },
    Follower {
        kind: "placement",
        table: "placements",
        column: "child_id",
        key: "id",
    },
    Follower {
        kind: "guardian",
        table: "child_guardians",
        column: "child_id",
        key: "id",
    },
    // A sibling link names two children: it follows either. (Undo moves back a row only where
    // its column still names the survivor, so the two lines cannot undo each other's moves.)
    Follower {
        kind: "sibling_link",
        table: "child_siblings",
        column: "child_id",
        key: "id",
    },
    Follower {
        kind: "sibling_link",
        table: "child_siblings",
        column: "other_child_id",
        key: "id",
    },
];

/// A child taking part in a merge, as read before the merge's transaction.
#[derive(Debug, Clone)]
pub struct Party {
    pub id: String,
    pub version: i32,
    pub merged_into: Option<String>,
}

/// A merge as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = child_merges)]
pub struct MergeRow {
    pub id: String,
    pub survivor_id: String,
    pub duplicate_id: String,
    pub merged_by: String,
    pub merged_at: NaiveDateTime,
    pub undone_by: Option<String>,
    pub undone_at: Option<NaiveDateTime>,
}

/// An id as an SQL literal: only a UUID passes.
fn literal(id: &str) -> Result<String, ApiError> {
    let id: uuid::Uuid = id
        .parse()
        .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?;
    Ok(format!("'{id}'"))
}

fn execute(conn: &mut DbConn, sql: &str) -> Result<usize, ApiError> {
    Ok(match conn {
        DbConn::Postgres(pg) => diesel::sql_query(sql).execute(pg)?,
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).execute(sqlite)?,
    })
}

/// The children among `ids` within the caller's scope, merged ones included (a merge and its
/// undoing must see them).
pub fn parties(
    conn: &mut DbConn,
    scope: &ChildScope,
    ids: Vec<String>,
) -> Result<Vec<Party>, ApiError> {
    let mut query = children::table
        .inner_join(territories::table)
        .filter(children::id.eq_any(ids))
        .select((children::id, children::version, children::merged_into))
        .into_boxed();
    query = match scope {
        // Merging is territory work: a break-the-glass grant does not extend to it.
        ChildScope::Subtree { path, .. } => {
            query.filter(territories::path.like(format!("{path}%")))
        }
        ChildScope::OwnedBy(org) => query.filter(children::owner_org.eq(org.clone())),
        ChildScope::None => query.filter(children::id.eq("")),
    };
    let rows: Vec<(String, i32, Option<String>)> = query.load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, version, merged_into)| Party {
            id,
            version,
            merged_into,
        })
        .collect())
}

fn changed_meanwhile() -> ApiError {
    ApiError::conflict(
        "child_changed",
        "One of the children changed meanwhile; read them again.",
    )
}

/// Bumps a child's version if it is still at `version` and not merged (compare-and-set).
fn bump(conn: &mut DbConn, party: &Party, now: NaiveDateTime) -> Result<(), ApiError> {
    let updated = diesel::update(
        children::table.filter(
            children::id
                .eq(&party.id)
                .and(children::version.eq(party.version))
                .and(children::merged_into.is_null()),
        ),
    )
    .set((
        children::version.eq(party.version + 1),
        children::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(changed_meanwhile());
    }
    Ok(())
}

/// Merges `duplicate` into `survivor`: both compare-and-set on their versions (the
/// transaction's first statements), the duplicate marked and unkeyed, its followers moved and
/// recorded. 409 `child_changed` when either changed since read.
pub fn merge(
    conn: &mut DbConn,
    merge_id: &str,
    survivor: &Party,
    duplicate: &Party,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let updated = diesel::update(
        children::table.filter(
            children::id
                .eq(&duplicate.id)
                .and(children::version.eq(duplicate.version))
                .and(children::merged_into.is_null()),
        ),
    )
    .set((
        children::merged_into.eq(&survivor.id),
        children::version.eq(duplicate.version + 1),
        children::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(changed_meanwhile());
    }
    bump(conn, survivor, now)?;
    diesel::delete(child_match_keys::table.filter(child_match_keys::child_id.eq(&duplicate.id)))
        .execute(conn)?;
    diesel::insert_into(child_merges::table)
        .values((
            child_merges::id.eq(merge_id),
            child_merges::survivor_id.eq(&survivor.id),
            child_merges::duplicate_id.eq(&duplicate.id),
            child_merges::merged_by.eq(by),
            child_merges::merged_at.eq(now),
        ))
        .execute(conn)?;
    let (merge, from, to) = (
        literal(merge_id)?,
        literal(&duplicate.id)?,
        literal(&survivor.id)?,
    );
    for f in FOLLOWERS {
        let (table, column, key) = (f.table, f.column, f.key);
        execute(
            conn,
            &format!(
                "INSERT INTO child_merge_moves (merge_id, table_name, row_key) \
                 SELECT {merge}, '{table}', {key} FROM {table} WHERE {column} = {from}"
            ),
        )?;
        execute(
            conn,
            &format!("UPDATE {table} SET {column} = {to} WHERE {column} = {from}"),
        )?;
    }
    Ok(())
}

/// Undoes a merge: marks it undone (compare-and-set: 409 `merge_already_undone` the second
/// time), shows the duplicate again and moves back exactly the rows the merge moved. The
/// duplicate's keys are rewritten by the caller, from its record.
pub fn undo(
    conn: &mut DbConn,
    merge: &MergeRow,
    survivor: &Party,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let undone = diesel::update(
        child_merges::table.filter(
            child_merges::id
                .eq(&merge.id)
                .and(child_merges::undone_at.is_null()),
        ),
    )
    .set((
        child_merges::undone_by.eq(by),
        child_merges::undone_at.eq(now),
    ))
    .execute(conn)?;
    if undone == 0 {
        return Err(already_undone());
    }
    let shown = diesel::update(
        children::table.filter(
            children::id
                .eq(&merge.duplicate_id)
                .and(children::merged_into.eq(&merge.survivor_id)),
        ),
    )
    .set((
        children::merged_into.eq(None::<String>),
        children::version.eq(children::version + 1),
        children::updated_at.eq(now),
    ))
    .execute(conn)?;
    if shown == 0 {
        return Err(changed_meanwhile());
    }
    bump(conn, survivor, now)?;
    let (id, from, to) = (
        literal(&merge.id)?,
        literal(&merge.survivor_id)?,
        literal(&merge.duplicate_id)?,
    );
    for f in FOLLOWERS {
        let (table, column, key) = (f.table, f.column, f.key);
        execute(
            conn,
            &format!(
                "UPDATE {table} SET {column} = {to} WHERE {column} = {from} AND {key} IN \
                 (SELECT row_key FROM child_merge_moves WHERE merge_id = {id} \
                 AND table_name = '{table}')"
            ),
        )?;
    }
    Ok(())
}

pub fn already_undone() -> ApiError {
    ApiError::conflict("merge_already_undone", "This merge was already undone.")
}

/// A merge of `survivor`, by id.
pub fn find(conn: &mut DbConn, id: &str, survivor: &str) -> Result<MergeRow, ApiError> {
    child_merges::table
        .filter(
            child_merges::id
                .eq(id)
                .and(child_merges::survivor_id.eq(survivor)),
        )
        .select(MergeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// The merges into `survivor`, newest first.
pub fn of_survivor(conn: &mut DbConn, survivor: &str) -> Result<Vec<MergeRow>, ApiError> {
    Ok(child_merges::table
        .filter(child_merges::survivor_id.eq(survivor))
        .select(MergeRow::as_select())
        .order((child_merges::merged_at.desc(), child_merges::id.desc()))
        .load(conn)?)
}

/// What a merge moved, by kind then key.
pub fn moved(conn: &mut DbConn, id: &str) -> Result<Vec<MovedRecord>, ApiError> {
    let rows: Vec<(String, String)> = child_merge_moves::table
        .filter(child_merge_moves::merge_id.eq(id))
        .select((child_merge_moves::table_name, child_merge_moves::row_key))
        .order((child_merge_moves::table_name, child_merge_moves::row_key))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(table, id)| MovedRecord {
            kind: FOLLOWERS
                .iter()
                .find(|f| f.table == table)
                .map_or(table.clone(), |f| f.kind.to_string()),
            id,
        })
        .collect())
}
