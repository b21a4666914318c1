//! `/api/v1/cases/{id}/notes`: what the team saw and heard, written and read by the
//! coordinators and case workers who see the case (404 outside their scope, 403 for other
//! roles). The text is always sealed; a sensitive note's text is shown only where
//! `policy::sees_sensitive` allows (coordinators, assigned case workers), others get the
//! note's type, date and author with `text: null` and `redacted: true`.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use madar_openapi::cases::{CaseEventKind, CreateNote, NoteResponse};
use madar_openapi::Page;
use serde_json::json;

use super::events::{self, Event};
use super::handlers::audit_reads;
use super::rows::Case;
use super::{notes_store, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// The operations on notes.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_note)
        .service(list_notes)
        .service(get_note);
}

/// The case within the caller's scope (404 otherwise).
pub async fn case_in_scope(state: &AppState, actor: &Actor, id: String) -> Result<Case, ApiError> {
    let scope = case_scope(actor);
    db::run(&state.pool, move |c| store::find(c, &scope, &id)).await
}

/// Checks what the contract cannot: a note is about something that already happened.
pub fn check_occurred_at(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ApiError> {
    if at > now {
        return Err(ApiError::validation(
            "occurred_at",
            "in_future",
            "is in the future",
        ));
    }
    Ok(())
}

/// Adds a note to a case (a home visit, an interview, a call...). Its text is stored
/// encrypted; a `sensitive` note's text is shown only to the coordinators and the case workers
/// assigned to the case.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateNote,
    security(("bearer" = [])),
    responses((status = 201, description = "Created", body = NoteResponse), ProblemResponse)
)]
#[post("/cases/{id}/notes")]
pub async fn create_note(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateNote>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let note = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &note)?;
    let case = case_in_scope(&state, &actor, id.to_string()).await?;
    check_occurred_at(note.occurred_at, state.clock.now())?;
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::NoteCreate, now);
    let (case_id, author) = (case.row.id, actor.id.clone());
    idempotency::run(&state.pool, request, now, move |c| {
        let id = notes_store::create(c, &keys, &case_id, &note, &author, now)?;
        store::touch(c, &case_id, None, now)?;
        let detail = json!({"note_type": to_code(&note.note_type), "sensitive": note.sensitive});
        let event = Event::new(&case_id, CaseEventKind::NoteAdded, &author)
            .subject(&id)
            .detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit.on(Resource::Note, &id))?;
        let row = notes_store::find(c, &case_id, &id)?;
        let location = format!("/api/v1/cases/{case_id}/notes/{id}");
        Stored::created(location, 1, &row.response(&keys, sensitive)?)
    })
    .await
}

/// A case's notes, the newest first; sensitive notes' text withheld from case workers not
/// assigned to the case (`redacted`). Audited as a read of the case.
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of notes", body = Page<NoteResponse>), ProblemResponse)
)]
#[get("/cases/{id}/notes")]
pub async fn list_notes(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (limit, after) = (query.limit()?, query.after()?);
    let (scope, case_id) = (case_scope(&actor), id.to_string());
    let (case, rows) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &case_id)?;
        let rows = notes_store::list(c, &case_id, after, limit + 1)?;
        Ok((case, rows))
    })
    .await?;
    audit_reads(
        &state,
        &actor,
        AuditAction::CaseRead,
        &[case.row.id.as_str()],
    )?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let items = rows
        .iter()
        .map(|r| r.response(&state.data_keys, sensitive))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One note of a case (a sensitive note's text withheld as in the list). Audited as a read
/// of the case.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("note_id" = uuid::Uuid, Path, description = "Note id"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The note", body = NoteResponse), ProblemResponse)
)]
#[get("/cases/{id}/notes/{note_id}")]
pub async fn get_note(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, note_id) = (path.0.to_string(), path.1.to_string());
    let scope = case_scope(&actor);
    let (case, row) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &case_id)?;
        let row = notes_store::find(c, &case_id, &note_id)?;
        Ok((case, row))
    })
    .await?;
    audit_reads(
        &state,
        &actor,
        AuditAction::CaseRead,
        &[case.row.id.as_str()],
    )?;
    let body = row.response(&state.data_keys, sees_sensitive(&actor, &case.assigned))?;
    Ok(record(StatusCode::OK, 1, &body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_note_cannot_record_the_future() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert!(check_occurred_at(now, now).is_ok());
        assert!(check_occurred_at(now - chrono::Duration::days(3), now).is_ok());
        assert!(matches!(
            check_occurred_at(now + chrono::Duration::seconds(1), now),
            Err(ApiError::Validation(e)) if e[0].field == "occurred_at" && e[0].code == "in_future"
        ));
    }
}
