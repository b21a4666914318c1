//! Gapless reference numbers (`RPT-421-2026-000123`, `CASE-141-01-2026-000045`): one series per
//! kind of record, territory and year, numbered inside the transaction that writes the record.
use diesel::prelude::*;

use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::reference_sequences;

/// The kinds of record that carry a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Series {
    Report,
    Case,
}

impl Series {
    fn code(self) -> &'static str {
        match self {
            Series::Report => "report",
            Series::Case => "case",
        }
    }
}

/// The next number of a territory's series for a year, without gaps: the counter's row is
/// written first, so concurrent records of one territory take their numbers one after the
/// other, and a rolled-back transaction gives its number back.
pub fn next(
    conn: &mut DbConn,
    series: Series,
    territory: &str,
    year: i32,
) -> Result<i32, ApiError> {
    use diesel::result::{DatabaseErrorKind, Error};
    let target = reference_sequences::table.find((series.code(), territory, year));
    for _ in 0..5 {
        let bumped = diesel::update(target)
            .set(reference_sequences::last_value.eq(reference_sequences::last_value + 1))
            .execute(conn)?;
        if bumped == 0 {
            let inserted = crate::db::write_transaction(conn, |c| {
                diesel::insert_into(reference_sequences::table)
                    .values((
                        reference_sequences::series.eq(series.code()),
                        reference_sequences::territory_code.eq(territory),
                        reference_sequences::year.eq(year),
                        reference_sequences::last_value.eq(1),
                    ))
                    .execute(c)
            });
            match inserted {
                Ok(_) => return Ok(1),
                Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(target.select(reference_sequences::last_value).first(conn)?);
    }
    Err(ApiError::unavailable("reference numbering keeps colliding"))
}
