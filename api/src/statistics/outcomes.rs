//! Referral delays and protocol compliance for a year and a territory subtree: the SQL (pure,
//! like `query`), the percentiles (pure) and the figures masked under `k` with `compute`'s
//! disclosure rules (a median or a share derived from a hidden count is hidden too).
use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use madar_openapi::statistics_report::{Compliance, ReferralDelay};

use super::compute::{hidden, Table};
use super::query::{self, in_subtree};
use super::store::{self, Span};
use super::tally;
use crate::db::dialect::backend_of;
use crate::db::{Backend, DbConn};
use crate::error::ApiError;

/// Which end of a referral's delay is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    /// From sending to acceptance, for referrals accepted in the window (declined and
    /// expired ones never were).
    Acceptance,
    /// From sending to completion, for referrals completed in the window.
    Completion,
}

/// ` AND column IN (the codes of the subtree at path)`, or nothing for the whole country.
fn within(column: &str, path: Option<&str>) -> String {
    path.and_then(|p| in_subtree(column, p))
        .map(|f| format!(" AND {f}"))
        .unwrap_or_default()
}

/// The SQL of referral delays over `[start, end)`: columns `d0` (service type), `start_at`,
/// `end_at`; the case's territory counts.
pub fn delays_sql(
    backend: Backend,
    delay: Delay,
    path: Option<&str>,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> String {
    let (s, e) = (backend.timestamp(start), backend.timestamp(end));
    let (end_col, status) = match delay {
        Delay::Acceptance => (
            "rf.answered_at",
            "rf.status NOT IN ('declined', 'expired', 'sent')",
        ),
        Delay::Completion => ("rf.closed_at", "rf.status = 'completed'"),
    };
    format!(
        "SELECT rf.service_type AS d0, rf.sent_at AS start_at, {end_col} AS end_at \
         FROM referrals rf JOIN cases c ON c.id = rf.case_id \
         WHERE {status} AND {end_col} >= {s} AND {end_col} < {e}{}",
        within("c.territory_code", path)
    )
}

/// Which actions a compliance query counts from the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Every action due: done, overdue, or pending past due.
    All,
    /// Only those pending past due (the others are summed from the tallies).
    PendingPastDue,
}

