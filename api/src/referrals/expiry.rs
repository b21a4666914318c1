//! Expiry: a referral still `sent` at its answer deadline (`respond_by`) becomes `expired`,
//! with its timeline event (actor: the nil UUID, the system) and a system audit event. A
//! background task runs it every minute, and every read or change of referrals runs it first
//! (so the test clock needs no sleep). It runs once per referral however many processes try:
//! PostgreSQL locks the due rows `FOR UPDATE` (in one order), and a second process waits for
//! the first to commit, then finds them expired and leaves them: it does not skip them, or a
//! read beside an expiry in progress would still show a referral `sent` past its deadline. On
//! SQLite (one process, one writer) each row is expired by a compare-and-set on its status in
//! its own transaction.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::CaseEventKind;
use madar_openapi::referrals::ReferralStatus;
use serde_json::json;

use super::writes;
use crate::audit::{self, AuditAction, AuditEvent, Resource};
use crate::cases::events::{self, Event};
use crate::clock::Clock;
use crate::codes::to_code;
use crate::crypto::Keyring;
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;
use crate::schema::referrals as r;

/// The actor of system events on a case's timeline.
pub const SYSTEM_ACTOR: &str = "00000000-0000-0000-0000-000000000000";

/// How many referrals one pass expires at most.
const BATCH: i64 = 100;

/// Expires one due referral inside the caller's transaction; whether it did.
fn expire_one(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    if !writes::expire(conn, id, now)? {
        return Ok(false);
    }
    let (case_id, from_org, to_org): (String, String, String) = r::table
        .find(id)
        .select((r::case_id, r::from_org, r::to_org))
        .first(conn)?;
    let changed = crate::events::NewEvent::referral_updated(id, &from_org, &to_org);
    crate::events::publish(conn, &changed, now)?;
    let detail =
        json!({"from": to_code(&ReferralStatus::Sent), "to": to_code(&ReferralStatus::Expired)});
    let event = Event::new(&case_id, CaseEventKind::ReferralExpired, SYSTEM_ACTOR)
        .subject(id)
        .detail(detail);
    events::append(conn, keys, event, now)?;
    audit::record(
        conn,
        &AuditEvent::system(AuditAction::ReferralExpire, now).on(Resource::Referral, id),
    )?;
    Ok(true)
}

/// The referrals due at `now`, oldest deadline first.
macro_rules! due {
    ($now:expr) => {
        r::table
            .filter(
                r::status
                    .eq(to_code(&ReferralStatus::Sent))
                    .and(r::respond_by.le($now)),
            )
            .order((r::respond_by, r::id))
            .select(r::id)
            .limit(BATCH)
    };
}

/// Expires the referrals due at `now`; how many.
pub fn expire_due(
    conn: &mut DbConn,
    keys: &Keyring,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    if matches!(conn, DbConn::Postgres(_)) {
        return crate::db::write_transaction(conn, |c| {
            let ids: Vec<String> = match c {
                DbConn::Postgres(pg) => due!(now).for_update().load(pg)?,
                DbConn::Sqlite(_) => vec![],
            };
            let mut expired = 0;
            for id in ids {
                expired += usize::from(expire_one(c, keys, &id, now)?);
            }
            Ok(expired)
        });
    }
    let ids: Vec<String> = due!(now).load(conn)?;
    let mut expired = 0;
    for id in ids {
        expired += usize::from(crate::db::write_transaction(conn, |c| {
            expire_one(c, keys, &id, now)
        })?);
    }
    Ok(expired)
}

/// Runs `expire_due` every minute in the background.
pub fn spawn(pool: Pool, clock: Clock, keys: std::sync::Arc<Keyring>) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let (now, keys) = (clock.now_naive(), keys.clone());
            match db::run(&pool, move |c| expire_due(c, &keys, now)).await {
                Ok(n) if n > 0 => tracing::info!(expired = n, "unanswered referrals expired"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "expiring referrals failed"),
            }
        }
    });
}
