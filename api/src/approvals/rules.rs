//! `/api/v1/approval-rules`: coordinators turn assessment and plan approvals on or off for
//! their own territory (a rule covers the territory's whole subtree), and list the rules in
//! force in their subtree. Closures asked by case workers always need an approval.
use actix_web::{get, put, web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::approvals::{ApprovalKind, ApprovalRule, SetApprovalRule};

use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, Action};
use crate::auth::Actor;
use crate::cases::rows::uuid;
use crate::codes::{from_code, to_code};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::{ProblemResponse, ValidJson};
use crate::schema::{approval_rules, territories};
use crate::state::AppState;

type RuleRow = (String, String, String, NaiveDateTime);

fn rule(row: RuleRow) -> Result<ApprovalRule, ApiError> {
    let (territory, kind, by, at) = row;
    Ok(ApprovalRule {
        territory,
        kind: from_code(&kind)?,
        enabled: true,
        enabled_by: Some(uuid(&by)?),
        enabled_at: Some(at.and_utc()),
    })
}

/// The rules on territories of the subtree at `path`.
fn in_subtree(conn: &mut DbConn, path: &str) -> Result<Vec<RuleRow>, ApiError> {
    let codes = territories::table
        .filter(territories::path.like(format!("{path}%")))
        .select(territories::code);
    Ok(approval_rules::table
        .filter(approval_rules::territory_code.eq_any(codes))
        .order((approval_rules::territory_code, approval_rules::kind))
        .select((
            approval_rules::territory_code,
            approval_rules::kind,
            approval_rules::enabled_by_id,
            approval_rules::enabled_at,
        ))
        .load(conn)?)
}

/// The approval rules in force in the caller's territory's subtree (coordinators).
#[utoipa::path(
    tag = "approvals",
    security(("bearer" = [])),
    responses((status = 200, description = "The rules, by territory then kind", body = Vec<ApprovalRule>), ProblemResponse)
)]
#[get("/approval-rules")]
pub async fn list_approval_rules(
    state: web::Data<AppState>,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::DecideApprovals)?;
    let path = actor
        .territory
        .as_ref()
        .ok_or(ApiError::Forbidden)?
        .path
        .clone();
    let rows = db::run(&state.pool, move |c| in_subtree(c, &path)).await?;
    let rules = rows.into_iter().map(rule).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(rules))
}

/// Turns approvals of assessments or plans on or off for the caller's own territory and its
/// subtree (`kind`: `assessment` or `plan`; 422 for `closure`). Turning on a rule already on
/// records who turned it on last. Audited.
#[utoipa::path(
    tag = "approvals",
    params(("kind" = ApprovalKind, Path, description = "`assessment` or `plan`")),
    request_body = SetApprovalRule,
    security(("bearer" = [])),
    responses((status = 200, description = "The rule on the caller's territory", body = ApprovalRule), ProblemResponse)
)]
#[put("/approval-rules/{kind}")]
pub async fn replace_approval_rule(
    state: web::Data<AppState>,
    actor: Actor,
    kind: web::Path<ApprovalKind>,
    body: Result<ValidJson<SetApprovalRule>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::DecideApprovals)?;
    let (kind, enabled) = (kind.into_inner(), body?.0.enabled);
    if kind == ApprovalKind::Closure {
        return Err(ApiError::validation(
            "kind",
            "not_configurable",
            "closures asked by case workers always need an approval",
        ));
    }
    let territory = actor
        .territory
        .as_ref()
        .ok_or(ApiError::Forbidden)?
        .code
        .clone();
    let now = state.clock.now_naive();
    let audit = AuditEvent::by(&actor, AuditAction::ApprovalRuleChange, now)
        .on(Resource::Territory, &territory);
    let (actor_id, code) = (actor.id.clone(), to_code(&kind));
    let rule_territory = territory.clone();
    db::transaction(&state.pool, move |c| {
        let target = approval_rules::table.filter(
            approval_rules::territory_code
                .eq(&rule_territory)
                .and(approval_rules::kind.eq(&code)),
        );
        diesel::delete(target).execute(c)?;
        if enabled {
            diesel::insert_into(approval_rules::table)
                .values((
                    approval_rules::territory_code.eq(&rule_territory),
                    approval_rules::kind.eq(&code),
                    approval_rules::enabled_by_id.eq(&actor_id),
                    approval_rules::enabled_at.eq(now),
                ))
                .execute(c)?;
        }
        audit::record(c, &audit)
    })
    .await?;
    let body = if enabled {
        ApprovalRule {
            territory,
            kind,
            enabled: true,
            enabled_by: Some(uuid(&actor.id)?),
            enabled_at: Some(now.and_utc()),
        }
    } else {
        ApprovalRule {
            territory,
            kind,
            enabled: false,
            enabled_by: None,
            enabled_at: None,
        }
    };
    Ok(HttpResponse::Ok().json(body))
}
