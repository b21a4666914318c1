//! Running the statistics' SQL on either backend, and looking up territory paths.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::territories;

/// One row of a statistic: the dimensions' codes and the count.
#[derive(Debug, Clone, QueryableByName)]
pub struct CountRow {
    #[diesel(sql_type = Nullable<Text>)]
    pub d0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub d1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub d2: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

#[derive(Debug, Clone, QueryableByName)]
struct Total {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs a statistic's SQL (`query::statistics_sql`).
pub fn counts(conn: &mut DbConn, sql: &str) -> Result<Vec<CountRow>, ApiError> {
    let rows = match conn {
        DbConn::Postgres(pg) => diesel::sql_query(sql).load::<CountRow>(pg),
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).load::<CountRow>(sqlite),
    };
    rows.map_err(|e| ApiError::Internal(anyhow::anyhow!("statistics query: {e}")))
}

/// Runs an indicator's SQL (`query::indicator_sql`).
pub fn total(conn: &mut DbConn, sql: &str) -> Result<i64, ApiError> {
    let row = match conn {
        DbConn::Postgres(pg) => diesel::sql_query(sql).get_result::<Total>(pg),
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).get_result::<Total>(sqlite),
    };
    row.map(|t| t.n)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("indicator query: {e}")))
}

/// One timed row of `outcomes::delays_sql`: a code and the two ends of a delay.
#[derive(Debug, Clone, QueryableByName)]
pub struct Span {
    #[diesel(sql_type = Text)]
    pub d0: String,
    #[diesel(sql_type = Timestamp)]
    pub start_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    pub end_at: NaiveDateTime,
}

/// Runs a delays' SQL (`outcomes::delays_sql`).
pub fn spans(conn: &mut DbConn, sql: &str) -> Result<Vec<Span>, ApiError> {
    let rows = match conn {
        DbConn::Postgres(pg) => diesel::sql_query(sql).load::<Span>(pg),
        DbConn::Sqlite(sqlite) => diesel::sql_query(sql).load::<Span>(sqlite),
    };
    rows.map_err(|e| ApiError::Internal(anyhow::anyhow!("delays query: {e}")))
}

/// A territory's names (Arabic, French), if the code exists.
pub fn territory_names(
    conn: &mut DbConn,
    code: &str,
) -> Result<Option<(String, String)>, ApiError> {
    Ok(territories::table
        .filter(territories::code.eq(code))
        .select((territories::name_ar, territories::name_fr))
        .first::<(String, String)>(conn)
        .optional()?)
}

/// Labels of a reference list's codes: code → (ar, fr).
pub fn labels(
    conn: &mut DbConn,
    list: &str,
) -> Result<std::collections::HashMap<String, (String, String)>, ApiError> {
    use crate::schema::reference_items as ri;
    let rows: Vec<(String, String, String)> = ri::table
        .filter(ri::list.eq(list))
        .select((ri::code, ri::label_ar, ri::label_fr))
        .load(conn)?;
    Ok(rows.into_iter().map(|(c, a, f)| (c, (a, f))).collect())
}

/// The materialized path of a territory (`MA/MA-04/421/`), if the code exists.
pub fn territory_path(conn: &mut DbConn, code: &str) -> Result<Option<String>, ApiError> {
    Ok(territories::table
        .filter(territories::code.eq(code))
        .select(territories::path)
        .first::<String>(conn)
        .optional()?)
}
