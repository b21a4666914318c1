//! `/api/v1/plans`: provincial action plans. Coordinators create and change the plans of their
//! subtree's territories and record progress; coordinators and analysts read those of their
//! subtree, admins all (a plan outside answers 404). Other roles: 403.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use madar_openapi::plans::{
    ActionPlanObjective, ActionPlanResponse, ActionPlanStatus, ActionPlanSummary, CreateActionPlan,
    PlanProgressResponse, RecordPlanProgress, UpdateActionPlan,
};
use madar_openapi::{FieldError, Page};
use serde::Deserialize;
use utoipa::IntoParams;

use super::store::{self, NewPlan, PlanRow};
use super::{domain, values};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, manages_plan_of, plan_scope, statistics_scope, Action};
use crate::auth::Actor;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, IfMatch, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// What is needed to answer with a whole plan.
struct Reader {
    scope: crate::auth::policy::StatisticsScope,
    today: NaiveDate,
    k: i64,
}

impl Reader {
    fn of(state: &AppState, actor: &Actor) -> Reader {
        Reader {
            scope: statistics_scope(actor),
            today: state.clock.now().date_naive(),
            k: i64::from(state.settings.statistics_k),
        }
    }

    fn response(&self, conn: &mut DbConn, plan: &PlanRow) -> Result<ActionPlanResponse, ApiError> {
        let history = store::progress(conn, &plan.id)?;
        let objectives = plan.objectives()?;
        let summary = plan.summary()?;
        Ok(ActionPlanResponse {
            id: summary.id,
            territory: summary.territory,
            title: summary.title,
            starts_on: summary.starts_on,
            ends_on: summary.ends_on,
            status: summary.status,
            measures: domain::measure_states(&objectives, &history),
            indicators: values::values(conn, &self.scope, plan, &history, self.today, self.k)?,
            objectives,
            version: plan.version,
            created_at: plan.created_at.and_utc(),
            updated_at: plan.updated_at.and_utc(),
        })
    }
}

/// Every problem of a plan's period and contents, the database's checks included
/// (organizations, bound queries); 422 listing them.
fn check(
    conn: &mut DbConn,
    territory: &str,
    (starts_on, ends_on): (NaiveDate, NaiveDate),
    objectives: &[ActionPlanObjective],
    today: NaiveDate,
) -> Result<(), ApiError> {
    let mut problems: Vec<FieldError> = domain::period_problems(starts_on, ends_on);
    problems.extend(domain::content_problems(objectives));
    let named: Vec<String> = domain::measures(objectives)
        .into_iter()
        .flat_map(|(_, m)| m.responsible.iter().cloned())
        .collect();
    let unknown = store::unknown_organizations(conn, &named)?;
    for (i, objective) in objectives.iter().enumerate() {
        for (j, measure) in objective.measures.iter().enumerate() {
            let at = format!("objectives[{i}].measures[{j}]");
            for code in measure.responsible.iter().filter(|c| unknown.contains(c)) {
                problems.push(FieldError {
                    field: format!("{at}.responsible"),
                    code: "unknown_organization".into(),
                    message: format!("`{code}` names no organization"),
                });
            }
            for (k, indicator) in measure.indicators.iter().enumerate() {
                if let Some(query) = &indicator.statistics_query {
                    let field = format!("{at}.indicators[{k}].statistics_query");
                    problems.extend(values::query_problems(&field, query, territory, today));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(problems))
    }
}

/// Creates a draft plan for a territory of the coordinator's subtree (another: 403). 422 lists
/// every problem: the period, keys repeated, unknown organizations, bound queries that are not
/// statistics queries or set the plan's own territory, period or grouping.
#[utoipa::path(
    tag = "plans",
    request_body = CreateActionPlan,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "The draft plan", body = ActionPlanResponse), ProblemResponse)
)]
#[post("/plans")]
pub async fn create_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateActionPlan>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManagePlans)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let code = new.territory.clone();
    let path = db::run(&state.pool, move |c| store::territory_path(c, &code)).await?;
    let path = path.ok_or_else(|| {
        ApiError::validation("territory", "unknown_territory", "names no territory")
    })?;
    if !manages_plan_of(&actor, &path) {
        return Err(ApiError::Forbidden);
    }
    let reader = Reader::of(&state, &actor);
    let now = state.clock.now_naive();
    let event = AuditEvent::by(&actor, AuditAction::ActionPlanCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let period = (new.starts_on, new.ends_on);
        check(c, &new.territory, period, &new.objectives, reader.today)?;
        let n = NewPlan {
            territory: &new.territory,
            title: &new.title,
            starts_on: new.starts_on,
            ends_on: new.ends_on,
            objectives: &new.objectives,
            by: &actor.id,
        };
        let id = store::create(c, &n, now)?;
        audit::record(c, &event.on(Resource::ActionPlan, &id))?;
        let (row, _) = store::find(c, &id, None)?;
        Stored::created(
            format!("/api/v1/plans/{id}"),
            row.version,
            &reader.response(c, &row)?,
        )
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    /// Only the plans of this territory and its subtree.
    pub territory: Option<String>,
    #[param(inline)]
    pub status: Option<ActionPlanStatus>,
}

