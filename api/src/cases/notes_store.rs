//! Queries on case notes. The case's scope is checked by the handlers (`store::check`) before
//! any of these run; the text is sealed on the way in and opened only for those who may read it.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{CreateNote, NoteResponse};

use super::rows::{open, seal, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::case_notes;

const TEXT: (&str, &str) = ("case_notes", "text");

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_notes)]
pub struct NoteRow {
    pub id: String,
    pub case_id: String,
    pub note_type: String,
    pub occurred_at: NaiveDateTime,
    pub sensitive: bool,
    pub text_sealed: String,
    pub author_id: String,
    pub created_at: NaiveDateTime,
}

impl NoteRow {
    /// The note as shown: a sensitive note's text only when `sees_sensitive`.
    pub fn response(&self, keys: &Keyring, sees_sensitive: bool) -> Result<NoteResponse, ApiError> {
        let shown = !self.sensitive || sees_sensitive;
        let text = if shown {
            open(keys, (TEXT.0, TEXT.1, &self.id), Some(&self.text_sealed))?
        } else {
            None
        };
        Ok(NoteResponse {
            id: uuid(&self.id)?,
            case_id: uuid(&self.case_id)?,
            note_type: from_code(&self.note_type)?,
            occurred_at: self.occurred_at.and_utc(),
            sensitive: self.sensitive,
            text,
            redacted: !shown,
            author_id: uuid(&self.author_id)?,
            created_at: self.created_at.and_utc(),
        })
    }
}

/// Writes a note on a case (the effect's first statement); returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    note: &CreateNote,
    author_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let sealed = seal(keys, (TEXT.0, TEXT.1, &id), Some(&note.text))?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a note without its text")))?;
    diesel::insert_into(case_notes::table)
        .values((
            case_notes::id.eq(&id),
            case_notes::case_id.eq(case_id),
            case_notes::note_type.eq(to_code(&note.note_type)),
            case_notes::occurred_at.eq(note.occurred_at.naive_utc()),
            case_notes::sensitive.eq(note.sensitive),
            case_notes::text_sealed.eq(sealed),
            case_notes::author_id.eq(author_id),
            case_notes::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// One note of a case (whose scope the caller checked).
pub fn find(conn: &mut DbConn, case_id: &str, id: &str) -> Result<NoteRow, ApiError> {
    case_notes::table
        .filter(case_notes::id.eq(id).and(case_notes::case_id.eq(case_id)))
        .select(NoteRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A page of a case's notes, newest first (ids are time-ordered UUIDv7).
pub fn list(
    conn: &mut DbConn,
    case_id: &str,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<NoteRow>, ApiError> {
    let mut query = case_notes::table
        .filter(case_notes::case_id.eq(case_id.to_string()))
        .order(case_notes::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(case_notes::id.lt(after));
    }
    Ok(query.select(NoteRow::as_select()).load(conn)?)
}
