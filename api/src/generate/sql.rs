//! The generator's bulk path: rows gathered per table and written as large multi-row INSERTs
//! (the same SQL on both backends: literals only, quoted here), many to a transaction, with the
//! load-only settings of each backend (no fsync per commit) set for the session and restored.
use std::fmt::Write;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use diesel::connection::SimpleConnection;

use crate::db::{Backend, DbConn};

/// One value of a row.
#[derive(Debug, Clone, Copy)]
pub enum V<'a> {
    S(&'a str),
    O(Option<&'a str>),
    I(i64),
    B(bool),
    T(NaiveDateTime),
    OT(Option<NaiveDateTime>),
    D(NaiveDate),
    OD(Option<NaiveDate>),
    Null,
}

/// `value` in `width` decimal digits, zero-padded (the low digits when it is wider).
fn digits(out: &mut String, value: u32, width: usize) {
    let mut buf = [b'0'; 10];
    let mut n = value;
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for b in &buf[..width] {
        out.push(char::from(*b));
    }
}

/// `YYYY-MM-DD`, written directly: the generator writes millions of dates, and chrono's
/// formatting, which parses its pattern at each call, was a good part of its time.
fn date(out: &mut String, d: NaiveDate) {
    match u32::try_from(d.year()) {
        Ok(year) if year <= 9999 => {
            digits(out, year, 4);
            out.push('-');
            digits(out, d.month(), 2);
            out.push('-');
            digits(out, d.day(), 2);
        }
        _ => {
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
    }
}

/// `YYYY-MM-DD HH:MM:SS.ffffff`, written directly (see `date`).
fn timestamp(out: &mut String, t: NaiveDateTime) {
    date(out, t.date());
    out.push(' ');
    digits(out, t.hour(), 2);
    out.push(':');
    digits(out, t.minute(), 2);
    out.push(':');
    digits(out, t.second(), 2);
    out.push('.');
    digits(out, (t.nanosecond() / 1000).min(999_999), 6);
}

fn quoted(out: &mut String, text: &str) {
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
}

fn literal(out: &mut String, value: V<'_>) {
    match value {
        V::S(s) | V::O(Some(s)) => quoted(out, s),
        V::I(i) => {
            let _ = write!(out, "{i}");
        }
        V::B(b) => out.push_str(if b { "TRUE" } else { "FALSE" }),
        V::T(t) | V::OT(Some(t)) => {
            out.push('\'');
            timestamp(out, t);
            out.push('\'');
        }
        V::D(d) | V::OD(Some(d)) => {
            out.push('\'');
            date(out, d);
            out.push('\'');
        }
        V::O(None) | V::OT(None) | V::OD(None) | V::Null => out.push_str("NULL"),
    }
}

/// A value in PostgreSQL's COPY text format.
fn copy_text(out: &mut String, value: V<'_>) {
    match value {
        V::S(s) | V::O(Some(s)) => {
            for c in s.chars() {
                match c {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
        V::I(i) => {
            let _ = write!(out, "{i}");
        }
        V::B(b) => out.push(if b { 't' } else { 'f' }),
        V::T(t) | V::OT(Some(t)) => timestamp(out, t),
        V::D(d) | V::OD(Some(d)) => date(out, d),
        V::O(None) | V::OT(None) | V::OD(None) | V::Null => out.push_str("\\N"),
    }
}

/// Sends COPY data to one table (see `tables`).
pub type CopyFn = fn(&mut diesel::PgConnection, &[u8]) -> diesel::QueryResult<usize>;

/// The rows waiting for one table: a multi-row INSERT, or on PostgreSQL COPY data.
pub struct Rows {
    head: String,
    body: String,
    copy: Option<CopyFn>,
    pub count: usize,
    pub total: u64,
}

/// Statements are sent once their text reaches this size.
const FLUSH_BYTES: usize = 2 << 20;

impl Rows {
    pub fn new(table: &str, columns: &str) -> Rows {
        Rows {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            body: String::with_capacity(FLUSH_BYTES + 4096),
            copy: None,
            count: 0,
            total: 0,
        }
    }

    /// Rows sent with COPY (PostgreSQL).
    pub fn copied(mut self, copy: CopyFn) -> Rows {
        self.copy = Some(copy);
        self
    }

    pub fn push(&mut self, values: &[V<'_>]) {
        if self.copy.is_some() {
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    self.body.push('\t');
                }
                copy_text(&mut self.body, *v);
            }
            self.body.push('\n');
            self.count += 1;
            self.total += 1;
            return;
        }
        if self.count > 0 {
            self.body.push(',');
        }
        self.body.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.body.push(',');
            }
            literal(&mut self.body, *v);
        }
        self.body.push(')');
        self.count += 1;
        self.total += 1;
    }

    /// Whether the statement is big enough to send.
    pub fn full(&self) -> bool {
        self.body.len() >= FLUSH_BYTES
    }

    /// Sends the pending rows (inside the caller's transaction).
    pub fn flush(&mut self, conn: &mut DbConn) -> anyhow::Result<()> {
        if self.count == 0 {
            return Ok(());
        }
        if let (Some(copy), DbConn::Postgres(pg)) = (self.copy, &mut *conn) {
            copy(pg, self.body.as_bytes()).map_err(|e| {
                anyhow::anyhow!("COPY {}: {e}", &self.head[12..self.head.len().min(40)])
            })?;
            self.body.clear();
            self.count = 0;
            return Ok(());
        }
        let mut sql = String::with_capacity(self.head.len() + self.body.len());
        sql.push_str(&self.head);
        sql.push_str(&self.body);
        conn.batch_execute(&sql)
            .map_err(|e| anyhow::anyhow!("{}…: {e}", &self.head[..self.head.len().min(60)]))?;
        self.body.clear();
        self.count = 0;
        Ok(())
    }
}

/// Session settings for a bulk load, and their undoing.
pub fn load_settings(backend: Backend, conn: &mut DbConn, on: bool) -> anyhow::Result<()> {
    let sql = match (backend, on) {
        (Backend::Sqlite, true) => {
            "PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144; \
             PRAGMA temp_store = MEMORY;"
        }
        (Backend::Sqlite, false) => {
            "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000; \
             PRAGMA wal_checkpoint(TRUNCATE);"
        }
        (Backend::Postgres, true) => {
            "SET synchronous_commit = off; SET statement_timeout = 0; \
             SET maintenance_work_mem = '256MB'"
        }
        (Backend::Postgres, false) => "SET synchronous_commit = on",
    };
    conn.batch_execute(sql)?;
    Ok(())
}

/// The tables the generator fills (their secondary indexes are dropped during a PostgreSQL load).
pub const LOADED: [&str; 23] = [
    "children",
    "reports",
    "report_children",
    "report_concerns",
    "report_routes",
    "report_screenings",
    "report_child_links",
    "cases",
    "case_concerns",
    "case_assignments",
    "case_reports",
    "case_assessments",
    "case_plans",
    "plan_objectives",
    "plan_actions",
    "case_services",
    "case_notes",
    "judicial_measures",
    "child_consents",
    "referrals",
    "protocol_actions",
    "case_events",
    "audit_events",
];

/// On PostgreSQL, drops the loaded tables' non-unique indexes and returns their definitions to
/// recreate them after the load (one index build is far cheaper than millions of updates).
/// Foreign-key triggers are skipped for the session when the role may (superuser): the
/// generator writes parents before children.
pub fn drop_indexes(conn: &mut DbConn, tables: &[&str]) -> anyhow::Result<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        indexname: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        indexdef: String,
    }
    let DbConn::Postgres(_) = conn else {
        return Ok(Vec::new());
    };
    let list = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let indexes: Vec<Index> = diesel::RunQueryDsl::load(
        diesel::sql_query(format!(
            "SELECT indexname::text AS indexname, indexdef::text AS indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ({list}) \
             AND indexdef NOT LIKE 'CREATE UNIQUE%'"
        )),
        conn,
    )?;
    for index in &indexes {
        conn.batch_execute(&format!("DROP INDEX {}", index.indexname))?;
    }
    if conn
        .batch_execute("SET session_replication_role = replica")
        .is_err()
    {
        tracing::info!("foreign keys stay checked during the load (not a superuser)");
    }
    Ok(indexes.into_iter().map(|i| i.indexdef).collect())
}

