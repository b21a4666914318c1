//! Settings, read from environment variables. Every setting and its default is listed in
//! README.md ("Configuration"); `make run` works with none set.
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::retention::Policy;

/// Development or production. Production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A number of events per period, such as `5/15m` or `20/1m`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per: Duration,
}

impl Rate {
    pub fn parse(text: &str) -> anyhow::Result<Rate> {
        let (count, per) = text
            .split_once('/')
            .context("expected COUNT/PERIOD, such as 5/15m")?;
        let count: u32 = count
            .trim()
            .parse()
            .context("COUNT must be a whole number")?;
        let per = parse_duration(per.trim())?;
        if count == 0 || per.is_zero() {
            bail!("a rate needs a positive count and period");
        }
        Ok(Rate { count, per })
    }
}

/// `10s`, `15m`, `2h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let (digits, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = digits
        .parse()
        .with_context(|| format!("bad duration {text:?}"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "ms" => return Ok(Duration::from_millis(n)),
        _ => bail!("bad duration unit in {text:?} (use ms, s, m or h)"),
    };
    Ok(Duration::from_secs(secs))
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub database_url: String,
    pub jwt_secret: Option<String>,
    /// The audit chain's HMAC key (`audit::key`); never logged.
    pub audit_key: Option<String>,
    /// The key that seals sensitive text (`crypto`), base64 of 32 bytes; never logged.
    pub data_key: Option<String>,
    /// Earlier data keys, still able to open what they sealed.
    pub data_key_previous: Vec<String>,
    pub log: String,
    pub log_format: LogFormat,
    pub cors_origins: Vec<String>,
    pub environment: Environment,
    pub data_dir: PathBuf,
    pub client_dir: PathBuf,
    pub request_timeout: Duration,
    pub pool_size: u32,
    pub connect_timeout: Duration,
    pub login_lockout: Rate,
    pub login_rate: Rate,
    pub trusted_proxies: Vec<IpAddr>,
    /// Statistics: counts from 1 to k−1 are suppressed for the national reading roles.
    pub statistics_k: u32,
    /// Alerts: an open case with no timeline event for this many days has no follow-up.
    pub alert_no_follow_up_days: u32,
    /// Statistics read the tallies (`statistics::tally`) when they hold the answer; `off`: always
    /// the records.
    pub statistics_tallies: bool,
    /// Webhooks may target private, loopback and link-local addresses (tests, closed networks).
    pub webhook_allow_private: bool,
    /// How long each type of record is kept (`madar retention run`, the idempotency purger).
    pub retention: Policy,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A whole number in `range` from the variable `name`, or `default` when it is unset;
/// `what` completes "`name` must be a whole number …" in the error.
fn whole(
    name: &str,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
    what: &str,
) -> anyhow::Result<u32> {
    match var(name) {
        Some(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .with_context(|| format!("{name} must be a whole number {what}")),
        None => Ok(default),
    }
}

/// The retention periods (`retention::Policy`): one variable per type of record.
fn retention_policy() -> anyhow::Result<Policy> {
    if var("MADAR_RETENTION_YEARS").is_some() {
        bail!(
            "MADAR_RETENTION_YEARS is replaced by one period per type of record: \
             MADAR_RETENTION_CASE_YEARS, MADAR_RETENTION_REPORT_YEARS, \
             MADAR_RETENTION_CHILD_YEARS (see README)"
        );
    }
    let d = Policy::default();
    let years = "of years from 1 to 100";
    Ok(Policy {
        case_years: whole("MADAR_RETENTION_CASE_YEARS", 1..=100, d.case_years, years)?,
        report_years: whole(
            "MADAR_RETENTION_REPORT_YEARS",
            1..=100,
            d.report_years,
            years,
        )?,
        child_years: whole("MADAR_RETENTION_CHILD_YEARS", 1..=100, d.child_years, years)?,
        idempotency_days: whole(
            "MADAR_RETENTION_IDEMPOTENCY_DAYS",
            7..=3650,
            d.idempotency_days,
            "of days from 7 (design.md's minimum) to 3650",
        )?,
    })
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Settings> {
        let data_dir = PathBuf::from(var("MADAR_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("madar.db").display()));
        let environment = match var("MADAR_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => bail!("MADAR_ENV must be development or production, not {other:?}"),
        };
        let log_format = match var("MADAR_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("MADAR_LOG_FORMAT must be text or json, not {other:?}"),
        };
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2) as u32;
        let pool_size = match var("MADAR_DB_POOL_SIZE") {
            Some(v) => v
                .parse()
                .context("MADAR_DB_POOL_SIZE must be a whole number")?,
            None => (cores * 2).max(2),
        };
        if pool_size == 0 {
            bail!("MADAR_DB_POOL_SIZE must be at least 1");
        }
        let trusted_proxies = var("MADAR_TRUSTED_PROXIES")
            .map(|v| {
                v.split(',')
                    .map(|ip| {
                        ip.trim()
                            .parse::<IpAddr>()
                            .with_context(|| format!("bad proxy address {ip:?}"))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .transpose()?
            .unwrap_or_default();
        let settings = Settings {
            bind: var("MADAR_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            database_url,
            jwt_secret: var("MADAR_JWT_SECRET"),
            audit_key: var("MADAR_AUDIT_KEY"),
            data_key: var("MADAR_DATA_KEY"),
            data_key_previous: var("MADAR_DATA_KEY_PREVIOUS")
                .map(|v| {
                    v.split(',')
                        .map(|k| k.trim().to_string())
                        .filter(|k| !k.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            log: var("MADAR_LOG").unwrap_or_else(|| "info".into()),
            log_format,
            cors_origins: var("MADAR_CORS_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            environment,
            client_dir: PathBuf::from(
                var("MADAR_CLIENT_DIR").unwrap_or_else(|| "./client/dist".into()),
            ),
            data_dir,
            request_timeout: parse_duration(
                &var("MADAR_REQUEST_TIMEOUT").unwrap_or_else(|| "10s".into()),
            )?,
            pool_size,
            connect_timeout: parse_duration(
                &var("MADAR_DB_CONNECT_TIMEOUT").unwrap_or_else(|| "2s".into()),
            )?,
            login_lockout: Rate::parse(
                &var("MADAR_LOGIN_LOCKOUT").unwrap_or_else(|| "5/15m".into()),
            )?,
            login_rate: Rate::parse(&var("MADAR_LOGIN_RATE").unwrap_or_else(|| "30/1m".into()))?,
            trusted_proxies,
            statistics_k: whole(
                "MADAR_STATISTICS_K",
                1..=1000,
                5,
                "from 1 (no suppression) to 1000",
            )?,
            alert_no_follow_up_days: whole(
                "MADAR_ALERT_NO_FOLLOW_UP_DAYS",
                1..=3650,
                30,
                "of days from 1 to 3650",
            )?,
            retention: retention_policy()?,
            webhook_allow_private: var("MADAR_WEBHOOK_ALLOW_PRIVATE").is_some(),
            statistics_tallies: match var("MADAR_STATISTICS_TALLIES").as_deref() {
                None | Some("on") => true,
                Some("off") => false,
                Some(other) => bail!("MADAR_STATISTICS_TALLIES must be on or off, not {other:?}"),
            },
        };
        if settings.environment == Environment::Production && settings.jwt_secret.is_none() {
            bail!("MADAR_ENV=production needs an explicit MADAR_JWT_SECRET");
        }
        if settings.environment == Environment::Production && settings.audit_key.is_none() {
            bail!("MADAR_ENV=production needs an explicit MADAR_AUDIT_KEY");
        }
        if settings.environment == Environment::Production && settings.data_key.is_none() {
            bail!("MADAR_ENV=production needs an explicit MADAR_DATA_KEY");
        }
        for key in settings.data_key.iter().chain(&settings.data_key_previous) {
            crate::crypto::decode_key(key)
                .ok()
                .filter(|k| k.len() == 32)
                .context("MADAR_DATA_KEY and MADAR_DATA_KEY_PREVIOUS hold base64 of 32 bytes")?;
        }
        if settings.audit_key.as_ref().is_some_and(|k| k.len() < 32) {
            bail!("MADAR_AUDIT_KEY must be at least 32 characters");
        }
        if let Some(secret) = &settings.jwt_secret {
            if secret.len() < 32 {
                bail!("MADAR_JWT_SECRET must be at least 32 characters");
            }
        }
        Ok(settings)
    }

    pub fn is_development(&self) -> bool {
        self.environment == Environment::Development
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_durations_parse() {
        assert_eq!(
            Rate::parse("5/15m").ok(),
            Some(Rate {
                count: 5,
                per: Duration::from_secs(900)
            })
        );
        assert_eq!(parse_duration("10s").ok(), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_duration("250ms").ok(),
            Some(Duration::from_millis(250))
        );
        assert!(Rate::parse("0/1m").is_err());
        assert!(Rate::parse("five").is_err());
        assert!(parse_duration("3 days").is_err());
    }
}
