//! Live updates (issue 7): Server-Sent Events to each logged-in user, scoped by the policy
//! (`auth::policy::sees_live_event`).
//!
//! - `handlers`: `POST /api/v1/events/tickets` and the stream `GET /api/v1/events`;
//! - `domain`: frames, resuming, the audience and the ids a poll still awaits (pure,
//!   unit-tested); `store`: the queries.
//!
//! A change writes its event with `publish` in its own transaction; every server process's
//! streams read the new rows of `live_events` (the fan-out goes through the database).
pub mod domain;
pub mod handlers;
pub mod store;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use chrono::NaiveDateTime;
use madar_openapi::events::LiveEventType;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db::DbConn;
use crate::error::ApiError;

/// Set when the server was asked to stop: every stream ends, so the graceful shutdown does not
/// wait for them.
static CLOSING: AtomicBool = AtomicBool::new(false);
static WATCHING: Once = Once::new();

/// Whether the server is stopping.
pub fn closing() -> bool {
    CLOSING.load(Ordering::Relaxed)
}

/// Listens (once per process, beside the server's own handlers) for the signals that stop the
/// server, and marks it closing.
pub fn watch_shutdown() {
    WATCHING.call_once(|| {
        use actix_web::rt::signal::unix::{signal, SignalKind};
        for kind in [SignalKind::terminate(), SignalKind::interrupt()] {
            match signal(kind) {
                Ok(mut stream) => {
                    actix_web::rt::spawn(async move {
                        if stream.recv().await.is_some() {
                            CLOSING.store(true, Ordering::Relaxed);
                        }
                    });
                }
                Err(e) => tracing::warn!(error = %e, "events: no shutdown signal"),
            }
        }
    });
}

/// The operations of live updates.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_event_ticket)
        .service(handlers::get_event_stream);
}

/// An event to publish: its type, the resource's id, and who may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: LiveEventType,
    pub resource_id: String,
    /// Organization ids.
    pub organizations: Vec<String>,
    /// Territory paths.
    pub territories: Vec<String>,
}

impl NewEvent {
    /// A new report, routed to `routes` (organization ids, codes), its children in `paths`.
    pub fn report_received(id: &str, routes: Vec<(String, String)>, paths: &[String]) -> Self {
        NewEvent {
            kind: LiveEventType::ReportReceived,
            resource_id: id.to_string(),
            organizations: routes.into_iter().map(|(id, _)| id).collect(),
            territories: paths.to_vec(),
        }
    }

    /// A referral sent to the organization `to_org`.
    pub fn referral_created(id: &str, to_org: &str) -> Self {
        NewEvent {
            kind: LiveEventType::ReferralCreated,
            resource_id: id.to_string(),
            organizations: vec![to_org.to_string()],
            territories: vec![],
        }
    }

    /// A referral's status changed: both sides hear of it.
    pub fn referral_updated(id: &str, from_org: &str, to_org: &str) -> Self {
        NewEvent {
            kind: LiveEventType::ReferralUpdated,
            resource_id: id.to_string(),
            organizations: vec![from_org.to_string(), to_org.to_string()],
            territories: vec![],
        }
    }
}

impl NewEvent {
    /// A protocol action fell overdue: the organizations that own its case or received its
    /// report hear of it, and the coordinators of its territory.
    pub fn alert_created(action_id: &str, organizations: Vec<String>, path: String) -> Self {
        NewEvent {
            kind: LiveEventType::AlertCreated,
            resource_id: action_id.to_string(),
            organizations,
            territories: vec![path],
        }
    }
}

/// Publishes `report.received` for a report just filed (its routes read back), its children
/// in `paths`.
pub fn publish_report_received(
    conn: &mut DbConn,
    id: &str,
    paths: &[String],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let routes = crate::reports::store::routes(conn, id)?;
    publish(conn, &NewEvent::report_received(id, routes, paths), now)
}

/// Writes an event in the caller's transaction: it is sent only if the change commits.
pub fn publish(conn: &mut DbConn, event: &NewEvent, now: NaiveDateTime) -> Result<(), ApiError> {
    store::insert(conn, event, now)?;
    // A referral's change reaches the organizations' webhooks too (their outbox, same
    // transaction). An alert goes to webhooks on its own terms (`webhooks::report_alert`): a
    // partner's system reads the report it filed, not the protocol action.
    if let Some(kind) = webhook_kind(event.kind) {
        crate::webhooks::enqueue(conn, kind, &event.resource_id, &event.organizations, now)?;
    }
    Ok(())
}

/// The webhook event a live event also is, with the same id and organizations.
fn webhook_kind(live: LiveEventType) -> Option<madar_openapi::webhooks::WebhookEventType> {
    use madar_openapi::webhooks::WebhookEventType as W;
    match live {
        LiveEventType::ReferralCreated => Some(W::ReferralCreated),
        LiveEventType::ReferralUpdated => Some(W::ReferralUpdated),
        LiveEventType::ReportReceived | LiveEventType::AlertCreated => None,
    }
}
