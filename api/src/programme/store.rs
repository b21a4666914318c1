//! The programme document in the database.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::programme::StrategicObjective;

use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::programme as pg;

const ID: &str = "national";

fn internal<E: Into<anyhow::Error>>(e: E) -> ApiError {
    ApiError::Internal(e.into())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pg)]
pub struct ProgrammeRow {
    pub objectives: String,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl ProgrammeRow {
    pub fn objectives(&self) -> Result<Vec<StrategicObjective>, ApiError> {
        serde_json::from_str(&self.objectives).map_err(internal)
    }
}

pub fn find(conn: &mut DbConn) -> Result<ProgrammeRow, ApiError> {
    pg::table
        .find(ID)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// Replaces the objectives if the programme is at `version` (412 otherwise).
pub fn replace(
    conn: &mut DbConn,
    version: i32,
    objectives: &[StrategicObjective],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let text = serde_json::to_string(objectives).map_err(internal)?;
    let n = diesel::update(pg::table.find(ID).filter(pg::version.eq(version)))
        .set((
            pg::objectives.eq(text),
            pg::updated_at.eq(now),
            pg::version.eq(version + 1),
        ))
        .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}
