//! `/api/v1/programme`: the national executive programme. Coordinators, analysts and admins read
//! it with each objective's progress; admins replace it (If-Match). Other roles: 403.
use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpResponse};
use madar_openapi::programme::{ObjectiveReport, ProgrammeResponse, ReplaceProgramme};

use super::domain;
use super::store::{self, ProgrammeRow};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::state::AppState;

fn response(row: &ProgrammeRow) -> Result<ProgrammeResponse, ApiError> {
    let objectives = row.objectives()?;
    Ok(ProgrammeResponse {
        progress: objectives.iter().map(domain::progress).collect(),
        objectives,
        version: row.version,
        updated_at: row.updated_at.and_utc(),
    })
}

/// The programme: strategic objectives → sub-objectives → measures → indicators, with each
/// objective's progress (measures by status, share done, indicators on target).
#[utoipa::path(
    tag = "plans",
    security(("bearer" = [])),
    responses((status = 200, description = "The programme", body = ProgrammeResponse), ProblemResponse)
)]
#[get("/programme")]
pub async fn get_programme(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadPlans)?;
    let row = db::run(&state.pool, store::find).await?;
    Ok(record(StatusCode::OK, row.version, &response(&row)?))
}

/// Replaces the programme (admins; If-Match). The policy's five strategic objectives stay; one
/// 422 lists every problem (an objective dropped, codes or keys repeated, a measure ending
/// before it starts, a year given twice).
#[utoipa::path(
    tag = "plans",
    params(("If-Match" = String, Header, description = "ETag of the last read")),
    request_body = ReplaceProgramme,
    security(("bearer" = [])),
    responses((status = 200, description = "The programme", body = ProgrammeResponse), ProblemResponse)
)]
#[put("/programme")]
pub async fn replace_programme(
    state: web::Data<AppState>,
    actor: Actor,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<ReplaceProgramme>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageProgramme)?;
    let version = if_match?.0;
    let body = body?.0;
    let problems = domain::problems(&body.objectives);
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ProgrammeUpdate, now)
        .on(Resource::Programme, "national");
    let row = db::transaction(&state.pool, move |c| {
        store::replace(c, version, &body.objectives, now)?;
        audit::record(c, &event)?;
        store::find(c)
    })
    .await?;
    Ok(record(StatusCode::OK, row.version, &response(&row)?))
}

/// One strategic objective's progress report (`so1` … `so5`, or another code it holds).
#[utoipa::path(
    tag = "plans",
    params(("code" = String, Path, description = "The objective's code")),
    security(("bearer" = [])),
    responses((status = 200, description = "The objective and its progress", body = ObjectiveReport), ProblemResponse)
)]
#[get("/programme/objectives/{code}")]
pub async fn get_objective(
    state: web::Data<AppState>,
    actor: Actor,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadPlans)?;
    let row = db::run(&state.pool, store::find).await?;
    let objective = row
        .objectives()?
        .into_iter()
        .find(|o| o.code == *code)
        .ok_or(ApiError::NotFound)?;
    let progress = domain::progress(&objective);
    Ok(HttpResponse::Ok().json(ObjectiveReport {
        objective,
        progress,
    }))
}
