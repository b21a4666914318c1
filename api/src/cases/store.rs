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
use crate::schema::{case_assignments, case_concerns, cases, children, organizations, territories};
use crate::statistics::tally;

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
        CaseScope::Subtree { path, granted } => {
            let within = territories::path.like(format!("{path}%"));
            if granted.is_empty() {
                joined().filter(within)
            } else {
                joined().filter(within.or(cases::id.eq_any(granted.clone())))
            }
        }
        CaseScope::OwnedBy(org) => joined().filter(cases::owner_org.eq(org.clone())),
        CaseScope::None => joined().filter(cases::id.eq("")),
    }
}

/// Loads the rows a query selects, with their children and lists.
fn load(query: Scoped, conn: &mut DbConn) -> Result<Vec<Case>, ApiError> {
    let rows: Vec<(CaseRow, String, String)> = query
        .select((CaseRow::as_select(), organizations::code, territories::path))
        .load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|(r, _, _)| r.id.clone()).collect();
    let child_ids: Vec<String> = rows.iter().map(|(r, _, _)| r.child_id.clone()).collect();
    let children: HashMap<String, ChildSummaryRow> = children::table
        .filter(children::id.eq_any(child_ids))
        .select(ChildSummaryRow::as_select())
        .load::<ChildSummaryRow>(conn)?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let (mut concerns, mut assigned, mut reports) = lists(conn, &ids)?;
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

/// One item of a case's lists, as `lists` reads them.
#[derive(QueryableByName)]
struct ListItem {
    #[diesel(sql_type = diesel::sql_types::Text)]
    case_id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// The concerns, assigned workers (in order of assignment) and reports (in order of
/// attachment) of the cases `ids`, by case. On PostgreSQL one statement for the three lists
/// (a case read is the most frequent request, and each statement is a round trip), the ids
/// one array parameter.
#[allow(clippy::type_complexity)]
fn lists(
    conn: &mut DbConn,
    ids: &[String],
) -> Result<
    (
        HashMap<String, Vec<String>>,
        HashMap<String, Vec<String>>,
        HashMap<String, Vec<String>>,
    ),
    ApiError,
> {
    const SQL: &str = "SELECT case_id, 'c' AS kind, concern_code AS value, \
         CAST(NULL AS TIMESTAMP) AS at FROM case_concerns WHERE case_id IN (IDS) \
         UNION ALL SELECT case_id, 'a', user_id, assigned_at FROM case_assignments \
         WHERE case_id IN (IDS) \
         UNION ALL SELECT case_id, 'r', report_id, attached_at FROM case_reports \
         WHERE case_id IN (IDS) ORDER BY 2, 4, 3";
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let items: Vec<ListItem> = match conn {
        DbConn::Postgres(pg) => diesel::sql_query(SQL.replace("IN (IDS)", "= ANY($1)"))
            .bind::<diesel::sql_types::Array<diesel::sql_types::Text>, _>(ids)
            .load(pg)?,
        // SQLite runs in the process (no round trip to save) and caches the three simple
        // statements prepared, which parse faster than the union each time.
        DbConn::Sqlite(_) => {
            let grouped = |pairs: Vec<(String, String)>| {
                let mut map: HashMap<String, Vec<String>> = HashMap::new();
                for (key, value) in pairs {
                    map.entry(key).or_default().push(value);
                }
                map
            };
            let concerns = grouped(
                case_concerns::table
                    .filter(case_concerns::case_id.eq_any(ids.to_vec()))
                    .select((case_concerns::case_id, case_concerns::concern_code))
                    .load(conn)?,
            );
            let assigned = grouped(
                case_assignments::table
                    .filter(case_assignments::case_id.eq_any(ids.to_vec()))
                    .order(case_assignments::assigned_at)
                    .select((case_assignments::case_id, case_assignments::user_id))
                    .load(conn)?,
            );
            let reports = grouped(
                crate::schema::case_reports::table
                    .filter(crate::schema::case_reports::case_id.eq_any(ids.to_vec()))
                    .order(crate::schema::case_reports::attached_at)
                    .select((
                        crate::schema::case_reports::case_id,
                        crate::schema::case_reports::report_id,
                    ))
                    .load(conn)?,
            );
            return Ok((concerns, assigned, reports));
        }
    };
    let (mut concerns, mut assigned, mut reports) =
        (HashMap::new(), HashMap::new(), HashMap::new());
    for item in items {
        let list: &mut HashMap<String, Vec<String>> = match item.kind.as_str() {
            "c" => &mut concerns,
            "a" => &mut assigned,
            _ => &mut reports,
        };
        list.entry(item.case_id).or_default().push(item.value);
    }
    Ok((concerns, assigned, reports))
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

/// From how many assigned cases a worker's list walks the work-list index instead of reading
/// all their cases (`list`).
const WALK_FROM_HELD: i64 = 500;

/// A page of a work list: urgent first, then the oldest case (ids are time-ordered).
pub fn list(conn: &mut DbConn, scope: &CaseScope, w: &WorkList) -> Result<Vec<Case>, ApiError> {
    let mut query = scoped(scope)
        .order((cases::priority, cases::id))
        .limit(w.limit);
    if let Some(user) = &w.assigned_to {
        // Two plans, chosen by how many cases the worker holds (an index-only count). Few:
        // read them all through `case_assignments_user` and sort them. Many: walk the scope's
        // index in work-list order (`cases_owner`, `cases_worklist`) and keep the worker's, so
        // a page costs about `limit` × (scope's cases / worker's cases) index steps, not one
        // row per case the worker holds. The planner cannot choose this itself: it takes a
        // worker's cases and their organization's for independent, so it expects almost no
        // hit in the walk. The per-row check is a scalar subquery, which it does not turn
        // into a join.
        let held: i64 = case_assignments::table
            .filter(case_assignments::user_id.eq(user.clone()))
            .count()
            .get_result(conn)?;
        if held <= WALK_FROM_HELD {
            let assigned = case_assignments::table
                .filter(case_assignments::user_id.eq(user.clone()))
                .select(case_assignments::case_id);
            query = query.filter(cases::id.eq_any(assigned));
        } else {
            query = query.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "(SELECT 1 FROM case_assignments ca WHERE ca.case_id = cases.id \
                     AND ca.user_id = ",
                )
                .bind::<diesel::sql_types::Text, _>(user.clone())
                .sql(" LIMIT 1) IS NOT NULL"),
            );
        }
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
        // A row comparison, in the order of the work-list indexes `(…, priority, id)`, so that
        // the next page starts with an index seek on both backends (an OR of the two
        // conditions is a filter instead).
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("(cases.priority, cases.id) > (")
                .bind::<diesel::sql_types::Integer, _>(*priority)
                .sql(", ")
                .bind::<diesel::sql_types::Text, _>(id.clone())
                .sql(")"),
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
        let counted = tally::case_before(conn, id)?;
        diesel::delete(case_concerns::table.filter(case_concerns::case_id.eq(id))).execute(conn)?;
        add_concerns(conn, id, concerns)?;
        tally::case_after(conn, id, counted)?;
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
