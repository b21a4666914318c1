//! Queries on placements. The child's scope (and the case's, when one is named) is checked by
//! the handlers before any of these run; reasons are sealed on the way in. Writes first lock
//! the child's row, so two placements of one child are checked against each other one after
//! the other.
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::cases::{CaseEventKind, PlacementResponse};
use serde_json::json;

use super::domain::{self, Period};
use crate::cases::domain::{adult_on, birth_date};
use crate::cases::events::{self, Event};
use crate::cases::rows::{open, seal, uuid};
use crate::children::rows::ChildRow;
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_assignments, cases, children, organizations, placements as pl};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pl)]
pub struct PlacementRow {
    pub id: String,
    pub child_id: String,
    pub case_id: Option<String>,
    pub institution_org: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
    pub reason_sealed: Option<String>,
    pub version: i32,
    pub created_by_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A placement with its institution's code.
pub type Placement = (PlacementRow, String);

/// What a new placement holds, checked.
pub struct NewPlacement<'a> {
    pub case_id: Option<&'a str>,
    pub institution_org: &'a str,
    pub period: Period,
    pub reason: Option<&'a str>,
}

fn sealed(keys: &Keyring, id: &str, reason: Option<&str>) -> Result<Option<String>, ApiError> {
    seal(keys, ("placements", "reason", id), reason)
}

/// Locks the child's row for the rest of the transaction (a write: the first statement).
pub fn lock_child(conn: &mut DbConn, child_id: &str) -> Result<(), ApiError> {
    diesel::update(children::table.find(child_id))
        .set(children::version.eq(children::version))
        .execute(conn)?;
    Ok(())
}

/// The periods of a child's placements, but `except`.
pub fn periods(
    conn: &mut DbConn,
    child_id: &str,
    except: Option<&str>,
) -> Result<Vec<Period>, ApiError> {
    let rows: Vec<(String, NaiveDate, Option<NaiveDate>)> = pl::table
        .filter(pl::child_id.eq(child_id))
        .select((pl::id, pl::from_date, pl::to_date))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(id, _, _)| Some(id.as_str()) != except)
        .map(|(_, from, to)| Period { from, to })
        .collect())
}

/// Writes a placement; returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    child_id: &str,
    new: &NewPlacement<'_>,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(pl::table)
        .values((
            pl::id.eq(&id),
            pl::child_id.eq(child_id),
            pl::case_id.eq(new.case_id),
            pl::institution_org.eq(new.institution_org),
            pl::from_date.eq(new.period.from),
            pl::to_date.eq(new.period.to),
            pl::reason_sealed.eq(sealed(keys, &id, new.reason)?),
            pl::created_by_id.eq(actor_id),
            pl::created_at.eq(now),
            pl::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Sets `to` and/or the reason of `current` (read before the transaction) if it is still at
/// `current.version` (compare-and-set, the effect's first statement; 412 when stale).
pub fn update(
    conn: &mut DbConn,
    keys: &Keyring,
    current: &PlacementRow,
    to: Option<NaiveDate>,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let reason = match reason {
        Some(r) => sealed(keys, &current.id, Some(r))?,
        None => current.reason_sealed.clone(),
    };
    let updated = diesel::update(
        pl::table.filter(pl::id.eq(&current.id).and(pl::version.eq(current.version))),
    )
    .set((
        pl::to_date.eq(to.or(current.to_date)),
        pl::reason_sealed.eq(reason),
        pl::version.eq(current.version + 1),
        pl::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}

/// One placement of a child.
pub fn find(conn: &mut DbConn, child_id: &str, id: &str) -> Result<Placement, ApiError> {
    pl::table
        .inner_join(organizations::table.on(organizations::id.eq(pl::institution_org)))
        .filter(pl::id.eq(id).and(pl::child_id.eq(child_id)))
        .select((PlacementRow::as_select(), organizations::code))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A child's placements, the latest begun first.
pub fn list(conn: &mut DbConn, child_id: &str) -> Result<Vec<Placement>, ApiError> {
    Ok(pl::table
        .inner_join(organizations::table.on(organizations::id.eq(pl::institution_org)))
        .filter(pl::child_id.eq(child_id))
        .order((pl::from_date.desc(), pl::id.desc()))
        .select((PlacementRow::as_select(), organizations::code))
        .load(conn)?)
}

/// The users assigned to each of a child's cases, by case id.
pub fn assignments(
    conn: &mut DbConn,
    child_id: &str,
) -> Result<HashMap<String, Vec<String>>, ApiError> {
    let pairs: Vec<(String, String)> = case_assignments::table
        .inner_join(cases::table)
        .filter(cases::child_id.eq(child_id))
        .select((case_assignments::case_id, case_assignments::user_id))
        .load(conn)?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (case, user) in pairs {
        map.entry(case).or_default().push(user);
    }
    Ok(map)
}

/// The timeline event of a write on a placement decided in a case (which it touches too).
pub fn on_case(
    c: &mut DbConn,
    keys: &Keyring,
    (case_id, placement_id): (Option<&str>, &str),
    kind: CaseEventKind,
    (actor_id, institution): (&str, &str),
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let Some(case_id) = case_id else {
        return Ok(());
    };
    crate::cases::store::touch(c, case_id, None, now)?;
    let event = Event::new(case_id, kind, actor_id)
        .subject(placement_id)
        .detail(json!({"institution": institution}));
    events::append(c, keys, event, now)
}

/// A placement as shown: its reason only when `sensitive`; whether it is current and whether
/// the child comes of age soon, on `today`.
pub fn response(
    keys: &Keyring,
    (row, institution): &Placement,
    child: &ChildRow,
    sensitive: bool,
    today: NaiveDate,
) -> Result<PlacementResponse, ApiError> {
    let reason = if sensitive {
        open(
            keys,
            ("placements", "reason", &row.id),
            row.reason_sealed.as_deref(),
        )?
    } else {
        None
    };
    let (birth, estimated) = birth_date(child.date_of_birth, child.estimated_birth_year);
    let adult = birth.and_then(adult_on);
    let period = Period {
        from: row.from_date,
        to: row.to_date,
    };
    Ok(PlacementResponse {
        id: uuid(&row.id)?,
        child_id: uuid(&row.child_id)?,
        case_id: row.case_id.as_deref().map(uuid).transpose()?,
        institution: institution.clone(),
        from: row.from_date,
        to: row.to_date,
        reason,
        current: period.current(),
        adult_on: adult,
        birth_date_estimated: estimated,
        turns_18_within_6_months: domain::turns_18_within_6_months(adult, today),
        created_by: uuid(&row.created_by_id)?,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}
