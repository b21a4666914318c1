//! Queries on case plans: one plan per case (`case_plans`, whose version is the plan's ETag),
//! its objectives and their actions, replaced whole on each write. Descriptions are sealed.
use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::cases::{CasePlan, PlanAction, PlanObjective, PlanStatus, ReplacePlan};

use super::rows::{open, uuid};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_plans, organizations, plan_actions, plan_objectives};

type PlanRow = (String, i32, String, NaiveDateTime, NaiveDateTime);
type ObjectiveRow = (String, String, String);
type ActionRow = (
    String,
    String,
    String,
    Option<String>,
    Option<NaiveDate>,
    String,
);

/// The version of a case's plan, if it has one.
pub fn version(conn: &mut DbConn, case_id: &str) -> Result<Option<i32>, ApiError> {
    Ok(case_plans::table
        .find(case_id)
        .select(case_plans::version)
        .first(conn)
        .optional()?)
}

/// The ids of the active organizations named by their codes (code → id); the codes not in it
/// name no active organization.
pub fn organizations(
    conn: &mut DbConn,
    codes: Vec<String>,
) -> Result<HashMap<String, String>, ApiError> {
    Ok(organizations::table
        .filter(organizations::code.eq_any(codes))
        .filter(organizations::active.eq(true))
        .select((organizations::code, organizations::id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// Writes a case's plan: creates it (`version` None; 428 when one exists already) or replaces
/// it if still at `version` (412 when stale). The plan's row is the effect's first
/// statement. `orgs` maps the organization codes of the plan to their ids. Returns the new
/// version.
#[allow(clippy::too_many_arguments)]
pub fn write(
    conn: &mut DbConn,
    keys: &Keyring,
    case_id: &str,
    version: Option<i32>,
    status: PlanStatus,
    plan: &ReplacePlan,
    orgs: &HashMap<String, String>,
    by: &str,
    now: NaiveDateTime,
) -> Result<i32, ApiError> {
    use diesel::result::{DatabaseErrorKind, Error};
    let status = to_code(&status);
    let next = match version {
        None => {
            let inserted = diesel::insert_into(case_plans::table)
                .values((
                    case_plans::case_id.eq(case_id),
                    case_plans::status.eq(&status),
                    case_plans::version.eq(1),
                    case_plans::updated_by_id.eq(by),
                    case_plans::created_at.eq(now),
                    case_plans::updated_at.eq(now),
                ))
                .execute(conn);
            match inserted {
                Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                    return Err(ApiError::PreconditionRequired)
                }
                other => other?,
            };
            1
        }
        Some(v) => {
            let target = case_plans::table.filter(
                case_plans::case_id
                    .eq(case_id)
                    .and(case_plans::version.eq(v)),
            );
            let updated = diesel::update(target)
                .set((
                    case_plans::status.eq(&status),
                    case_plans::version.eq(v + 1),
                    case_plans::updated_by_id.eq(by),
                    case_plans::updated_at.eq(now),
                ))
                .execute(conn)?;
            if updated == 0 {
                return Err(ApiError::PreconditionFailed);
            }
            v + 1
        }
    };
    diesel::delete(plan_actions::table.filter(plan_actions::case_id.eq(case_id))).execute(conn)?;
    diesel::delete(plan_objectives::table.filter(plan_objectives::case_id.eq(case_id)))
        .execute(conn)?;
    for (position, objective) in (0..).zip(&plan.objectives) {
        let objective_id = uuid::Uuid::now_v7().to_string();
        let sealed = keys.seal(
            super::rows::place("plan_objectives", "description", &objective_id),
            &objective.description,
        )?;
        diesel::insert_into(plan_objectives::table)
            .values((
                plan_objectives::id.eq(&objective_id),
                plan_objectives::case_id.eq(case_id),
                plan_objectives::position.eq(position),
                plan_objectives::domain.eq(to_code(&objective.domain)),
                plan_objectives::description_sealed.eq(sealed),
            ))
            .execute(conn)?;
        for (position, action) in (0..).zip(&objective.actions) {
            let id = uuid::Uuid::now_v7().to_string();
            let sealed = keys.seal(
                super::rows::place("plan_actions", "description", &id),
                &action.description,
            )?;
            let org = action
                .responsible_organization
                .as_ref()
                .and_then(|code| orgs.get(code));
            diesel::insert_into(plan_actions::table)
                .values((
                    plan_actions::id.eq(&id),
                    plan_actions::case_id.eq(case_id),
                    plan_actions::objective_id.eq(&objective_id),
                    plan_actions::position.eq(position),
                    plan_actions::description_sealed.eq(sealed),
                    plan_actions::responsible_org.eq(org),
                    plan_actions::due_date.eq(action.due_date),
                    plan_actions::status.eq(to_code(&action.status)),
                ))
                .execute(conn)?;
        }
    }
    Ok(next)
}

/// A case's plan with its objectives and actions in order (404 when it has none yet).
pub fn find(conn: &mut DbConn, keys: &Keyring, case_id: &str) -> Result<CasePlan, ApiError> {
    let (status, version, by, created_at, updated_at): PlanRow = case_plans::table
        .find(case_id)
        .select((
            case_plans::status,
            case_plans::version,
            case_plans::updated_by_id,
            case_plans::created_at,
            case_plans::updated_at,
        ))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    let objectives: Vec<ObjectiveRow> = plan_objectives::table
        .filter(plan_objectives::case_id.eq(case_id))
        .order(plan_objectives::position)
        .select((
            plan_objectives::id,
            plan_objectives::domain,
            plan_objectives::description_sealed,
        ))
        .load(conn)?;
    let actions: Vec<ActionRow> = plan_actions::table
        .filter(plan_actions::case_id.eq(case_id))
        .order((plan_actions::objective_id, plan_actions::position))
        .select((
            plan_actions::objective_id,
            plan_actions::id,
            plan_actions::description_sealed,
            plan_actions::responsible_org,
            plan_actions::due_date,
            plan_actions::status,
        ))
        .load(conn)?;
    let org_ids: Vec<String> = actions.iter().filter_map(|a| a.3.clone()).collect();
    let codes: HashMap<String, String> = organizations::table
        .filter(organizations::id.eq_any(org_ids))
        .select((organizations::id, organizations::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut by_objective: HashMap<String, Vec<PlanAction>> = HashMap::new();
    for (objective, id, sealed, org, due_date, status) in actions {
        let description = open(keys, ("plan_actions", "description", &id), Some(&sealed))?;
        by_objective.entry(objective).or_default().push(PlanAction {
            id: uuid(&id)?,
            description: description.unwrap_or_default(),
            responsible_organization: org.and_then(|o| codes.get(&o).cloned()),
            due_date,
            status: from_code(&status)?,
        });
    }
    let objectives = objectives
        .into_iter()
        .map(|(id, domain, sealed)| {
            let description = open(keys, ("plan_objectives", "description", &id), Some(&sealed))?;
            Ok(PlanObjective {
                id: uuid(&id)?,
                domain: from_code(&domain)?,
                description: description.unwrap_or_default(),
                actions: by_objective.remove(&id).unwrap_or_default(),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(CasePlan {
        case_id: uuid(case_id)?,
        status: from_code(&status)?,
        version,
        objectives,
        updated_by: uuid(&by)?,
        created_at: created_at.and_utc(),
        updated_at: updated_at.and_utc(),
    })
}
