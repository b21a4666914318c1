//! The statistics' tallies (migration 000026): the counts the dashboard and the provincial
//! report read most, kept as signed deltas per (measure, facet, value, month, territory).
//!
//! - A write that changes what is counted adds its deltas in its own transaction: a report
//!   received (`report_received`), a case opened, given concerns, moved to a stage, closed,
//!   reopened or transferred (`case_before` … `case_after`: the case's rows before and after,
//!   their difference added), protocol actions done, waived or overdue (`actions_before` …
//!   `actions_after`). No counter row is shared, so concurrent writers never queue.
//! - `compact` (the worker, every minute) folds the deltas of each key into one row;
//!   `rebuild` recomputes every row from the records (`madar rebuild-derived`, and the worker
//!   at start when `derived_state` marks the tallies stale: after the migration, or a bulk load
//!   by the generator).
//! - A read (`query::tallied_sql`) sums them; until they are rebuilt, and when
//!   `MADAR_STATISTICS_TALLIES=off`, statistics are counted from the records instead.
//!
//! Exact at every instant: a delta commits or rolls back with the write it counts.
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::reports::ConcernType;
use madar_openapi::statistics::ConcernFamily;

use super::query;
use crate::codes::{from_code, to_code};
use crate::db::dialect::backend_of;
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;
use crate::schema::{
    case_concerns, cases, derived_state, protocol_actions, reports, statistic_tallies as st,
};

/// The `derived_state` row of the tallies.
const NAME: &str = "statistic_tallies";

/// Whether reads may use the tallies (`MADAR_STATISTICS_TALLIES`, on unless `off`): set once
/// at start; off makes every statistic count the records (a check of the tallies, or a way
/// round them should one ever be doubted).
static ENABLED: AtomicBool = AtomicBool::new(true);

pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// One counted key: +1 of `measure` in `facet` = `value`, for `month` and `territory`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    measure: &'static str,
    facet: &'static str,
    value: String,
    month: NaiveDateTime,
    territory: String,
}

/// The first instant of the month of `at`.
fn month_of(at: NaiveDateTime) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(at.year(), at.month(), 1)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
}

