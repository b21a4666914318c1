//! `/api/v1/cases`: work lists (JSON or CSV), one case, its changes and its timeline, for
//! coordinators (their territory's subtree) and case workers (their organization's cases).
//! Every read of a case is audited.
use actix_web::http::StatusCode;
use actix_web::{get, patch, web, HttpResponse};
use madar_openapi::cases::{CaseEvent, CaseEventKind, CaseResponse, UpdateCase};

use super::events::{self, Event};
use super::rows::Case;
use super::store::{self, Changes};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::state::AppState;

/// Records one audited read per case, and a second (`access_grant.use`) for a case read
/// under a break-the-glass grant.
pub fn audit_reads(
    state: &AppState,
    actor: &Actor,
    action: AuditAction,
    ids: &[&str],
) -> Result<(), ApiError> {
    let now = state.clock.now_naive();
    for id in ids {
        state
            .audit
            .record_read(AuditEvent::by(actor, action, now).on(Resource::Case, *id))?;
        if actor.grants.iter().any(|g| g.case_id == *id) {
            let used = AuditEvent::by(actor, AuditAction::AccessGrantUse, now);
            state.audit.record_read(used.on(Resource::Case, *id))?;
        }
    }
    Ok(())
}

/// The responses of cases, each showing its sensitive fields to those who may see them.
pub fn responses(
    state: &AppState,
    actor: &Actor,
    cases: &[Case],
) -> Result<Vec<CaseResponse>, ApiError> {
    let today = state.clock.now().date_naive();
    cases
        .iter()
        .map(|c| c.response(&state.data_keys, today, sees_sensitive(actor, &c.assigned)))
        .collect()
}

/// Reads one case (audited).
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseResponse), ProblemResponse)
)]
#[get("/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let scope = case_scope(&actor);
    let case = db::run(&state.pool, move |c| {
        store::find(c, &scope, &id.to_string())
    })
    .await?;
    audit_reads(
        &state,
        &actor,
        AuditAction::CaseRead,
        &[case.row.id.as_str()],
    )?;
    let body = responses(&state, &actor, std::slice::from_ref(&case))?;
    Ok(record(StatusCode::OK, case.row.version, &body[0]))
}

/// Changes a case's assigned workers (active case workers or coordinators of the owning
/// organization: 422 `unknown_user` otherwise), concerns or urgency; needs the ETag of the
/// last read in `If-Match` (428 without, 412 when another change came first).
#[utoipa::path(
    tag = "cases",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateCase,
    security(("bearer" = [])),
    responses((status = 200, description = "The case", body = CaseResponse), ProblemResponse)
)]
#[patch("/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateCase>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let (version, body) = (if_match?.0, body?.0);
    let (id, scope) = (id.to_string(), case_scope(&actor));
    let changes = Changes {
        assigned_to: body
            .assigned_to
            .map(|users| users.iter().map(|u| u.to_string()).collect::<Vec<_>>()),
        concerns: body.concerns,
        urgency: body.urgency,
    };
    let (read_scope, read_id, wanted) = (scope.clone(), id.clone(), changes.clone());
    db::run(&state.pool, move |c| {
        let case = store::find(c, &read_scope, &read_id)?;
        if let Some(users) = wanted.assigned_to {
            let count = users.len();
            let mut unique = users.clone();
            unique.sort();
            unique.dedup();
            let staff = store::staff_of(c, &case.row.owner_org, unique.clone())?;
            if staff.len() != unique.len() || unique.len() != count {
                return Err(ApiError::validation(
                    "assigned_to",
                    "unknown_user",
                    "names someone who is not an active case worker or coordinator of the \
                     case's organization, or names someone twice",
                ));
            }
        }
        Ok(())
    })
    .await?;
    let now = state.clock.now_naive();
    let audit = AuditEvent::by(&actor, AuditAction::CaseUpdate, now).on(Resource::Case, &id);
    let (keys, actor_id) = (state.data_keys.clone(), actor.id.clone());
    let case = db::transaction(&state.pool, move |c| {
        store::update(c, &id, version, &changes, now)?;
        let event = Event::new(&id, CaseEventKind::CaseUpdated, &actor_id);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit)?;
        store::find(c, &scope, &id)
    })
    .await?;
    let body = responses(&state, &actor, std::slice::from_ref(&case))?;
    Ok(record(StatusCode::OK, case.row.version, &body[0]))
}

/// A case's timeline: every event in order (report, screening, stage changes, assessments,
/// plan changes, services, placements, judicial measures, notes, approvals, transfers). The
/// events' free text is shown to the assigned workers and the coordinators only.
#[utoipa::path(
    tag = "cases",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The events, oldest first", body = Vec<CaseEvent>), ProblemResponse)
)]
#[get("/cases/{id}/timeline")]
pub async fn get_case_timeline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (scope, keys, reader) = (case_scope(&actor), state.data_keys.clone(), actor.clone());
    let id = id.to_string();
    let case_id = id.clone();
    let events = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &case_id)?;
        events::timeline(c, &keys, &case_id, sees_sensitive(&reader, &case.assigned))
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[id.as_str()])?;
    Ok(HttpResponse::Ok().json(events))
}
