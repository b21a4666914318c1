//! `GET /api/v1/children/{id}/export`: everything Madar holds on one child, for a data
//! subject's access request (law 09-08). Coordinators of the child's territory only; each part
//! is read through the store of the module that owns it, sensitive text opened (coordinators
//! see it whole). The export is audited as one read (`child.export`), not as the many reads it
//! gathers.
use actix_web::http::header::CONTENT_DISPOSITION;
use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use madar_openapi::audit::AuditFilter;
use madar_openapi::children::ChildAccessEvent;
use madar_openapi::children_export::{CaseExport, ChildExport};

use super::{family_store, store};
use crate::audit::store as audit_store;
use crate::audit::{AuditAction, AuditEvent, Resource};
use crate::auth::policy::{
    authorize, case_scope, child_scope, referral_scope, report_scope, sees_sensitive, Action,
};
use crate::auth::Actor;
use crate::cases::assessment::store as assessments;
use crate::cases::store::WorkList;
use crate::cases::{
    attachments_store, events, judicial_store, notes_store, plan_store, services_store,
    store as cases,
};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::placements::store as placements;
use crate::referrals::store as referrals;
use crate::reports::store as reports;
use crate::schema::report_child_links;
use crate::state::AppState;

/// The most items of one kind an export holds (a child's records stay far below).
const MAX: i64 = 10_000;

fn case_export(
    conn: &mut DbConn,
    state: &Snapshot,
    case: &crate::cases::rows::Case,
) -> Result<CaseExport, ApiError> {
    let (keys, actor, id) = (&state.keys, &state.actor, case.row.id.as_str());
    let sensitive = sees_sensitive(actor, &case.assigned);
    let plan = match plan_store::find(conn, keys, id) {
        Ok(plan) => Some(plan),
        Err(ApiError::NotFound) => None,
        Err(e) => return Err(e),
    };
    let filter = referrals::Filter {
        direction: None,
        status: None,
        case_id: Some(id.to_string()),
    };
    Ok(CaseExport {
        case: case.response(keys, state.today, sensitive)?,
        assessments: assessments::list(conn, id, None, MAX)?
            .iter()
            .map(|r| r.response(keys, sensitive))
            .collect::<Result<_, _>>()?,
        plan,
        services: services_store::list(conn, id, None, MAX)?
            .iter()
            .map(|s| services_store::response(keys, s, sensitive))
            .collect::<Result<_, _>>()?,
        judicial_measures: judicial_store::list(conn, id)?
            .iter()
            .map(|m| m.response(keys, sensitive))
            .collect::<Result<_, _>>()?,
        notes: notes_store::list(conn, id, None, MAX)?
            .iter()
            .map(|n| n.response(keys, sensitive))
            .collect::<Result<_, _>>()?,
        attachments: attachments_store::list(conn, id, None, MAX)?
            .iter()
            .map(|a| a.response(sensitive))
            .collect::<Result<_, _>>()?,
        referrals: referrals::list(conn, &referral_scope(actor), filter, None, MAX)?
            .iter()
            .map(|r| r.response(keys, actor, true))
            .collect::<Result<_, _>>()?,
        timeline: events::timeline(conn, keys, id, sensitive)?,
    })
}

/// What the export reads with.
struct Snapshot {
    keys: std::sync::Arc<crate::crypto::Keyring>,
    actor: Actor,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
}

fn export(conn: &mut DbConn, s: &Snapshot, id: &str) -> Result<ChildExport, ApiError> {
    let (keys, actor) = (&s.keys, &s.actor);
    let scope = child_scope(actor);
    let child = store::find(conn, &scope, id)?;
    let consents = super::consent_store::list(conn, id, None, MAX)?
        .iter()
        .map(|r| r.response(keys, s.now))
        .collect::<Result<_, _>>()?;
    let guardians = family_store::guardians(conn, id)?
        .iter()
        .map(|g| g.response(keys))
        .collect::<Result<_, _>>()?;
    let siblings = family_store::siblings(conn, id, |c, ids| store::in_scope(c, &scope, ids))?;
    let placements = placements::list(conn, id)?
        .iter()
        .map(|p| placements::response(keys, p, &child.row, true, s.today))
        .collect::<Result<_, _>>()?;
    let report_ids: Vec<String> = report_child_links::table
        .filter(report_child_links::child_id.eq(id))
        .select(report_child_links::report_id)
        .distinct()
        .order(report_child_links::report_id)
        .load(conn)?;
    let mut reports_whole = Vec::new();
    let report_scope = report_scope(actor);
    for report in report_ids {
        let row = match reports::find(conn, &report_scope, &report) {
            Ok(row) => row,
            Err(ApiError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        let routed = reports::routes(conn, &report)?
            .into_iter()
            .map(|(_, code)| code)
            .collect();
        reports_whole.push(reports::full_view(conn, keys, &row, routed)?);
    }
    let list = WorkList {
        child: Some(id.to_string()),
        limit: MAX,
        ..WorkList::default()
    };
    let cases = cases::list(conn, &case_scope(actor), &list)?
        .iter()
        .map(|c| case_export(conn, s, c))
        .collect::<Result<_, _>>()?;
    let filter = AuditFilter {
        resource_type: Some(Resource::Child.code().into()),
        resource_id: Some(id.to_string()),
        ..AuditFilter::default()
    };
    let access_log = audit_store::list(conn, &filter, None, MAX)?
        .iter()
        .map(|row| {
            let e = row.response()?;
            Ok(ChildAccessEvent {
                id: e.id,
                occurred_at: e.occurred_at,
                actor_kind: e.actor_kind,
                actor_id: e.actor_id,
                action: e.action,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(ChildExport {
        exported_at: s.now,
        child: child.response(keys)?,
        consents,
        guardians,
        siblings,
        placements,
        reports: reports_whole,
        cases,
        access_log,
    })
}

/// Everything Madar holds on a child, for a data subject's access request (law 09-08): the
/// record, consents, family, placements, the reports naming the child (whole), each case with
/// everything recorded on it (sensitive text opened; attachments' metadata only) and the
/// child's access log. Coordinators of the child's territory (404 outside it, 403 for other
/// roles); audited as one `child.export` read.
#[utoipa::path(
    tag = "children",
    params(("id" = uuid::Uuid, Path, description = "Child id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The child's data, as an attachment (`Content-Disposition`)", body = ChildExport), ProblemResponse)
)]
#[get("/children/{id}/export")]
pub async fn export_child(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ExportChildData)?;
    crate::referrals::handlers::expire(&state).await?;
    let id = id.to_string();
    let now = state.clock.now();
    let snapshot = Snapshot {
        keys: state.data_keys.clone(),
        actor: actor.clone(),
        now,
        today: now.date_naive(),
    };
    let read_id = id.clone();
    let body = db::run(&state.pool, move |c| export(c, &snapshot, &read_id)).await?;
    let event = AuditEvent::by(&actor, AuditAction::ChildExport, state.clock.now_naive())
        .on(Resource::Child, &id);
    state.audit.record_read(event)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"child-{id}.json\""),
        ))
        .json(body))
}
