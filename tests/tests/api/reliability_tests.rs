//! Crash safety: reports sent in bursts with Idempotency-Keys while the server is killed with
//! SIGKILL; after a restart every request that got no answer is retried with its key. Every
//! report acknowledged with 201 must be there exactly once, every retried one too, and a retry
//! of an acknowledged request replays it. `MADAR_CRASH_TRIALS` sets the number of crashes per
//! backend (2 in `make test`, 20 in `make test-reliability`). The same for state changes:
//! screenings and stage transitions in flight at the crash are retried with their key, and a
//! retry of an acknowledged one replays its first response.
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

/// A state change to send: its key, path, body and If-Match.
struct Change {
    key: String,
    path: String,
    body: Value,
    etag: Option<String>,
}

/// Sends each change in turn until the server stops answering; answers each one's response
/// body (or nothing when it got no answer), with the status it expects.
fn change_until_crash(
    client: &Client,
    base: &str,
    token: &str,
    changes: &[Change],
    status: u16,
) -> Vec<Option<Value>> {
    let mut answers = Vec::new();
    for change in changes {
        let mut req = client
            .post(format!("{base}{}", change.path))
            .bearer_auth(token)
            .header("idempotency-key", &change.key)
            .json(&change.body)
            .timeout(Duration::from_secs(20));
        if let Some(etag) = &change.etag {
            req = req.header("if-match", etag);
        }
        match req.send() {
            Ok(res) if res.status() == status => answers.push(Some(res.json().expect("JSON"))),
            Ok(res) => panic!(
                "{}: {} {}",
                change.key,
                res.status(),
                res.text().unwrap_or_default()
            ),
            Err(_) => {
                answers.push(None);
                break;
            }
        }
    }
    answers
}

/// Runs `changes` (one list per sender) against `app`, kills it mid-burst, restarts it and
/// retries every change: an acknowledged one must replay its answer, an unanswered one must now
/// succeed. Answers each change's final response and how many were acknowledged and retried.
fn crash_during(
    app: &mut TestApp,
    token: &str,
    changes: &[Vec<Change>],
    status: u16,
    pause_ms: u64,
) -> (Vec<Value>, usize, usize) {
    let (client, base, pid) = (app.client.clone(), app.base.clone(), app.pid());
    let answers: Vec<Vec<Option<Value>>> = std::thread::scope(|s| {
        let senders: Vec<_> = changes
            .iter()
            .map(|list| {
                let (client, base) = (&client, &base);
                s.spawn(move || change_until_crash(client, base, token, list, status))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(pause_ms));
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        assert!(killed.is_ok_and(|s| s.success()), "SIGKILL");
        senders
            .into_iter()
            .map(|h| h.join().expect("sender"))
            .collect()
    });
    app.crash_and_restart();
    let (mut finals, mut acknowledged, mut retried) = (Vec::new(), 0, 0);
    for (list, answers) in changes.iter().zip(answers) {
        for (i, change) in list.iter().enumerate() {
            let res = match &change.etag {
                Some(etag) => {
                    app.post_if_match(&change.path, token, etag, Some(&change.key), &change.body)
                }
                None => app.post_with_key(&change.path, token, &change.key, &change.body),
            };
            let body = json_of(res, status);
            match answers.get(i) {
                Some(Some(first)) => {
                    assert_eq!(
                        &body, first,
                        "{}: the retry replays the first answer",
                        change.key
                    );
                    acknowledged += 1;
                }
                Some(None) => retried += 1,
                // Never sent before the crash: sent now.
                None => {}
            }
            finals.push(body);
        }
    }
    (finals, acknowledged, retried)
}

backend_tests! {
    fn state_changes_in_flight_at_a_crash_are_applied_once_and_replayed(backend) {
        let mut app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let (mut acknowledged, mut retried) = (0, 0);
        for trial in 0..trials() {
            // Screenings: each report screened into a new child and a new case, exactly once.
            let per_sender = 25;
            let changes: Vec<Vec<Change>> = (0..SENDERS)
                .map(|w| {
                    (0..per_sender)
                        .map(|i| {
                            let given = format!("Ilyas{trial}x{w}x{i}");
                            let report = json_of(
                                app.post(REPORTS, Some(&coordinator), &report_body(&given, "Crash", "421", false)),
                                201,
                            );
                            Change {
                                key: format!("screen-{trial}-{w}-{i}"),
                                path: format!("{REPORTS}/{}/screening", id_of(&report)),
                                body: json!({"decision": "accept", "children": [{"index": 0, "create": true, "confirm_new": true}]}),
                                etag: None,
                            }
                        })
                        .collect()
                })
                .collect();
            let pause = 150 + (trial as u64 * 97) % 300;
            let (screened, a, r) = crash_during(&mut app, &coordinator, &changes, 200, pause);
            acknowledged += a;
            retried += r;
            let cases: Vec<String> = screened
                .iter()
                .map(|s| s["children"][0]["case_id"].as_str().expect("case_id").to_string())
                .collect();
            for (change, case) in changes.iter().flatten().zip(&cases) {
                let report_id = change.path.split('/').nth(4).expect("report id");
                let case_body = json_of(app.get(&format!("/api/v1/cases/{case}"), Some(&coordinator)), 200);
                assert_eq!(case_body["reports"], json!([report_id]), "{}: one case for the report", change.key);
                let report = json_of(app.get(&format!("{REPORTS}/{report_id}"), Some(&coordinator)), 200);
                assert_eq!(report["status"], "case_opened", "{}", change.key);
            }
            let unique: std::collections::HashSet<&String> = cases.iter().collect();
            assert_eq!(unique.len(), cases.len(), "one case per report");

            // Transitions of those cases to assessment, with If-Match: applied once, replayed.
            let changes: Vec<Vec<Change>> = cases
                .chunks(per_sender)
                .map(|chunk| {
                    chunk
                        .iter()
                        .map(|case| {
                            let path = format!("/api/v1/cases/{case}");
                            Change {
                                key: format!("move-{case}"),
                                etag: Some(app.etag(&path, &coordinator)),
                                path: format!("{path}/transitions"),
                                body: json!({"to": "assessment", "reason": "crash trial"}),
                            }
                        })
                        .collect()
                })
                .collect();
            let (moved, a, r) = crash_during(&mut app, &coordinator, &changes, 200, pause);
            acknowledged += a;
            retried += r;
            assert_eq!(moved.len(), cases.len());
            for case in &cases {
                let path = format!("/api/v1/cases/{case}");
                assert_eq!(json_of(app.get(&path, Some(&coordinator)), 200)["stage"], "assessment", "{case}");
                let timeline = json_of(app.get(&format!("{path}/timeline?limit=200"), Some(&coordinator)), 200);
                let moves = timeline["items"]
                    .as_array()
                    .or(timeline.as_array())
                    .expect("timeline events")
                    .iter()
                    .filter(|e| e["kind"] == "stage_changed")
                    .count();
                assert_eq!(moves, 1, "{case}: one stage change in the timeline");
            }
        }
        assert!(acknowledged > 0 && retried > 0, "{acknowledged} acknowledged, {retried} retried");
        eprintln!("{} crashes x 2 kinds: {acknowledged} acknowledged, {retried} retried, 0 doubled", trials());
    }

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
