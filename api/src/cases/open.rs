//! Screening accepts a report: each of its children gets a case, opened for the child or, when
//! the child already has an open case, the report attached to it (so a child has one open case,
//! whatever the number of reports). Runs inside the screening's transaction.
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::cases::{CaseEventKind, CaseStage};
use madar_openapi::organizations::OrganizationType;
use madar_openapi::reports::ConcernType;

use super::domain;
use super::events::{self, Event};
use super::store;
use crate::auth::Actor;
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{
    case_reports, cases, children, organizations, report_concerns, report_routes, reports,
};
use crate::sequences::{self, Series};
use crate::statistics::tally;

/// What the report brings to its cases.
#[derive(Debug, Clone)]
pub struct Origin {
    pub report_id: String,
    pub concerns: Vec<ConcernType>,
    pub immediate_danger: bool,
    /// The organization that will own the cases opened.
    pub owner: String,
}

/// The case-owning organization types (vocabulary).
fn owning_types() -> [String; 3] {
    [
        OrganizationType::SupportCentre,
        OrganizationType::ProtectionUnit,
        OrganizationType::MobileUnit,
    ]
    .map(|t| to_code(&t))
}

/// What a report brings, and who owns the cases it opens: the screener's organization when it
/// may own cases, else the first organization the report was routed to; a report that went
/// to the national coordinators and is screened by a coordinator of a body that owns no cases
/// answers 422 `no_case_owner`.
pub fn origin(conn: &mut DbConn, actor: &Actor, report_id: &str) -> Result<Origin, ApiError> {
    let owning = owning_types();
    let own: Option<String> = organizations::table
        .find(&actor.organization_id)
        .filter(organizations::org_type.eq_any(owning.clone()))
        .select(organizations::id)
        .first(conn)
        .optional()?;
    let owner = match own {
        Some(o) => o,
        None => report_routes::table
            .inner_join(organizations::table)
            .filter(report_routes::report_id.eq(report_id))
            .filter(organizations::org_type.eq_any(owning))
            .order(organizations::code)
            .select(organizations::id)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                ApiError::validation(
                    "decision",
                    "no_case_owner",
                    "no organization that owns cases can take this report's cases",
                )
            })?,
    };
    let concerns: Vec<String> = report_concerns::table
        .filter(report_concerns::report_id.eq(report_id))
        .select(report_concerns::concern_code)
        .load(conn)?;
    let immediate_danger = reports::table
        .find(report_id)
        .select(reports::immediate_danger)
        .first(conn)?;
    Ok(Origin {
        report_id: report_id.to_string(),
        concerns: concerns
            .iter()
            .map(|c| from_code(c))
            .collect::<Result<_, _>>()?,
        immediate_danger,
        owner,
    })
}

/// Opens a case for `child_id` from the report, or attaches the report to the child's open
/// case. Returns the case's id and whether it was opened now.
pub fn open_or_attach(
    conn: &mut DbConn,
    keys: &Keyring,
    actor: &Actor,
    origin: &Origin,
    child_id: &str,
    now: NaiveDateTime,
) -> Result<(String, bool), ApiError> {
    let open_case: Option<(String, i32, i32)> = cases::table
        .filter(cases::child_id.eq(child_id))
        .filter(cases::stage.ne(to_code(&CaseStage::Closed)))
        .order(cases::opened_at.desc())
        .select((cases::id, cases::priority, cases::version))
        .first(conn)
        .optional()?;
    let (case_id, opened, counted) = match open_case {
        Some((id, priority, version)) => {
            let counted = tally::case_before(conn, &id)?;
            attach(conn, &id, origin, priority, version, now)?;
            (id, false, counted)
        }
        None => (open(conn, actor, origin, child_id, now)?, true, Vec::new()),
    };
    diesel::insert_into(case_reports::table)
        .values((
            case_reports::case_id.eq(&case_id),
            case_reports::report_id.eq(&origin.report_id),
            case_reports::attached_at.eq(now),
        ))
        .execute(conn)?;
    store::add_concerns(conn, &case_id, &origin.concerns)?;
    tally::case_after(conn, &case_id, counted)?;
    let kind = if opened {
        CaseEventKind::CaseOpened
    } else {
        CaseEventKind::ReportAttached
    };
    let event = Event::new(&case_id, kind, &actor.id).subject(&origin.report_id);
    events::append(conn, keys, event, now)?;
    crate::protocols::triggers::case_opened(conn, &case_id, opened, now)?;
    Ok((case_id, opened))
}

fn open(
    conn: &mut DbConn,
    actor: &Actor,
    origin: &Origin,
    child_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let territory: String = children::table
        .find(child_id)
        .select(children::territory_code)
        .first(conn)?;
    let year = now.year();
    let sequence = sequences::next(conn, Series::Case, &territory, year)?;
    let urgency = domain::opening_urgency(origin.immediate_danger);
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(cases::table)
        .values((
            cases::id.eq(&id),
            cases::reference.eq(domain::reference(&territory, year, sequence)),
            cases::child_id.eq(child_id),
            cases::territory_code.eq(&territory),
            cases::owner_org.eq(&origin.owner),
            cases::stage.eq(to_code(&CaseStage::Identification)),
            cases::urgency.eq(to_code(&urgency)),
            cases::priority.eq(domain::priority(urgency)),
            cases::opened_at.eq(now),
            cases::opened_by_id.eq(&actor.id),
            cases::created_at.eq(now),
            cases::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A new report on a child with an open case: the case takes its concerns, and becomes of
/// immediate danger when the report says so.
fn attach(
    conn: &mut DbConn,
    id: &str,
    origin: &Origin,
    priority: i32,
    version: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let urgent = madar_openapi::cases::RiskLevel::ImmediateDanger;
    if origin.immediate_danger && priority > domain::priority(urgent) {
        diesel::update(cases::table.find(id))
            .set((
                cases::urgency.eq(to_code(&urgent)),
                cases::priority.eq(domain::priority(urgent)),
            ))
            .execute(conn)?;
    }
    store::touch(conn, id, Some(version), now)?;
    Ok(())
}
