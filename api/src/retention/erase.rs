//! Erasing what a due record holds: its sealed columns (`crypto::sealed_columns`, each with its
//! `Erase` rule) and, for children and the children as a report named them, the identity kept
//! in plain columns (names, aliases, birth date coarsened to the year, matching keys). Each
//! function answers the ids of the records it changed, so a run audits exactly those, and a
//! repeated run finds nothing left to do.
use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::placeholders;
use crate::crypto::sealed_columns::{Erase, Owner, SealedColumn, ERASED};
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;
use crate::keys::{execute, load, row_filter, row_key};

/// The ids of the records of each type a step changed, and how many values.
#[derive(Debug, Default)]
pub struct Changed {
    pub values: u64,
    pub owners: BTreeSet<String>,
}

impl Changed {
    fn add(&mut self, owner: &str) {
        self.values += 1;
        self.owners.insert(owner.to_string());
    }

    /// One value per identity row.
    fn of(rows: &[Identity]) -> Changed {
        let mut changed = Changed::default();
        for row in rows {
            changed.add(&row.owner);
        }
        changed
    }
}

/// A sealed value with the id of the record it belongs to.
#[derive(QueryableByName)]
struct Owned {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = Text)]
    v: String,
    #[diesel(sql_type = Text)]
    owner: String,
}

/// Whether `c` belongs to records of the kind `owner` names (compared by variant).
pub fn owned_by(c: &SealedColumn, owner: Owner) -> bool {
    std::mem::discriminant(&c.owner) == std::mem::discriminant(&owner)
}

/// Erases the values of `c` that belong to the records `owners` (at most `CHUNK` ids).
pub fn sealed(
    conn: &mut DbConn,
    keys: &Keyring,
    c: &SealedColumn,
    owners: &[String],
    dry_run: bool,
) -> anyhow::Result<Changed> {
    let mut changed = Changed::default();
    let owner_column = match c.owner {
        Owner::Case(col) | Owner::Child(col) | Owner::Report(col) => col,
        Owner::None => return Ok(changed),
    };
    if c.erase == Erase::Keep || owners.is_empty() {
        return Ok(changed);
    }
    let (table, column) = (c.table, c.column);
    let binds: Vec<&str> = owners.iter().map(String::as_str).collect();
    let found: Vec<Owned> = load(
        conn,
        &format!(
            "SELECT {key} AS k, {column} AS v, {owner_column} AS owner FROM {table} \
             WHERE {owner_column} IN ({ids}) AND {column} IS NOT NULL",
            key = row_key(c),
            ids = placeholders(binds.len()),
        ),
        &binds,
    )?;
    for row in found {
        let place = Place {
            table,
            column: c.place,
            row_id: &row.k,
        };
        let (filter, binds) = row_filter(c, &row.k);
        let replacement = match c.erase {
            Erase::Keep => continue,
            Erase::Null => None,
            Erase::DeleteRow => {
                changed.add(&row.owner);
                if !dry_run {
                    execute(conn, &format!("DELETE FROM {table} WHERE {filter}"), &binds)?;
                }
                continue;
            }
            // Already erased: nothing to do. A value that does not open is erased all the same.
            Erase::Text if keys.open(place, &row.v).is_ok_and(|t| t == ERASED) => continue,
            Erase::Text => Some(ERASED.to_string()),
            Erase::KeepFields(fields) => {
                let text = keys
                    .open(place, &row.v)
                    .map_err(|e| anyhow::anyhow!("opening {table}.{column} of {}: {e}", row.k))?;
                match keep_fields(&text, fields)? {
                    Some(kept) => Some(kept),
                    None => continue,
                }
            }
        };
        changed.add(&row.owner);
        if dry_run {
            continue;
        }
        match replacement {
            None => execute(
                conn,
                &format!("UPDATE {table} SET {column} = NULL WHERE {filter}"),
                &binds,
            )?,
            Some(text) => {
                let sealed = keys
                    .seal(place, &text)
                    .map_err(|e| anyhow::anyhow!("sealing {table}.{column}: {e}"))?;
                let mut all = vec![sealed.as_str()];
                all.extend(binds);
                execute(
                    conn,
                    &format!("UPDATE {table} SET {column} = ? WHERE {filter}"),
                    &all,
                )?
            }
        };
    }
    Ok(changed)
}

/// A JSON object reduced to `fields`; `None` when it holds nothing else already.
fn keep_fields(text: &str, fields: &[&str]) -> anyhow::Result<Option<String>> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    let object = value
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("a JSON object was expected"))?;
    if object
        .iter()
        .all(|(k, v)| fields.contains(&k.as_str()) || v.is_null())
    {
        return Ok(None);
    }
    let kept: serde_json::Map<String, serde_json::Value> = object
        .iter()
        .filter(|(k, _)| fields.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Some(serde_json::Value::Object(kept).to_string()))
}

