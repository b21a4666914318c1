//! Queries on cases. The caller's scope is applied inside every query that returns a case;
//! a case's lists (concerns, assigned workers, reports) and its child are loaded for a whole
//! page at once.
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{CaseStage, RiskLevel};
use madar_openapi::reports::ConcernType;

use super::domain;
use super::rows::{Case, CaseRow, ChildSummaryRow};
use crate::auth::policy::CaseScope;
use crate::children::domain::Lookups;
use crate::children::key_store;
use crate::codes::{from_code, to_code};
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{
    case_assignments, case_concerns, case_reports, cases, children, organizations, territories,
};

type Scoped = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::InnerJoin<
        diesel::dsl::InnerJoin<cases::table, organizations::table>,
        territories::table,
    >,
    MultiBackend,
>;

fn joined() -> Scoped {
    cases::table
        .inner_join(organizations::table)
        .inner_join(territories::table)
        .into_boxed()
}

fn scoped(scope: &CaseScope) -> Scoped {
    match scope {
        CaseScope::Subtree(path) => joined().filter(territories::path.like(format!("{path}%"))),
        CaseScope::OwnedBy(org) => joined().filter(cases::owner_org.eq(org.clone())),
        CaseScope::None => joined().filter(cases::id.eq("")),
    }
}

/// Loads the rows a query selects, with their children and lists.
fn load(query: Scoped, conn: &mut DbConn) -> Result<Vec<Case>, ApiError> {
    let rows: Vec<(CaseRow, String, String)> = query
        .select((CaseRow::as_select(), organizations::code, territories::path))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|(r, _, _)| r.id.clone()).collect();
    let child_ids: Vec<String> = rows.iter().map(|(r, _, _)| r.child_id.clone()).collect();
    let children: HashMap<String, ChildSummaryRow> = children::table
        .filter(children::id.eq_any(child_ids))
        .select(ChildSummaryRow::as_select())
        .load::<ChildSummaryRow>(conn)?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut concerns = grouped(
        case_concerns::table
            .filter(case_concerns::case_id.eq_any(ids.clone()))
            .select((case_concerns::case_id, case_concerns::concern_code))
            .load(conn)?,
    );
    let mut assigned = grouped(
        case_assignments::table
            .filter(case_assignments::case_id.eq_any(ids.clone()))
            .order(case_assignments::assigned_at)
            .select((case_assignments::case_id, case_assignments::user_id))
            .load(conn)?,
    );
    let mut reports = grouped(
        case_reports::table
            .filter(case_reports::case_id.eq_any(ids))
            .order(case_reports::attached_at)
            .select((case_reports::case_id, case_reports::report_id))
            .load(conn)?,
    );
    rows.into_iter()
        .map(|(row, organization, territory_path)| {
            // `get`, not `remove`: a page may hold several cases of one child.
            let child = children
                .get(&row.child_id)
                .cloned()
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("case without its child")))?;
            let codes = concerns.remove(&row.id).unwrap_or_default();
            let concerns = codes
                .iter()
                .map(|c| from_code::<ConcernType>(c))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Case {
                assigned: assigned.remove(&row.id).unwrap_or_default(),
                reports: reports.remove(&row.id).unwrap_or_default(),
                concerns: domain::concerns(concerns),
                row,
                child,
                organization,
                territory_path,
            })
        })
        .collect()
}

fn grouped(pairs: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (key, value) in pairs {
        map.entry(key).or_default().push(value);
    }
    map
}

