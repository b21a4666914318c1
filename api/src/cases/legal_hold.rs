//! `/api/v1/cases/{id}/legal-hold`: a case a court or an investigation still needs, kept whole
//! by `madar retention run` (with every record of its child) while the hold stands.
//! Coordinators place, replace and lift holds on the cases of their scope; whoever reads the
//! case reads its hold. The reason is sealed.
use actix_web::{delete, get, put, web, HttpResponse};
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use madar_openapi::cases::{LegalHoldResponse, PlaceLegalHold};
use utoipa_actix_web::service_config::ServiceConfig;

use super::rows::uuid;
use super::store;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::auth::policy::{authorize, case_scope, Action};
use crate::auth::Actor;
use crate::crypto::{Keyring, Place};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::{ProblemResponse, ValidJson};
use crate::schema::legal_holds as h;
use crate::state::AppState;

/// The operations on a case's legal hold.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get_legal_hold)
        .service(place_legal_hold)
        .service(lift_legal_hold);
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = h)]
struct HoldRow {
    id: String,
    case_id: String,
    reason_sealed: String,
    placed_by_id: String,
    placed_at: NaiveDateTime,
}

fn place(id: &str) -> Place<'_> {
    Place {
        table: "legal_holds",
        column: "reason",
        row_id: id,
    }
}

impl HoldRow {
    fn response(&self, keys: &Keyring) -> Result<LegalHoldResponse, ApiError> {
        Ok(LegalHoldResponse {
            case_id: uuid(&self.case_id)?,
            reason: keys.open(place(&self.id), &self.reason_sealed)?,
            placed_by: uuid(&self.placed_by_id)?,
            placed_at: self.placed_at.and_utc(),
        })
    }
}

fn find(conn: &mut DbConn, case_id: &str) -> Result<Option<HoldRow>, ApiError> {
    Ok(h::table
        .filter(h::case_id.eq(case_id))
        .select(HoldRow::as_select())
        .first(conn)
        .optional()?)
}

/// The hold on a case (404 when there is none, or the case is outside the caller's scope).
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 200, description = "The hold", body = LegalHoldResponse), ProblemResponse)
)]
#[get("/cases/{id}/legal-hold")]
pub async fn get_legal_hold(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadCases)?;
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let row = db::run(&state.pool, move |c| {
        store::find(c, &scope, &case_id)?;
        find(c, &case_id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(HttpResponse::Ok().json(row.response(&state.data_keys)?))
}

/// Places a hold on a case of the caller's scope, or replaces its reason (the one who placed it
/// and when are then the caller and now).
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    request_body = PlaceLegalHold,
    security(("bearer" = [])),
    responses((status = 200, description = "The hold", body = LegalHoldResponse), ProblemResponse)
)]
#[put("/cases/{id}/legal-hold")]
pub async fn place_legal_hold(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    body: Result<ValidJson<PlaceLegalHold>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::PlaceLegalHolds)?;
    let hold = body?.0;
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let (now, keys) = (state.clock.now_naive(), state.data_keys.clone());
    let event = AuditEvent::by(&actor, AuditAction::LegalHoldPlace, now);
    let row = db::transaction(&state.pool, move |c| {
        store::find(c, &scope, &case_id)?;
        let id = match find(c, &case_id)? {
            Some(existing) => existing.id,
            None => uuid::Uuid::now_v7().to_string(),
        };
        let row = HoldRow {
            reason_sealed: keys.seal(place(&id), &hold.reason)?,
            id,
            case_id,
            placed_by_id: actor.id.clone(),
            // Microseconds: what both backends store, so the answer matches later reads.
            placed_at: now.trunc_subsecs(6),
        };
        diesel::delete(h::table.filter(h::case_id.eq(&row.case_id))).execute(c)?;
        diesel::insert_into(h::table)
            .values((
                h::id.eq(&row.id),
                h::case_id.eq(&row.case_id),
                h::reason_sealed.eq(&row.reason_sealed),
                h::placed_by_id.eq(&row.placed_by_id),
                h::placed_at.eq(row.placed_at),
            ))
            .execute(c)?;
        audit::record(c, &event.on(Resource::Case, &row.case_id))?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Ok().json(row.response(&state.data_keys)?))
}

/// Lifts the hold on a case of the caller's scope (404 when there is none).
#[utoipa::path(
    tag = "case records",
    params(("id" = uuid::Uuid, Path, description = "Case id")),
    security(("bearer" = [])),
    responses((status = 204, description = "Lifted"), ProblemResponse)
)]
#[delete("/cases/{id}/legal-hold")]
pub async fn lift_legal_hold(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::PlaceLegalHolds)?;
    let (case_id, scope) = (id.to_string(), case_scope(&actor));
    let event = AuditEvent::by(&actor, AuditAction::LegalHoldLift, state.clock.now_naive());
    db::transaction(&state.pool, move |c| {
        store::find(c, &scope, &case_id)?;
        let n = diesel::delete(h::table.filter(h::case_id.eq(&case_id))).execute(c)?;
        if n == 0 {
            return Err(ApiError::NotFound);
        }
        audit::record(c, &event.on(Resource::Case, &case_id))
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
