//! `madar rebuild-derived`: everything Madar derives from its records, rebuilt in bulk: the
//! children's matching keys (the same keys `children::key_store::write_keys` writes, from the
//! same identity), the statistics' tallies (`statistics::tally`) and the audit chain's seal
//! over any event not sealed yet.
use std::time::Instant;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::sql::{self, Rows, V};
use crate::audit::key::AuditKey;
use crate::audit::worker::seal_batch;
use crate::children::domain::{birth_of, identity_of};
use crate::children::matching::{self, Territory};
use crate::codes::from_code;
use crate::config::Settings;
use crate::db::{Backend, DbConn};
use crate::schema::children;

/// Children read per page.
const PAGE: i64 = 5_000;

type ChildKeyRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<NaiveDate>,
    Option<i32>,
    String,
);

/// Rebuilds the matching keys and seals the audit chain.
pub fn rebuild(settings: &Settings, conn: &mut DbConn) -> anyhow::Result<()> {
    let started = Instant::now();
    let backend = Backend::of(&settings.database_url);
    sql::load_settings(backend, conn, true)?;
    let indexes = sql::drop_indexes(conn, &["child_match_keys"])?;
    let keys = rebuild_keys(conn, backend == Backend::Postgres);
    sql::recreate_indexes(conn, &indexes)?;
    sql::load_settings(backend, conn, false)?;
    let keys = keys?;
    println!(
        "matching keys: {keys} keys rebuilt in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let tallies = crate::statistics::tally::rebuild(conn)?;
    println!(
        "statistics: {tallies} tally rows rebuilt in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let sealed = seal_pending(conn, &AuditKey::load(settings)?)?;
    // After a bulk load, what autovacuum would do in time: the statistics for the planner,
    // and the visibility map, without which an index-only scan (the matching keys') reads
    // the table too.
    if backend == Backend::Postgres {
        diesel::sql_query("VACUUM ANALYZE").execute(conn)?;
    }
    println!(
        "audit: {sealed} events sealed; derived data rebuilt in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The blocking keys of one stored child, as `write_keys` computes them.
fn child_keys(row: &ChildKeyRow) -> anyhow::Result<Vec<String>> {
    let (_, g_ar, f_ar, g_lat, f_lat, aliases, sex, dob, year, territory) = row;
    let aliases: Vec<String> = serde_json::from_str(aliases)?;
    let identity = identity_of(
        [g_ar, g_lat],
        [f_ar, f_lat],
        &aliases,
        from_code(sex)?,
        birth_of(*dob, *year),
        Territory::parse(territory).ok(),
    );
    Ok(match identity {
        Ok(identity) => matching::blocking_keys(&identity),
        Err(_) => Vec::new(),
    })
}

fn rebuild_keys(conn: &mut DbConn, copy: bool) -> anyhow::Result<u64> {
    let mut rows = Rows::new("child_match_keys", "key, child_id");
    if copy {
        rows = rows.copied(copy_keys);
    }
    let mut after = String::new();
    let mut written = 0u64;
    conn.transaction(|c| -> anyhow::Result<()> {
        diesel::sql_query("DELETE FROM child_match_keys").execute(c)?;
        loop {
            let page: Vec<ChildKeyRow> = children::table
                .filter(children::id.gt(&after))
                .filter(children::merged_into.is_null())
                .order(children::id)
                .limit(PAGE)
                .select((
                    children::id,
                    children::given_name_ar,
                    children::family_name_ar,
                    children::given_name_latin,
                    children::family_name_latin,
                    children::aliases,
                    children::sex,
                    children::date_of_birth,
                    children::estimated_birth_year,
                    children::territory_code,
                ))
                .load(c)?;
            let Some(last) = page.last() else { break };
            after = last.0.clone();
            for row in &page {
                let mut keys = child_keys(row)?;
                keys.sort();
                keys.dedup();
                for key in keys {
                    rows.push(&[V::S(&key), V::S(&row.0)]);
                    written += 1;
                }
                if rows.full() {
                    rows.flush(c)?;
                }
            }
        }
        rows.flush(c)
    })?;
    Ok(written)
}

fn copy_keys(conn: &mut diesel::PgConnection, data: &[u8]) -> diesel::QueryResult<usize> {
    use crate::schema::child_match_keys;
    diesel::copy_from(child_match_keys::table)
        .from_raw_data(
            (child_match_keys::key, child_match_keys::child_id),
            |w: &mut dyn std::io::Write| {
                w.write_all(data)
                    .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
            },
        )
        .execute(conn)
}

/// Seals every committed event not yet in the chain, as the server's sealer does.
pub fn seal_pending(conn: &mut DbConn, key: &AuditKey) -> anyhow::Result<usize> {
    let mut total = 0;
    loop {
        let sealed = conn
            .transaction(|c| seal_batch(c, key))
            .map_err(|e| anyhow::anyhow!("sealing the audit log: {e}"))?;
        total += sealed;
        if sealed == 0 {
            return Ok(total);
        }
    }
}
