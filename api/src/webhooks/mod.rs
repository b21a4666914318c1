//! Webhooks (issue 7): partner and hotline organizations register HTTP endpoints that
//! receive thin events signed per Standard Webhooks.
//!
//! - `handlers`: `/api/v1/webhooks` (register, list, read, delete, rotate the secret, list
//!   deliveries); `store`: the queries; `domain`: URLs, backoff, outcomes, the body (pure);
//!   `signing`: secrets and signatures (pure); `worker`: the delivery loop of `madar serve`.
//!
//! A change writes its deliveries in its own transaction (an outbox): `events::publish` calls
//! `enqueue` for the referral events, screening calls `report_status_changed`, and the protocol
//! worker `report_alert` when an action on a report falls overdue.
pub mod domain;
pub mod handlers;
pub mod signing;
pub mod store;
pub mod worker;

use chrono::NaiveDateTime;
use madar_openapi::webhooks::WebhookEventType;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::DbConn;
use crate::error::ApiError;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_webhook)
        .service(handlers::list_webhooks)
        .service(handlers::get_webhook)
        .service(handlers::delete_webhook)
        .service(handlers::rotate_webhook_secret)
        .service(handlers::list_webhook_deliveries);
}

/// Writes the deliveries of one event to the subscribed endpoints of `organizations` (ids),
/// in the caller's transaction.
pub fn enqueue(
    conn: &mut DbConn,
    kind: WebhookEventType,
    resource_id: &str,
    organizations: &[String],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    store::enqueue(conn, kind, resource_id, organizations, now).map(|_| ())
}

/// `report.status_changed` to the organization that filed the report.
pub fn report_status_changed(
    conn: &mut DbConn,
    report_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    to_filer(conn, WebhookEventType::ReportStatusChanged, report_id, now)
}

/// `alert.created` to the organization that filed the report: a protocol action on it fell
/// overdue (the hotline learns that its immediate-danger report was not screened in time).
pub fn report_alert(
    conn: &mut DbConn,
    report_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    to_filer(conn, WebhookEventType::AlertCreated, report_id, now)
}

fn to_filer(
    conn: &mut DbConn,
    kind: WebhookEventType,
    report_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    use crate::schema::reports as r;
    use diesel::prelude::*;
    let filer: Option<String> = r::table
        .filter(r::id.eq(report_id))
        .select(r::created_by_org)
        .first(conn)
        .optional()?;
    let organizations: Vec<String> = filer.into_iter().collect();
    enqueue(conn, kind, report_id, &organizations, now)
}
