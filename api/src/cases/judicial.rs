//! `/api/v1/cases/{id}/judicial-measures`: the prosecutor notified, protection and placement
//! orders, hearings and decisions of a case, recorded and updated (outcome, next date,
//! reference) by the coordinators and case workers who see the case. Outcomes are shown to
//! those who see the case's sensitive fields.
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use madar_openapi::cases::{
    CaseEventKind, CreateJudicialMeasure, JudicialMeasureResponse, UpdateJudicialMeasure,
};
use serde_json::json;
use utoipa_actix_web::service_config::ServiceConfig;

use super::events::{self, Event};
use super::handlers::audit_reads;
use super::{judicial_store, store};
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, sees_sensitive, Action};
use crate::auth::Actor;
use crate::db;
use crate::error::ApiError;
use crate::http::{record, IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::{self, IdempotencyKey, Idempotent, Stored};
use crate::state::AppState;

/// A measure's next date (the next hearing, a review) comes on or after its date (422
/// `before_date` on `next_date`).
pub fn check_next_date(date: NaiveDate, next: Option<NaiveDate>) -> Result<(), ApiError> {
    match next {
        Some(next) if next < date => Err(ApiError::validation(
            "next_date",
            "before_date",
            "comes before the measure's date",
        )),
        _ => Ok(()),
    }
}

/// The operations on a case's judicial measures.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_judicial_measure)
        .service(list_judicial_measures)
        .service(get_judicial_measure)
        .service(update_judicial_measure);
}

/// Records a judicial measure on a case. `outcome` is sensitive: stored encrypted, shown to
/// the assigned workers and coordinators only.
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CreateJudicialMeasure,
    security(("bearer" = [])),
    responses((status = 201, description = "Recorded", body = JudicialMeasureResponse), ProblemResponse)
)]
#[post("/cases/{id}/judicial-measures")]
pub async fn create_judicial_measure(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CreateJudicialMeasure>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let new = body?.0;
    let request = Idempotent::new(key?, &actor, &req, &new)?;
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let read_id = case_id.clone();
    let case = db::run(&state.pool, move |c| store::find(c, &scope, &read_id)).await?;
    check_next_date(new.date, new.next_date)?;
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::JudicialMeasureCreate, now);
    idempotency::run(&state.pool, request, now, move |c| {
        let id = judicial_store::create(c, &keys, &case_id, &new, &actor.id, now)?;
        store::touch(c, &case_id, None, now)?;
        let event = Event::new(&case_id, CaseEventKind::JudicialMeasureRecorded, &actor.id)
            .subject(&id)
            .detail(json!({"measure_type": new.measure_type}));
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit.on(Resource::JudicialMeasure, &id))?;
        let row = judicial_store::find(c, &case_id, &id)?;
        let location = format!("/api/v1/cases/{case_id}/judicial-measures/{id}");
        Stored::created(location, row.version, &row.response(&keys, sensitive)?)
    })
    .await
}

/// A case's judicial measures, by date (a read of the case, audited). `outcome` is `null` for
/// those who do not see the case's sensitive fields.
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The measures, earliest first", body = Vec<JudicialMeasureResponse>), ProblemResponse)
)]
#[get("/cases/{id}/judicial-measures")]
pub async fn list_judicial_measures(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let read_id = case_id.clone();
    let (case, rows) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_id)?;
        Ok((case, judicial_store::list(c, &read_id)?))
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let items = rows
        .iter()
        .map(|m| m.response(&state.data_keys, sensitive))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(items))
}

/// One judicial measure of a case, with its ETag (audited as a read of the case).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("measure_id" = uuid::Uuid, Path, description = "Judicial measure id"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The measure", body = JudicialMeasureResponse), ProblemResponse)
)]
#[get("/cases/{id}/judicial-measures/{measure_id}")]
pub async fn get_judicial_measure(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, id, scope) = (path.0.to_string(), path.1.to_string(), case_scope(&actor));
    let read_id = case_id.clone();
    let (case, row) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_id)?;
        Ok((case, judicial_store::find(c, &read_id, &id)?))
    })
    .await?;
    audit_reads(&state, &actor, AuditAction::CaseRead, &[case_id.as_str()])?;
    let body = row.response(&state.data_keys, sees_sensitive(&actor, &case.assigned))?;
    Ok(record(StatusCode::OK, row.version, &body))
}

/// Records a measure's outcome, next date (not before its date: 422 `before_date`) or
/// reference; needs the measure's ETag in `If-Match` (428 without, 412 when stale).
#[utoipa::path(
    tag = "case records",
    params(
        ("id" = uuid::Uuid, Path, description = "Case id"),
        ("measure_id" = uuid::Uuid, Path, description = "Judicial measure id"),
        ("If-Match" = String, Header, description = "ETag of the measure's last read"),
    ),
    request_body = UpdateJudicialMeasure,
    security(("bearer" = [])),
    responses((status = 200, description = "The measure", body = JudicialMeasureResponse), ProblemResponse)
)]
#[patch("/cases/{id}/judicial-measures/{measure_id}")]
pub async fn update_judicial_measure(
    state: web::Data<AppState>,
    actor: Actor,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    if_match: Result<IfMatch, ApiError>,
    body: Result<ValidJson<UpdateJudicialMeasure>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ManageCases)?;
    let (case_id, measure_id) = (path.0.to_string(), path.1.to_string());
    let scope = case_scope(&actor);
    let (read_case, read_id) = (case_id.clone(), measure_id.clone());
    let (case, current) = db::run(&state.pool, move |c| {
        let case = store::find(c, &scope, &read_case)?;
        Ok((case, judicial_store::find(c, &read_case, &read_id)?))
    })
    .await?;
    let (version, changes) = (if_match?.0, body?.0);
    if version != current.version {
        return Err(ApiError::PreconditionFailed);
    }
    check_next_date(current.measure_date, changes.next_date)?;
    let sensitive = sees_sensitive(&actor, &case.assigned);
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let audit = AuditEvent::by(&actor, AuditAction::JudicialMeasureUpdate, now)
        .on(Resource::JudicialMeasure, &measure_id);
    let row = db::transaction(&state.pool, move |c| {
        judicial_store::update(c, &keys, &current, &changes, now)?;
        store::touch(c, &case_id, None, now)?;
        let event = Event::new(&case_id, CaseEventKind::JudicialMeasureUpdated, &actor.id)
            .subject(&measure_id)
            .detail(json!({"measure_type": current.measure_type}));
        events::append(c, &keys, event, now)?;
        audit::record(c, &audit)?;
        judicial_store::find(c, &case_id, &measure_id)
    })
    .await?;
    let body = row.response(&state.data_keys, sensitive)?;
    Ok(record(StatusCode::OK, row.version, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn the_next_date_may_be_the_same_day_or_later_but_not_earlier() {
        assert!(check_next_date(day(10), None).is_ok());
        assert!(check_next_date(day(10), Some(day(10))).is_ok());
        assert!(check_next_date(day(10), Some(day(24))).is_ok());
        assert!(check_next_date(day(10), Some(day(9))).is_err());
    }
}
