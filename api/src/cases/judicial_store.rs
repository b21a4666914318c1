//! Queries on a case's judicial measures. The case's scope is checked by the handlers before
//! any of these run; outcomes are sealed on the way in.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::cases::{CreateJudicialMeasure, JudicialMeasureResponse, UpdateJudicialMeasure};

use super::rows::{open, seal, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::judicial_measures as jm;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jm)]
pub struct MeasureRow {
    pub id: String,
    pub case_id: String,
    pub measure_type: String,
    pub authority: String,
    pub measure_date: NaiveDate,
    pub reference: Option<String>,
    pub next_date: Option<NaiveDate>,
    pub outcome_sealed: Option<String>,
    pub version: i32,
    pub created_by_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn sealed(keys: &Keyring, id: &str, outcome: Option<&str>) -> Result<Option<String>, ApiError> {
    seal(keys, ("judicial_measures", "outcome", id), outcome)
}

/// Writes a measure (the insert is the effect's first statement); returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    m: &CreateJudicialMeasure,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(jm::table)
        .values((
            jm::id.eq(&id),
            jm::case_id.eq(case_id),
            jm::measure_type.eq(to_code(&m.measure_type)),
            jm::authority.eq(m.authority.trim()),
            jm::measure_date.eq(m.date),
            jm::reference.eq(m.reference.as_deref().map(str::trim)),
            jm::next_date.eq(m.next_date),
            jm::outcome_sealed.eq(sealed(keys, &id, m.outcome.as_deref())?),
            jm::created_by_id.eq(actor_id),
            jm::created_at.eq(now),
            jm::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Applies the changes given to `current` (read before the transaction) if the measure is
/// still at `current.version` (compare-and-set, the effect's first statement; 412 when stale).
pub fn update(
    conn: &mut DbConn,
    keys: &Keyring,
    current: &MeasureRow,
    changes: &UpdateJudicialMeasure,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let reference = match &changes.reference {
        Some(r) => Some(r.trim().to_string()),
        None => current.reference.clone(),
    };
    let outcome = match &changes.outcome {
        Some(o) => sealed(keys, &current.id, Some(o))?,
        None => current.outcome_sealed.clone(),
    };
    let updated = diesel::update(
        jm::table.filter(jm::id.eq(&current.id).and(jm::version.eq(current.version))),
    )
    .set((
        jm::reference.eq(reference),
        jm::next_date.eq(changes.next_date.or(current.next_date)),
        jm::outcome_sealed.eq(outcome),
        jm::version.eq(current.version + 1),
        jm::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}

/// One measure of a case.
pub fn find(conn: &mut DbConn, case_id: &str, id: &str) -> Result<MeasureRow, ApiError> {
    jm::table
        .filter(jm::id.eq(id).and(jm::case_id.eq(case_id)))
        .select(MeasureRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A case's measures by date, then by when they were recorded.
pub fn list(conn: &mut DbConn, case_id: &str) -> Result<Vec<MeasureRow>, ApiError> {
    Ok(jm::table
        .filter(jm::case_id.eq(case_id))
        .order((jm::measure_date, jm::id))
        .select(MeasureRow::as_select())
        .load(conn)?)
}

impl MeasureRow {
    /// The measure as shown: its outcome only when `sensitive`.
    pub fn response(
        &self,
        keys: &Keyring,
        sensitive: bool,
    ) -> Result<JudicialMeasureResponse, ApiError> {
        let outcome = if sensitive {
            open(
                keys,
                ("judicial_measures", "outcome", &self.id),
                self.outcome_sealed.as_deref(),
            )?
        } else {
            None
        };
        Ok(JudicialMeasureResponse {
            id: uuid(&self.id)?,
            case_id: uuid(&self.case_id)?,
            measure_type: from_code(&self.measure_type)?,
            authority: self.authority.clone(),
            date: self.measure_date,
            reference: self.reference.clone(),
            next_date: self.next_date,
            outcome,
            created_by: uuid(&self.created_by_id)?,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}
