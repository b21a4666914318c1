//! `/api/v1/children/{id}/placements`: a child's stays in social care institutions, recorded,
//! ended and corrected by the coordinators and case workers who see the child (404 outside
//! their scope, 403 for other roles). A placement decided in a case shows on its timeline.
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use madar_openapi::cases::{CaseEventKind, CreatePlacement, PlacementResponse, UpdatePlacement};

use super::domain::{check_alone, Period};
use super::store::{self, NewPlacement};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, child_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::cases::services_store::active_organization;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

const INSTITUTION: &str = "social_care_institution";

/// Whether the actor sees a placement's reason: a coordinator, or a case worker assigned to
/// the placement's case (without a case, to one of the child's cases).
fn sees_reason(actor: &Actor, case: Option<&str>, assigned: &HashMap<String, Vec<String>>) -> bool {
    let users: Vec<String> = match case {
        Some(id) => assigned.get(id).cloned().unwrap_or_default(),
        None => assigned.values().flatten().cloned().collect(),
    };
    sees_sensitive(actor, &users)
}

/// Records a placement of a child in a social care institution. `reason` is sensitive:
/// stored encrypted, shown to coordinators and to the case workers assigned to the placement's
/// case (without a case, to one of the child's cases).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreatePlacement,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = PlacementResponse), ProblemResponse)
)]
#[post("/children/{id}/placements")]
pub async fn create_placement(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreatePlacement>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let child_id = id.to_string();
    let (children, cases) = (child_scope(&actor), case_scope(&actor));
    let (read_id, code) = (child_id.clone(), new.institution.clone());
    let case = new.case_id.map(|c| c.to_string());
    let read_case = case.clone();
    let (child, institution, case_known, assigned) = db::run(&state.pool, move |c| {
        let child = crate::children::store::find(c, &children, &read_id)?;
        let institution = active_organization(c, &code)?;
        let case_known = match &read_case {
            None => true,
            Some(id) => match crate::cases::store::find(c, &cases, id) {
                Ok(case) => case.row.child_id == read_id,
                Err(ApiError::NotFound) => false,
                Err(e) => return Err(e),
            },
        };
        Ok((
            child,
            institution,
            case_known,
            store::assignments(c, &read_id)?,
        ))
    })
    .await?;
    let org = match institution {
        Some((id, kind)) if kind == INSTITUTION => id,
        _ => {
            return Err(ApiError::validation(
                "institution",
                "not_an_institution",
                "names no active social care institution",
            ))
        }
    };
    if !case_known {
        return Err(ApiError::validation(
            "case_id",
            "unknown_case",
            "names no case of this child that you see",
        ));
    }
    let today = state.clock.now().date_naive();
    let period = Period::parse(new.from, new.to, today)?;
    let sensitive = sees_reason(&actor, case.as_deref(), &assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::PlacementCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        store::lock_child(c, &child_id)?;
        check_alone(period, &store::periods(c, &child_id, None)?)?;
        let placement = NewPlacement {
            case_id: case.as_deref(),
            institution_org: &org,
            period,
            reason: new.reason.as_deref(),
        };
        let id = store::create(c, &keys, &child_id, &placement, &actor.id, now)?;
        let kind = CaseEventKind::PlacementRecorded;
        store::on_case(
            c,
            &keys,
            (case.as_deref(), &id),
            kind,
            (&actor.id, &new.institution),
            now,
        )?;
        audit::record(c, &audit.on(Resource::Placement, &id))?;
        let p = store::find(c, &child_id, &id)?;
        let body = store::response(&keys, &p, &child.row, sensitive, today)?;
        let location = format!("/api/v1/children/{child_id}/placements/{id}");
        Stored::created(location, p.0.version, &body)
    })
    .await
}

