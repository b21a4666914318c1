//! Queries on case attachments. The case's scope is checked by the handlers before any of
//! these run; the file is sealed (AES-256-GCM bound to the row) on the way in, and only the
//! download opens it. Lists select the metadata alone, never the sealed contents.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{AttachmentKind, AttachmentResponse};

use super::rows::{place, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::case_attachments as a;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = a)]
pub struct AttachmentRow {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: String,
    pub uploaded_by_id: String,
    pub created_at: NaiveDateTime,
}

impl AttachmentRow {
    /// The metadata as shown: the file name only to those who may download the file.
    pub fn response(&self, sees_sensitive: bool) -> Result<AttachmentResponse, ApiError> {
        Ok(AttachmentResponse {
            id: uuid(&self.id)?,
            case_id: uuid(&self.case_id)?,
            kind: from_code(&self.kind)?,
            file_name: sees_sensitive.then(|| self.file_name.clone()),
            content_type: self.content_type.clone(),
            size_bytes: i64::from(self.size_bytes),
            sha256: self.sha256.clone(),
            redacted: !sees_sensitive,
            uploaded_by: uuid(&self.uploaded_by_id)?,
            created_at: self.created_at.and_utc(),
        })
    }
}

/// A checked upload.
#[derive(Debug, Clone)]
pub struct Upload {
    pub kind: AttachmentKind,
    pub file_name: String,
    pub content_type: &'static str,
    pub sha256: String,
    pub bytes: actix_web::web::Bytes,
}

/// Writes an attachment (the effect's first statement); returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    upload: &Upload,
    by: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let sealed = keys.seal_bytes(place("case_attachments", "content", &id), &upload.bytes)?;
    let size = i32::try_from(upload.bytes.len()).map_err(|e| ApiError::Internal(e.into()))?;
    diesel::insert_into(a::table)
        .values((
            a::id.eq(&id),
            a::case_id.eq(case_id),
            a::kind.eq(to_code(&upload.kind)),
            a::file_name.eq(&upload.file_name),
            a::content_type.eq(upload.content_type),
            a::size_bytes.eq(size),
            a::sha256.eq(&upload.sha256),
            a::content_sealed.eq(sealed),
            a::uploaded_by_id.eq(by),
            a::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// One attachment's metadata (the case's scope checked by the caller).
pub fn find(conn: &mut DbConn, case_id: &str, id: &str) -> Result<AttachmentRow, ApiError> {
    a::table
        .filter(a::id.eq(id).and(a::case_id.eq(case_id)))
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// One attachment's contents, opened.
pub fn contents(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    id: &str,
) -> Result<Vec<u8>, ApiError> {
    let sealed: String = a::table
        .filter(a::id.eq(id).and(a::case_id.eq(case_id)))
        .select(a::content_sealed)
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    keys.open_bytes(place("case_attachments", "content", id), &sealed)
}

/// A page of a case's attachments, newest first (ids are time-ordered UUIDv7).
pub fn list(
    conn: &mut DbConn,
    case_id: &str,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<AttachmentRow>, ApiError> {
    let mut query = a::table
        .filter(a::case_id.eq(case_id.to_string()))
        .order(a::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(a::id.lt(after));
    }
    Ok(query.select(AttachmentRow::as_select()).load(conn)?)
}
