//! A statistic or an indicator, computed: the windows compared, the aggregates run, the cells
//! assembled and masked for the caller (`disclosure`).
use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use madar_openapi::statistics::{
    Dimension, IndicatorCode, IndicatorResponse, StatisticsCell, StatisticsResponse,
};

use super::params::{IndicatorRequest, Request};
use super::periods::{previous_window, year_before_window, Bucket};
use super::{disclosure, query, store, tally};
use crate::auth::policy::StatisticsScope;
use crate::db::dialect::backend_of;
use crate::db::DbConn;
use crate::error::ApiError;

/// Counts keyed by the dimensions' codes.
pub(super) type Table = HashMap<Vec<String>, i64>;

fn start_of(day: NaiveDate) -> NaiveDateTime {
    day.and_time(NaiveTime::MIN)
}

/// The end (excluded) of a window whose last day is `day`.
fn end_of(day: NaiveDate) -> NaiveDateTime {
    start_of(day + Duration::days(1))
}

/// The territory filter (code, path), within the caller's scope: a coordinator's statistics
/// stay in their subtree (another territory: 404); an unknown code is refused (422).
pub fn resolve_territory(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    territory: Option<String>,
) -> Result<(Option<String>, Option<String>), ApiError> {
    match (territory, scope) {
        (Some(code), _) => {
            let path = store::territory_path(conn, &code)?.ok_or_else(|| {
                ApiError::validation("territory", "unknown_territory", "is not a territory code")
            })?;
            if let StatisticsScope::Exact { path: within, .. } = scope {
                if !path.starts_with(within.as_str()) {
                    return Err(ApiError::NotFound);
                }
            }
            Ok((Some(code), Some(path)))
        }
        (None, StatisticsScope::Exact { code, path }) => {
            Ok((Some(code.clone()), Some(path.clone())))
        }
        (None, StatisticsScope::Suppressed) => Ok((None, None)),
    }
}

fn table(
    conn: &mut DbConn,
    request: &Request,
    path: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Table, ApiError> {
    let (backend, start, end) = (backend_of(conn), start_of(from), end_of(to));
    // The tallies when they hold the answer and are fresh; else the records.
    let tallied = query::tallied_sql(backend, request, path, start, end);
    let sql = match tallied {
        Some(sql) if tally::usable(conn)? => sql,
        _ => query::statistics_sql(backend, request, path, start, end),
    };
    let dims = request.group_by.len();
    let mut out = Table::new();
    for row in store::counts(conn, &sql)? {
        let key: Vec<String> = [row.d0, row.d1, row.d2]
            .into_iter()
            .take(dims)
            .map(|d| d.unwrap_or_else(|| "unknown".into()))
            .collect();
        *out.entry(key).or_default() += row.n;
    }
    Ok(out)
}

/// Which cells of a table are hidden under `k` (none when exact). Under `k` the table is
/// first completed with the zero cells of every combination of the codes it holds, so that a
/// row never lacks the cells that could hide its one suppressed cell; a hidden zero cell is
/// shown as suppressed like any other.
pub(super) fn hidden(table: &Table, k: Option<i64>) -> HashMap<Vec<String>, bool> {
    let Some(k) = k else {
        return HashMap::new();
    };
    let dims = table.keys().next().map_or(0, Vec::len);
    let mut values: Vec<BTreeSet<&String>> = vec![BTreeSet::new(); dims];
    for key in table.keys() {
        for (d, v) in key.iter().enumerate() {
            values[d].insert(v);
        }
    }
    let mut keys: Vec<Vec<String>> = vec![Vec::new()];
    for set in &values {
        keys = keys
            .into_iter()
            .flat_map(|prefix| {
                set.iter().map(move |v| {
                    let mut key = prefix.clone();
                    key.push((*v).clone());
                    key
                })
            })
            .collect();
    }
    if table.is_empty() {
        keys.clear();
    }
    let counts: Vec<i64> = keys
        .iter()
        .map(|key| table.get(key).copied().unwrap_or(0))
        .collect();
    let flags = disclosure::suppress(&keys, &counts, k);
    keys.into_iter().zip(flags).collect()
}

/// The keys a masked table must show: those with a count, and the hidden zero cells.
fn shown_keys<'a>(
    table: &'a Table,
    hidden: &'a HashMap<Vec<String>, bool>,
) -> impl Iterator<Item = &'a Vec<String>> {
    table
        .keys()
        .chain(hidden.iter().filter(|(_, h)| **h).map(|(key, _)| key))
}

/// A count as shown: `(value, suppressed)`; a cell absent from its table counts 0.
fn shown(
    table: &Table,
    hidden: &HashMap<Vec<String>, bool>,
    key: &[String],
) -> (Option<i64>, bool) {
    let count = table.get(key).copied().unwrap_or(0);
    if hidden.get(key).copied().unwrap_or(false) {
        (None, true)
    } else {
        (Some(count), false)
    }
}

fn cell(
    key: Vec<String>,
    now: (Option<i64>, bool),
    previous: (Option<i64>, bool),
    year: (Option<i64>, bool),
) -> StatisticsCell {
    StatisticsCell {
        key,
        count: now.0,
        suppressed: now.1,
        previous: previous.0,
        previous_suppressed: previous.1,
        previous_year: year.0,
        previous_year_suppressed: year.1,
    }
}

