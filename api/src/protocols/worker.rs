//! The deadline worker inside `madar serve`: every minute it marks the pending protocol
//! actions past their due time `overdue` (reads already show them overdue: the clock decides,
//! so the worker only makes the stored status catch up), and fires the time-driven triggers:
//! `turning_18_in_institution` (a child placed in a social-care institution whose 18th
//! birthday is within six months, once per child and rule) and `referral_unanswered` (a
//! referral not answered by its `respond_by`, once per referral and rule). With several
//! processes on one PostgreSQL it acts once: overdue rows are claimed with
//! `FOR UPDATE SKIP LOCKED`, and the triggers run under a transaction-scoped advisory lock
//! (a process that does not get it skips the pass). The dev clock endpoint runs a pass after
//! moving the clock, so tests need not wait.
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::clock::Clock;
use crate::db::{self, DbConn, Pool};
use crate::error::ApiError;

diesel::define_sql_function!(fn pg_try_advisory_xact_lock(key: diesel::sql_types::BigInt) -> diesel::sql_types::Bool);

/// "madar-pr" as an integer: the advisory-lock key of the protocol triggers.
const TRIGGERS_LOCK: i64 = 0x6d61_6461_722d_7072;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub overdue: usize,
    pub turning_18: usize,
    pub unanswered: usize,
}

/// One pass of the worker at `now`.
pub fn tick(conn: &mut DbConn, now: NaiveDateTime) -> Result<Pass, ApiError> {
    let overdue = super::store::mark_overdue(conn, now)?;
    let (turning_18, unanswered) = crate::db::write_transaction(conn, |c| {
        let locked = match c {
            DbConn::Postgres(pg) => {
                diesel::select(pg_try_advisory_xact_lock(TRIGGERS_LOCK)).get_result::<bool>(pg)?
            }
            DbConn::Sqlite(_) => true,
        };
        if !locked {
            return Ok((0, 0));
        }
        let turning = super::triggers::turning_18_in_institution(c, now)?;
        let unanswered = super::triggers::referrals_unanswered(c, now)?;
        Ok::<_, ApiError>((turning, unanswered))
    })?;
    Ok(Pass {
        overdue,
        turning_18,
        unanswered,
    })
}

pub fn spawn(pool: Pool, clock: Clock) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let now = clock.now_naive();
            match db::run(&pool, move |c| tick(c, now)).await {
                Ok(p) if p != Pass::default() => tracing::info!(
                    overdue = p.overdue,
                    turning_18 = p.turning_18,
                    unanswered = p.unanswered,
                    "protocol worker pass"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "protocol worker pass failed"),
            }
        }
    });
}
