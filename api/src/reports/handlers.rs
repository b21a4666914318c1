//! `/api/v1/reports`: filing a report (case workers, coordinators, partners, the hotline), the
//! inbox, and one report — whole for those who handle it, its status for those who sent it.
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use madar_openapi::reports::{CreateReport, ReportStatus, ReportView};
use madar_openapi::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{domain, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, report_scope, sees_whole_report, Action, ReportScope};
use crate::auth::Actor;
use crate::crypto::Keyring;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{record, ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// Whether `actor` sees one report (found within `scope`) whole: then the codes of the
/// organizations it was routed to.
pub(super) fn seen_whole(
    conn: &mut DbConn,
    actor: &Actor,
    scope: &ReportScope,
    id: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    let routes = store::routes(conn, id)?;
    let (ids, codes): (Vec<String>, Vec<String>) = routes.into_iter().unzip();
    let in_territory = match scope {
        ReportScope::Subtree { path, granted, .. } => {
            store::has_child_in(conn, id, path)? || store::attached_to_any(conn, id, granted)?
        }
        _ => false,
    };
    Ok(sees_whole_report(actor, &ids, in_territory).then_some(codes))
}

/// Whether a break-the-glass grant is what opens the report to `scope`: it belongs to a
/// granted case and has no child in the coordinator's subtree.
fn opened_by_grant(conn: &mut DbConn, scope: &ReportScope, id: &str) -> Result<bool, ApiError> {
    match scope {
        ReportScope::Subtree { path, granted, .. } if !granted.is_empty() => {
            Ok(store::attached_to_any(conn, id, granted)? && !store::has_child_in(conn, id, path)?)
        }
        _ => Ok(false),
    }
}

/// What `actor` may see of one report row found within `scope`.
fn view(
    conn: &mut DbConn,
    keys: &Keyring,
    actor: &Actor,
    scope: &ReportScope,
    row: &store::ReportRow,
) -> Result<ReportView, ApiError> {
    match seen_whole(conn, actor, scope, &row.id)? {
        Some(codes) => Ok(ReportView::Full(Box::new(store::full_view(
            conn, keys, row, codes,
        )?))),
        None => Ok(ReportView::Status(store::status_view(row)?)),
    }
}

/// Records, through the read buffer, each whole report (its children's data) shown to `actor`.
fn audit_reads(state: &AppState, actor: &Actor, views: &[ReportView]) -> Result<(), ApiError> {
    let event = AuditEvent::by(actor, AuditAction::ReportRead, state.clock.now_naive());
    for view in views {
        if let ReportView::Full(report) = view {
            state
                .audit
                .record_read(event.clone().on(Resource::Report, report.id.to_string()))?;
        }
    }
    Ok(())
}

/// Files a report of one or more children at risk. It is numbered `RPT-<territory>-<year>-<n>`
/// and routed to the case-owning organizations that serve the children's territories (else
/// those of the nearest ancestor territory, else the national coordinators).
#[utoipa::path(
    tag = "reports",
    request_body = CreateReport,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)")),
    security(("bearer" = [])),
    responses((status = 201, description = "Filed", body = ReportView), ProblemResponse)
)]
#[post("/reports")]
pub async fn create_report(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateReport>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::CreateReport)?;
    let new = body?.0;
    domain::check(&new, state.clock.now())?;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let (new, paths) = db::run(&state.pool, move |c| {
        let paths = store::territory_paths(c, &new)?;
        Ok((new, paths))
    })
    .await?;
    let event = AuditEvent::by(&actor, AuditAction::ReportCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = store::create(c, &keys, &new, &paths, &actor, now)?;
        crate::protocols::triggers::report_received(c, &id, now)?;
        crate::events::publish_report_received(c, &id, &paths, now)?;
        audit::record(c, &event.on(Resource::Report, &id))?;
        let row = store::find(
            c,
            &ReportScope::CreatedBy(actor.organization_id.clone()),
            &id,
        )?;
        let body = view(c, &keys, &actor, &report_scope(&actor), &row)?;
        Stored::created(format!("/api/v1/reports/{id}"), row.version, &body)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListFilter {
    /// Only reports with this status (`received` for the screening inbox).
    pub status: Option<ReportStatus>,
}

/// The reports the caller may see, immediate danger first, then oldest first.
#[utoipa::path(
    tag = "reports",
    params(ListQuery, ReportListFilter),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of reports", body = Page<ReportView>), ProblemResponse)
)]
#[get("/reports")]
pub async fn list_reports(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ListQuery>,
    filter: web::Query<ReportListFilter>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadReports)?;
    let limit = query.limit()?;
    let after = match query.after()? {
        None => None,
        Some(cursor) => Some(domain::parse_cursor(&cursor)?),
    };
    let filter = store::ReportFilter {
        status: filter.status,
        after,
        limit: limit + 1,
    };
    let scope = report_scope(&actor).territorial();
    let (keys, reader) = (state.data_keys.clone(), actor.clone());
    let page_of = db::run(&state.pool, move |c| {
        let rows = store::list(c, &scope, &filter)?;
        let (rows, next_cursor) = page(rows, limit, |r| domain::cursor(r.priority, &r.id));
        let items = rows
            .iter()
            .map(|r| view(c, &keys, &reader, &scope, r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_cursor })
    })
    .await?;
    audit_reads(&state, &actor, &page_of.items)?;
    Ok(HttpResponse::Ok().json(page_of))
}

/// One report: whole for its territory's coordinators and the centres it was routed to; its
/// reference, status and dates for the organization that sent it; 404 for everyone else.
#[utoipa::path(
    tag = "reports",
    params(("id" = uuid::Uuid, Path, description = "Report id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The report", body = ReportView), ProblemResponse)
)]
#[get("/reports/{id}")]
pub async fn get_report(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadReports)?;
    let (scope, keys) = (report_scope(&actor), state.data_keys.clone());
    let (reader, id) = (actor.clone(), id.into_inner());
    let (body, version, granted) = db::run(&state.pool, move |c| {
        let row = store::find(c, &scope, &id.to_string())?;
        let granted = opened_by_grant(c, &scope, &row.id)?;
        Ok((view(c, &keys, &reader, &scope, &row)?, row.version, granted))
    })
    .await?;
    audit_reads(&state, &actor, std::slice::from_ref(&body))?;
    if granted {
        let used = AuditEvent::by(&actor, AuditAction::AccessGrantUse, state.clock.now_naive());
        state
            .audit
            .record_read(used.on(Resource::Report, id.to_string()))?;
    }
    Ok(record(StatusCode::OK, version, &body))
}
