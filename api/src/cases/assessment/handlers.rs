//! `/api/v1/assessment-instruments` and `/api/v1/cases/{id}/assessments`: the risk-assessment
//! instruments, and the assessments recorded on a case by its coordinators and case workers
//! (404 outside their scope, 403 for other roles). An assessment takes effect (its level
//! becomes the case's) at once, or once a coordinator approves it where approval is on.
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::approvals::ApprovalKind;
use madar_openapi::cases::{
    AssessmentInstrument, AssessmentResponse, AssessmentStatus, CaseEventKind, CaseStage,
    CreateAssessment,
};
use madar_openapi::Page;
use serde_json::json;

use super::instrument;
use super::scoring;
use super::store::{self as assessments, NewAssessment};
use crate::approvals;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::cases::events::{self, Event};
use crate::cases::handlers::audit_reads;
use crate::cases::store;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// The risk-assessment instruments, each version with its items by domain, the answers'
/// weights and the thresholds from score to level (one page: the list is short).
#[utoipa::path(
    tag = "case records",
    security(("bearer" = [])),
    responses((status = 200, description = "The instruments", body = Page<AssessmentInstrument>), ProblemResponse)
)]
#[get("/assessment-instruments")]
pub async fn list_assessment_instruments(actor: Actor) -> Result<HttpResponse, ApiError> {
    // Read by those who assess.
    authorize(&actor, Action::ManageCases)?;
    let items = instrument::all()?.to_vec();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_cursor: None,
    }))
}

/// A case in the caller's scope: whether the caller sees its sensitive fields, and whether
/// it is closed.
async fn case_in_scope(
    state: &AppState,
    actor: &Actor,
    id: String,
) -> Result<(bool, CaseStage), ApiError> {
    let (scope, reader) = (case_scope(actor), actor.clone());
    db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &id)?;
        let stage = crate::codes::from_code(&case.row.stage)?;
        Ok((sees_sensitive(&reader, &case.assigned), stage))
    })
    .await
}

/// Records a risk assessment: the answers are checked against the instrument's version and
/// scored; the computed level is retained unless `risk_level` overrides it with a
/// justification. Where assessments need approval in the case's territory, the assessment
/// waits (`pending_approval`) for a coordinator; otherwise it is `completed` and its level
/// becomes the case's. 409 `case_closed` on a closed case. The justification is shown to the
/// assigned workers and the coordinators only.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateAssessment,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = AssessmentResponse), ProblemResponse)
)]
#[post("/cases/{id}/assessments")]
pub async fn create_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateAssessment>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let case_id = id.to_string();
    let (sensitive, stage) = case_in_scope(&state, &actor, case_id.clone()).await?;
    if stage == CaseStage::Closed {
        return Err(ApiError::conflict("case_closed", "This case is closed."));
    }
    let used = instrument::find(&new.instrument, new.version)?;
    let scored = scoring::score(used, &new.answers)?;
    let justification = new.override_justification.as_deref();
    let (risk_level, overridden) =
        scoring::retained(scored.computed_level, new.risk_level, justification)?;
    let read_id = case_id.clone();
    let pending = db::run(&state.pool, move |c| {
        approvals::required(c, &read_id, ApprovalKind::Assessment)
    })
    .await?;
    let assessment = NewAssessment {
        instrument: new.instrument,
        version: new.version,
        answers: new.answers,
        score: scored.score,
        computed_level: scored.computed_level,
        risk_level,
        justification: new.override_justification.filter(|_| overridden),
        status: if pending {
            AssessmentStatus::PendingApproval
        } else {
            AssessmentStatus::Completed
        },
    };
    let (now, keys, actor_id) = (
        state.clock.now_naive(),
        state.data_keys.clone(),
        actor.id.clone(),
    );
    let audit = AuditEvent::by(&actor, AuditAction::AssessmentCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let a = &assessment;
        let id = assessments::create(c, &keys, &case_id, a, &actor_id, now)?;
        let levels = json!({
            "risk_level": to_code(&a.risk_level),
            "computed_level": to_code(&a.computed_level),
            "status": to_code(&a.status),
        });
        if pending {
            let asked = approvals::Request {
                case_id: &case_id,
                kind: ApprovalKind::Assessment,
                subject_id: Some(&id),
                request: json!({"risk_level": to_code(&a.risk_level), "computed_level": to_code(&a.computed_level), "score": a.score}),
                sealed: None,
                requested_by: &actor_id,
            };
            let approval = approvals::request(c, &keys, asked, now)?;
            let event = Event::new(&case_id, CaseEventKind::ApprovalRequested, &actor_id)
                .subject(&approval)
                .detail(json!({"kind": to_code(&ApprovalKind::Assessment)}));
            events::append(c, &keys, event, now)?;
        } else {
            assessments::set_case_risk(c, &case_id, &to_code(&a.risk_level))?;
            crate::protocols::triggers::risk_level_reached(c, &case_id, now)?;
            store::touch(c, &case_id, None, now)?;
        }
        let event = Event::new(&case_id, CaseEventKind::AssessmentRecorded, &actor_id)
            .subject(&id)
            .detail(levels);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit.on(Resource::Assessment, &id))?;
        let row = assessments::find(c, &case_id, &id)?;
        let location = format!("/api/v1/cases/{case_id}/assessments/{id}");
        Stored::created(location, 1, &row.response(&keys, sensitive)?)
    })
    .await
}

/// A case's risk assessments, the newest first (a read of the case, audited).
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of assessments", body = Page<AssessmentResponse>), ProblemResponse)
)]
#[get("/cases/{id}/assessments")]
pub async fn list_case_assessments(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (limit, before) = (query.limit()?, query.after()?);
    let case_id = id.to_string();
    let (sensitive, _) = case_in_scope(&state, &actor, case_id.clone()).await?;
    let read_id = case_id.clone();
    let rows = db::run(&state.pool, move |c| {
        assessments::list(c, &read_id, before, limit + 1)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    let items = rows
        .iter()
        .map(|r| r.response(&state.data_keys, sensitive))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One risk assessment of a case (a read of the case, audited).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("assessment_id" = uuid::Uuid, Path, description = "Assessment id"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The assessment", body = AssessmentResponse), ProblemResponse)
)]
#[get("/cases/{id}/assessments/{assessment_id}")]
pub async fn get_case_assessment(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, id) = (path.0.to_string(), path.1.to_string());
    let (sensitive, _) = case_in_scope(&state, &actor, case_id.clone()).await?;
    let read_id = case_id.clone();
    let row = db::run(&state.pool, move |c| assessments::find(c, &read_id, &id)).await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    Ok(HttpResponse::Ok().json(row.response(&state.data_keys, sensitive)?))
}

/// The operations on instruments and assessments.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_assessment_instruments)
        .service(create_assessment)
        .service(list_case_assessments)
        .service(get_case_assessment);
}