/// Computes a statistic for the caller (`k`: the threshold when the caller reads suppressed
/// counts).
pub fn statistics(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    request: Request,
    k: i64,
) -> Result<StatisticsResponse, ApiError> {
    let (territory, path) = resolve_territory(conn, scope, request.territory.clone())?;
    let k = match scope {
        StatisticsScope::Exact { .. } => None,
        StatisticsScope::Suppressed => Some(k),
    };
    let path = path.as_deref();
    let period_at = request
        .group_by
        .iter()
        .position(|d| *d == Dimension::Period);
    let (from, to, previous, previous_year, cells) = if let Some(at) = period_at {
        // One table over the buckets asked and the year before them, masked as one, so that a
        // bucket's count and the next bucket's `previous` always agree.
        let unit = request.period;
        let (first, last) = (Bucket::of(request.from, unit), Bucket::of(request.to, unit));
        let (from, to) = (first.first_day(), last.last_day());
        let all = table(conn, &request, path, first.year_before().first_day(), to)?;
        let hide = hidden(&all, k);
        let in_range = |b: Bucket| b.rank() >= first.rank() && b.rank() <= last.rank();
        let mut keys = BTreeSet::new();
        for key in shown_keys(&all, &hide) {
            let Some(bucket) = Bucket::parse(&key[at], unit) else {
                continue;
            };
            for candidate in [bucket, bucket.next(), bucket.next_year()] {
                if in_range(candidate) {
                    let mut key = key.clone();
                    key[at] = candidate.key();
                    keys.insert(key);
                }
            }
        }
        let cells = keys
            .into_iter()
            .map(|key| {
                let bucket = Bucket::parse(&key[at], unit).unwrap_or(first);
                let mut before = key.clone();
                before[at] = bucket.previous().key();
                let mut year = key.clone();
                year[at] = bucket.year_before().key();
                let (a, b, c) = (
                    shown(&all, &hide, &key),
                    shown(&all, &hide, &before),
                    shown(&all, &hide, &year),
                );
                cell(key, a, b, c)
            })
            .collect();
        let previous = (first.previous().first_day(), last.previous().last_day());
        let previous_year = (
            first.year_before().first_day(),
            last.year_before().last_day(),
        );
        (from, to, previous, previous_year, cells)
    } else {
        let (from, to) = (request.from, request.to);
        let previous = previous_window(from, to);
        let previous_year = year_before_window(from, to);
        let now = table(conn, &request, path, from, to)?;
        let before = table(conn, &request, path, previous.0, previous.1)?;
        let year = table(conn, &request, path, previous_year.0, previous_year.1)?;
        let (hn, hb, hy) = (hidden(&now, k), hidden(&before, k), hidden(&year, k));
        let mut keys: BTreeSet<Vec<String>> = shown_keys(&now, &hn).cloned().collect();
        keys.extend(shown_keys(&before, &hb).cloned());
        keys.extend(shown_keys(&year, &hy).cloned());
        if request.group_by.is_empty() {
            keys.insert(Vec::new());
        }
        let cells = keys
            .into_iter()
            .map(|key| {
                let (a, b, c) = (
                    shown(&now, &hn, &key),
                    shown(&before, &hb, &key),
                    shown(&year, &hy, &key),
                );
                cell(key, a, b, c)
            })
            .collect();
        (from, to, previous, previous_year, cells)
    };
    Ok(StatisticsResponse {
        measure: request.measure,
        group_by: request.group_by,
        period: period_at.map(|_| request.period),
        from,
        to,
        previous_from: previous.0,
        previous_to: previous.1,
        previous_year_from: previous_year.0,
        previous_year_to: previous_year.1,
        territory,
        k,
        cells,
    })
}

/// One count shown under `k`: a single cell, so primary suppression only.
fn single(n: i64, k: Option<i64>) -> (Option<i64>, bool) {
    match k {
        Some(k) if n >= 1 && n < k => (None, true),
        _ => (Some(n), false),
    }
}

/// Computes one of the ministry's indicators.
pub fn indicator(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    code: IndicatorCode,
    request: IndicatorRequest,
    k: i64,
) -> Result<IndicatorResponse, ApiError> {
    let (territory, path) = resolve_territory(conn, scope, request.territory.clone())?;
    let k = match scope {
        StatisticsScope::Exact { .. } => None,
        StatisticsScope::Suppressed => Some(k),
    };
    let backend = backend_of(conn);
    let mut count = |from: NaiveDate, to: NaiveDate| {
        let sql = query::indicator_sql(backend, code, path.as_deref(), start_of(from), end_of(to));
        store::total(conn, &sql).map(|n| single(n, k))
    };
    let (from, to) = (request.from, request.to);
    let now = count(from, to)?;
    let (pf, pt) = previous_window(from, to);
    let before = count(pf, pt)?;
    let (yf, yt) = year_before_window(from, to);
    let year = count(yf, yt)?;
    Ok(IndicatorResponse {
        code,
        from,
        to,
        territory,
        k,
        value: now.0,
        suppressed: now.1,
        previous: before.0,
        previous_suppressed: before.1,
        previous_year: year.0,
        previous_year_suppressed: year.1,
    })
}