/// Plans in the caller's scope, newest first.
#[utoipa::path(
    tag = "plans",
    params(ListQuery, PlanFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of plans", body = Page<ActionPlanSummary>), ProblemResponse)
)]
#[get("/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<PlanFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadPlans)?;
    let filter = filter.into_inner();
    let (limit, after) = (query.limit()?, query.after()?);
    let scope = plan_scope(&actor);
    let rows = db::run(&state.pool, move |c| {
        let within = match &filter.territory {
            Some(code) => Some(store::territory_path(c, code)?.ok_or_else(|| {
                ApiError::validation("territory", "unknown_territory", "names no territory")
            })?),
            None => None,
        };
        let f = store::Filter {
            scope,
            within,
            status: filter.status,
            after,
            limit: limit + 1,
        };
        store::list(c, &f)
    })
    .await?;
    let (rows, next_cursor) = page(rows, limit, |r| r.id.clone());
    let items = rows
        .iter()
        .map(PlanRow::summary)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One plan, with each measure's state (its last progress) and each indicator's value now:
/// bound ones counted over the plan's territory and period so far (suppressed under k for
/// analysts and admins, as statistics are), typed ones as last recorded.
#[utoipa::path(
    tag = "plans",
    params(("id" = uuid::Uuid, Path, description = "Plan id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The plan", body = ActionPlanResponse), ProblemResponse)
)]
#[get("/plans/{id}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadPlans)?;
    let (id, scope, reader) = (
        id.to_string(),
        plan_scope(&actor),
        Reader::of(&state, &actor),
    );
    let (row, body) = db::run(&state.pool, move |c| {
        let (row, _) = store::find(c, &id, scope.as_deref())?;
        let body = reader.response(c, &row)?;
        Ok((row, body))
    })
    .await?;
    Ok(record(StatusCode::OK, row.version, &body))
}