/// A row holding a child's identity in plain columns, not anonymised yet.
#[derive(QueryableByName)]
struct Identity {
    #[diesel(sql_type = Text)]
    owner: String,
    #[diesel(sql_type = Text)]
    position: String,
    #[diesel(sql_type = Nullable<Text>)]
    dob: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    year: Option<String>,
}

/// The year a child was born in, kept when the names and the birth date go (age bands of
/// statistics are then counted from the year, as for any child with an estimated year).
fn birth_year(row: &Identity) -> Option<i32> {
    row.dob
        .as_deref()
        .and_then(|d| d.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| chrono::Datelike::year(&d))
        .or_else(|| row.year.as_deref().and_then(|y| y.trim().parse().ok()))
}

/// The rows `select` finds for `ids` (`IN (IDS)`) still holding a name or a birth date
/// (`IDENTIFIED` in `select`).
fn identified(conn: &mut DbConn, select: &str, ids: &[String]) -> anyhow::Result<Vec<Identity>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let binds: Vec<&str> = ids.iter().map(String::as_str).collect();
    let sql = select.replace("IDS", &placeholders(binds.len())).replace(
        "IDENTIFIED",
        "(given_name_ar IS NOT NULL OR family_name_ar IS NOT NULL OR given_name_latin IS NOT NULL \
         OR family_name_latin IS NOT NULL OR date_of_birth IS NOT NULL)",
    );
    Ok(load(conn, &sql, &binds)?)
}

/// Anonymises the children `ids`: no names, aliases or matching keys, the birth year only.
/// The record keeps its codes (sex, territory, situation), so counts do not change.
pub fn children(
    conn: &mut DbConn,
    ids: &[String],
    dry_run: bool,
    now: NaiveDateTime,
) -> anyhow::Result<Changed> {
    use crate::schema::{child_match_keys as keys, children as c};
    let rows = identified(
        conn,
        "SELECT id AS owner, '' AS position, CAST(date_of_birth AS TEXT) AS dob, \
         CAST(estimated_birth_year AS TEXT) AS year FROM children \
         WHERE id IN (IDS) AND (IDENTIFIED OR aliases <> '[]')",
        ids,
    )?;
    let changed = Changed::of(&rows);
    if dry_run {
        return Ok(changed);
    }
    for row in &rows {
        diesel::update(c::table.find(&row.owner))
            .set((
                c::given_name_ar.eq(None::<String>),
                c::family_name_ar.eq(None::<String>),
                c::given_name_latin.eq(None::<String>),
                c::family_name_latin.eq(None::<String>),
                c::aliases.eq("[]"),
                c::date_of_birth.eq(None::<NaiveDate>),
                c::estimated_birth_year.eq(birth_year(row)),
                c::version.eq(c::version + 1),
                c::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    diesel::delete(keys::table.filter(keys::child_id.eq_any(ids))).execute(conn)?;
    Ok(changed)
}

/// Anonymises the children as the reports `ids` named them (names, birth date to the year).
pub fn reported_children(
    conn: &mut DbConn,
    ids: &[String],
    dry_run: bool,
) -> anyhow::Result<Changed> {
    use crate::schema::report_children as rc;
    let rows = identified(
        conn,
        "SELECT report_id AS owner, CAST(position AS TEXT) AS position, \
         CAST(date_of_birth AS TEXT) AS dob, CAST(estimated_birth_year AS TEXT) AS year \
         FROM report_children WHERE report_id IN (IDS) AND IDENTIFIED",
        ids,
    )?;
    let changed = Changed::of(&rows);
    if dry_run {
        return Ok(changed);
    }
    for row in &rows {
        let position: i32 = row.position.parse()?;
        diesel::update(rc::table.find((&row.owner, position)))
            .set((
                rc::given_name_ar.eq(None::<String>),
                rc::family_name_ar.eq(None::<String>),
                rc::given_name_latin.eq(None::<String>),
                rc::family_name_latin.eq(None::<String>),
                rc::date_of_birth.eq(None::<NaiveDate>),
                rc::estimated_birth_year.eq(birth_year(row)),
            ))
            .execute(conn)?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_keeps_only_its_date() {
        let sent =
            r#"{"taken_at":"2016-01-02T03:04:05Z","identity":{"sex":"female"},"narrative":["x"]}"#;
        let kept = keep_fields(sent, &["taken_at"]).ok().flatten();
        assert_eq!(
            kept.as_deref(),
            Some(r#"{"taken_at":"2016-01-02T03:04:05Z"}"#)
        );
        let again = keep_fields(
            r#"{"taken_at":"2016-01-02T03:04:05Z","identity":null}"#,
            &["taken_at"],
        );
        assert!(matches!(again, Ok(None)));
    }
}
