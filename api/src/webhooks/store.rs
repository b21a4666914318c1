//! The queries of webhooks: endpoints (secrets sealed), the outbox of deliveries and their
//! attempts.
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use madar_openapi::webhooks::{
    WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType, WebhookResponse,
    WebhookStatus,
};

use super::domain;
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{webhook_attempts as wa, webhook_deliveries as wd, webhooks as w};

const ACTIVE: &str = "active";
const DISABLED: &str = "disabled";
const PENDING: &str = "pending";

fn place<'a>(column: &'a str, id: &'a str) -> Place<'a> {
    Place {
        table: "webhooks",
        column,
        row_id: id,
    }
}

/// One endpoint as stored (its secrets still sealed).
#[derive(Debug, Clone, Queryable)]
pub struct Row {
    pub id: String,
    pub organization_id: String,
    pub url: String,
    pub events: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<NaiveDateTime>,
    pub status: String,
    pub created_at: NaiveDateTime,
}

type RowColumns = (
    w::id,
    w::organization_id,
    w::url,
    w::events,
    w::secret,
    w::previous_secret,
    w::previous_until,
    w::status,
    w::created_at,
);
const ROW: RowColumns = (
    w::id,
    w::organization_id,
    w::url,
    w::events,
    w::secret,
    w::previous_secret,
    w::previous_until,
    w::status,
    w::created_at,
);

fn event_list(events: &str) -> Vec<WebhookEventType> {
    serde_json::from_str::<Vec<String>>(events)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| WebhookEventType::parse(c))
        .collect()
}

impl Row {
    pub fn response(&self, now: NaiveDateTime) -> Result<WebhookResponse, ApiError> {
        Ok(WebhookResponse {
            id: uuid::Uuid::parse_str(&self.id).map_err(|_| ApiError::NotFound)?,
            url: self.url.clone(),
            events: event_list(&self.events),
            status: if self.status == DISABLED {
                WebhookStatus::Disabled
            } else {
                WebhookStatus::Active
            },
            previous_secret_until: self
                .previous_until
                .filter(|until| *until > now && self.previous_secret.is_some())
                .map(|t| t.and_utc()),
            created_at: self.created_at.and_utc(),
        })
    }

    /// The secrets that sign now: the current one, and the previous one within its 24 hours.
    pub fn secrets(&self, keys: &Keyring, now: NaiveDateTime) -> Result<Vec<String>, ApiError> {
        let mut out = vec![keys.open(place("secret", &self.id), &self.secret)?];
        if let (Some(prev), Some(until)) = (&self.previous_secret, self.previous_until) {
            if until > now {
                out.push(keys.open(place("previous_secret", &self.id), prev)?);
            }
        }
        Ok(out)
    }
}

