//! Queries on protocols and protocol actions. Protocols are reference data (no child data):
//! every staff role that reads them sees them all. Actions are reached through their case or
//! report, within the caller's scope (the scope filters mirror those of `cases::store` and
//! `reports::store`, applied inside the query).
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::protocols::{
    ProtocolActionResponse, ProtocolActionStatus, ProtocolResponse, ProtocolRule, ProtocolStatus,
};

use super::domain::NATIONAL;
use crate::auth::policy::{CaseScope, ReportScope};
use crate::codes::{from_code, to_code};
use crate::crypto::{Keyring, Place};
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{
    cases, protocol_actions as pa, protocols as p, report_children, report_routes, reports,
    territories,
};
use crate::statistics::tally;
use diesel::sql_types::Bool;

fn uuid(id: &str) -> Result<uuid::Uuid, ApiError> {
    uuid::Uuid::parse_str(id).map_err(|e| ApiError::Internal(e.into()))
}

fn rules_of(text: &str) -> Result<Vec<ProtocolRule>, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::Internal(e.into()))
}

pub fn rules_text(rules: &[ProtocolRule]) -> Result<String, ApiError> {
    serde_json::to_string(rules).map_err(|e| ApiError::Internal(e.into()))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = p)]
pub struct ProtocolRow {
    pub id: String,
    pub territory_code: String,
    pub title: String,
    pub status: String,
    pub rules: String,
    pub created_by_id: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub retired_at: Option<NaiveDateTime>,
    pub version: i32,
}

impl ProtocolRow {
    pub fn rules(&self) -> Result<Vec<ProtocolRule>, ApiError> {
        rules_of(&self.rules)
    }

    pub fn status(&self) -> Result<ProtocolStatus, ApiError> {
        from_code(&self.status)
    }

    pub fn response(&self) -> Result<ProtocolResponse, ApiError> {
        Ok(ProtocolResponse {
            id: uuid(&self.id)?,
            territory: self.territory_code.clone(),
            national: self.territory_code == NATIONAL,
            title: self.title.clone(),
            status: self.status()?,
            rules: self.rules()?,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            published_at: self.published_at.map(|t| t.and_utc()),
            retired_at: self.retired_at.map(|t| t.and_utc()),
        })
    }
}

/// A territory's materialized path (`MA/MA-04/421/`), or None when it does not exist.
pub fn territory_path(conn: &mut DbConn, code: &str) -> Result<Option<String>, ApiError> {
    Ok(territories::table
        .find(code)
        .select(territories::path)
        .first(conn)
        .optional()?)
}

pub struct NewProtocol<'a> {
    pub territory: &'a str,
    pub title: &'a str,
    pub rules: &'a [ProtocolRule],
    pub status: ProtocolStatus,
    pub by: &'a str,
}

