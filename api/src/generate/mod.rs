//! `madar generate`: a realistic national dataset on the configured database, for the
//! benchmark (issue 5) and the statistics. Children with Moroccan names in both scripts spread
//! over the provinces by population, their reports, screenings and cases through the pathway,
//! the cases' timelines and the audit trail, all under the server's own rules and codes, written
//! in large multi-row statements. Deterministic for a seed (the ciphertexts aside: every seal
//! takes a fresh nonce). `madar rebuild-derived` (`derived`) then writes the matching keys.
pub mod care;
pub mod case;
pub mod child;
pub mod derived;
pub mod directory;
pub mod dist;
pub mod lifecycle;
pub mod names;
pub mod protocol;
pub mod referral;
pub mod report;
pub mod sql;
pub mod staff;
pub mod tables;

use std::time::Instant;

use anyhow::Context;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::{RngCore, SeedableRng};

use crate::audit::key::AuditKey;
use crate::config::Settings;
use crate::db::{Backend, DbConn};
use crate::schema::{organizations, reference_sequences};

/// The generated hotline API client's `client_id` (its secret is the demo password).
pub const HOTLINE_CLIENT_ID: &str = "mdr_gen_hotline_2511";

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub children: u64,
    pub seed: u64,
    pub years: u32,
    /// Children per transaction.
    pub batch: u64,
}

/// Deterministic ids: UUID v7 whose time part is a clock ticking one millisecond per id from
/// `base`, so that ids grow in the order rows are written and every primary key is appended to
/// rather than inserted at random (the rows carry their real times in their own columns; a
/// generated child's records are written in their time order).
pub struct Ids {
    rng: rand::rngs::StdRng,
    millis: u64,
}

impl Ids {
    pub fn new(seed: u64, base: NaiveDateTime) -> Ids {
        Ids {
            rng: rand::rngs::StdRng::seed_from_u64(seed ^ 0x05ee_d1d5),
            millis: base.and_utc().timestamp_millis().max(0) as u64,
        }
    }

    /// The next id (`_at`, the record's time, is kept in its columns).
    pub fn next(&mut self, _at: NaiveDateTime) -> String {
        let mut bytes = [0u8; 10];
        self.rng.fill_bytes(&mut bytes);
        self.millis += 1;
        uuid::Builder::from_unix_timestamp_millis(self.millis, &bytes)
            .into_uuid()
            .to_string()
    }
}

/// Runs the generator, then `rebuild-derived`.
pub fn run(settings: &Settings, conn: &mut DbConn, options: &Options) -> anyhow::Result<()> {
    let started = Instant::now();
    let backend = Backend::of(&settings.database_url);
    let today = chrono::Utc::now().date_naive();
    // Midnight today: the same dataset all day for a seed.
    let now = today.and_hms_opt(0, 0, 0).context("midnight")?;
    let demo: i64 = organizations::table
        .filter(organizations::demo.eq(true))
        .count()
        .get_result(conn)?;
    if demo == 0 {
        crate::seed::demo(conn, chrono::Utc::now().naive_utc())?;
    }
    // The bulk load bypasses the statistics' tallies: rebuilt with the rest (`derived`).
    crate::statistics::tally::mark(conn, true)?;
    let keys = crate::secrets::data_keys(settings)?;
    let audit_key = AuditKey::load(settings)?;
    // Seal what is pending, so the generated events chain on from the head.
    derived::seal_pending(conn, &audit_key)?;
    let hash = crate::auth::passwords::hash(crate::seed::DEMO_PASSWORD)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(options.seed);
    let start = now - TimeDelta::days(365 * i64::from(options.years.max(1)));
    let mut ids = Ids::new(options.seed, start);
    let staff = diesel::Connection::transaction(conn, |c| {
        staff::ensure(c, &mut rng, &mut ids, &hash, now)
    })?;
    println!(
        "staff: {} centres, {} case workers",
        staff.centres.len(),
        staff.centres.iter().map(|c| c.workers.len()).sum::<usize>()
    );
    let directory = diesel::Connection::transaction(conn, |c| {
        directory::ensure(c, &mut ids, &staff, &hash, now)
    })?;
    println!(
        "directory: {} services serving the centres",
        directory.offers.values().map(Vec::len).sum::<usize>()
    );
    let rules = protocol::load(conn, &staff)?;
    let sequences: Vec<(String, String, i32, i32)> = reference_sequences::table
        .select((
            reference_sequences::series,
            reference_sequences::territory_code,
            reference_sequences::year,
            reference_sequences::last_value,
        ))
        .load(conn)?;
    let mut world = child::World::new(
        &staff,
        &directory,
        rules,
        &keys,
        now,
        start,
        sequences,
        audit::Chain::start(conn, audit_key)?,
    )?;
    sql::load_settings(backend, conn, true)?;
    let indexes = sql::drop_indexes(conn, &sql::LOADED)?;
    let mut tables = tables::Tables::new(backend == Backend::Postgres);
    let loaded = load(
        conn,
        options,
        &mut world,
        &mut rng,
        &mut ids,
        &mut tables,
        started,
    );
    // The indexes come back even when the load failed part-way.
    let indexing = Instant::now();
    sql::recreate_indexes(conn, &indexes)?;
    sql::load_settings(backend, conn, false)?;
    loaded?;
    let generated = started.elapsed();
    if !indexes.is_empty() {
        println!(
            "{} indexes rebuilt in {:.1} s",
            indexes.len(),
            indexing.elapsed().as_secs_f64()
        );
    }
    println!("{}", tables.summary());
    println!(
        "generated {} children and {} rows in {:.1} s ({:.0} rows/s)",
        options.children,
        tables.total(),
        generated.as_secs_f64(),
        tables.total() as f64 / generated.as_secs_f64().max(0.001)
    );
    derived::rebuild(settings, conn)?;
    println!(
        "done in {:.1} s (hotline client {HOTLINE_CLIENT_ID}, users' password {})",
        started.elapsed().as_secs_f64(),
        crate::seed::DEMO_PASSWORD
    );
    Ok(())
}

