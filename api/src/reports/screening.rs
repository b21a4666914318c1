//! `POST /api/v1/reports/{id}/screening`: those who see a report whole (its territory's
//! coordinators, the case workers of a centre it was routed to) accept it — each reported child
//! linked to a known child or created from the report's data, the matching engine run on every
//! child created, a case opened for each or the report attached to the child's open case — or
//! close it with a reason. One transaction, opened by the compare-and-set
//! that moves the report out of `received`: a report is screened once.
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use madar_openapi::reports::{
    ScreenReport, ScreenedChild, ScreenedChildOutcome, ScreeningAnnouncement, ScreeningResponse,
};

use super::domain::{self, ChildPlan, Screening};
use super::handlers::seen_whole;
use super::{screening_store, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, child_scope, report_scope, Action};
use crate::auth::Actor;
use crate::cases;
use crate::children::domain::ChildRecord;
use crate::children::{matches, store as children};
use crate::crypto::Keyring;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::{ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// The audit events of a screening, built in the handler (they read the request id).
struct Events {
    now: chrono::NaiveDateTime,
    screen: AuditEvent,
    create: AuditEvent,
    announce: AuditEvent,
    open_case: AuditEvent,
    attach_report: AuditEvent,
}

/// What became of the reported children.
#[derive(Default)]
struct Outcome {
    children: Vec<ScreenedChildOutcome>,
    announcements: Vec<ScreeningAnnouncement>,
}

fn index_of(index: usize) -> Result<i32, ApiError> {
    i32::try_from(index).map_err(|e| ApiError::Internal(e.into()))
}

fn uuid_of(id: &str) -> Result<uuid::Uuid, ApiError> {
    id.parse()
        .map_err(|e: uuid::Error| ApiError::Internal(e.into()))
}

/// Creates the child record of the reported child `index` (entry `entry` of the body), unless
/// the matching engine finds a likely match among the children the screener sees and the
/// screener did not confirm; announces the likely matches outside their scope.
fn create_child(
    c: &mut DbConn,
    keys: &Keyring,
    actor: &Actor,
    events: &Events,
    plan: (usize, usize, bool),
    record: ChildRecord,
    outcome: &mut Outcome,
) -> Result<String, ApiError> {
    let (entry, index, confirm_new) = plan;
    let scope = child_scope(actor);
    let territory = record.get().territory.clone();
    children::check_territory(c, &scope, &territory).map_err(|e| domain::within_entry(entry, e))?;
    let path = children::territory_path(c, &territory, "territory")?;
    let likely = matches::likely_matches(c, &scope, &record.identity_at(&path)?)?;
    if likely.in_scope > 0 && !confirm_new {
        return Err(domain::likely_duplicate(entry, likely.in_scope));
    }
    let id = children::create(c, keys, &record, actor, events.now)?;
    audit::record(c, &events.create.clone().on(Resource::Child, &id))?;
    for (other, owner) in likely.elsewhere {
        audit::record(c, &events.announce.clone().on(Resource::Child, &other))?;
        outcome.announcements.push(ScreeningAnnouncement {
            index: index_of(index)?,
            owner,
        });
    }
    Ok(id)
}

/// Links or creates every reported child of an accepted report.
fn accept(
    c: &mut DbConn,
    keys: &Keyring,
    actor: &Actor,
    id: &str,
    entries: &[ScreenedChild],
    events: &Events,
    today: DateTime<Utc>,
) -> Result<Outcome, ApiError> {
    let reported = store::reported_children(c, keys, id)?;
    let plans = domain::screening_plan(entries, reported.len())?;
    let linked = plans
        .iter()
        .filter_map(|p| match p {
            ChildPlan::Link { child_id, .. } => Some(child_id.clone()),
            ChildPlan::Create { .. } => None,
        })
        .collect();
    let visible = children::in_scope(c, &child_scope(actor), linked)?;
    let origin = cases::open::origin(c, actor, id)?;
    let mut outcome = Outcome::default();
    for plan in plans {
        let (index, child_id, created) = match plan {
            ChildPlan::Link {
                entry,
                index,
                child_id,
            } => {
                if !visible.contains(&child_id) {
                    return Err(ApiError::validation(
                        &format!("children[{entry}].child_id"),
                        "unknown_child",
                        "names no child you see",
                    ));
                }
                (index, child_id, false)
            }
            ChildPlan::Create {
                entry,
                index,
                confirm_new,
            } => {
                let record =
                    ChildRecord::checked(domain::child_from_report(&reported[index]), today)
                        .map_err(|e| domain::within_entry(entry, e))?;
                let plan = (entry, index, confirm_new);
                let child_id = create_child(c, keys, actor, events, plan, record, &mut outcome)?;
                (index, child_id, true)
            }
        };
        screening_store::link(c, id, index, &child_id)?;
        let (case_id, case_opened) =
            cases::open::open_or_attach(c, keys, actor, &origin, &child_id, events.now)?;
        let case_event = if case_opened {
            &events.open_case
        } else {
            &events.attach_report
        };
        audit::record(c, &case_event.clone().on(Resource::Case, &case_id))?;
        outcome.children.push(ScreenedChildOutcome {
            index: index_of(index)?,
            child_id: uuid_of(&child_id)?,
            created,
            case_id: uuid_of(&case_id)?,
            case_opened,
        });
    }
    Ok(outcome)
}

/// Screens a report: accepts it (`decision: accept`, one entry per reported child: link to a
/// known child you see, or create one from the report's data, owned by your organization) or
/// closes it (`decision: close` with a closing reason). An accepted report opens a case for
/// each child (owned by your organization, or by the first case-owning organization the report
/// was routed to), or attaches the report to the child's open case, and becomes `case_opened`;
/// a closed one is `closed`. Its sender sees the status. Creating a child the matching engine finds likely among the children you see answers
/// 409 `likely_duplicate` unless `confirm_new`; likely matches outside your scope are announced
/// with their owner only. A report is screened once: 409 `report_already_screened` after.
#[utoipa::path(
    tag = "reports",
    request_body = ScreenReport,
    params(
        ("id" = uuid::Uuid, Path, description = "Report id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "Screened", body = ScreeningResponse), ProblemResponse)
)]
#[post("/reports/{id}/screening")]
pub async fn screen_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<ScreenReport>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ScreenReports)?;
    let body = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &body)?;
    let decision = domain::screening(body)?;
    let (id, scope) = (id.to_string(), report_scope(&actor));
    // Only a report seen whole is screened; the others do not exist for the caller. Read
    // before the write's transaction, whose first statement is the compare-and-set.
    let (reader, read_scope, read_id) = (actor.clone(), scope.clone(), id.clone());
    let routed_to = db::run(&state.pool, move |c| {
        store::find(c, &read_scope, &read_id)?;
        seen_whole(c, &reader, &read_scope, &read_id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    let (now, today, keys) = (
        state.clock.now_naive(),
        state.clock.now(),
        state.data_keys.clone(),
    );
    let events = Events {
        now,
        screen: AuditEvent::by(&actor, AuditAction::ReportScreen, now),
        create: AuditEvent::by(&actor, AuditAction::ChildCreate, now),
        announce: AuditEvent::by(&actor, AuditAction::ChildMatchAnnounce, now),
        open_case: AuditEvent::by(&actor, AuditAction::CaseOpen, now),
        attach_report: AuditEvent::by(&actor, AuditAction::CaseAttachReport, now),
    };
    idempotency::run(&state.pool, request, now, move |c| {
        screening_store::mark_screened(c, &id, domain::screened_status(&decision), now)?;
        crate::webhooks::report_status_changed(c, &id, now)?;
        let (outcome, reason) = match &decision {
            Screening::Accept(entries) => {
                let outcome = accept(c, &keys, &actor, &id, entries, &events, today)?;
                (outcome, None)
            }
            Screening::Close(reason) => (Outcome::default(), Some(*reason)),
        };
        screening_store::record_decision(c, &id, reason, &actor.id, now)?;
        crate::protocols::triggers::report_screened(c, &id, &actor.id, now)?;
        audit::record(c, &events.screen.on(Resource::Report, &id))?;
        let row = store::find(c, &scope, &id)?;
        let body = ScreeningResponse {
            report: store::full_view(c, &keys, &row, routed_to)?,
            children: outcome.children,
            announcements: outcome.announcements,
        };
        Stored::ok(row.version, &body)
    })
    .await
}
