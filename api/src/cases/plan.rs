//! `/api/v1/cases/{id}/plan`: the case plan (objectives per pathway domain, each with its
//! actions), read by whoever sees the case (the descriptions are the team's working plan) and
//! written whole by its coordinators and case workers (404 outside their scope, 403 for other
//! roles). Where plans need approval in the case's territory, a written plan waits for a
//! coordinator (`pending_approval`); otherwise it is `active`.
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, put, web, HttpResponse};
use madar_openapi::approvals::ApprovalKind;
use madar_openapi::cases::{CaseEventKind, CaseStage, PlanStatus, ReplacePlan};
use madar_openapi::FieldError;
use serde_json::json;

use super::events::{self, Event};
use super::handlers::audit_reads;
use super::{plan_store, store};
use crate::approvals;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, Action};
use crate::auth::Actor;
use crate::codes::{from_code, to_code};
use crate::db;
use crate::error::ApiError;
use crate::http::{created, record, IfMatch, ProblemResponse, ValidJson};
use crate::state::AppState;

/// The organization codes a plan names.
fn codes(plan: &ReplacePlan) -> Vec<String> {
    plan.objectives
        .iter()
        .flat_map(|o| &o.actions)
        .filter_map(|a| a.responsible_organization.clone())
        .collect()
}

/// The actions naming an organization not in `known` (422 `unknown_organization`).
fn unknown_organizations(plan: &ReplacePlan, known: &HashMap<String, String>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, objective) in plan.objectives.iter().enumerate() {
        for (j, action) in objective.actions.iter().enumerate() {
            if let Some(code) = &action.responsible_organization {
                if !known.contains_key(code) {
                    errors.push(FieldError {
                        field: format!("objectives[{i}].actions[{j}].responsible_organization"),
                        code: "unknown_organization".into(),
                        message: "names no active organization".into(),
                    });
                }
            }
        }
    }
    errors
}

/// A case's plan (a read of the case, audited); 404 `not_found` before its first plan.
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The plan, with its version as ETag", body = madar_openapi::cases::CasePlan), ProblemResponse)
)]
#[get("/cases/{id}/plan")]
pub async fn get_case_plan(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (scope, keys, case_id) = (case_scope(&actor), state.data_keys.clone(), id.to_string());
    let read_id = case_id.clone();
    let plan = db::run(&state.pool, move |c| {
        store::check(c, &scope, &read_id)?;
        plan_store::find(c, &keys, &read_id)
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    Ok(record(StatusCode::OK, plan.version, &plan))
}

/// Writes a case's plan whole: 1 to 20 objectives, each with 0 to 20 actions (a responsible
/// organization must be an active organization's code: 422 `unknown_organization`). The
/// first write creates the plan (201, no `If-Match`); later ones replace it and need the
/// plan's ETag in `If-Match` (428 without, 412 when another write came first); objectives and
/// actions get new ids on each write. 409 `case_closed` on a closed case.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("If-Match" = Option<String>, Header, description = "The plan's ETag (every write but the first)"),
    ),
    request_body = ReplacePlan,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan replaced", body = madar_openapi::cases::CasePlan),
        (status = 201, description = "The plan created", body = madar_openapi::cases::CasePlan),
        ProblemResponse
    )
)]
#[put("/cases/{id}/plan")]
pub async fn replace_case_plan(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<ReplacePlan>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let version = match if_match {
        Ok(v) => Some(v.0),
        Err(ApiError::PreconditionRequired) => None,
        Err(e) => return Err(e),
    };
    let plan = body?.0;
    let (scope, case_id, wanted) = (case_scope(&actor), id.to_string(), codes(&plan));
    let read_id = case_id.clone();
    let (stage, existing, orgs, pending) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_id)?;
        let stage: CaseStage = from_code(&case.row.stage)?;
        let existing = plan_store::version(c, &read_id)?;
        let orgs = plan_store::organizations(c, wanted)?;
        let pending = approvals::required(c, &read_id, ApprovalKind::Plan)?;
        Ok((stage, existing, orgs, pending))
    })
    .await?;
    if stage == CaseStage::Closed {
        return Err(ApiError::conflict("case_closed", "This case is closed."));
    }
    if existing.is_some() && version.is_none() {
        return Err(ApiError::PreconditionRequired);
    }
    let errors = unknown_organizations(&plan, &orgs);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let status = if pending {
        PlanStatus::PendingApproval
    } else {
        PlanStatus::Active
    };
    let (now, keys, actor_id) = (
        state.clock.now_naive(),
        state.data_keys.clone(),
        actor.id.clone(),
    );
    let audit = AuditEvent::by(&actor, AuditAction::PlanUpdate, now).on(Resource::Plan, &case_id);
    let write_id = case_id.clone();
    let saved = db::transaction(&state.pool, move |c| {
        let case_id = write_id.as_str();
        let v = plan_store::write(c, &keys, case_id, version, status, &plan, &orgs, &actor_id, now)?;
        let actions: usize = plan.objectives.iter().map(|o| o.actions.len()).sum();
        if pending {
            let asked = approvals::Request {
                case_id,
                kind: ApprovalKind::Plan,
                subject_id: None,
                request: json!({"plan_version": v, "objectives": plan.objectives.len(), "actions": actions}),
                sealed: None,
                requested_by: &actor_id,
            };
            let approval = approvals::request(c, &keys, asked, now)?;
            let event = Event::new(case_id, CaseEventKind::ApprovalRequested, &actor_id)
                .subject(&approval)
                .detail(json!({"kind": to_code(&ApprovalKind::Plan)}));
            events::append(c, &keys, event, now)?;
        }
        let detail = json!({
            "objectives": plan.objectives.len(),
            "actions": actions,
            "status": to_code(&status),
        });
        let event = Event::new(case_id, CaseEventKind::PlanUpdated, &actor_id).detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit)?;
        plan_store::find(c, &keys, case_id)
    })
    .await?;
    Ok(match version {
        None => created(
            &format!("/api/v1/cases/{case_id}/plan"),
            saved.version,
            &saved,
        ),
        Some(_) => record(StatusCode::OK, saved.version, &saved),
    })
}

/// The operations on a case's plan.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_case_plan).service(replace_case_plan);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_naming_an_unknown_organization_are_each_named() {
        let plan: ReplacePlan = serde_json::from_value(json!({"objectives": [
            {"domain": "health_care", "description": "Soins", "actions": [
                {"description": "Examen", "responsible_organization": "hospital-rabat"},
                {"description": "Suivi", "responsible_organization": "nowhere"},
                {"description": "Visite"}
            ]}
        ]}))
        .expect("plan");
        assert_eq!(codes(&plan), ["hospital-rabat", "nowhere"]);
        let known = HashMap::from([("hospital-rabat".to_string(), "id".to_string())]);
        let errors = unknown_organizations(&plan, &known);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].field,
            "objectives[0].actions[1].responsible_organization"
        );
        assert_eq!(errors[0].code, "unknown_organization");
    }
}
