//! Running the statistics' SQL on either backend, and looking up territory paths.
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

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

/// The materialized path of a territory (`MA/MA-04/421/`), if the code exists.
pub fn territory_path(conn: &mut DbConn, code: &str) -> Result<Option<String>, ApiError> {
    Ok(territories::table
        .filter(territories::code.eq(code))
        .select(territories::path)
        .first::<String>(conn)
        .optional()?)
}
