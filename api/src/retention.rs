//! `madar retention run [--dry-run]`: what law 09-08's proportionality asks of records whose
//! purpose is spent. design.md gives no periods, so the rule is the conservative one below,
//! configurable by `MADAR_RETENTION_YEARS` (default 10):
//!
//! - A child's records fall due when every case of the child is closed and the child came of
//!   age (18) more than `MADAR_RETENTION_YEARS` years ago (a child with an estimated birth year
//!   only is taken to be born on its last day; one with neither date never falls due). A child
//!   without any case is left alone.
//! - Then the sensitive free text of the child, of its cases and of the reports about it alone
//!   (a report naming another child not yet due is kept) is erased: every column of
//!   `crypto::sealed_columns` owned by them (NULL, or a sealed `[erased ...]` where a value is
//!   required), and the cases' attachments are deleted. Codes, dates, links and the audit log
//!   are kept, so statistics do not change. Referral snapshots are kept (structured; to do).
//!   Names used for matching are not erased by this rule.
//! - A child with a case on legal hold (`/cases/{id}/legal-hold`: a court or an investigation
//!   still needs it) is kept whole, and counted.
//! - Idempotency keys older than 7 days are purged (as the server's purger does).
//!
//! Every change is counted per category; a real run writes one `retention.run` audit event.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use crate::audit::{self, AuditAction, AuditEvent};
use crate::crypto::sealed_columns::{Erase, Owner, SealedColumn, ERASED, SEALED_COLUMNS};
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;
use crate::keys::{execute, load, row_filter, row_key, Found};

/// Years after coming of age the records of a child whose cases are closed are kept.
pub const DEFAULT_YEARS: u32 = 10;
const AGE_OF_MAJORITY: i32 = 18;
/// Ids per statement / per transaction.
const CHUNK: usize = 100;

/// `MADAR_RETENTION_YEARS`, or the default.
pub fn years() -> anyhow::Result<u32> {
    match std::env::var("MADAR_RETENTION_YEARS") {
        Ok(text) if !text.trim().is_empty() => {
            let years: u32 = text.trim().parse().map_err(|_| {
                anyhow::anyhow!("MADAR_RETENTION_YEARS must be a whole number of years")
            })?;
            anyhow::ensure!(years >= 1, "MADAR_RETENTION_YEARS must be at least 1");
            Ok(years)
        }
        _ => Ok(DEFAULT_YEARS),
    }
}

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Nullable<Text>)]
    dob: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    year: Option<String>,
}

/// The day a child with this birth date (or estimated year) has been of age for `years` years.
fn due_on(dob: Option<&str>, year: Option<&str>, years: u32) -> Option<NaiveDate> {
    let add = AGE_OF_MAJORITY + i32::try_from(years).ok()?;
    let born = match (dob, year) {
        (Some(d), _) => NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok()?,
        (None, Some(y)) => NaiveDate::from_ymd_opt(y.trim().parse().ok()?, 12, 31)?,
        (None, None) => return None,
    };
    // 29 February: the first of March in a common year.
    NaiveDate::from_ymd_opt(born.year() + add, born.month(), born.day())
        .or_else(|| NaiveDate::from_ymd_opt(born.year() + add, 3, 1))
}

/// The children whose records fall due on `today`, and how many more would but for a legal
/// hold on one of their cases.
pub fn due_children(
    conn: &mut DbConn,
    years: u32,
    today: NaiveDate,
) -> anyhow::Result<(Vec<String>, usize)> {
    let rows: Vec<Candidate> = load(
        conn,
        "SELECT ch.id AS id, CAST(ch.date_of_birth AS TEXT) AS dob, \
         CAST(ch.estimated_birth_year AS TEXT) AS year FROM children ch \
         WHERE EXISTS (SELECT 1 FROM cases c WHERE c.child_id = ch.id) \
         AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.child_id = ch.id \
         AND (c.stage <> 'closed' OR c.closed_at IS NULL)) ORDER BY ch.id",
        &[],
    )?;
    let held: BTreeSet<String> = load::<Found>(
        conn,
        "SELECT DISTINCT c.child_id AS k, c.child_id AS v FROM legal_holds h \
         JOIN cases c ON c.id = h.case_id",
        &[],
    )?
    .into_iter()
    .map(|f| f.k)
    .collect();
    let (kept, due): (Vec<String>, Vec<String>) = rows
        .into_iter()
        .filter(|c| due_on(c.dob.as_deref(), c.year.as_deref(), years).is_some_and(|d| d < today))
        .map(|c| c.id)
        .partition(|id| held.contains(id));
    Ok((due, kept.len()))
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `SELECT k, v` pairs for ids in chunks: `sql` holds `IN (IDS)`.
fn pairs(conn: &mut DbConn, sql: &str, ids: &[String]) -> anyhow::Result<Vec<Found>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let binds: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let text = sql.replace("IDS", &placeholders(binds.len()));
        out.extend(load::<Found>(conn, &text, &binds)?);
    }
    Ok(out)
}