/// The concern families of a set of concern codes, each once.
fn families(codes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = codes
        .iter()
        .map(|c| match from_code::<ConcernType>(c) {
            Ok(concern) => to_code(&ConcernFamily::of(concern)),
            Err(_) => "unknown".into(),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Adds the rows of a report received at `received_at` in `territory` with `concerns`.
pub fn report_received(
    conn: &mut DbConn,
    territory: &str,
    received_at: NaiveDateTime,
    concerns: &[String],
) -> Result<(), ApiError> {
    let month = month_of(received_at);
    let key = |facet, value: String| Key {
        measure: "reports",
        facet,
        value,
        month,
        territory: territory.to_string(),
    };
    let mut rows = vec![key("all", String::new())];
    rows.extend(
        families(concerns)
            .into_iter()
            .map(|f| key("concern_family", f)),
    );
    add(conn, rows.into_iter().map(|k| (k, 1)).collect())
}

/// The rows a case counts in now (none for an unknown id).
pub fn case_before(conn: &mut DbConn, case_id: &str) -> Result<Vec<Key>, ApiError> {
    let Some((territory, stage, opened_at, closed_at, reason)) = cases::table
        .find(case_id)
        .select((
            cases::territory_code,
            cases::stage,
            cases::opened_at,
            cases::closed_at,
            cases::closure_reason,
        ))
        .first::<(
            String,
            String,
            NaiveDateTime,
            Option<NaiveDateTime>,
            Option<String>,
        )>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let concerns: Vec<String> = case_concerns::table
        .filter(case_concerns::case_id.eq(case_id))
        .select(case_concerns::concern_code)
        .load(conn)?;
    let opened = month_of(opened_at);
    let key = |measure, facet, value: String, month| Key {
        measure,
        facet,
        value,
        month,
        territory: territory.clone(),
    };
    let mut rows = vec![key("cases_opened", "stage", stage, opened)];
    for family in families(&concerns) {
        rows.push(key("cases_opened", "concern_family", family, opened));
    }
    if let Some(closed) = closed_at {
        let reason = reason.unwrap_or_else(|| "unknown".into());
        rows.push(key(
            "cases_closed",
            "closure_reason",
            reason,
            month_of(closed),
        ));
    }
    Ok(rows)
}

/// Adds the difference between the case's rows now and `before` (its rows before the write).
pub fn case_after(conn: &mut DbConn, case_id: &str, before: Vec<Key>) -> Result<(), ApiError> {
    let after = case_before(conn, case_id)?;
    add_difference(conn, before, after)
}

/// The rows protocol actions count in now, by the month they fall due: a `done` action on time
/// (completed by its due time) or late, an `overdue` one late (`compliance`; the screening of a
/// report of a child in immediate danger in `screening_compliance` too). Pending and waived
/// actions count in none: a pending one past due is counted from the records when read.
pub fn actions_before(conn: &mut DbConn, ids: &[String]) -> Result<Vec<Key>, ApiError> {
    type Row = (
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        String,
        Option<String>,
    );
    let rows: Vec<Row> = protocol_actions::table
        .filter(protocol_actions::id.eq_any(ids))
        .filter(protocol_actions::status.eq_any(["done", "overdue"]))
        .select((
            protocol_actions::status,
            protocol_actions::territory_code,
            protocol_actions::due_at,
            protocol_actions::completed_at,
            protocol_actions::action,
            protocol_actions::report_id,
        ))
        .load(conn)?;
    let screened: Vec<&String> = rows
        .iter()
        .filter(|r| r.4 == "screen_report")
        .filter_map(|r| r.5.as_ref())
        .collect();
    let urgent: Vec<String> = if screened.is_empty() {
        Vec::new()
    } else {
        reports::table
            .filter(reports::id.eq_any(screened))
            .filter(reports::immediate_danger.eq(true))
            .select(reports::id)
            .load(conn)?
    };
    let mut keys = Vec::new();
    for (status, territory, due_at, completed_at, action, report) in rows {
        let on_time = status == "done" && completed_at.is_some_and(|c| c <= due_at);
        let key = |facet| Key {
            measure: "protocol_actions",
            facet,
            value: if on_time { "on_time" } else { "late" }.into(),
            month: month_of(due_at),
            territory: territory.clone(),
        };
        keys.push(key("compliance"));
        if action == "screen_report" && report.is_some_and(|r| urgent.contains(&r)) {
            keys.push(key("screening_compliance"));
        }
    }
    Ok(keys)
}

/// Adds the difference between the actions' rows now and `before`.
pub fn actions_after(conn: &mut DbConn, ids: &[String], before: Vec<Key>) -> Result<(), ApiError> {
    let after = actions_before(conn, ids)?;
    add_difference(conn, before, after)
}

/// Adds `after` − `before`, key by key.
fn add_difference(conn: &mut DbConn, before: Vec<Key>, after: Vec<Key>) -> Result<(), ApiError> {
    let mut delta: HashMap<Key, i64> = HashMap::new();
    for key in before {
        *delta.entry(key).or_default() -= 1;
    }
    for key in after {
        *delta.entry(key).or_default() += 1;
    }
    add(conn, delta.into_iter().filter(|(_, n)| *n != 0).collect())
}

fn add(conn: &mut DbConn, rows: Vec<(Key, i64)>) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    let values: Vec<_> = rows
        .iter()
        .map(|(k, n)| {
            (
                st::measure.eq(k.measure),
                st::facet.eq(k.facet),
                st::value.eq(&k.value),
                st::month.eq(k.month),
                st::territory_code.eq(&k.territory),
                st::n.eq(*n),
                st::folded.eq(false),
            )
        })
        .collect();
    match conn {
        DbConn::Postgres(c) => diesel::insert_into(st::table).values(&values).execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(st::table).values(&values).execute(c)?,
    };
    Ok(())
}

/// Whether the tallies wait for a rebuild (`None`: no such row, before the migration).
fn stale(conn: &mut DbConn) -> Result<Option<bool>, ApiError> {
    Ok(derived_state::table
        .find(NAME)
        .select(derived_state::stale)
        .first(conn)
        .optional()?)
}

/// Whether reads may sum the tallies: enabled and not stale.
pub fn usable(conn: &mut DbConn) -> Result<bool, ApiError> {
    Ok(ENABLED.load(Ordering::Relaxed) && stale(conn)? == Some(false))
}

/// Holds off every other writer of the tallies until the transaction ends (SQLite's write
/// transactions already do): a delta is then either in what `compact` reads, or added after
/// it, never half of each.
fn lock(conn: &mut DbConn) -> Result<(), ApiError> {
    if let DbConn::Postgres(c) = conn {
        diesel::sql_query("LOCK TABLE statistic_tallies IN SHARE ROW EXCLUSIVE MODE").execute(c)?;
    }
    Ok(())
}

/// Recomputes every tally from the records and marks them fresh. Returns the rows written.
///
/// Writers never wait for it on PostgreSQL (at 1,000,000 children it takes over a minute): it
/// reads one snapshot (repeatable read), deletes only the rows that snapshot sees and counts
/// only the records it sees, so a delta committed meanwhile stays and counts once. (Should a
/// fold commit in between, the rebuild fails on the concurrent update and the next pass
/// retries.) On SQLite the write transaction holds other writers off.
pub fn rebuild(conn: &mut DbConn) -> Result<usize, ApiError> {
    let statements = query::tally_rebuild_sql(backend_of(conn));
    db::write_transaction(conn, |c| {
        if let DbConn::Postgres(pg) = c {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute(pg)?;
        }
        diesel::delete(st::table).execute(c)?;
        let mut rows = 0;
        for sql in &statements {
            rows += match c {
                DbConn::Postgres(pg) => diesel::sql_query(sql).execute(pg)?,
                DbConn::Sqlite(lite) => diesel::sql_query(sql).execute(lite)?,
            };
        }
        mark(c, false)?;
        Ok(rows)
    })
}

/// Marks the tallies stale (a bulk load that bypasses them) or fresh.
pub fn mark(conn: &mut DbConn, stale: bool) -> Result<(), ApiError> {
    diesel::update(derived_state::table.find(NAME))
        .set(derived_state::stale.eq(stale))
        .execute(conn)?;
    Ok(())
}

/// Folds the deltas of every key that has any into one row (none when they sum to zero).
/// Returns the deltas folded.
pub fn compact(conn: &mut DbConn) -> Result<usize, ApiError> {
    db::write_transaction(conn, |c| {
        lock(c)?;
        let pending = super::store::total(c, query::TALLY_PENDING_SQL)?;
        if pending == 0 {
            return Ok(0);
        }
        for sql in query::TALLY_COMPACT_SQL {
            match c {
                DbConn::Postgres(pg) => diesel::sql_query(sql).execute(pg)?,
                DbConn::Sqlite(lite) => diesel::sql_query(sql).execute(lite)?,
            };
        }
        Ok(pending as usize)
    })
}

/// One pass of the worker: rebuilds stale tallies, else folds the deltas.
pub fn tick(conn: &mut DbConn) -> Result<(), ApiError> {
    if stale(conn)? == Some(true) {
        let started = std::time::Instant::now();
        let rows = rebuild(conn)?;
        tracing::info!(
            rows,
            seconds = started.elapsed().as_secs_f64(),
            "statistics tallies rebuilt"
        );
    } else {
        compact(conn)?;
    }
    Ok(())
}

/// The worker inside `madar serve`: a pass at start, then every minute.
pub fn spawn(pool: Pool) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            if let Err(e) = db::run(&pool, tick).await {
                tracing::warn!(error = ?e, "statistics tallies pass failed");
            }
        }
    });
}