/// One case within the caller's scope (404 otherwise).
pub fn find(conn: &mut DbConn, scope: &CaseScope, id: &str) -> Result<Case, ApiError> {
    load(scoped(scope).filter(cases::id.eq(id.to_string())), conn)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// The id of a case within the caller's scope, with its version (404 otherwise): what a
/// write on the case's parts checks first.
pub fn check(conn: &mut DbConn, scope: &CaseScope, id: &str) -> Result<(String, i32), ApiError> {
    scoped(scope)
        .filter(cases::id.eq(id.to_string()))
        .select((cases::id, cases::version))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// What a work list asks for.
#[derive(Debug, Clone, Default)]
pub struct WorkList {
    pub assigned_to: Option<String>,
    pub organization: Option<String>,
    /// A territory's path: its subtree.
    pub territory_path: Option<String>,
    pub stage: Option<CaseStage>,
    pub risk: Option<RiskLevel>,
    pub concern: Option<ConcernType>,
    pub child: Option<String>,
    /// Reference prefixes, each alone or with the name words.
    pub reference: Option<String>,
    pub words: Vec<Lookups>,
    /// The (priority, id) the previous page ended at.
    pub after: Option<(i32, String)>,
    pub limit: i64,
}

/// A page of a work list: urgent first, then the oldest case (ids are time-ordered).
pub fn list(conn: &mut DbConn, scope: &CaseScope, w: &WorkList) -> Result<Vec<Case>, ApiError> {
    let mut query = scoped(scope)
        .order((cases::priority, cases::id))
        .limit(w.limit);
    if let Some(user) = &w.assigned_to {
        let assigned = case_assignments::table
            .filter(case_assignments::user_id.eq(user.clone()))
            .select(case_assignments::case_id);
        query = query.filter(cases::id.eq_any(assigned));
    }
    if let Some(code) = &w.organization {
        query = query.filter(organizations::code.eq(code.clone()));
    }
    if let Some(path) = &w.territory_path {
        query = query.filter(territories::path.like(format!("{path}%")));
    }
    if let Some(stage) = w.stage {
        query = query.filter(cases::stage.eq(to_code(&stage)));
    }
    if let Some(risk) = w.risk {
        query = query.filter(cases::risk_level.eq(to_code(&risk)));
    }
    if let Some(concern) = w.concern {
        let with = case_concerns::table
            .filter(case_concerns::concern_code.eq(to_code(&concern)))
            .select(case_concerns::case_id);
        query = query.filter(cases::id.eq_any(with));
    }
    if let Some(child) = &w.child {
        query = query.filter(cases::child_id.eq(child.clone()));
    }
    if let Some(prefix) = &w.reference {
        query = query.filter(cases::reference.like(format!("{prefix}%")));
    }
    for word in &w.words {
        query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            &key_store::keyed_sql("cases.child_id", word),
        ));
    }
    if let Some((priority, id)) = &w.after {
        query = query.filter(
            cases::priority
                .gt(*priority)
                .or(cases::priority.eq(*priority).and(cases::id.gt(id.clone()))),
        );
    }
    load(query, conn)
}

/// The values `PATCH` sets.
#[derive(Debug, Clone)]
pub struct Changes {
    pub assigned_to: Option<Vec<String>>,
    pub concerns: Option<Vec<ConcernType>>,
    pub urgency: Option<RiskLevel>,
}

/// Applies changes if the case is still at `version` (compare-and-set, the transaction's first
/// statement; 412 when stale).
pub fn update(
    conn: &mut DbConn,
    id: &str,
    version: i32,
    changes: &Changes,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let target = cases::table.filter(cases::id.eq(id).and(cases::version.eq(version)));
    let updated = match changes.urgency {
        Some(urgency) => diesel::update(target)
            .set((
                cases::urgency.eq(to_code(&urgency)),
                cases::priority.eq(domain::priority(urgency)),
                cases::version.eq(version + 1),
                cases::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set((cases::version.eq(version + 1), cases::updated_at.eq(now)))
            .execute(conn)?,
    };
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(concerns) = &changes.concerns {
        diesel::delete(case_concerns::table.filter(case_concerns::case_id.eq(id))).execute(conn)?;
        add_concerns(conn, id, concerns)?;
    }
    if let Some(users) = &changes.assigned_to {
        diesel::delete(case_assignments::table.filter(case_assignments::case_id.eq(id)))
            .execute(conn)?;
        for user in users {
            diesel::insert_into(case_assignments::table)
                .values((
                    case_assignments::case_id.eq(id),
                    case_assignments::user_id.eq(user),
                    case_assignments::assigned_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Adds concerns a case does not have yet.
pub fn add_concerns(conn: &mut DbConn, id: &str, concerns: &[ConcernType]) -> Result<(), ApiError> {
    let have: Vec<String> = case_concerns::table
        .filter(case_concerns::case_id.eq(id))
        .select(case_concerns::concern_code)
        .load(conn)?;
    for concern in domain::concerns(concerns.to_vec()) {
        let code = to_code(&concern);
        if !have.contains(&code) {
            diesel::insert_into(case_concerns::table)
                .values((
                    case_concerns::case_id.eq(id),
                    case_concerns::concern_code.eq(code),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Bumps a case's version and time: a write on one of its parts changes its ETag too, so a
/// worker holding an old read of the case finds out. `Some(version)` makes it a
/// compare-and-set (412 when stale).
pub fn touch(
    conn: &mut DbConn,
    id: &str,
    version: Option<i32>,
    now: NaiveDateTime,
) -> Result<i32, ApiError> {
    let set = (
        cases::version.eq(cases::version + 1),
        cases::updated_at.eq(now),
    );
    let updated = match version {
        Some(v) => diesel::update(cases::table.filter(cases::id.eq(id).and(cases::version.eq(v))))
            .set(set)
            .execute(conn)?,
        None => diesel::update(cases::table.filter(cases::id.eq(id)))
            .set(set)
            .execute(conn)?,
    };
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(cases::table.find(id).select(cases::version).first(conn)?)
}

/// Which of `users` are active case workers or coordinators of `organization`.
pub fn staff_of(
    conn: &mut DbConn,
    organization: &str,
    users: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    use crate::schema::users;
    Ok(users::table
        .filter(users::id.eq_any(users))
        .filter(users::organization_id.eq(organization))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(["case_worker", "coordinator"]))
        .select(users::id)
        .load(conn)?)
}
