//! Queries on action plans and their progress. The reader's scope (a territory path prefix) is
//! applied inside the query: a plan outside it is not found.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::plans::{
    ActionPlanObjective, ActionPlanStatus, ActionPlanSummary, PlanProgressResponse,
    PlanRecordedValue, RecordPlanProgress,
};

use crate::codes::{from_code, to_code};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{action_plans as ap, organizations, plan_progress as pp, territories};

fn internal<E: Into<anyhow::Error>>(e: E) -> ApiError {
    ApiError::Internal(e.into())
}

fn uuid(id: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id).map_err(internal)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ap)]
pub struct PlanRow {
    pub id: String,
    pub territory_code: String,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: String,
    pub objectives: String,
    pub created_by_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
}

impl PlanRow {
    pub fn objectives(&self) -> Result<Vec<ActionPlanObjective>, ApiError> {
        serde_json::from_str(&self.objectives).map_err(internal)
    }

    pub fn status(&self) -> Result<ActionPlanStatus, ApiError> {
        from_code(&self.status)
    }

    pub fn summary(&self) -> Result<ActionPlanSummary, ApiError> {
        Ok(ActionPlanSummary {
            id: uuid(&self.id)?,
            territory: self.territory_code.clone(),
            title: self.title.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            status: self.status()?,
            version: self.version,
            updated_at: self.updated_at.and_utc(),
        })
    }
}

pub fn objectives_text(objectives: &[ActionPlanObjective]) -> Result<String, ApiError> {
    serde_json::to_string(objectives).map_err(internal)
}

/// A territory's materialized path, or None when it does not exist.
pub use crate::protocols::store::territory_path;

/// The codes among `codes` that name no organization.
pub fn unknown_organizations(conn: &mut DbConn, codes: &[String]) -> Result<Vec<String>, ApiError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let known: Vec<String> = organizations::table
        .filter(organizations::code.eq_any(codes))
        .select(organizations::code)
        .load(conn)?;
    Ok(codes
        .iter()
        .filter(|c| !known.contains(c))
        .cloned()
        .collect())
}

pub struct NewPlan<'a> {
    pub territory: &'a str,
    pub title: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub objectives: &'a [ActionPlanObjective],
    pub by: &'a str,
}

