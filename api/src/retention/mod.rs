//! `madar retention run [--dry-run]`: what law 09-08's proportionality asks of records whose
//! purpose is spent. Each type of record has its own period (`policy`, set by environment
//! variables); `due` says which records are past it on the day of the run, `erase` erases them:
//!
//! - a due **case** loses its free text: every column of `crypto::sealed_columns` it owns
//!   (notes, events, plans, referrals' reasons, the snapshots sent to partners reduced to their
//!   date…, NULL or a sealed `[erased …]`), and its attachments are deleted;
//! - a due **report** loses the reporter's name and phone, the narrative, the addresses and the
//!   names and birth dates of the children as it named them (the year is kept);
//! - a due **child** is anonymised: names, aliases, birth date (the year is kept), matching
//!   keys, guardians' names and contacts, consents' purposes, family situation and schooling.
//!
//! Codes, dates, links and the audit log are kept, so statistics do not change (ages counted
//! from the birth year for anonymised children). A case on legal hold (a court or an
//! investigation still needs it) is kept whole, and counted; so are its child and the reports
//! about it, which wait for their cases. Idempotency keys older than their period are purged
//! (as the server's purger does). A real run audits every record it changed
//! (`retention.erase`) and itself (`retention.run`), in the transaction of its change.
pub mod due;
pub mod erase;
pub mod policy;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;

pub use policy::Policy;

use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::crypto::sealed_columns::{Owner, SEALED_COLUMNS};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::keys::{load, Found};
use erase::{owned_by, Changed};

/// Ids per statement and per transaction.
pub(crate) const CHUNK: usize = 100;

pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `SELECT k, v` pairs for `ids` in chunks: `sql` holds `IN (IDS)`.
pub(crate) fn pairs(conn: &mut DbConn, sql: &str, ids: &[String]) -> anyhow::Result<Vec<Found>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let binds: Vec<&str> = chunk.iter().map(String::as_str).collect();
        let text = sql.replace("IDS", &placeholders(binds.len()));
        out.extend(load::<Found>(conn, &text, &binds)?);
    }
    Ok(out)
}

/// The types of record retention erases, in the order a run takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Case,
    Report,
    Child,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Case, Kind::Report, Kind::Child];

    fn owner(self) -> Owner {
        match self {
            Kind::Case => Owner::Case(""),
            Kind::Report => Owner::Report(""),
            Kind::Child => Owner::Child(""),
        }
    }

    fn resource(self) -> Resource {
        match self {
            Kind::Case => Resource::Case,
            Kind::Report => Resource::Report,
            Kind::Child => Resource::Child,
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Case => "cases",
            Kind::Report => "reports",
            Kind::Child => "children",
        }
    }
}

/// What a run did (or would do).
#[derive(Debug, Default)]
pub struct Outcome {
    /// Records past their period, per type.
    pub due: BTreeMap<Kind, usize>,
    /// Of those, the records a value was erased from (fewer on a repeated run), per type.
    pub changed: BTreeMap<Kind, usize>,
    /// Cases otherwise due, kept whole because they are on legal hold.
    pub held_cases: usize,
    /// Values erased per column (`table.column`, or the plain identity columns of a table).
    pub erased: BTreeMap<String, u64>,
    pub idempotency_keys: usize,
}

/// Erases what one chunk of due records of one type holds; answers the values per column
/// and the records changed.
fn erase_chunk(
    conn: &mut DbConn,
    keys: &Keyring,
    kind: Kind,
    ids: &[String],
    dry_run: bool,
    now: NaiveDateTime,
) -> anyhow::Result<(Vec<(String, u64)>, usize)> {
    let mut steps: Vec<(String, Changed)> = Vec::new();
    for c in SEALED_COLUMNS.iter().filter(|c| owned_by(c, kind.owner())) {
        let changed = erase::sealed(conn, keys, c, ids, dry_run)?;
        steps.push((format!("{}.{}", c.table, c.column), changed));
    }
    match kind {
        Kind::Case => {}
        Kind::Report => steps.push((
            "report_children (names, birth date)".into(),
            erase::reported_children(conn, ids, dry_run)?,
        )),
        Kind::Child => steps.push((
            "children (names, aliases, birth date)".into(),
            erase::children(conn, ids, dry_run, now)?,
        )),
    }
    let records: BTreeSet<&String> = steps.iter().flat_map(|(_, c)| &c.owners).collect();
    if !dry_run {
        for id in &records {
            let event =
                AuditEvent::system(AuditAction::RetentionErase, now).on(kind.resource(), *id);
            audit::record(conn, &event)
                .map_err(|e| anyhow::anyhow!("recording the audit event: {e}"))?;
        }
    }
    let changed = records.len();
    Ok((
        steps.into_iter().map(|(n, c)| (n, c.values)).collect(),
        changed,
    ))
}