/// Writes the children in transactions of `options.batch`, then the sequences' counters.
#[allow(clippy::too_many_arguments)]
fn load(
    conn: &mut DbConn,
    options: &Options,
    world: &mut child::World<'_>,
    rng: &mut rand::rngs::StdRng,
    ids: &mut Ids,
    tables: &mut tables::Tables,
    started: Instant,
) -> anyhow::Result<()> {
    let mut done = 0u64;
    let mut last_print = Instant::now();
    while done < options.children {
        let n = options.batch.max(1).min(options.children - done);
        diesel::Connection::transaction(conn, |c| -> anyhow::Result<()> {
            for _ in 0..n {
                world.child(rng, ids, tables)?;
                tables.flush_full(c)?;
            }
            tables.flush_all(c)?;
            Ok(())
        })?;
        done += n;
        if last_print.elapsed().as_secs() >= 5 || done == options.children {
            last_print = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{done} children, {} rows, {:.0} s ({:.0} children/s)",
                tables.total(),
                secs,
                done as f64 / secs
            );
        }
    }
    diesel::Connection::transaction(conn, |c| world.finish(c))
}

pub mod audit {
    //! The audit events of the generated records, sealed into the chain as they are written
    //! (the generator is the only writer while it runs): positions and HMACs follow on from the
    //! chain's head exactly as the sealer would make them.
    use chrono::NaiveDateTime;
    use diesel::prelude::*;

    use super::sql::{Rows, V};
    use crate::audit::chain::{self, GENESIS};
    use crate::audit::key::AuditKey;
    use crate::audit::store::{self, AuditRow};
    use crate::audit::{AuditAction, Resource};
    use crate::db::DbConn;
    use crate::schema::audit_events;

    pub struct Chain {
        key: AuditKey,
        next_id: i64,
        seq: i64,
        prev: String,
    }

    impl Chain {
        pub fn start(conn: &mut DbConn, key: AuditKey) -> anyhow::Result<Chain> {
            let max: Option<i64> = audit_events::table
                .select(diesel::dsl::max(audit_events::id))
                .first(conn)?;
            let (seq, prev) = store::head(conn)?.unwrap_or((0, GENESIS.to_string()));
            Ok(Chain {
                key,
                next_id: max.unwrap_or(0) + 1,
                seq,
                prev,
            })
        }

        /// Records and seals one event.
        #[allow(clippy::too_many_arguments)]
        pub fn record(
            &mut self,
            rows: &mut Rows,
            at: NaiveDateTime,
            actor: (&'static str, &str),
            action: AuditAction,
            resource: Resource,
            id: &str,
        ) {
            self.record_as(rows, at, (actor.0, Some(actor.1)), action, resource, id);
        }

        /// Records and seals one event of an actor who may have no id (the system).
        #[allow(clippy::too_many_arguments)]
        pub fn record_as(
            &mut self,
            rows: &mut Rows,
            at: NaiveDateTime,
            actor: (&'static str, Option<&str>),
            action: AuditAction,
            resource: Resource,
            id: &str,
        ) {
            self.seq += 1;
            let row = AuditRow {
                id: self.next_id,
                occurred_at: at,
                actor_kind: actor.0.to_string(),
                actor_id: actor.1.map(str::to_string),
                action: action.code().to_string(),
                resource_type: Some(resource.code().to_string()),
                resource_id: Some(id.to_string()),
                request_id: None,
                seq: Some(self.seq),
                prev_hmac: None,
                hmac: None,
            };
            let hmac = chain::link(&self.key, &self.prev, &row, self.seq);
            rows.push(&[
                V::I(row.id),
                V::T(at),
                V::S(actor.0),
                V::O(actor.1),
                V::S(action.code()),
                V::S(resource.code()),
                V::S(id),
                V::I(self.seq),
                V::S(&self.prev),
                V::S(&hmac),
            ]);
            self.prev = hmac;
            self.next_id += 1;
        }

        /// After the load, PostgreSQL's id sequence moves past the ids written here.
        pub fn finish(&self, conn: &mut DbConn) -> anyhow::Result<()> {
            if let DbConn::Postgres(_) = conn {
                diesel::sql_query(
                    "SELECT setval(pg_get_serial_sequence('audit_events', 'id'), \
                     (SELECT COALESCE(MAX(id), 1) FROM audit_events))",
                )
                .execute(conn)?;
            }
            Ok(())
        }
    }
}