/// The SQL of protocol compliance over the actions falling due in `[start, end)` (at `now`):
/// `d0` is `on_time` (done by its due time) or `late` (done late, overdue, or pending past
/// due); waived actions and those not yet due are left out. `screening`: only the screening
/// of reports of a child in immediate danger.
pub fn compliance_sql(
    backend: Backend,
    screening: bool,
    counted: Counted,
    path: Option<&str>,
    (start, end): (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> String {
    let (s, e, n) = (
        backend.timestamp(start),
        backend.timestamp(end),
        backend.timestamp(now),
    );
    let only = if screening {
        " AND pa.action = 'screen_report' AND EXISTS (SELECT 1 FROM reports r \
         WHERE r.id = pa.report_id AND r.immediate_danger)"
    } else {
        ""
    };
    let pending = format!("(pa.status = 'pending' AND pa.due_at < {n})");
    let statuses = match counted {
        Counted::All => format!("(pa.status IN ('done', 'overdue') OR {pending})"),
        Counted::PendingPastDue => pending,
    };
    format!(
        "SELECT CASE WHEN pa.status = 'done' AND pa.completed_at <= pa.due_at THEN 'on_time' \
         ELSE 'late' END AS d0, CAST(NULL AS TEXT) AS d1, CAST(NULL AS TEXT) AS d2, \
         COUNT(*) AS n FROM protocol_actions pa \
         WHERE pa.due_at >= {s} AND pa.due_at < {e} AND {statuses}{}{only} GROUP BY 1",
        within("pa.territory_code", path)
    )
}

/// The median of sorted values (the mean of the two middle ones for an even count).
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The 90th percentile of sorted values, by nearest rank (the ⌈0.9·n⌉-th value).
pub fn p90(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (n * 9).div_ceil(10).max(1);
    sorted.get(rank - 1).copied()
}

/// Hours rounded to one decimal.
fn round(hours: f64) -> f64 {
    (hours * 10.0).round() / 10.0
}

/// Delays in hours per service type, sorted.
fn hours(spans: Vec<Span>) -> BTreeMap<String, Vec<f64>> {
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for span in spans {
        let seconds = (span.end_at - span.start_at).num_seconds().max(0);
        out.entry(span.d0)
            .or_default()
            .push(seconds as f64 / 3600.0);
    }
    for values in out.values_mut() {
        values.sort_by(f64::total_cmp);
    }
    out
}

/// One masked column of delays: per service type, (count, suppressed, median, p90).
type Masked = BTreeMap<String, (Option<i64>, bool, Option<f64>, Option<f64>)>;

fn masked(delays: &BTreeMap<String, Vec<f64>>, k: Option<i64>) -> Masked {
    let table: Table = delays
        .iter()
        .map(|(t, v)| (vec![t.clone()], v.len() as i64))
        .collect();
    let hide = hidden(&table, k);
    delays
        .iter()
        .map(|(t, v)| {
            let key = vec![t.clone()];
            if hide.get(&key).copied().unwrap_or(false) {
                (t.clone(), (None, true, None, None))
            } else {
                let (m, p) = (median(v).map(round), p90(v).map(round));
                (t.clone(), (Some(v.len() as i64), false, m, p))
            }
        })
        .collect()
}

/// Referral delays per service type over `[start, end)`, masked under `k`.
pub fn referral_delays(
    conn: &mut DbConn,
    path: Option<&str>,
    start: NaiveDateTime,
    end: NaiveDateTime,
    k: Option<i64>,
) -> Result<Vec<ReferralDelay>, ApiError> {
    let backend = backend_of(conn);
    let mut column = |delay| {
        let sql = delays_sql(backend, delay, path, start, end);
        store::spans(conn, &sql).map(|rows| masked(&hours(rows), k))
    };
    let accepted = column(Delay::Acceptance)?;
    let completed = column(Delay::Completion)?;
    let mut types: Vec<&String> = accepted.keys().chain(completed.keys()).collect();
    types.sort();
    types.dedup();
    let none = (Some(0), false, None, None);
    Ok(types
        .into_iter()
        .map(|t| {
            let a = accepted.get(t).copied().unwrap_or(none);
            let c = completed.get(t).copied().unwrap_or(none);
            ReferralDelay {
                service_type: t.clone(),
                accepted: a.0,
                accepted_suppressed: a.1,
                hours_to_acceptance_median: a.2,
                hours_to_acceptance_p90: a.3,
                completed: c.0,
                completed_suppressed: c.1,
                hours_to_completion_median: c.2,
                hours_to_completion_p90: c.3,
            }
        })
        .collect())
}

/// Compliance figures from the on-time and late counts, masked under `k`: the two counts
/// are one line whose total is `due`, so hiding one hides the other (secondary), and the
/// share is hidden with them.
pub fn compliance_of(on_time: i64, late: i64, k: Option<i64>) -> Compliance {
    let table: Table = [
        (vec!["on_time".to_string()], on_time),
        (vec!["late".to_string()], late),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    let hide = hidden(&table, k);
    let is_hidden = |key: &str| hide.get(&vec![key.to_string()]).copied().unwrap_or(false);
    let due = on_time + late;
    let due_hidden = matches!(k, Some(k) if due >= 1 && due < k);
    let show = |n: i64, h: bool| if h { None } else { Some(n) };
    let (on_hidden, late_hidden) = (is_hidden("on_time"), is_hidden("late"));
    let share = if due > 0 && !due_hidden && !on_hidden && !late_hidden {
        Some(((on_time as f64 / due as f64) * 1000.0).round() / 1000.0)
    } else {
        None
    };
    Compliance {
        due: show(due, due_hidden),
        due_suppressed: due_hidden,
        on_time: show(on_time, on_hidden),
        on_time_suppressed: on_hidden,
        late: show(late, late_hidden),
        late_suppressed: late_hidden,
        share,
    }
}

/// Protocol compliance over the actions falling due in `[start, end)`, masked under `k`.
pub fn compliance(
    conn: &mut DbConn,
    screening: bool,
    path: Option<&str>,
    (start, end): (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
    k: Option<i64>,
) -> Result<Compliance, ApiError> {
    let backend = backend_of(conn);
    let window = (start, end);
    // Done and overdue actions from the tallies when they hold the window; the pending ones
    // past due (which the worker has not marked overdue yet) from the records.
    let tallied = query::tallied_compliance_sql(backend, screening, path, window);
    let records = |counted| compliance_sql(backend, screening, counted, path, window, now);
    let queries = match tallied {
        Some(sql) if tally::usable(conn)? => vec![sql, records(Counted::PendingPastDue)],
        _ => vec![records(Counted::All)],
    };
    let (mut on_time, mut late) = (0, 0);
    for sql in queries {
        for row in store::counts(conn, &sql)? {
            match row.d0.as_deref() {
                Some("on_time") => on_time += row.n,
                _ => late += row.n,
            }
        }
    }
    Ok(compliance_of(on_time, late, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, 3.0, 10.0]), Some(3.0));
        assert_eq!(median(&[1.0, 3.0, 5.0, 10.0]), Some(4.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&ten), Some(9.0));
        assert_eq!(p90(&[4.0]), Some(4.0));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(p90(&eleven), Some(10.0));
    }

    #[test]
    fn compliance_hides_the_share_with_its_counts() {
        let exact = compliance_of(3, 1, None);
        assert_eq!((exact.due, exact.share), (Some(4), Some(0.75)));
        let masked = compliance_of(8, 2, Some(5));
        assert!(masked.late_suppressed && masked.on_time_suppressed);
        assert_eq!((masked.due, masked.share), (Some(10), None));
        let small = compliance_of(2, 0, Some(5));
        assert!(small.due_suppressed && small.on_time_suppressed && !small.late_suppressed);
        assert_eq!(small.share, None);
        let large = compliance_of(9, 6, Some(5));
        assert_eq!(large.share, Some(0.6));
    }

    #[test]
    fn delays_are_masked_with_their_counts() {
        let mut d = BTreeMap::new();
        d.insert("a".to_string(), vec![1.0, 2.0]);
        d.insert("b".to_string(), vec![1.0; 9]);
        d.insert("c".to_string(), vec![5.0; 6]);
        let m = masked(&d, Some(5));
        assert_eq!(m["a"], (None, true, None, None));
        assert_eq!(m["c"].1, true, "secondary: the next smallest");
        assert_eq!(m["b"], (Some(9), false, Some(1.0), Some(1.0)));
        assert_eq!(masked(&d, None)["a"].0, Some(2));
    }

    #[test]
    fn compliance_sql_filters_screening() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        let within = Some("MA/MA-04/");
        let sql = compliance_sql(Backend::Sqlite, true, Counted::All, within, (at, at), at);
        assert!(
            sql.contains("screen_report")
                && sql.contains("pa.status IN ('done', 'overdue')")
                && sql.contains(
                    "pa.territory_code IN (SELECT code FROM territories WHERE path LIKE 'MA/MA-04/%')"
                )
        );
        let pending = Counted::PendingPastDue;
        let sql = compliance_sql(Backend::Sqlite, false, pending, within, (at, at), at);
        assert!(!sql.contains("'overdue'") && sql.contains("pa.status = 'pending'"));
        let sql = delays_sql(Backend::Postgres, Delay::Completion, None, at, at);
        assert!(sql.contains("rf.status = 'completed'") && sql.contains("TIMESTAMP"));
    }
}
