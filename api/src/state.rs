//! What every handler can reach: the pool, the clock, the token keys, the password hasher, the
//! audit log's read buffer.
use std::net::IpAddr;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::audit::AuditBuffer;
use crate::auth::passwords::Hasher;
use crate::auth::tokens::Keys;
use crate::clock::Clock;
use crate::config::{Rate, Settings};
use crate::crypto::Keyring;
use crate::db::Pool;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub clock: Clock,
    pub keys: Keys,
    pub hasher: Hasher,
    pub settings: Arc<Settings>,
    /// Login attempts per client IP (in this process; the lockout per email is in the database).
    pub login_limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Where reads of a child's data are recorded (`audit::buffer`).
    pub audit: AuditBuffer,
    /// Seals and opens sensitive text (`crypto`).
    pub data_keys: Arc<Keyring>,
}

pub fn limiter(rate: Rate) -> Arc<DefaultKeyedRateLimiter<IpAddr>> {
    let burst = std::num::NonZeroU32::new(rate.count).unwrap_or(std::num::NonZeroU32::MIN);
    let period = rate.per / rate.count.max(1);
    let quota = Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(burst))
        .allow_burst(burst);
    Arc::new(RateLimiter::keyed(quota))
}
