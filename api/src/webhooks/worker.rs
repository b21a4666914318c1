//! The delivery worker inside `madar serve`: every 10 seconds it claims the due deliveries
//! (leased, `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several processes send each once),
//! posts each signed per Standard Webhooks (timeout 10 s, no redirects), and records the
//! attempt: 2xx delivered; 410 disables the endpoint and stops its pending deliveries; else
//! tried again with backoff, for up to three days after the first attempt. All state is in
//! the database, so retries survive restarts. The dev clock endpoint runs a pass.
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::clock::Clock;
use crate::crypto::Keyring;
use crate::db::{self, Pool};
use crate::error::ApiError;

use super::{domain, signing, store};

/// Resolves hosts to their public addresses only: a name that resolves (now) to a private,
/// loopback or link-local address is not reached, whatever it resolved to at registration.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::task::spawn_blocking(move || {
                (host.as_str(), 0)
                    .to_socket_addrs()
                    .map(|a| a.collect::<Vec<_>>())
            })
            .await??;
            let public: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| !domain::is_private(a.ip()))
                .collect();
            if public.is_empty() {
                return Err("the host resolves to no public address".into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP client: `allow_private` (`MADAR_WEBHOOK_ALLOW_PRIVATE`) reaches any address.
fn client(allow_private: bool) -> Option<&'static reqwest::Client> {
    static ANY: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    static PUBLIC: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    let build = move || {
        let builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(domain::TIMEOUT_SECONDS))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Madar-Webhooks/1");
        let builder = if allow_private {
            builder
        } else {
            builder.dns_resolver(Arc::new(PublicOnly))
        };
        builder
            .build()
            .map_err(|e| tracing::warn!(error = %e, "webhooks: no HTTP client"))
            .ok()
    };
    let cell = if allow_private { &ANY } else { &PUBLIC };
    cell.get_or_init(build).as_ref()
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub delivered: usize,
}

/// One pass: sends every due delivery once.
pub async fn tick(
    pool: &Pool,
    keys: &Arc<Keyring>,
    clock: &Clock,
    allow_private: bool,
) -> Result<Pass, ApiError> {
    let now = clock.now_naive();
    let claimed = db::run(pool, move |c| store::claim_due(c, now)).await?;
    let mut pass = Pass::default();
    let started = std::time::Instant::now();
    for delivery in claimed {
        // No attempt may outlast the lease (another process would send it too): past the
        // window, the rest of the batch waits for its lease to end and a later pass.
        if started.elapsed() >= domain::send_window() {
            break;
        }
        let sent_at = clock.now_naive();
        let (status, error) = match delivery.webhook.secrets(keys, sent_at) {
            Ok(secrets) => {
                let timestamp = sent_at.and_utc().timestamp();
                send(&delivery, &secrets, timestamp, allow_private).await
            }
            Err(e) => (None, Some(format!("secret: {e:?}"))),
        };
        let record = delivery.clone();
        let outcome = db::run(pool, move |c| {
            store::record_attempt(c, &record, status, error, sent_at)
        })
        .await?;
        pass.sent += 1;
        if outcome == domain::Outcome::Delivered {
            pass.delivered += 1;
        }
    }
    Ok(pass)
}

async fn send(
    delivery: &store::Claimed,
    secrets: &[String],
    timestamp: i64,
    allow_private: bool,
) -> (Option<u16>, Option<String>) {
    let Some(client) = client(allow_private) else {
        return (None, Some("no HTTP client".into()));
    };
    // An address in the URL itself is not resolved: checked here.
    let literal = reqwest::Url::parse(&delivery.webhook.url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .and_then(|h| h.trim_matches(['[', ']']).parse::<std::net::IpAddr>().ok())
        });
    if !allow_private && literal.is_some_and(domain::is_private) {
        return (None, Some("address not allowed".into()));
    }
    let signature = signing::header(secrets, &delivery.id, timestamp, &delivery.payload);
    let request = client
        .post(&delivery.webhook.url)
        .header("content-type", "application/json")
        .header("webhook-id", &delivery.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(delivery.payload.clone());
    match request.send().await {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(e) => {
            let kind = if e.is_timeout() {
                "timeout"
            } else if e.is_connect() {
                "connection failed"
            } else {
                "request failed"
            };
            (None, Some(kind.to_string()))
        }
    }
}

pub fn spawn(pool: Pool, clock: Clock, keys: Arc<Keyring>, allow_private: bool) {
    actix_web::rt::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(10));
        loop {
            every.tick().await;
            match tick(&pool, &keys, &clock, allow_private).await {
                Ok(p) if p != Pass::default() => {
                    tracing::info!(sent = p.sent, delivered = p.delivered, "webhook pass")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "webhook pass failed"),
            }
        }
    });
}