#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    organization_id: &str,
    url: &str,
    events: &[WebhookEventType],
    secret: &str,
    created_by: &str,
    now: NaiveDateTime,
) -> Result<Row, ApiError> {
    let codes: Vec<String> = events.iter().map(|e| e.code().to_string()).collect();
    let mut codes = codes;
    codes.sort();
    codes.dedup();
    diesel::insert_into(w::table)
        .values((
            w::id.eq(id),
            w::organization_id.eq(organization_id),
            w::url.eq(url),
            w::events.eq(serde_json::to_string(&codes).unwrap_or_else(|_| "[]".into())),
            w::secret.eq(keys.seal(place("secret", id), secret)?),
            w::status.eq(ACTIVE),
            w::created_by.eq(created_by),
            w::created_at.eq(now),
            w::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, organization_id, id)
}

/// The organization's endpoints, oldest first.
pub fn list(conn: &mut DbConn, organization_id: &str) -> Result<Vec<Row>, ApiError> {
    Ok(w::table
        .filter(w::organization_id.eq(organization_id))
        .order((w::created_at.asc(), w::id.asc()))
        .select(ROW)
        .load::<Row>(conn)?)
}

/// One of the organization's endpoints; another organization's answers 404.
pub fn find(conn: &mut DbConn, organization_id: &str, id: &str) -> Result<Row, ApiError> {
    w::table
        .filter(w::id.eq(id).and(w::organization_id.eq(organization_id)))
        .select(ROW)
        .first::<Row>(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

/// Deletes an endpoint with its deliveries and their attempts.
pub fn delete(conn: &mut DbConn, organization_id: &str, id: &str) -> Result<(), ApiError> {
    find(conn, organization_id, id)?;
    let deliveries: Vec<String> = wd::table
        .filter(wd::webhook_id.eq(id))
        .select(wd::id)
        .load(conn)?;
    diesel::delete(wa::table.filter(wa::delivery_id.eq_any(&deliveries))).execute(conn)?;
    diesel::delete(wd::table.filter(wd::webhook_id.eq(id))).execute(conn)?;
    diesel::delete(w::table.filter(w::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Replaces the secret; the one replaced keeps signing for 24 hours.
pub fn rotate(
    conn: &mut DbConn,
    keys: &Keyring,
    organization_id: &str,
    id: &str,
    secret: &str,
    now: NaiveDateTime,
) -> Result<Row, ApiError> {
    let row = find(conn, organization_id, id)?;
    let old = keys.open(place("secret", id), &row.secret)?;
    diesel::update(w::table.filter(w::id.eq(id)))
        .set((
            w::secret.eq(keys.seal(place("secret", id), secret)?),
            w::previous_secret.eq(Some(keys.seal(place("previous_secret", id), &old)?)),
            w::previous_until.eq(Some(now + TimeDelta::hours(domain::PREVIOUS_SECRET_HOURS))),
            w::updated_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, organization_id, id)
}

/// Writes one delivery per active endpoint of `organizations` subscribed to `kind` (in the
/// caller's transaction: sent only if the change commits).
pub fn enqueue(
    conn: &mut DbConn,
    kind: WebhookEventType,
    resource_id: &str,
    organizations: &[String],
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    if organizations.is_empty() {
        return Ok(0);
    }
    let endpoints: Vec<(String, String)> = w::table
        .filter(
            w::organization_id
                .eq_any(organizations)
                .and(w::status.eq(ACTIVE)),
        )
        .select((w::id, w::events))
        .load(conn)?;
    let payload = domain::payload(kind.code(), resource_id, now);
    let mut n = 0;
    for (webhook_id, events) in endpoints {
        if !event_list(&events).contains(&kind) {
            continue;
        }
        diesel::insert_into(wd::table)
            .values((
                wd::id.eq(super::signing::message_id()),
                wd::webhook_id.eq(&webhook_id),
                wd::event_type.eq(kind.code()),
                wd::resource_id.eq(resource_id),
                wd::payload.eq(&payload),
                wd::status.eq(PENDING),
                wd::attempts.eq(0),
                wd::next_attempt_at.eq(now),
                wd::created_at.eq(now),
            ))
            .execute(conn)?;
        n += 1;
    }
    Ok(n)
}

/// A delivery claimed for sending.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub payload: String,
    pub attempts: i32,
    pub first_attempt_at: Option<NaiveDateTime>,
    pub webhook: Row,
}

/// Claims the due deliveries: each is leased (its next attempt pushed a minute on) so no
/// other worker sends it meanwhile. On PostgreSQL the rows are locked `FOR UPDATE SKIP
/// LOCKED` while claimed.
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime) -> Result<Vec<Claimed>, ApiError> {
    crate::db::write_transaction(conn, |c| {
        let due = wd::status.eq(PENDING).and(wd::next_attempt_at.le(now));
        let ids: Vec<String> = match c {
            DbConn::Postgres(pg) => wd::table
                .filter(due)
                .order(wd::next_attempt_at.asc())
                .select(wd::id)
                .limit(domain::BATCH)
                .for_update()
                .skip_locked()
                .load(pg)?,
            DbConn::Sqlite(_) => wd::table
                .filter(due)
                .order(wd::next_attempt_at.asc())
                .select(wd::id)
                .limit(domain::BATCH)
                .load(c)?,
        };
        if ids.is_empty() {
            return Ok(vec![]);
        }
        diesel::update(wd::table.filter(wd::id.eq_any(&ids)))
            .set(wd::next_attempt_at.eq(now + TimeDelta::seconds(domain::LEASE_SECONDS)))
            .execute(c)?;
        let rows: Vec<(String, String, String, i32, Option<NaiveDateTime>)> = wd::table
            .filter(wd::id.eq_any(&ids))
            .order(wd::created_at.asc())
            .select((
                wd::id,
                wd::webhook_id,
                wd::payload,
                wd::attempts,
                wd::first_attempt_at,
            ))
            .load(c)?;
        let hooks: Vec<&String> = rows.iter().map(|r| &r.1).collect();
        let webhooks: Vec<Row> = w::table.filter(w::id.eq_any(hooks)).select(ROW).load(c)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, webhook_id, payload, attempts, first_attempt_at)| {
                let webhook = webhooks.iter().find(|h| h.id == webhook_id)?.clone();
                Some(Claimed {
                    id,
                    payload,
                    attempts,
                    first_attempt_at,
                    webhook,
                })
            })
            .collect())
    })
}

/// Records one attempt and what follows from it.
pub fn record_attempt(
    conn: &mut DbConn,
    claimed: &Claimed,
    status_code: Option<u16>,
    error: Option<String>,
    now: NaiveDateTime,
) -> Result<domain::Outcome, ApiError> {
    let outcome = domain::outcome(status_code);
    crate::db::write_transaction(conn, |c| {
        diesel::insert_into(wa::table)
            .values((
                wa::delivery_id.eq(&claimed.id),
                wa::attempted_at.eq(now),
                wa::status_code.eq(status_code.map(i32::from)),
                wa::error.eq(error),
            ))
            .execute(c)?;
        let attempts = claimed.attempts + 1;
        let first = claimed.first_attempt_at.unwrap_or(now);
        let this = wd::table.filter(wd::id.eq(&claimed.id));
        let common = (
            wd::attempts.eq(attempts),
            wd::first_attempt_at.eq(Some(first)),
        );
        match outcome {
            domain::Outcome::Delivered => {
                diesel::update(this)
                    .set((
                        common,
                        wd::status.eq("delivered"),
                        wd::delivered_at.eq(Some(now)),
                    ))
                    .execute(c)?;
            }
            domain::Outcome::Gone => {
                diesel::update(this)
                    .set((common, wd::status.eq("stopped")))
                    .execute(c)?;
                diesel::update(w::table.filter(w::id.eq(&claimed.webhook.id)))
                    .set((w::status.eq(DISABLED), w::updated_at.eq(now)))
                    .execute(c)?;
                diesel::update(
                    wd::table.filter(
                        wd::webhook_id
                            .eq(&claimed.webhook.id)
                            .and(wd::status.eq(PENDING)),
                    ),
                )
                .set(wd::status.eq("stopped"))
                .execute(c)?;
            }
            domain::Outcome::Retry => match domain::next_attempt(attempts, first, now) {
                Some(next) => {
                    diesel::update(this)
                        .set((common, wd::next_attempt_at.eq(next)))
                        .execute(c)?;
                }
                None => {
                    diesel::update(this)
                        .set((common, wd::status.eq("failed")))
                        .execute(c)?;
                }
            },
        }
        Ok(outcome)
    })
}

fn delivery_status(code: &str) -> WebhookDeliveryStatus {
    match code {
        "delivered" => WebhookDeliveryStatus::Delivered,
        "failed" => WebhookDeliveryStatus::Failed,
        "stopped" => WebhookDeliveryStatus::Stopped,
        _ => WebhookDeliveryStatus::Pending,
    }
}

/// An endpoint's deliveries, newest first, with their attempts (at most `limit`).
pub fn deliveries(
    conn: &mut DbConn,
    webhook_id: &str,
    limit: i64,
) -> Result<Vec<WebhookDelivery>, ApiError> {
    type DRow = (
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        NaiveDateTime,
    );
    let rows: Vec<DRow> = wd::table
        .filter(wd::webhook_id.eq(webhook_id))
        .order((wd::created_at.desc(), wd::id.desc()))
        .limit(limit)
        .select((
            wd::id,
            wd::event_type,
            wd::resource_id,
            wd::status,
            wd::next_attempt_at,
            wd::delivered_at,
            wd::created_at,
        ))
        .load(conn)?;
    let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
    let attempts: Vec<(String, NaiveDateTime, Option<i32>, Option<String>)> = wa::table
        .filter(wa::delivery_id.eq_any(ids))
        .order(wa::id.asc())
        .select((
            wa::delivery_id,
            wa::attempted_at,
            wa::status_code,
            wa::error,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(id, kind, resource_id, status, next, delivered, created)| {
                let status = delivery_status(&status);
                Some(WebhookDelivery {
                    attempts: attempts
                        .iter()
                        .filter(|a| a.0 == id)
                        .map(|a| WebhookAttempt {
                            attempted_at: a.1.and_utc(),
                            status_code: a.2,
                            error: a.3.clone(),
                        })
                        .collect(),
                    id,
                    type_: WebhookEventType::parse(&kind)?,
                    resource_id,
                    next_attempt_at: (status == WebhookDeliveryStatus::Pending)
                        .then(|| next.and_utc()),
                    status,
                    delivered_at: delivered.map(|d| d.and_utc()),
                    created_at: created.and_utc(),
                })
            },
        )
        .collect())
}
