//! Development-only endpoints. Never registered when `MADAR_ENV=production`, and not part of
//! the API contract.
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::http::ValidJson;
use crate::state::AppState;

#[derive(Debug, Deserialize, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct AdvanceClock {
    #[validate(range(min = 0, max = 31_536_000))]
    pub seconds: i64,
}

#[derive(Serialize)]
pub struct ClockNow {
    pub now: chrono::DateTime<chrono::Utc>,
}

/// `POST /api/v1/dev/clock {"seconds": N}`: moves this process's clock forward, so tests of
/// expiries and lockouts need not sleep. It then runs one pass of the protocol worker
/// (`protocols::worker::tick`), so time-driven triggers fire deterministically, and one of the
/// other workers (the statistics' tallies, the webhooks).
pub async fn advance_clock(
    state: web::Data<AppState>,
    body: ValidJson<AdvanceClock>,
) -> Result<HttpResponse, ApiError> {
    state
        .clock
        .advance(chrono::TimeDelta::seconds(body.0.seconds));
    let now = state.clock.now_naive();
    match crate::db::run(&state.pool, move |c| crate::protocols::worker::tick(c, now)).await {
        Ok(pass) => tracing::debug!(?pass, "protocol worker pass after the clock moved"),
        Err(e) => tracing::warn!(error = ?e, "protocol worker pass after the clock moved failed"),
    }
    // And one pass of the statistics' tallies (a rebuild when stale, else folding the deltas).
    if let Err(e) = crate::db::run(&state.pool, crate::statistics::tally::tick).await {
        tracing::warn!(error = ?e, "statistics tallies pass after the clock moved failed");
    }
    // And one pass of the webhook worker: the deliveries due now are sent.
    let allow_private = state.settings.webhook_allow_private;
    let pass =
        crate::webhooks::worker::tick(&state.pool, &state.data_keys, &state.clock, allow_private);
    match pass.await {
        Ok(pass) => tracing::debug!(?pass, "webhook pass after the clock moved"),
        Err(e) => tracing::warn!(error = ?e, "webhook pass after the clock moved failed"),
    }
    Ok(HttpResponse::Ok().json(ClockNow {
        now: state.clock.now(),
    }))
}
