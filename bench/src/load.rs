//! The closed-loop load generator: `concurrency` tasks send requests back to back for a fixed
//! time; every latency is kept (microseconds) so the percentiles are exact. A request that does
//! not answer 2xx, or fails on the wire, is an error; the first few are kept with their bodies.
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Mutex;

/// One request to send: built fresh by the scenario for every call.
pub struct Call {
    pub request: reqwest::RequestBuilder,
    /// What the request was, for error messages (`GET /api/v1/cases/{id}`).
    pub label: String,
}

/// What a run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The first errors: label, status and body (cut short).
    pub first_errors: Vec<String>,
}

const KEPT_ERRORS: usize = 5;

#[derive(Default)]
struct Shared {
    latencies_us: Vec<u32>,
    errors: u64,
    first_errors: Vec<String>,
}

/// Runs `make_call` from `concurrency` tasks: `warmup` first (not counted), then `duration`.
pub async fn run<F>(
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    make_call: F,
) -> Measured
where
    F: Fn(usize) -> anyhow::Result<Call> + Send + Sync + 'static,
{
    let make_call = Arc::new(make_call);
    let shared = Arc::new(Mutex::new(Shared::default()));
    let start = Instant::now();
    let (measure_from, until) = (start + warmup, start + warmup + duration);
    let mut tasks = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let (make_call, shared) = (make_call.clone(), shared.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Shared::default();
            while Instant::now() < until {
                let call = match make_call(worker) {
                    Ok(call) => call,
                    Err(e) => {
                        note(&mut mine, format!("building a request: {e:#}"));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let sent = Instant::now();
                let outcome = match call.request.send().await {
                    Ok(res) => {
                        let status = res.status();
                        let body = res.bytes().await;
                        match body {
                            Ok(_) if status.is_success() => Ok(()),
                            Ok(body) => Err(format!(
                                "{} → {status}: {}",
                                call.label,
                                String::from_utf8_lossy(&body[..body.len().min(400)])
                            )),
                            Err(e) => Err(format!("{} → {status}, body: {e}", call.label)),
                        }
                    }
                    Err(e) => Err(format!("{} → {e}", call.label)),
                };
                let done = Instant::now();
                if sent < measure_from || done > until {
                    continue;
                }
                match outcome {
                    Ok(()) => mine
                        .latencies_us
                        .push((done - sent).as_micros().min(u32::MAX as u128) as u32),
                    Err(message) => {
                        mine.latencies_us
                            .push((done - sent).as_micros().min(u32::MAX as u128) as u32);
                        note(&mut mine, message);
                    }
                }
            }
            let mut all = shared.lock().await;
            all.latencies_us.extend(mine.latencies_us);
            all.errors += mine.errors;
            for e in mine.first_errors {
                if all.first_errors.len() < KEPT_ERRORS {
                    all.first_errors.push(e);
                }
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut all = std::mem::take(&mut *shared.lock().await);
    summarize(
        &mut all.latencies_us,
        all.errors,
        all.first_errors,
        duration,
    )
}

fn note(mine: &mut Shared, message: String) {
    mine.errors += 1;
    if mine.first_errors.len() < KEPT_ERRORS {
        mine.first_errors.push(message);
    }
}

/// Throughput and exact percentiles of a run's latencies.
pub fn summarize(
    latencies_us: &mut [u32],
    errors: u64,
    first_errors: Vec<String>,
    duration: Duration,
) -> Measured {
    latencies_us.sort_unstable();
    let seconds = duration.as_secs_f64();
    let requests = latencies_us.len() as u64;
    Measured {
        requests,
        errors,
        seconds,
        throughput: requests as f64 / seconds,
        p50_ms: percentile(latencies_us, 0.50),
        p99_ms: percentile(latencies_us, 0.99),
        max_ms: latencies_us.last().map_or(0.0, |&us| us as f64 / 1000.0),
        first_errors,
    }
}

/// The latency (ms) below which `q` of the sorted samples lie (nearest rank).
pub fn percentile(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let rank = ((q * sorted_us.len() as f64).ceil() as usize).clamp(1, sorted_us.len());
    sorted_us[rank - 1] as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<u32> = (1..=100).map(|i| i * 1000).collect();
        let m = summarize(&mut v, 0, vec![], Duration::from_secs(2));
        assert_eq!((m.p50_ms, m.p99_ms, m.max_ms), (50.0, 99.0, 100.0));
        assert_eq!(m.throughput, 50.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }
}
