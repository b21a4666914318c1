//! Crash safety: reports sent in bursts with Idempotency-Keys while the server is killed with
//! SIGKILL; after a restart every request that got no answer is retried with its key. Every
//! report acknowledged with 201 must be there exactly once, every retried one too, and a retry
//! of an acknowledged request replays it. `MADAR_CRASH_TRIALS` sets the number of crashes per
//! backend (2 in `make test`, 20 in `make test-reliability`).
use std::collections::HashMap;
use std::time::Duration;

use madar_tests::cases::*;
use madar_tests::*;

const REPORTS: &str = "/api/v1/reports";
const SENDERS: usize = 6;

fn trials() -> usize {
    std::env::var("MADAR_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2)
}

fn report(key: &str) -> Value {
    let mut body = report_body("Anas", "Crash", "421", false);
    body["external_ref"] = json!(key);
    // The same body on every retry (the key's fingerprint covers it).
    body["received_at"] = json!("2026-11-01T08:00:00Z");
    body
}

/// What one request got: the created report's id, or nothing (no answer before the crash).
type Outcome = (String, Option<String>);

/// Sends reports with fresh keys until the server stops answering; answers what each got.
fn send_until_crash(client: &Client, base: &str, token: &str, prefix: &str) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for i in 0..10_000 {
        let key = format!("{prefix}-{i}");
        let sent = client
            .post(format!("{base}{REPORTS}"))
            .bearer_auth(token)
            .header("idempotency-key", &key)
            .json(&report(&key))
            .timeout(Duration::from_secs(20))
            .send();
        match sent {
            Ok(res) if res.status() == 201 => {
                let body: Value = res.json().expect("a created report");
                outcomes.push((key, Some(id_of(&body))));
            }
            Ok(res) => panic!("{key}: {} {}", res.status(), res.text().unwrap_or_default()),
            Err(_) => {
                // No answer: the server died with this request in flight, or before it.
                outcomes.push((key, None));
                break;
            }
        }
    }
    outcomes
}

/// Every report the coordinator sees, by external reference (the request's key).
fn reports_by_key(app: &TestApp, token: &str) -> HashMap<String, Vec<String>> {
    let mut found: HashMap<String, Vec<String>> = HashMap::new();
    let mut path = format!("{REPORTS}?limit=200");
    for _ in 0..1000 {
        let page = json_of(app.get(&path, Some(token)), 200);
        for item in page["items"].as_array().expect("items") {
            if let Some(key) = item["external_ref"].as_str() {
                found.entry(key.into()).or_default().push(id_of(item));
            }
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{REPORTS}?limit=200&cursor={cursor}"),
            None => return found,
        }
    }
    panic!("the report list never ended")
}

backend_tests! {
    fn reports_acknowledged_before_a_crash_are_kept_exactly_once(backend) {
        let mut app = TestApp::spawn(backend);
        let (hotline, coordinator) = (app.token(HOTLINE), app.token(COORDINATOR));
        let mut expected: HashMap<String, String> = HashMap::new();
        let (mut acknowledged, mut retried) = (0, 0);
        for trial in 0..trials() {
            let (client, base, pid) = (app.client.clone(), app.base.clone(), app.pid());
            let outcomes: Vec<Outcome> = std::thread::scope(|s| {
                let senders: Vec<_> = (0..SENDERS)
                    .map(|w| {
                        let (client, base, token) = (&client, &base, &hotline);
                        s.spawn(move || send_until_crash(client, base, token, &format!("crash-{trial}-{w}")))
                    })
                    .collect();
                // Let the burst build up, then cut the power at a different moment each trial.
                std::thread::sleep(Duration::from_millis(400 + (trial as u64 * 137) % 600));
                let killed = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                assert!(killed.is_ok_and(|s| s.success()), "SIGKILL");
                senders.into_iter().flat_map(|h| h.join().expect("sender")).collect()
            });
            assert!(outcomes.iter().any(|(_, id)| id.is_some()), "nothing was acknowledged before the crash");
            app.crash_and_restart();
            for (key, id) in outcomes {
                let res = app.post_with_key(REPORTS, &hotline, &key, &report(&key));
                let body = json_of(res, 201);
                match id {
                    // A retry of an acknowledged request replays it.
                    Some(id) => {
                        assert_eq!(id_of(&body), id, "{key}: replayed");
                        acknowledged += 1;
                        expected.insert(key, id);
                    }
                    // One that got no answer now exists, whether or not it had been written.
                    None => {
                        retried += 1;
                        expected.insert(key, id_of(&body));
                    }
                }
            }
        }
        assert!(acknowledged > 0 && retried > 0);
        let found = reports_by_key(&app, &coordinator);
        for (key, id) in &expected {
            assert_eq!(found.get(key), Some(&vec![id.clone()]), "{key}: exactly once");
        }
        let crash_reports = found.keys().filter(|k| k.starts_with("crash-")).count();
        assert_eq!(crash_reports, expected.len(), "no report beyond those sent");
        eprintln!("{} crashes: {acknowledged} acknowledged, {retried} retried, 0 lost", trials());
    }
}