pub fn create(conn: &mut DbConn, n: &NewPlan, now: NaiveDateTime) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(ap::table)
        .values((
            ap::id.eq(&id),
            ap::territory_code.eq(n.territory),
            ap::title.eq(n.title),
            ap::starts_on.eq(n.starts_on),
            ap::ends_on.eq(n.ends_on),
            ap::status.eq(to_code(&ActionPlanStatus::Draft)),
            ap::objectives.eq(objectives_text(n.objectives)?),
            ap::created_by_id.eq(n.by),
            ap::created_at.eq(now),
            ap::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The plan `id` if its territory lies within `scope` (a path prefix; `None`: anywhere), with
/// its territory's path.
pub fn find(
    conn: &mut DbConn,
    id: &str,
    scope: Option<&str>,
) -> Result<(PlanRow, String), ApiError> {
    let mut q = ap::table
        .inner_join(territories::table)
        .filter(ap::id.eq(id))
        .select((PlanRow::as_select(), territories::path))
        .into_boxed();
    if let Some(prefix) = scope {
        q = q.filter(territories::path.like(format!("{prefix}%")));
    }
    q.first(conn).optional()?.ok_or(ApiError::NotFound)
}

pub struct Filter {
    pub scope: Option<String>,
    /// A territory's path: its plans and those of its subtree.
    pub within: Option<String>,
    pub status: Option<ActionPlanStatus>,
    pub after: Option<String>,
    pub limit: i64,
}

/// Plans in scope, newest first.
pub fn list(conn: &mut DbConn, f: &Filter) -> Result<Vec<PlanRow>, ApiError> {
    let mut q = ap::table
        .inner_join(territories::table)
        .select(PlanRow::as_select())
        .order(ap::id.desc())
        .limit(f.limit)
        .into_boxed();
    for prefix in [&f.scope, &f.within].into_iter().flatten() {
        q = q.filter(territories::path.like(format!("{prefix}%")));
    }
    if let Some(s) = f.status {
        q = q.filter(ap::status.eq(to_code(&s)));
    }
    if let Some(after) = &f.after {
        q = q.filter(ap::id.lt(after.clone()));
    }
    Ok(q.load(conn)?)
}

/// Takes the plan (as just read) at `version` (412 otherwise) and bumps it; a closed plan is
/// frozen (409).
pub fn touch(
    conn: &mut DbConn,
    current: &PlanRow,
    version: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if current.status()? == ActionPlanStatus::Closed {
        return Err(ApiError::conflict("plan_closed", "a closed plan is frozen"));
    }
    let n = diesel::update(ap::table.filter(ap::id.eq(&current.id).and(ap::version.eq(version))))
        .set((ap::version.eq(version + 1), ap::updated_at.eq(now)))
        .execute(conn)?;
    if n == 1 {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

pub struct Change<'a> {
    pub title: Option<&'a str>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: Option<ActionPlanStatus>,
    pub objectives: Option<&'a [ActionPlanObjective]>,
}

/// The columns a change sets (absent ones untouched), in one statement.
#[derive(AsChangeset)]
#[diesel(table_name = ap)]
struct Columns<'a> {
    title: Option<&'a str>,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    status: Option<String>,
    objectives: Option<String>,
}

pub fn update(conn: &mut DbConn, id: &str, c: &Change) -> Result<(), ApiError> {
    let columns = Columns {
        title: c.title,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        status: c.status.map(|s| to_code(&s)),
        objectives: c.objectives.map(objectives_text).transpose()?,
    };
    diesel::update(ap::table.filter(ap::id.eq(id)))
        .set(&columns)
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pp)]
struct ProgressRow {
    id: String,
    measure_key: String,
    status: String,
    percent_done: i32,
    as_of: NaiveDate,
    note: Option<String>,
    recorded_values: String,
    recorded_at: NaiveDateTime,
}

impl ProgressRow {
    fn response(&self) -> Result<PlanProgressResponse, ApiError> {
        Ok(PlanProgressResponse {
            id: uuid(&self.id)?,
            measure: self.measure_key.clone(),
            status: from_code(&self.status)?,
            percent_done: self.percent_done,
            as_of: self.as_of,
            note: self.note.clone(),
            values: serde_json::from_str::<Vec<PlanRecordedValue>>(&self.recorded_values)
                .map_err(internal)?,
            recorded_at: self.recorded_at.and_utc(),
        })
    }
}

/// Appends a progress record; the record as stored.
pub fn record_progress(
    conn: &mut DbConn,
    plan_id: &str,
    p: &RecordPlanProgress,
    by: &str,
    now: NaiveDateTime,
) -> Result<PlanProgressResponse, ApiError> {
    let record = uuid::Uuid::now_v7();
    let id = record.to_string();
    diesel::insert_into(pp::table)
        .values((
            pp::id.eq(&id),
            pp::plan_id.eq(plan_id),
            pp::measure_key.eq(&p.measure),
            pp::status.eq(to_code(&p.status)),
            pp::percent_done.eq(p.percent_done),
            pp::as_of.eq(p.as_of),
            pp::note.eq(p.note.as_deref()),
            pp::recorded_values.eq(serde_json::to_string(&p.values).map_err(internal)?),
            pp::recorded_by_id.eq(by),
            pp::recorded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(PlanProgressResponse {
        id: record,
        measure: p.measure.clone(),
        status: p.status,
        percent_done: p.percent_done,
        as_of: p.as_of,
        note: p.note.clone(),
        values: p.values.clone(),
        recorded_at: now.and_utc(),
    })
}

/// A plan's progress records, in recording order.
pub fn progress(conn: &mut DbConn, plan_id: &str) -> Result<Vec<PlanProgressResponse>, ApiError> {
    let rows: Vec<ProgressRow> = pp::table
        .filter(pp::plan_id.eq(plan_id))
        .order(pp::id.asc())
        .select(ProgressRow::as_select())
        .load(conn)?;
    rows.iter().map(ProgressRow::response).collect()
}