/// The records of some due children: theirs, their cases', and the reports about them alone.
struct Records {
    children: Vec<String>,
    cases: Vec<String>,
    reports: Vec<String>,
}

fn records(
    conn: &mut DbConn,
    children: &[String],
    due: &BTreeSet<String>,
) -> anyhow::Result<Records> {
    let cases = pairs(
        conn,
        "SELECT id AS k, child_id AS v FROM cases WHERE child_id IN (IDS)",
        children,
    )?;
    let linked = pairs(
        conn,
        "SELECT DISTINCT report_id AS k, child_id AS v FROM report_child_links \
         WHERE child_id IN (IDS)",
        children,
    )?;
    let report_ids: BTreeSet<String> = linked.into_iter().map(|r| r.k).collect();
    let report_ids: Vec<String> = report_ids.into_iter().collect();
    let all_links = pairs(
        conn,
        "SELECT report_id AS k, child_id AS v FROM report_child_links WHERE report_id IN (IDS)",
        &report_ids,
    )?;
    let mut kept = BTreeSet::new();
    for link in &all_links {
        if !due.contains(&link.v) {
            kept.insert(link.k.clone());
        }
    }
    Ok(Records {
        children: children.to_vec(),
        cases: cases.into_iter().map(|r| r.k).collect(),
        reports: report_ids
            .into_iter()
            .filter(|r| !kept.contains(r))
            .collect(),
    })
}

/// What a run did (or would do) per sealed column, and in total.
#[derive(Debug, Default)]
pub struct Outcome {
    pub children: usize,
    /// Children otherwise due, kept whole because a case of theirs is on legal hold.
    pub held: usize,
    pub cases: usize,
    pub reports: usize,
    pub erased: BTreeMap<String, u64>,
    pub idempotency_keys: usize,
}

/// Erases one column's values owned by `records`; returns how many.
fn erase_column(
    conn: &mut DbConn,
    keys: &Keyring,
    c: &SealedColumn,
    records: &Records,
    dry_run: bool,
) -> anyhow::Result<u64> {
    let (owner_column, ids) = match c.owner {
        Owner::Case(col) => (col, &records.cases),
        Owner::Child(col) => (col, &records.children),
        Owner::Report(col) => (col, &records.reports),
        Owner::None => return Ok(0),
    };
    if c.erase == Erase::Keep {
        return Ok(0);
    }
    let (table, column) = (c.table, c.column);
    let key = row_key(c);
    let found = pairs(
        conn,
        &format!(
            "SELECT {key} AS k, {column} AS v FROM {table} \
             WHERE {owner_column} IN (IDS) AND {column} IS NOT NULL"
        ),
        ids,
    )?;
    let mut count = 0;
    for row in found {
        let place = Place {
            table,
            column: c.place,
            row_id: &row.k,
        };
        let (filter, binds) = row_filter(c, &row.k);
        match c.erase {
            Erase::Keep => {}
            Erase::Null => {
                count += 1;
                if !dry_run {
                    execute(
                        conn,
                        &format!("UPDATE {table} SET {column} = NULL WHERE {filter}"),
                        &binds,
                    )?;
                }
            }
            Erase::DeleteRow => {
                count += 1;
                if !dry_run {
                    execute(conn, &format!("DELETE FROM {table} WHERE {filter}"), &binds)?;
                }
            }
            Erase::Text => {
                // Already erased: nothing to do (a run may be repeated). A value that does not
                // open is erased all the same.
                if keys.open(place, &row.v).is_ok_and(|t| t == ERASED) {
                    continue;
                }
                count += 1;
                if !dry_run {
                    let sealed = keys
                        .seal(place, ERASED)
                        .map_err(|e| anyhow::anyhow!("sealing {table}.{column}: {e}"))?;
                    let mut all = vec![sealed.as_str()];
                    all.extend(binds);
                    execute(
                        conn,
                        &format!("UPDATE {table} SET {column} = ? WHERE {filter}"),
                        &all,
                    )?;
                }
            }
        }
    }
    Ok(count)
}