/// Applies `policy` at `now` (see the module's documentation).
pub fn apply(
    conn: &mut DbConn,
    keys: &Keyring,
    policy: &Policy,
    dry_run: bool,
    now: NaiveDateTime,
) -> anyhow::Result<Outcome> {
    let due = due::due(conn, policy, now.date())?;
    let mut outcome = Outcome {
        held_cases: due.held_cases,
        ..Outcome::default()
    };
    for kind in Kind::ALL {
        let ids = match kind {
            Kind::Case => &due.cases,
            Kind::Report => &due.reports,
            Kind::Child => &due.children,
        };
        outcome.due.insert(kind, ids.len());
        outcome.changed.insert(kind, 0);
        for chunk in ids.chunks(CHUNK) {
            let (values, changed) = if dry_run {
                erase_chunk(conn, keys, kind, chunk, true, now)?
            } else {
                crate::db::write_transaction(conn, |tx| {
                    erase_chunk(tx, keys, kind, chunk, false, now)
                })?
            };
            *outcome.changed.entry(kind).or_default() += changed;
            for (name, n) in values {
                *outcome.erased.entry(name).or_default() += n;
            }
        }
    }
    let cutoff = now - policy.idempotency();
    outcome.idempotency_keys = if dry_run {
        crate::idempotency::count_purgeable(conn, cutoff)
    } else {
        crate::idempotency::purge(conn, cutoff)
    }
    .map_err(|e| anyhow::anyhow!("purging idempotency keys: {e}"))?;
    if !dry_run {
        let event = AuditEvent::system(AuditAction::RetentionRun, now);
        crate::db::write_transaction(conn, |c| audit::record(c, &event))
            .map_err(|e| anyhow::anyhow!("recording the audit event: {e}"))?;
    }
    Ok(outcome)
}

/// `madar retention run`: applies the policy and prints what changed (or would).
pub fn run(
    conn: &mut DbConn,
    keys: &Keyring,
    policy: &Policy,
    dry_run: bool,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    let o = apply(conn, keys, policy, dry_run, now)?;
    let verb = if dry_run { "would be erased" } else { "erased" };
    let count = |map: &BTreeMap<Kind, usize>, kind| map.get(&kind).copied().unwrap_or(0);
    println!(
        "retention on {}{}",
        now.date(),
        if dry_run {
            " (dry run: nothing is written)"
        } else {
            ""
        }
    );
    let rules = [
        (
            Kind::Case,
            format!(
                "closed more than {} years ago, the child of age",
                policy.case_years
            ),
        ),
        (
            Kind::Report,
            format!(
                "received more than {} years ago, screened, every case of their children due",
                policy.report_years
            ),
        ),
        (
            Kind::Child,
            format!(
                "of age for more than {} years, every case due",
                policy.child_years
            ),
        ),
    ];
    for (kind, rule) in rules {
        println!(
            "{} {rule}: {} due, {} {}",
            kind.plural(),
            count(&o.due, kind),
            count(&o.changed, kind),
            if dry_run { "to change" } else { "changed" }
        );
    }
    println!("cases kept whole, on legal hold: {}", o.held_cases);
    for (name, n) in &o.erased {
        if *n > 0 {
            println!("{name}: {n} {verb}");
        }
    }
    let total: u64 = o.erased.values().sum();
    println!("total: {total} values {verb}");
    println!(
        "idempotency keys older than {} days: {} {}",
        policy.idempotency_days,
        o.idempotency_keys,
        if dry_run { "would be purged" } else { "purged" }
    );
    Ok(())
}