/// A child's placements, the latest begun first (a read of the child, audited); `reason` is
/// `null` for those who may not see it.
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Child id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The placements", body = Vec<PlacementResponse>), ProblemResponse)
)]
#[get("/children/{id}/placements")]
pub async fn list_placements(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let (child_id, scope) = (id.to_string(), child_scope(&actor));
    let read_id = child_id.clone();
    let (child, rows, assigned) = db::run(&state.pool, move |c| {
        let child = crate::children::store::find(c, &scope, &read_id)?;
        Ok((
            child,
            store::list(c, &read_id)?,
            store::assignments(c, &read_id)?,
        ))
    })
    .await?;
    let event = AuditEvent::by(&actor, AuditAction::ChildRead, state.clock.now_naive())
        .on(Resource::Child, &child_id);
    state.audit.record_read(event)?;
    let today = state.clock.now().date_naive();
    let items = rows
        .iter()
        .map(|p| {
            let sensitive = sees_reason(&actor, p.0.case_id.as_deref(), &assigned);
            store::response(&state.data_keys, p, &child.row, sensitive, today)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(items))
}

/// One placement of a child, with its ETag (audited as a read of the child).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("placement_id" = uuid::Uuid, Path, description = "Placement id"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The placement", body = PlacementResponse), ProblemResponse)
)]
#[get("/children/{id}/placements/{placement_id}")]
pub async fn get_placement(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadChildren)?;
    let (child_id, id, scope) = (path.0.to_string(), path.1.to_string(), child_scope(&actor));
    let read_id = child_id.clone();
    let (child, placement, assigned) = db::run(&state.pool, move |c| {
        let child = crate::children::store::find(c, &scope, &read_id)?;
        let placement = store::find(c, &read_id, &id)?;
        Ok((child, placement, store::assignments(c, &read_id)?))
    })
    .await?;
    let event = AuditEvent::by(&actor, AuditAction::ChildRead, state.clock.now_naive())
        .on(Resource::Child, &child_id);
    state.audit.record_read(event)?;
    let sensitive = sees_reason(&actor, placement.0.case_id.as_deref(), &assigned);
    let today = state.clock.now().date_naive();
    let body = store::response(&state.data_keys, &placement, &child.row, sensitive, today)?;
    Ok(record(StatusCode::OK, placement.0.version, &body))
}

/// Ends a placement (`to`: the day the child left; not before `from` nor after today, without
/// overlapping another placement: 409 `placement_open`) or corrects its reason; needs the
/// placement's ETag in `If-Match` (428 without, 412 when stale).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Child id"),
        ("placement_id" = uuid::Uuid, Path, description = "Placement id"),
        ("If-Match" = String, Header, description = "ETag of the placement's last read"),
    ),
    request_body = UpdatePlacement,
    security(("bearer" = [])),
    responses((status = 200, description = "The placement", body = PlacementResponse), ProblemResponse)
)]
#[patch("/children/{id}/placements/{placement_id}")]
pub async fn update_placement(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdatePlacement>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageChildren)?;
    let (child_id, placement_id) = (path.0.to_string(), path.1.to_string());
    let scope = child_scope(&actor);
    let (read_child, read_id) = (child_id.clone(), placement_id.clone());
    let (child, (current, institution), assigned) = db::run(&state.pool, move |c| {
        let child = crate::children::store::find(c, &scope, &read_child)?;
        let current = store::find(c, &read_child, &read_id)?;
        Ok((child, current, store::assignments(c, &read_child)?))
    })
    .await?;
    let (version, changes) = (if_match?.0, body?.0);
    if version != current.version {
        return Err(ApiError::PreconditionFailed);
    }
    let today = state.clock.now().date_naive();
    let period = Period::parse(current.from_date, changes.to.or(current.to_date), today)?;
    let sensitive = sees_reason(&actor, current.case_id.as_deref(), &assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::PlacementUpdate, now)
        .on(Resource::Placement, &placement_id);
    let (placement, keys_after) = db::transaction(&state.pool, move |c| {
        store::update(
            c,
            &keys,
            &current,
            changes.to,
            changes.reason.as_deref(),
            now,
        )?;
        check_alone(period, &store::periods(c, &child_id, Some(&placement_id))?)?;
        let case = current.case_id.as_deref();
        let kind = CaseEventKind::PlacementUpdated;
        store::on_case(
            c,
            &keys,
            (case, &placement_id),
            kind,
            (&actor.id, &institution),
            now,
        )?;
        audit::record(c, &audit)?;
        Ok((store::find(c, &child_id, &placement_id)?, keys))
    })
    .await?;
    let body = store::response(&keys_after, &placement, &child.row, sensitive, today)?;
    Ok(record(StatusCode::OK, placement.0.version, &body))
}
