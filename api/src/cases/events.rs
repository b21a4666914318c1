//! The timeline of a case: every write on a case appends its event here, in the write's own
//! transaction, so the timeline never misses nor invents a step. Details are codes only; the
//! event's free text (a transition's reason) is sealed like any sensitive text.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{CaseEvent, CaseEventKind};

use super::rows::{open, seal, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::case_events;

/// An event to append.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub case_id: &'a str,
    pub kind: CaseEventKind,
    pub actor_id: &'a str,
    pub subject_id: Option<&'a str>,
    /// A JSON object of codes.
    pub detail: serde_json::Value,
    pub note: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// An event with no subject, detail or note.
    pub fn new(case_id: &'a str, kind: CaseEventKind, actor_id: &'a str) -> Event<'a> {
        Event {
            case_id,
            kind,
            actor_id,
            subject_id: None,
            detail: serde_json::json!({}),
            note: None,
        }
    }

    pub fn subject(mut self, id: &'a str) -> Event<'a> {
        self.subject_id = Some(id);
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Event<'a> {
        self.detail = detail;
        self
    }

    pub fn note(mut self, note: Option<&'a str>) -> Event<'a> {
        self.note = note;
        self
    }
}

/// Appends an event (inside the write's transaction).
pub fn append(
    conn: &mut DbConn,
    keys: &Keyring,
    event: Event<'_>,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(case_events::table)
        .values((
            case_events::id.eq(&id),
            case_events::case_id.eq(event.case_id),
            case_events::kind.eq(to_code(&event.kind)),
            case_events::at.eq(at),
            case_events::actor_id.eq(event.actor_id),
            case_events::subject_id.eq(event.subject_id),
            case_events::detail.eq(event.detail.to_string()),
            case_events::note_sealed.eq(seal(keys, ("case_events", "note", &id), event.note)?),
        ))
        .execute(conn)?;
    Ok(())
}

type EventRow = (
    String,
    String,
    NaiveDateTime,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// A case's events in order; notes opened only when `sensitive`.
pub fn timeline(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    sensitive: bool,
) -> Result<Vec<CaseEvent>, ApiError> {
    let rows: Vec<EventRow> = case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order((case_events::at, case_events::id))
        .select((
            case_events::id,
            case_events::kind,
            case_events::at,
            case_events::actor_id,
            case_events::subject_id,
            case_events::detail,
            case_events::note_sealed,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, kind, at, actor, subject, detail, note)| {
            let note = if sensitive {
                open(keys, ("case_events", "note", &id), note.as_deref())?
            } else {
                None
            };
            Ok(CaseEvent {
                id: uuid(&id)?,
                kind: from_code(&kind)?,
                at: at.and_utc(),
                actor_id: uuid(&actor)?,
                subject_id: subject.as_deref().map(uuid).transpose()?,
                detail: serde_json::from_str(&detail).map_err(|e| ApiError::Internal(e.into()))?,
                note,
            })
        })
        .collect()
}
