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
/// expiries and lockouts need not sleep.
pub async fn advance_clock(
    state: web::Data<AppState>,
    body: ValidJson<AdvanceClock>,
) -> Result<HttpResponse, ApiError> {
    state
        .clock
        .advance(chrono::TimeDelta::seconds(body.0.seconds));
    Ok(HttpResponse::Ok().json(ClockNow {
        now: state.clock.now(),
    }))
}