/// Changes a plan (If-Match): its title, period, contents, or status (`draft → active →
/// closed`, never back); a closed plan is frozen (409 `plan_closed`).
#[utoipa::path(
    tag = "plans",
    params(
        ("id" = uuid::Uuid, Path, description = "Plan id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
    ),
    request_body = UpdateActionPlan,
    security(("bearer" = [])),
    responses((status = 200, description = "The changed plan", body = ActionPlanResponse), ProblemResponse)
)]
#[patch("/plans/{id}")]
pub async fn update_plan(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateActionPlan>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManagePlans)?;
    let version = if_match?.0;
    let change = body?.0;
    let (id, scope, reader) = (
        id.to_string(),
        plan_scope(&actor),
        Reader::of(&state, &actor),
    );
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::ActionPlanUpdate, now).on(Resource::ActionPlan, &id);
    let (row, body) = db::transaction(&state.pool, move |c| {
        let (current, path) = store::find(c, &id, scope.as_deref())?;
        if !manages_plan_of(&actor, &path) {
            return Err(ApiError::Forbidden);
        }
        let period = (
            change.starts_on.unwrap_or(current.starts_on),
            change.ends_on.unwrap_or(current.ends_on),
        );
        let objectives = match &change.objectives {
            Some(o) => o.clone(),
            None => current.objectives()?,
        };
        check(
            c,
            &current.territory_code,
            period,
            &objectives,
            reader.today,
        )?;
        if let Some(status) = change.status {
            if rank(status) < rank(current.status()?) {
                return Err(ApiError::validation(
                    "status",
                    "not_allowed",
                    "a plan moves from draft to active to closed, never back",
                ));
            }
        }
        store::touch(c, &current, version, now)?;
        let update = store::Change {
            title: change.title.as_deref(),
            starts_on: period.0,
            ends_on: period.1,
            status: change.status,
            objectives: change.objectives.as_deref(),
        };
        store::update(c, &id, &update)?;
        audit::record(c, &event)?;
        let (row, _) = store::find(c, &id, None)?;
        let body = reader.response(c, &row)?;
        Ok((row, body))
    })
    .await?;
    Ok(record(StatusCode::OK, row.version, &body))
}

fn rank(status: ActionPlanStatus) -> u8 {
    match status {
        ActionPlanStatus::Draft => 0,
        ActionPlanStatus::Active => 1,
        ActionPlanStatus::Closed => 2,
    }
}

/// Records progress on a measure of an active plan (409 `plan_not_active` otherwise): its
/// status, share done, the day, a note, and the values of its typed indicators (a bound one
/// is computed: 422).
#[utoipa::path(
    tag = "plans",
    params(
        ("id" = uuid::Uuid, Path, description = "Plan id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = RecordPlanProgress,
    security(("bearer" = [])),
    responses((status = 201, description = "The progress record", body = PlanProgressResponse), ProblemResponse)
)]
#[post("/plans/{id}/progress")]
pub async fn record_progress(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<RecordPlanProgress>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManagePlans)?;
    let progress = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &progress)?;
    let (id, scope) = (id.to_string(), plan_scope(&actor));
    let now = state.clock.now_naive();
    let event =
        AuditEvent::by(&actor, AuditAction::ActionPlanProgress, now).on(Resource::ActionPlan, &id);
    idempotency::run(&state.pool, request, now, move |c| {
        let (plan, path) = store::find(c, &id, scope.as_deref())?;
        if !manages_plan_of(&actor, &path) {
            return Err(ApiError::Forbidden);
        }
        let problems = domain::progress_problems(
            plan.status()?,
            &plan.objectives()?,
            plan.starts_on,
            &progress,
        )
        .map_err(|code| ApiError::conflict(code, "Progress is recorded on an active plan only."))?;
        if !problems.is_empty() {
            return Err(ApiError::Validation(problems));
        }
        let saved = store::record_progress(c, &id, &progress, &actor.id, now)?;
        audit::record(c, &event)?;
        Stored::created(format!("/api/v1/plans/{id}/progress"), 1, &saved)
    })
    .await
}

/// A plan's progress records, in the order they were recorded.
#[utoipa::path(
    tag = "plans",
    params(("id" = uuid::Uuid, Path, description = "Plan id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The progress records", body = Vec<PlanProgressResponse>), ProblemResponse)
)]
#[get("/plans/{id}/progress")]
pub async fn list_progress(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadPlans)?;
    let (id, scope) = (id.to_string(), plan_scope(&actor));
    let history = db::run(&state.pool, move |c| {
        let (plan, _) = store::find(c, &id, scope.as_deref())?;
        store::progress(c, &plan.id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(history))
}
