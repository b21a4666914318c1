//! The SQL expressions whose spelling differs between SQLite and PostgreSQL, for the queries
//! built as text (statistics). Every input is a column expression or a validated value.
use chrono::NaiveDateTime;

use super::{Backend, DbConn};

/// The backend of an open connection.
pub fn backend_of(conn: &DbConn) -> Backend {
    match conn {
        DbConn::Postgres(_) => Backend::Postgres,
        DbConn::Sqlite(_) => Backend::Sqlite,
    }
}

/// A calendar bucket of a timestamp column: `YYYY-MM`, `YYYY-Qn` or `YYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Month,
    Quarter,
    Year,
}

impl Backend {
    /// The bucket key of the timestamp expression `ts`, as text.
    pub fn bucket(self, ts: &str, bucket: Bucket) -> String {
        match (self, bucket) {
            (Backend::Postgres, Bucket::Month) => format!("to_char({ts}, 'YYYY-MM')"),
            (Backend::Postgres, Bucket::Quarter) => format!("to_char({ts}, 'YYYY-\"Q\"Q')"),
            (Backend::Postgres, Bucket::Year) => format!("to_char({ts}, 'YYYY')"),
            (Backend::Sqlite, Bucket::Month) => format!("strftime('%Y-%m', {ts})"),
            (Backend::Sqlite, Bucket::Quarter) => format!(
                "(strftime('%Y', {ts}) || '-Q' || ((CAST(strftime('%m', {ts}) AS INTEGER) + 2) / 3))"
            ),
            (Backend::Sqlite, Bucket::Year) => format!("strftime('%Y', {ts})"),
        }
    }

    /// The first instant of the month of the timestamp expression `ts`, as a timestamp (the
    /// statistics' tallies are keyed by it).
    pub fn month_start(self, ts: &str) -> String {
        match self {
            Backend::Postgres => format!("date_trunc('month', {ts})"),
            Backend::Sqlite => format!("strftime('%Y-%m-01 00:00:00', {ts})"),
        }
    }

    /// Age in whole years at the timestamp `ts`, from a date of birth (`dob`, a date column)
    /// or else an estimated birth year (`year`, an integer column); NULL without either.
    pub fn age_at(self, ts: &str, dob: &str, year: &str) -> String {
        match self {
            Backend::Postgres => format!(
                "(CASE WHEN {dob} IS NOT NULL \
                 THEN CAST(date_part('year', age(CAST({ts} AS date), {dob})) AS INTEGER) \
                 WHEN {year} IS NOT NULL THEN CAST(date_part('year', {ts}) AS INTEGER) - {year} END)"
            ),
            Backend::Sqlite => format!(
                "(CASE WHEN {dob} IS NOT NULL \
                 THEN CAST(strftime('%Y', {ts}) AS INTEGER) - CAST(strftime('%Y', {dob}) AS INTEGER) \
                 - (strftime('%m-%d', {ts}) < strftime('%m-%d', {dob})) \
                 WHEN {year} IS NOT NULL THEN CAST(strftime('%Y', {ts}) AS INTEGER) - {year} END)"
            ),
        }
    }

    /// A timestamp literal comparable with a timestamp column (SQLite stores them as
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` text, which sorts as time does).
    pub fn timestamp(self, at: NaiveDateTime) -> String {
        let text = at.format("%Y-%m-%d %H:%M:%S");
        match self {
            Backend::Postgres => format!("TIMESTAMP '{text}'"),
            Backend::Sqlite => format!("'{text}'"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_literals_per_backend() {
        assert_eq!(
            Backend::Sqlite.bucket("r.at", Bucket::Month),
            "strftime('%Y-%m', r.at)"
        );
        assert!(Backend::Postgres
            .bucket("r.at", Bucket::Quarter)
            .contains("\"Q\"Q"));
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default();
        assert_eq!(Backend::Sqlite.timestamp(at), "'2026-03-01 00:00:00'");
        assert_eq!(
            Backend::Postgres.timestamp(at),
            "TIMESTAMP '2026-03-01 00:00:00'"
        );
    }
}