pub fn create(conn: &mut DbConn, n: &NewProtocol, now: NaiveDateTime) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let published = (n.status == ProtocolStatus::Published).then_some(now);
    diesel::insert_into(p::table)
        .values((
            p::id.eq(&id),
            p::territory_code.eq(n.territory),
            p::title.eq(n.title),
            p::status.eq(to_code(&n.status)),
            p::rules.eq(rules_text(n.rules)?),
            p::created_by_id.eq(n.by),
            p::created_at.eq(now),
            p::updated_at.eq(now),
            p::published_at.eq(published),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn find(conn: &mut DbConn, id: &str) -> Result<ProtocolRow, ApiError> {
    p::table
        .find(id)
        .select(ProtocolRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

pub struct Filter {
    pub territory: Option<String>,
    pub status: Option<ProtocolStatus>,
    pub after: Option<String>,
    pub limit: i64,
}

/// Protocol versions, newest first.
pub fn list(conn: &mut DbConn, f: &Filter) -> Result<Vec<ProtocolRow>, ApiError> {
    let mut q = p::table
        .select(ProtocolRow::as_select())
        .order(p::id.desc())
        .limit(f.limit)
        .into_boxed();
    if let Some(t) = &f.territory {
        q = q.filter(p::territory_code.eq(t.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(p::status.eq(to_code(&s)));
    }
    if let Some(a) = &f.after {
        q = q.filter(p::id.lt(a.clone()));
    }
    Ok(q.load(conn)?)
}

/// Compare-and-set on a draft's version (the first statement of a change): 412 when stale,
/// 409 `protocol_not_draft` when it is published or retired, 404 when absent.
pub fn touch_draft(
    conn: &mut DbConn,
    id: &str,
    version: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let n = diesel::update(
        p::table
            .find(id)
            .filter(p::version.eq(version))
            .filter(p::status.eq(to_code(&ProtocolStatus::Draft))),
    )
    .set((p::version.eq(p::version + 1), p::updated_at.eq(now)))
    .execute(conn)?;
    if n == 1 {
        return Ok(());
    }
    let row = find(conn, id)?;
    if row.status()? != ProtocolStatus::Draft {
        return Err(ApiError::conflict(
            "protocol_not_draft",
            "Only a draft changes; create a new draft.",
        ));
    }
    Err(ApiError::PreconditionFailed)
}

pub fn update_draft(
    conn: &mut DbConn,
    id: &str,
    title: Option<&str>,
    rules: Option<&[ProtocolRule]>,
) -> Result<(), ApiError> {
    if let Some(t) = title {
        diesel::update(p::table.find(id))
            .set(p::title.eq(t))
            .execute(conn)?;
    }
    if let Some(r) = rules {
        diesel::update(p::table.find(id))
            .set(p::rules.eq(rules_text(r)?))
            .execute(conn)?;
    }
    Ok(())
}

/// Publishes a draft (already touched): retires the version in force for its territory first
/// (one published version per territory). Returns the id retired, if any.
pub fn publish(
    conn: &mut DbConn,
    id: &str,
    territory: &str,
    now: NaiveDateTime,
) -> Result<Option<String>, ApiError> {
    let published = to_code(&ProtocolStatus::Published);
    let previous: Option<String> = p::table
        .filter(p::territory_code.eq(territory))
        .filter(p::status.eq(&published))
        .select(p::id)
        .first(conn)
        .optional()?;
    if let Some(prev) = &previous {
        diesel::update(p::table.find(prev))
            .set((
                p::status.eq(to_code(&ProtocolStatus::Retired)),
                p::retired_at.eq(now),
                p::updated_at.eq(now),
                p::version.eq(p::version + 1),
            ))
            .execute(conn)?;
    }
    diesel::update(p::table.find(id))
        .set((
            p::status.eq(&published),
            p::published_at.eq(now),
            p::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(previous)
}

/// The published protocols of the territories on `path` (a materialized path), with their
/// territory codes.
pub fn in_force_on(conn: &mut DbConn, path: &str) -> Result<Vec<ProtocolRow>, ApiError> {
    let codes: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    Ok(p::table
        .filter(p::territory_code.eq_any(codes))
        .filter(p::status.eq(to_code(&ProtocolStatus::Published)))
        .select(ProtocolRow::as_select())
        .load(conn)?)
}

/// Whether any national protocol exists (whatever its status).
pub fn has_national(conn: &mut DbConn) -> Result<bool, ApiError> {
    let n: i64 = p::table
        .filter(p::territory_code.eq(NATIONAL))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

// ----- actions -----

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pa)]
pub struct ActionRow {
    pub id: String,
    pub protocol_id: String,
    pub rule_key: String,
    pub trigger_event: String,
    pub action: String,
    pub service_type: Option<String>,
    pub responsible: String,
    pub territory_code: String,
    pub report_id: Option<String>,
    pub case_id: Option<String>,
    pub status: String,
    pub due_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub completed_by_id: Option<String>,
    pub waiver_reason_sealed: Option<String>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

const WAIVER: (&str, &str) = ("protocol_actions", "waiver_reason_sealed");

fn waiver_place(id: &str) -> Place<'_> {
    Place {
        table: WAIVER.0,
        column: WAIVER.1,
        row_id: id,
    }
}

impl ActionRow {
    /// Its status at `now`: a pending action past its due time is overdue.
    pub fn status_at(&self, now: NaiveDateTime) -> Result<ProtocolActionStatus, ApiError> {
        let stored: ProtocolActionStatus = from_code(&self.status)?;
        Ok(match stored {
            ProtocolActionStatus::Pending if self.due_at <= now => ProtocolActionStatus::Overdue,
            s => s,
        })
    }

    pub fn response(
        &self,
        keys: &Keyring,
        now: NaiveDateTime,
    ) -> Result<ProtocolActionResponse, ApiError> {
        let waiver_reason = self
            .waiver_reason_sealed
            .as_deref()
            .map(|s| keys.open(waiver_place(&self.id), s))
            .transpose()?;
        Ok(ProtocolActionResponse {
            id: uuid(&self.id)?,
            protocol_id: uuid(&self.protocol_id)?,
            rule_key: self.rule_key.clone(),
            trigger: self.trigger_event.clone(),
            action: self.action.clone(),
            service_type: self.service_type.clone(),
            responsible: self.responsible.clone(),
            report_id: self.report_id.as_deref().map(uuid).transpose()?,
            case_id: self.case_id.as_deref().map(uuid).transpose()?,
            status: self.status_at(now)?,
            due_at: self.due_at.and_utc(),
            created_at: self.created_at.and_utc(),
            completed_at: self.completed_at.map(|t| t.and_utc()),
            waiver_reason,
            proposed_services: vec![],
            version: self.version,
        })
    }
}

/// One action to record.
pub struct NewAction<'a> {
    pub protocol_id: &'a str,
    pub rule_key: &'a str,
    pub event: &'a str,
    pub action: &'a str,
    pub service_type: Option<&'a str>,
    pub responsible: &'a str,
    pub territory: &'a str,
    pub report_id: Option<&'a str>,
    pub case_id: Option<&'a str>,
    pub due_at: NaiveDateTime,
}

pub fn insert_action(
    conn: &mut DbConn,
    a: &NewAction,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(pa::table)
        .values((
            pa::id.eq(&id),
            pa::protocol_id.eq(a.protocol_id),
            pa::rule_key.eq(a.rule_key),
            pa::trigger_event.eq(a.event),
            pa::action.eq(a.action),
            pa::service_type.eq(a.service_type),
            pa::responsible.eq(a.responsible),
            pa::territory_code.eq(a.territory),
            pa::report_id.eq(a.report_id),
            pa::case_id.eq(a.case_id),
            pa::status.eq(to_code(&ProtocolActionStatus::Pending)),
            pa::due_at.eq(a.due_at),
            pa::created_at.eq(now),
            pa::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The actions of a case (`case: true`) or of a report, by due time.
pub fn actions_of(conn: &mut DbConn, id: &str, case: bool) -> Result<Vec<ActionRow>, ApiError> {
    let q = pa::table
        .select(ActionRow::as_select())
        .order((pa::due_at, pa::id))
        .into_boxed();
    let q = if case {
        q.filter(pa::case_id.eq(id.to_string()))
    } else {
        q.filter(pa::report_id.eq(id.to_string()))
    };
    Ok(q.load(conn)?)
}

pub fn find_action(conn: &mut DbConn, id: &str) -> Result<ActionRow, ApiError> {
    pa::table
        .find(id)
        .select(ActionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// The open statuses (what completion and waiver change).
fn open_statuses() -> [String; 2] {
    [
        to_code(&ProtocolActionStatus::Pending),
        to_code(&ProtocolActionStatus::Overdue),
    ]
}

/// Closes an open action (`done` or `waived`), compare-and-set on its version: 412 when
/// stale, 409 `protocol_action_closed` when already done or waived.
#[allow(clippy::too_many_arguments)]
pub fn close(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    version: i32,
    to: ProtocolActionStatus,
    reason: Option<&str>,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let sealed = reason.map(|r| keys.seal(waiver_place(id), r)).transpose()?;
    let ids = [id.to_string()];
    let counted = tally::actions_before(conn, &ids)?;
    let n = diesel::update(
        pa::table
            .find(id)
            .filter(pa::version.eq(version))
            .filter(pa::status.eq_any(open_statuses())),
    )
    .set((
        pa::status.eq(to_code(&to)),
        pa::completed_at.eq(now),
        pa::completed_by_id.eq(by),
        pa::waiver_reason_sealed.eq(sealed),
        pa::version.eq(pa::version + 1),
        pa::updated_at.eq(now),
    ))
    .execute(conn)?;
    if n == 1 {
        return tally::actions_after(conn, &ids, counted);
    }
    let row = find_action(conn, id)?;
    if row.version == version && !open_statuses().contains(&row.status) {
        return Err(ApiError::conflict(
            "protocol_action_closed",
            "The action is already done or waived.",
        ));
    }
    Err(ApiError::PreconditionFailed)
}

/// Whether `action_id` is a `service_referral` action of the case for `service_type`,
/// whatever its status.
pub fn is_referral_action(
    conn: &mut DbConn,
    case_id: &str,
    action_id: &str,
    service_type: &str,
) -> Result<bool, ApiError> {
    let n: i64 = pa::table
        .filter(pa::id.eq(action_id))
        .filter(pa::case_id.eq(case_id))
        .filter(pa::action.eq("service_referral"))
        .filter(pa::service_type.eq(service_type))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Marks an open action done by a referral sent for it, in the sending's transaction (409
/// `protocol_action_closed` if it is done or waived already).
pub fn complete_by_referral(
    conn: &mut DbConn,
    id: &str,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if mark_done(conn, &[id.to_string()], by, now)? == 1 {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "protocol_action_closed",
            "The action is already done or waived.",
        ))
    }
}

/// Marks those of `ids` still open done by `by`; how many.
fn mark_done(
    conn: &mut DbConn,
    ids: &[String],
    by: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let counted = tally::actions_before(conn, ids)?;
    let n = diesel::update(
        pa::table
            .filter(pa::id.eq_any(ids))
            .filter(pa::status.eq_any(open_statuses())),
    )
    .set((
        pa::status.eq(to_code(&ProtocolActionStatus::Done)),
        pa::completed_at.eq(now),
        pa::completed_by_id.eq(by),
        pa::version.eq(pa::version + 1),
        pa::updated_at.eq(now),
    ))
    .execute(conn)?;
    tally::actions_after(conn, ids, counted)?;
    Ok(n)
}

/// Whether the action's case or report lies within the caller's scope.
pub fn action_in_scope(
    conn: &mut DbConn,
    row: &ActionRow,
    cases_in: &CaseScope,
    reports_in: &ReportScope,
) -> Result<bool, ApiError> {
    let q = scoped_actions(cases_in, reports_in).filter(pa::id.eq(row.id.clone()));
    let n: i64 = q.count().get_result(conn)?;
    Ok(n > 0)
}

type ScopedActions = pa::BoxedQuery<'static, MultiBackend>;
type Predicate = Box<dyn BoxableExpression<pa::table, MultiBackend, SqlType = Bool>>;

/// The actions whose case or report lies within the caller's scope.
fn scoped_actions(cases_in: &CaseScope, reports_in: &ReportScope) -> ScopedActions {
    let (case_id, report_id) = (
        pa::case_id.assume_not_null(),
        pa::report_id.assume_not_null(),
    );
    let by_case: Predicate = match cases_in {
        CaseScope::Subtree { path, granted } => Box::new(
            case_id
                .eq_any(
                    cases::table
                        .filter(
                            cases::territory_code.eq_any(
                                territories::table
                                    .filter(territories::path.like(format!("{path}%")))
                                    .select(territories::code),
                            ),
                        )
                        .select(cases::id),
                )
                .or(case_id.eq_any(granted.clone())),
        ),
        CaseScope::OwnedBy(org) => Box::new(
            case_id.eq_any(
                cases::table
                    .filter(cases::owner_org.eq(org.clone()))
                    .select(cases::id),
            ),
        ),
        CaseScope::None => Box::new(pa::id.eq("")),
    };
    let by_report: Predicate = match reports_in {
        ReportScope::Subtree { path, .. } => Box::new(
            report_id.eq_any(
                report_children::table
                    .filter(
                        report_children::territory_code.eq_any(
                            territories::table
                                .filter(territories::path.like(format!("{path}%")))
                                .select(territories::code),
                        ),
                    )
                    .select(report_children::report_id),
            ),
        ),
        ReportScope::RoutedOrCreated(org) => Box::new(
            report_id.eq_any(
                report_routes::table
                    .filter(report_routes::organization_id.eq(org.clone()))
                    .select(report_routes::report_id),
            ),
        ),
        ReportScope::CreatedBy(_) | ReportScope::None => Box::new(pa::id.eq("")),
    };
    pa::table.into_boxed().filter(by_case.or(by_report))
}

/// The open actions within the caller's scope whose due time passed at `now`, oldest
/// deadline first, with whether their report was of immediate danger.
pub fn overdue(
    conn: &mut DbConn,
    cases_in: &CaseScope,
    reports_in: &ReportScope,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(ActionRow, bool)>, ApiError> {
    let rows: Vec<ActionRow> = scoped_actions(cases_in, reports_in)
        .filter(pa::status.eq_any(open_statuses()))
        .filter(pa::due_at.le(now))
        .order((pa::due_at, pa::id))
        .limit(limit)
        .select(ActionRow::as_select())
        .load(conn)?;
    let report_ids: Vec<String> = rows.iter().filter_map(|r| r.report_id.clone()).collect();
    let urgent: Vec<String> = reports::table
        .filter(reports::id.eq_any(report_ids))
        .filter(reports::immediate_danger.eq(true))
        .select(reports::id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let danger = r.report_id.as_ref().is_some_and(|id| urgent.contains(id));
            (r, danger)
        })
        .collect())
}

/// Marks the pending actions due at `now` overdue; how many. The version stays: reads
/// already show such an action overdue, so the ETag a client holds stays good. On PostgreSQL the rows are
/// claimed with `FOR UPDATE SKIP LOCKED`, so concurrent processes mark each once.
pub fn mark_overdue(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, ApiError> {
    let pending = to_code(&ProtocolActionStatus::Pending);
    let overdue = to_code(&ProtocolActionStatus::Overdue);
    crate::db::write_transaction(conn, |c| {
        let due = pa::table
            .filter(pa::status.eq(&pending).and(pa::due_at.le(now)))
            .select((pa::id, pa::case_id, pa::report_id, pa::territory_code))
            .limit(500);
        let rows: Vec<(String, Option<String>, Option<String>, String)> = match c {
            DbConn::Postgres(pg) => due.for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(_) => due.load(c)?,
        };
        let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let counted = tally::actions_before(c, &ids)?;
        let n = diesel::update(
            pa::table
                .filter(pa::id.eq_any(&ids))
                .filter(pa::status.eq(&pending)),
        )
        .set((pa::status.eq(&overdue), pa::updated_at.eq(now)))
        .execute(c)?;
        tally::actions_after(c, &ids, counted)?;
        // Each new alert goes live in the same transaction: sent only if the marking commits.
        // The organization that filed a report hears once per pass that it is late.
        let mut reports_told = std::collections::HashSet::new();
        for (id, case_id, report_id, territory) in &rows {
            if let Some(report_id) = report_id.as_deref().filter(|r| reports_told.insert(*r)) {
                crate::webhooks::report_alert(c, report_id, now)?;
            }
            let organizations = alert_audience(c, case_id.as_deref(), report_id.as_deref())?;
            let path: String = crate::schema::territories::table
                .find(territory)
                .select(crate::schema::territories::path)
                .first(c)?;
            let event = crate::events::NewEvent::alert_created(id, organizations, path);
            crate::events::publish(c, &event, now)?;
        }
        Ok(n)
    })
}

/// The organizations whose people see an action's alert: the case's owner, or the
/// organizations its report was routed to.
fn alert_audience(
    conn: &mut DbConn,
    case_id: Option<&str>,
    report_id: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    use crate::schema::cases;
    if let Some(case_id) = case_id {
        let owner: String = cases::table
            .find(case_id)
            .select(cases::owner_org)
            .first(conn)?;
        return Ok(vec![owner]);
    }
    match report_id {
        Some(report_id) => Ok(crate::reports::store::routes(conn, report_id)?
            .into_iter()
            .map(|(id, _)| id)
            .collect()),
        None => Ok(Vec::new()),
    }
}

/// Marks the open `screen_report` actions of a report done (its screening); how many.
pub fn complete_screening(
    conn: &mut DbConn,
    report_id: &str,
    by: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let ids: Vec<String> = pa::table
        .filter(pa::report_id.eq(report_id))
        .filter(pa::action.eq("screen_report"))
        .filter(pa::status.eq_any(open_statuses()))
        .select(pa::id)
        .load(conn)?;
    mark_done(conn, &ids, by, now)
}
