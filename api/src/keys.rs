//! `madar keys rotate`: re-seals every sealed value (`crypto::sealed_columns`) under the
//! current data key (`MADAR_DATA_KEY`), opening it with whichever key sealed it (the current
//! one or one of `MADAR_DATA_KEY_PREVIOUS`), so that a previous key can then be retired.
//!
//! It works in batches, one transaction each, and writes a value only if it is still the one
//! read (a request of a live server may have rewritten it meanwhile), so it runs beside a live
//! server and may be stopped and run again: values already under the current key are skipped.
//! A value sealed with a key the ring does not hold is never written: the run names the missing
//! key ids and exits non-zero.
use std::collections::BTreeSet;

use anyhow::bail;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::Sqlite;

use crate::audit::{self, AuditAction, AuditEvent};
use crate::crypto::sealed_columns::{RowId, SealedColumn, SEALED_COLUMNS};
use crate::crypto::{key_id, Keyring, Place};
use crate::db::DbConn;

/// Rows per transaction (attachments, which may be large files, go by fewer).
pub const BATCH: i64 = 500;
const FILE_BATCH: i64 = 16;

#[derive(QueryableByName)]
pub(crate) struct Found {
    #[diesel(sql_type = Text)]
    pub k: String,
    #[diesel(sql_type = Text)]
    pub v: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs `sql` (with `?` placeholders, bound in order to `binds`) and loads its rows.
pub(crate) fn load<T>(conn: &mut DbConn, sql: &str, binds: &[&str]) -> QueryResult<Vec<T>>
where
    T: QueryableByName<Pg> + QueryableByName<Sqlite> + 'static,
{
    match conn {
        DbConn::Postgres(pg) => {
            let mut q = diesel::sql_query(numbered(sql)).into_boxed::<Pg>();
            for b in binds {
                q = q.bind::<Text, _>(b.to_string());
            }
            q.load(pg)
        }
        DbConn::Sqlite(lite) => {
            let mut q = diesel::sql_query(sql).into_boxed::<Sqlite>();
            for b in binds {
                q = q.bind::<Text, _>(b.to_string());
            }
            q.load(lite)
        }
    }
}

/// Runs a statement (with `?` placeholders) and returns the rows it changed.
pub(crate) fn execute(conn: &mut DbConn, sql: &str, binds: &[&str]) -> QueryResult<usize> {
    match conn {
        DbConn::Postgres(pg) => {
            let mut q = diesel::sql_query(numbered(sql)).into_boxed::<Pg>();
            for b in binds {
                q = q.bind::<Text, _>(b.to_string());
            }
            q.execute(pg)
        }
        DbConn::Sqlite(lite) => {
            let mut q = diesel::sql_query(sql).into_boxed::<Sqlite>();
            for b in binds {
                q = q.bind::<Text, _>(b.to_string());
            }
            q.execute(lite)
        }
    }
}

/// `?` placeholders as PostgreSQL's `$1`, `$2`... (no statement here quotes a `?`).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The SQL expression of a row's id as its `Place::row_id` (text).
pub(crate) fn row_key(c: &SealedColumn) -> String {
    match c.row_id {
        RowId::Id => "id".to_string(),
        RowId::Pair(a, b) => format!("(CAST({a} AS TEXT) || '/' || CAST({b} AS TEXT))"),
    }
}

/// The condition selecting the row whose id is bound next (one or two `?`), and its binds.
pub(crate) fn row_filter<'a>(c: &SealedColumn, k: &'a str) -> (String, Vec<&'a str>) {
    match c.row_id {
        RowId::Id => ("id = ?".to_string(), vec![k]),
        RowId::Pair(a, b) => {
            let (first, second) = k.split_once('/').unwrap_or((k, ""));
            (
                format!("{a} = ? AND CAST({b} AS TEXT) = ?"),
                vec![first, second],
            )
        }
    }
}

/// What the run found in one column.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub resealed: u64,
    pub current: u64,
    /// Plain JSON in `idempotency_keys.body` (written before bodies were sealed).
    pub plain: u64,
    /// Rewritten by the server between read and write (it sealed them with its own key).
    pub changed: u64,
    pub unreadable: u64,
}

