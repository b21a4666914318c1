//! Queries on the services delivered on a case. The case's scope is checked by the handlers
//! (`store::check`/`find`) before any of these run; notes are sealed on the way in.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{CaseServiceResponse, RecordCaseService};

use super::rows::{open, seal, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_services, organizations};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = case_services)]
pub struct ServiceRow {
    pub id: String,
    pub case_id: String,
    pub service_type: String,
    pub domain: String,
    pub delivered_at: NaiveDateTime,
    pub by_org: String,
    pub notes_sealed: Option<String>,
    pub recorded_by_id: String,
    pub created_at: NaiveDateTime,
}

/// A service with its organization's code.
pub type Service = (ServiceRow, String);

const NOTES: (&str, &str) = ("case_services", "notes");

/// An active organization's id and type, by code.
pub fn active_organization(
    conn: &mut DbConn,
    code: &str,
) -> Result<Option<(String, String)>, ApiError> {
    Ok(organizations::table
        .filter(organizations::code.eq(code))
        .filter(organizations::active.eq(true))
        .select((organizations::id, organizations::org_type))
        .first(conn)
        .optional()?)
}

/// Writes a service delivered (the insert is the effect's first statement); returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    s: &RecordCaseService,
    by_org: &str,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(case_services::table)
        .values((
            case_services::id.eq(&id),
            case_services::case_id.eq(case_id),
            case_services::service_type.eq(to_code(&s.service_type)),
            case_services::domain.eq(to_code(&s.service_type.domain())),
            case_services::delivered_at.eq(s.delivered_at.naive_utc()),
            case_services::by_org.eq(by_org),
            case_services::notes_sealed.eq(seal(
                keys,
                (NOTES.0, NOTES.1, &id),
                s.notes.as_deref(),
            )?),
            case_services::recorded_by_id.eq(actor_id),
            case_services::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// One service of a case.
pub fn find(conn: &mut DbConn, case_id: &str, id: &str) -> Result<Service, ApiError> {
    case_services::table
        .inner_join(organizations::table.on(organizations::id.eq(case_services::by_org)))
        .filter(case_services::id.eq(id))
        .filter(case_services::case_id.eq(case_id))
        .select((ServiceRow::as_select(), organizations::code))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// A page of a case's services, the latest delivered first; `after`: the (delivered_at, id)
/// the previous page ended at.
pub fn list(
    conn: &mut DbConn,
    case_id: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Service>, ApiError> {
    let mut query = case_services::table
        .inner_join(organizations::table.on(organizations::id.eq(case_services::by_org)))
        .filter(case_services::case_id.eq(case_id.to_string()))
        .order((case_services::delivered_at.desc(), case_services::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            case_services::delivered_at
                .lt(at)
                .or(case_services::delivered_at
                    .eq(at)
                    .and(case_services::id.lt(id))),
        );
    }
    Ok(query
        .select((ServiceRow::as_select(), organizations::code))
        .load(conn)?)
}

/// A service as shown: its notes only when `sensitive`.
pub fn response(
    keys: &Keyring,
    (row, organization): &Service,
    sensitive: bool,
) -> Result<CaseServiceResponse, ApiError> {
    let notes = if sensitive {
        open(
            keys,
            (NOTES.0, NOTES.1, &row.id),
            row.notes_sealed.as_deref(),
        )?
    } else {
        None
    };
    Ok(CaseServiceResponse {
        id: uuid(&row.id)?,
        case_id: uuid(&row.case_id)?,
        service_type: from_code(&row.service_type)?,
        domain: from_code(&row.domain)?,
        delivered_at: row.delivered_at.and_utc(),
        by_organization: organization.clone(),
        notes,
        recorded_by: uuid(&row.recorded_by_id)?,
        created_at: row.created_at.and_utc(),
    })
}
