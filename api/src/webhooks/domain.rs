//! The pure rules of webhooks: which URLs may be registered, when a failed delivery is tried
//! again, what an answer means, and the body sent.
use std::net::IpAddr;

use chrono::{NaiveDateTime, TimeDelta};

/// The waits after the 1st, 2nd... failed attempt; then every 10 hours.
const BACKOFF_SECONDS: [i64; 6] = [10, 60, 300, 1800, 7200, 18000];
const LATER_SECONDS: i64 = 36000;
/// A delivery is given up this long after its first attempt.
pub const GIVE_UP_HOURS: i64 = 72;
/// How long a claimed delivery is kept from other workers while it is being sent.
pub const LEASE_SECONDS: i64 = 60;
/// The most deliveries one pass sends.
pub const BATCH: i64 = 50;
/// How long the previous secret still signs after a rotation.
pub const PREVIOUS_SECRET_HOURS: i64 = 24;
/// The timeout of one attempt.
pub const TIMEOUT_SECONDS: u64 = 10;

/// How long into a pass a new attempt may still start: one attempt (and its record) ends
/// within the lease, so no other worker can claim a delivery being sent.
pub fn send_window() -> std::time::Duration {
    let seconds = LEASE_SECONDS
        .unsigned_abs()
        .saturating_sub(TIMEOUT_SECONDS + 5);
    std::time::Duration::from_secs(seconds)
}

/// When to try again after `attempts` failed attempts, or `None` to give up (three days after
/// the first attempt).
pub fn next_attempt(
    attempts: i32,
    first_attempt_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    let index = usize::try_from(attempts.max(1) - 1).unwrap_or(0);
    let wait = BACKOFF_SECONDS.get(index).copied().unwrap_or(LATER_SECONDS);
    let next = now + TimeDelta::seconds(wait);
    (next <= first_attempt_at + TimeDelta::hours(GIVE_UP_HOURS)).then_some(next)
}

/// What an endpoint's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// 410 Gone: the endpoint is disabled and its pending deliveries stopped.
    Gone,
    Retry,
}

pub fn outcome(status: Option<u16>) -> Outcome {
    match status {
        Some(s) if (200..300).contains(&s) => Outcome::Delivered,
        Some(410) => Outcome::Gone,
        _ => Outcome::Retry,
    }
}

/// Whether an address is private, loopback, link-local, unspecified or unique-local.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
    }
}

/// Why a URL may not be registered, before resolving its host: its scheme (http or https
/// only), or no host.
pub fn url_problem(url: &reqwest::Url) -> Option<&'static str> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some("A webhook URL is http or https.");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Some("A webhook URL names a host.");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Some("A webhook URL carries no credentials.");
    }
    None
}

/// The thin body: `{"type": …, "timestamp": …, "data": {"id": …}}`.
pub fn payload(kind: &str, resource_id: &str, at: NaiveDateTime) -> String {
    serde_json::json!({
        "type": kind,
        "timestamp": at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "data": {"id": resource_id},
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + s, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn retries_back_off_then_every_ten_hours_and_stop_after_three_days() {
        let first = at(0);
        assert_eq!(next_attempt(1, first, at(0)), Some(at(10)));
        assert_eq!(next_attempt(2, first, at(10)), Some(at(70)));
        assert_eq!(next_attempt(6, first, at(100)), Some(at(18100)));
        assert_eq!(next_attempt(9, first, at(100_000)), Some(at(136_000)));
        assert_eq!(next_attempt(12, first, at(72 * 3600 - 100)), None);
    }

    #[test]
    fn only_2xx_delivers_and_410_disables() {
        assert_eq!(outcome(Some(204)), Outcome::Delivered);
        assert_eq!(outcome(Some(410)), Outcome::Gone);
        assert_eq!(outcome(Some(500)), Outcome::Retry);
        assert_eq!(outcome(Some(301)), Outcome::Retry);
        assert_eq!(outcome(None), Outcome::Retry);
    }

    #[test]
    fn private_addresses_are_recognized() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(ip.parse().is_ok_and(is_private), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "2001:4860::8888"] {
            assert!(ip.parse().is_ok_and(|ip| !is_private(ip)), "{ip}");
        }
    }

    #[test]
    fn only_http_and_https_urls_with_a_host() {
        let p = |u: &str| reqwest::Url::parse(u).ok().and_then(|u| url_problem(&u));
        assert_eq!(p("https://partner.example/hooks"), None);
        assert_eq!(p("http://partner.example"), None);
        assert!(p("ftp://partner.example").is_some());
        assert!(p("https://user:pw@partner.example").is_some());
    }

    #[test]
    fn an_attempt_started_in_the_window_ends_within_the_lease() {
        let window = send_window().as_secs();
        assert_eq!(window, 45);
        assert!(window + TIMEOUT_SECONDS < LEASE_SECONDS.unsigned_abs());
    }

    #[test]
    fn the_body_is_thin() {
        assert_eq!(
            payload("referral.created", "r1", at(0)),
            r#"{"data":{"id":"r1"},"timestamp":"2027-01-15T08:00:00Z","type":"referral.created"}"#
        );
    }
}
