//! `/api/v1/cases/{id}/services`: the services a centre delivered itself on a case (a street
//! intervention, a social emergency, a psychological session), counted by the ministry's
//! indicators besides completed referrals. Recorded by the coordinators and case workers who
//! see the case; their notes are shown to those who see its sensitive fields.
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use madar_openapi::cases::{CaseEventKind, CaseServiceResponse, RecordCaseService};
use madar_openapi::Page;
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

use super::events::{self, Event};
use super::handlers::audit_reads;
use super::{services_store, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::paging::page;
use crate::http::{ListQuery, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// How long before a case opened a service may have been delivered: the detection of the
/// child (a street intervention that led to the report) belongs to the case.
pub const BEFORE_OPENING_DAYS: i64 = 30;

/// Checks when a service was delivered: not in the future (`in_future`), not more than
/// `BEFORE_OPENING_DAYS` before the case opened (`before_case_opened`).
pub fn check_delivered_at(
    delivered_at: DateTime<Utc>,
    now: DateTime<Utc>,
    opened_at: DateTime<Utc>,
) -> Result<(), ApiError> {
    if delivered_at > now {
        return Err(ApiError::validation(
            "delivered_at",
            "in_future",
            "may not lie in the future",
        ));
    }
    if delivered_at < opened_at - Duration::days(BEFORE_OPENING_DAYS) {
        return Err(ApiError::validation(
            "delivered_at",
            "before_case_opened",
            "lies more than 30 days before the case opened",
        ));
    }
    Ok(())
}

const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.f";

fn cursor(after: Option<String>) -> Result<Option<(NaiveDateTime, String)>, ApiError> {
    let Some(after) = after else { return Ok(None) };
    after
        .split_once('|')
        .and_then(|(at, id)| {
            let at = NaiveDateTime::parse_from_str(at, CURSOR_TIME).ok()?;
            Some(Some((at, id.to_string())))
        })
        .ok_or_else(|| {
            ApiError::validation("cursor", "invalid_cursor", "is not a cursor this list gave")
        })
}

/// The operations on a case's services.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(record_case_service)
        .service(list_case_services)
        .service(get_case_service);
}

/// Records a service delivered on a case (tagged with its service type's pathway domain).
/// `notes` are sensitive: stored encrypted, shown to the assigned workers and coordinators.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = RecordCaseService,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = CaseServiceResponse), ProblemResponse)
)]
#[post("/cases/{id}/services")]
pub async fn record_case_service(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<RecordCaseService>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let (read_id, code) = (case_id.clone(), new.by_organization.clone());
    let (case, organization) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_id)?;
        Ok((case, services_store::active_organization(c, &code)?))
    })
    .await?;
    let (by_org, _) = organization.ok_or_else(|| {
        ApiError::validation(
            "by_organization",
            "unknown_organization",
            "names no active organization",
        )
    })?;
    check_delivered_at(
        new.delivered_at,
        state.clock.now(),
        case.row.opened_at.and_utc(),
    )?;
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::ServiceRecord, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = services_store::create(c, &keys, &case_id, &new, &by_org, &actor.id, now)?;
        store::touch(c, &case_id, None, now)?;
        let detail = json!({"service_type": new.service_type, "domain": new.service_type.domain()});
        let event = Event::new(&case_id, CaseEventKind::ServiceRecorded, &actor.id)
            .subject(&id)
            .detail(detail);
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit.on(Resource::CaseService, &id))?;
        let service = services_store::find(c, &case_id, &id)?;
        let location = format!("/api/v1/cases/{case_id}/services/{id}");
        Stored::created(
            location,
            1,
            &services_store::response(&keys, &service, sensitive)?,
        )
    })
    .await
}

/// The services delivered on a case, the latest delivered first (a read of the case,
/// audited). `notes` are `null` for those who do not see the case's sensitive fields.
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id"), ListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of services", body = Page<CaseServiceResponse>), ProblemResponse)
)]
#[get("/cases/{id}/services")]
pub async fn list_case_services(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (limit, after) = (query.limit()?, cursor(query.after()?)?);
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let read_id = case_id.clone();
    let (case, rows) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_id)?;
        let rows = services_store::list(c, &read_id, after, limit + 1)?;
        Ok((case, rows))
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    let (rows, next_cursor) = page(rows, limit, |(r, _)| {
        format!("{}|{}", r.delivered_at.format(CURSOR_TIME), r.id)
    });
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let items = rows
        .iter()
        .map(|s| services_store::response(&state.data_keys, s, sensitive))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(Page { items, next_cursor }))
}

/// One service of a case (audited as a read of the case).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("service_id" = uuid::Uuid, Path, description = "Service id"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The service", body = CaseServiceResponse), ProblemResponse)
)]
#[get("/cases/{id}/services/{service_id}")]
pub async fn get_case_service(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, id, scope) = (path.0.to_string(), path.1.to_string(), case_scope(&actor));
    let read_id = case_id.clone();
    let (case, service) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_id)?;
        Ok((case, services_store::find(c, &read_id, &id)?))
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let body = services_store::response(&state.data_keys, &service, sensitive)?;
    Ok(crate::http::record(
        actix_web::http::StatusCode::OK,
        1,
        &body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_780_000_000, 0).unwrap() + Duration::days(days)
    }

    #[test]
    fn a_service_is_delivered_between_a_month_before_the_opening_and_now() {
        let (opened, now) = (at(0), at(10));
        assert!(check_delivered_at(at(10), now, opened).is_ok());
        assert!(check_delivered_at(at(-30), now, opened).is_ok());
        assert!(check_delivered_at(at(-31), now, opened).is_err());
        assert!(check_delivered_at(at(11), now, opened).is_err());
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let t = at(0).naive_utc();
        let text = format!("{}|abc", t.format(CURSOR_TIME));
        assert_eq!(cursor(Some(text)).unwrap(), Some((t, "abc".to_string())));
        assert!(cursor(Some("nope".into())).is_err());
        assert_eq!(cursor(None).unwrap(), None);
    }
}