/// What a whole run found.
#[derive(Debug, Default)]
pub struct Outcome {
    pub columns: Vec<(&'static SealedColumn, Tally)>,
    /// Key ids values are sealed with that the ring does not hold.
    pub missing: BTreeSet<String>,
    /// Values that are not sealed values or do not open with their key (altered or moved).
    pub broken: Vec<String>,
}

/// Re-seals every sealed column; `dry_run` reads and counts without writing.
pub fn rotate(
    conn: &mut DbConn,
    keys: &Keyring,
    dry_run: bool,
    batch: i64,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    for c in SEALED_COLUMNS {
        let tally = rotate_column(conn, keys, c, dry_run, batch, &mut outcome)?;
        outcome.columns.push((c, tally));
    }
    Ok(outcome)
}

fn rotate_column(
    conn: &mut DbConn,
    keys: &Keyring,
    c: &'static SealedColumn,
    dry_run: bool,
    batch: i64,
    outcome: &mut Outcome,
) -> anyhow::Result<Tally> {
    let (table, column) = (c.table, c.column);
    let current = format!("v1:{}:%", keys.current_id());
    let mut tally = Tally::default();
    let counted: Vec<Count> = load(
        conn,
        &format!("SELECT count(*) AS n FROM {table} WHERE {column} LIKE ?"),
        &[&current],
    )?;
    tally.current = counted.first().map_or(0, |r| r.n.max(0) as u64);
    let limit = if c.bytes {
        batch.min(FILE_BATCH)
    } else {
        batch
    }
    .max(1);
    let key = row_key(c);
    let select = format!(
        "SELECT {key} AS k, {column} AS v FROM {table} \
         WHERE {column} IS NOT NULL AND {column} NOT LIKE ? AND {key} > ? \
         ORDER BY {key} LIMIT {limit}"
    );
    let mut after = String::new();
    loop {
        let step = |conn: &mut DbConn| -> anyhow::Result<(Vec<String>, Tally, Outcome)> {
            let rows: Vec<Found> = load(conn, &select, &[&current, &after])?;
            let mut t = Tally::default();
            let mut o = Outcome::default();
            let mut seen = Vec::with_capacity(rows.len());
            for row in rows {
                seen.push(row.k.clone());
                let place = Place {
                    table,
                    column: c.place,
                    row_id: &row.k,
                };
                let Some(id) = key_id(&row.v) else {
                    if table == "idempotency_keys"
                        && (row.v.starts_with('{') || row.v.starts_with('['))
                    {
                        t.plain += 1;
                    } else {
                        t.unreadable += 1;
                        o.broken.push(format!(
                            "{table}.{column} row {}: not a sealed value",
                            row.k
                        ));
                    }
                    continue;
                };
                if !keys.knows(id) {
                    t.unreadable += 1;
                    o.missing.insert(id.to_string());
                    continue;
                }
                let Ok(plain) = keys.open_bytes(place, &row.v) else {
                    t.unreadable += 1;
                    o.broken.push(format!(
                        "{table}.{column} row {}: does not open with key {id} (altered or moved)",
                        row.k
                    ));
                    continue;
                };
                if dry_run {
                    t.resealed += 1;
                    continue;
                }
                let sealed = keys
                    .seal_bytes(place, &plain)
                    .map_err(|e| anyhow::anyhow!("sealing {table}.{column}: {e}"))?;
                let (filter, mut binds) = row_filter(c, &row.k);
                let mut all = vec![sealed.as_str()];
                all.append(&mut binds);
                all.push(row.v.as_str());
                let sql =
                    format!("UPDATE {table} SET {column} = ? WHERE {filter} AND {column} = ?");
                match execute(conn, &sql, &all)? {
                    0 => t.changed += 1,
                    _ => t.resealed += 1,
                }
            }
            Ok((seen, t, o))
        };
        let (seen, t, o) = if dry_run {
            step(conn)?
        } else {
            crate::db::write_transaction(conn, |tx| step(tx))?
        };
        tally.resealed += t.resealed;
        tally.plain += t.plain;
        tally.changed += t.changed;
        tally.unreadable += t.unreadable;
        outcome.missing.extend(o.missing);
        outcome.broken.extend(o.broken);
        match seen.last() {
            Some(last) if seen.len() as i64 >= limit => after = last.clone(),
            _ => break,
        }
    }
    Ok(tally)
}

/// `madar keys rotate`: runs, prints a line per column, records one audit event, and fails
/// when a value could not be read.
pub fn run(conn: &mut DbConn, keys: &Keyring, dry_run: bool, batch: i64) -> anyhow::Result<()> {
    let outcome = rotate(conn, keys, dry_run, batch)?;
    let verb = if dry_run { "to re-seal" } else { "re-sealed" };
    println!(
        "{} sealed values under key {}{}",
        if dry_run { "Checking" } else { "Re-sealing" },
        keys.current_id(),
        if dry_run {
            " (dry run: nothing is written)"
        } else {
            ""
        }
    );
    let mut total = Tally::default();
    for (c, t) in &outcome.columns {
        let mut line = format!(
            "{}.{}: {} {verb}, {} already current, {} unreadable",
            c.table, c.column, t.resealed, t.current, t.unreadable
        );
        if t.plain > 0 {
            line.push_str(&format!(
                ", {} not sealed (plain JSON, left as is)",
                t.plain
            ));
        }
        if t.changed > 0 {
            line.push_str(&format!(
                ", {} rewritten meanwhile by the server",
                t.changed
            ));
        }
        println!("{line}");
        total.resealed += t.resealed;
        total.current += t.current;
        total.unreadable += t.unreadable;
    }
    println!(
        "total: {} {verb}, {} already current, {} unreadable",
        total.resealed, total.current, total.unreadable
    );
    if !dry_run && total.resealed > 0 {
        let now = chrono::Utc::now().naive_utc();
        let event = AuditEvent::system(AuditAction::DataKeysRotate, now);
        crate::db::write_transaction(conn, |c| audit::record(c, &event))
            .map_err(|e| anyhow::anyhow!("recording the audit event: {e}"))?;
    }
    for b in outcome.broken.iter().take(20) {
        eprintln!("unreadable: {b}");
    }
    if !outcome.missing.is_empty() {
        let ids: Vec<&str> = outcome.missing.iter().map(String::as_str).collect();
        bail!(
            "{} values are sealed with key id(s) {} that neither MADAR_DATA_KEY nor \
             MADAR_DATA_KEY_PREVIOUS holds: add the missing key to MADAR_DATA_KEY_PREVIOUS and \
             run again (those values were left untouched)",
            total.unreadable,
            ids.join(", ")
        );
    }
    if !outcome.broken.is_empty() {
        bail!(
            "{} values do not open (altered, moved or not sealed); they were left untouched",
            outcome.broken.len()
        );
    }
    Ok(())
}