/// Recreates the indexes `drop_indexes` dropped, and checks foreign keys again.
pub fn recreate_indexes(conn: &mut DbConn, definitions: &[String]) -> anyhow::Result<()> {
    if let DbConn::Postgres(_) = conn {
        let _ = conn.batch_execute("SET session_replication_role = origin");
    }
    for definition in definitions {
        conn.batch_execute(definition)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_as_sql_literals() {
        let mut rows = Rows::new("t", "a, b, c, d, e");
        let at = NaiveDate::from_ymd_opt(2020, 2, 3)
            .and_then(|d| d.and_hms_opt(4, 5, 6))
            .unwrap();
        rows.push(&[V::S("O'Brien"), V::O(None), V::I(-3), V::B(true), V::T(at)]);
        rows.push(&[V::D(at.date()), V::Null, V::I(0), V::B(false), V::S("")]);
        assert_eq!(
            rows.body,
            "('O''Brien',NULL,-3,TRUE,'2020-02-03 04:05:06.000000'),('2020-02-03',NULL,0,FALSE,'')"
        );
        assert_eq!(rows.count, 2);
    }

    fn no_copy(_: &mut diesel::PgConnection, _: &[u8]) -> diesel::QueryResult<usize> {
        Ok(0)
    }

    #[test]
    fn timestamps_are_written_as_chrono_formats_them() {
        let days = NaiveDate::from_ymd_opt(1999, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(23, 59, 58, 7))
            .unwrap();
        for t in [
            days,
            days + chrono::TimeDelta::microseconds(987_654_321_012),
        ] {
            let (mut a, mut b) = (String::new(), String::new());
            timestamp(&mut a, t);
            date(&mut b, t.date());
            assert_eq!(a, t.format("%Y-%m-%d %H:%M:%S%.6f").to_string());
            assert_eq!(b, t.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn copy_data_escapes_tabs_newlines_and_backslashes() {
        let mut rows = Rows::new("t", "a, b, c, d").copied(no_copy);
        rows.push(&[V::S("a\tb\nc\\d"), V::O(None), V::B(false), V::I(7)]);
        assert_eq!(rows.body, "a\\tb\\nc\\\\d\t\\N\tf\t7\n");
    }
}
