//! The deadline worker inside `madar serve`: every minute it marks the pending protocol
//! actions past their due time `overdue`. Reads already show such actions overdue (the clock
//! decides), so the worker only makes the stored status catch up. On PostgreSQL the rows are
//! claimed with `FOR UPDATE SKIP LOCKED`: with several processes each action is marked once.
use crate::clock::Clock;
use crate::db::{self, Pool};

pub fn spawn(pool: Pool, clock: Clock) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let now = clock.now_naive();
            match db::run(&pool, move |c| super::store::mark_overdue(c, now)).await {
                Ok(n) if n > 0 => tracing::info!(overdue = n, "protocol actions overdue"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "marking overdue protocol actions failed"),
            }
        }
    });
}