/// Applies the rules (see the module's documentation) at `now`.
pub fn apply(
    conn: &mut DbConn,
    keys: &Keyring,
    years: u32,
    dry_run: bool,
    now: NaiveDateTime,
) -> anyhow::Result<Outcome> {
    let (due, held) = due_children(conn, years, now.date())?;
    let due_set: BTreeSet<String> = due.iter().cloned().collect();
    let mut outcome = Outcome {
        children: due.len(),
        held,
        ..Outcome::default()
    };
    for chunk in due.chunks(CHUNK) {
        let step = |conn: &mut DbConn| -> anyhow::Result<(Records, Vec<(String, u64)>)> {
            let records = records(conn, chunk, &due_set)?;
            let mut counts = Vec::new();
            for c in SEALED_COLUMNS {
                let n = erase_column(conn, keys, c, &records, dry_run)?;
                counts.push((format!("{}.{}", c.table, c.column), n));
            }
            Ok((records, counts))
        };
        let (records, counts) = if dry_run {
            step(conn)?
        } else {
            crate::db::write_transaction(conn, |tx| step(tx))?
        };
        outcome.cases += records.cases.len();
        outcome.reports += records.reports.len();
        for (name, n) in counts {
            *outcome.erased.entry(name).or_default() += n;
        }
    }
    {
        use crate::schema::idempotency_keys as k;
        outcome.idempotency_keys = if dry_run {
            let n: i64 = k::table
                .filter(k::created_at.lt(now - crate::idempotency::RETENTION))
                .count()
                .get_result(conn)?;
            usize::try_from(n).unwrap_or(0)
        } else {
            crate::idempotency::purge(conn, now)
                .map_err(|e| anyhow::anyhow!("purging idempotency keys: {e}"))?
        };
    }
    if !dry_run {
        let event = AuditEvent::system(AuditAction::RetentionRun, now);
        crate::db::write_transaction(conn, |c| audit::record(c, &event))
            .map_err(|e| anyhow::anyhow!("recording the audit event: {e}"))?;
    }
    Ok(outcome)
}

/// `madar retention run`: applies the rules and prints what changed (or would).
pub fn run(
    conn: &mut DbConn,
    keys: &Keyring,
    dry_run: bool,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let years = years()?;
    let o = apply(conn, keys, years, dry_run, now)?;
    let verb = if dry_run { "would be erased" } else { "erased" };
    println!(
        "retention{}: children of age for more than {years} years with every case closed: {} \
         ({} cases, {} reports about them alone)",
        if dry_run {
            " (dry run: nothing is written)"
        } else {
            ""
        },
        o.children,
        o.cases,
        o.reports
    );
    println!("kept whole, a case on legal hold: {} children", o.held);
    for (name, n) in &o.erased {
        if *n > 0 {
            println!("{name}: {n} {verb}");
        }
    }
    let total: u64 = o.erased.values().sum();
    println!("total: {total} values {verb}");
    println!(
        "idempotency keys older than 7 days: {} {}",
        o.idempotency_keys,
        if dry_run { "would be purged" } else { "purged" }
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_falls_due_years_after_coming_of_age() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(due_on(Some("2000-05-17"), None, 10), d(2028, 5, 17));
        assert_eq!(due_on(None, Some("2000"), 10), d(2028, 12, 31));
        assert_eq!(due_on(Some("2004-02-29"), None, 10), d(2032, 2, 29));
        assert_eq!(due_on(Some("2004-02-29"), None, 11), d(2033, 3, 1));
        assert_eq!(due_on(None, None, 10), None);
    }
}
