//! `POST /api/v1/referrals/{id}/{accept|decline|start|complete|cancel}`: the status changes,
//! each with If-Match (428 without, 412 when stale) and an Idempotency-Key. The receiving
//! organization answers (403 for anyone else); the sending side cancels (403 for the
//! receiver). A move the lifecycle does not allow is 409 `referral_transition_not_allowed`.
//! Each change lands on the case's timeline and in the audit; completing a referral made from
//! a plan action marks that action `done`.
use actix_web::{post, web, HttpRequest, HttpResponse};
use madar_openapi::referrals::{
    CancelReferral, CompleteReferral, DeclineReferral, ReferralResponse,
};

use super::change::{change, Asked};
use super::domain::Move;
use super::writes::Change;
use crate::auth::Actor;
use crate::error::ApiError;
use crate::http::{IfMatch, ProblemResponse, ValidJson};
use crate::idempotency::IdempotencyKey;
use crate::state::AppState;

/// Accepts a referral addressed to the caller's organization (`sent → accepted`).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = uuid::Uuid, Path, description = "Referral id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The accepted referral", body = ReferralResponse), ProblemResponse)
)]
#[post("/referrals/{id}/accept")]
pub async fn accept_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let asked = Asked {
        req: &req,
        state,
        actor,
        id: *id,
        if_match,
        key,
        body: Ok(()),
    };
    change(asked, Move::Accept, |_| Change::default()).await
}

/// Declines a referral addressed to the caller's organization, with a reason (sensitive,
/// shown to both sides) (`sent → declined`).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = uuid::Uuid, Path, description = "Referral id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = DeclineReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "The declined referral", body = ReferralResponse), ProblemResponse)
)]
#[post("/referrals/{id}/decline")]
pub async fn decline_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<DeclineReferral>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map(|b| b.0);
    let asked = Asked {
        req: &req,
        state,
        actor,
        id: *id,
        if_match,
        key,
        body,
    };
    change(asked, Move::Decline, |b: &DeclineReferral| Change {
        reason: Some(b.reason.clone()),
        ..Change::default()
    })
    .await
}

/// Starts the service of an accepted referral (`accepted → in_progress`).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = uuid::Uuid, Path, description = "Referral id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    security(("bearer" = [])),
    responses((status = 200, description = "The referral in progress", body = ReferralResponse), ProblemResponse)
)]
#[post("/referrals/{id}/start")]
pub async fn start_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let asked = Asked {
        req: &req,
        state,
        actor,
        id: *id,
        if_match,
        key,
        body: Ok(()),
    };
    change(asked, Move::Start, |_| Change::default()).await
}

/// Completes a referral in progress with its outcome and feedback (sensitive)
/// (`in_progress → completed`); the plan action it carried out, if any, becomes `done`.
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = uuid::Uuid, Path, description = "Referral id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CompleteReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "The completed referral", body = ReferralResponse), ProblemResponse)
)]
#[post("/referrals/{id}/complete")]
pub async fn complete_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CompleteReferral>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map(|b| b.0);
    let asked = Asked {
        req: &req,
        state,
        actor,
        id: *id,
        if_match,
        key,
        body,
    };
    change(asked, Move::Complete, |b: &CompleteReferral| Change {
        outcome: Some(b.outcome),
        feedback: b.feedback.clone(),
        ..Change::default()
    })
    .await
}

/// Cancels a referral not yet ended, by its sending side (`sent | accepted | in_progress →
/// cancelled`), with an optional reason (sensitive).
#[utoipa::path(
    tag = "referrals",
    params(
        ("id" = uuid::Uuid, Path, description = "Referral id"),
        ("If-Match" = String, Header, description = "ETag of the last read"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key replays the first response (required for API clients)"),
    ),
    request_body = CancelReferral,
    security(("bearer" = [])),
    responses((status = 200, description = "The cancelled referral", body = ReferralResponse), ProblemResponse)
)]
#[post("/referrals/{id}/cancel")]
pub async fn cancel_referral(
    req: HttpRequest,
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<uuid::Uuid>,
    if_match: Result<IfMatch, ApiError>,
    key: Result<IdempotencyKey, ApiError>,
    body: Result<ValidJson<CancelReferral>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let body = body.map(|b| b.0);
    let asked = Asked {
        req: &req,
        state,
        actor,
        id: *id,
        if_match,
        key,
        body,
    };
    change(asked, Move::Cancel, |b: &CancelReferral| Change {
        reason: b.reason.clone(),
        ..Change::default()
    })
    .await
}
