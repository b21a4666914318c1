//! Crash safety: reports sent in bursts with Idempotency-Keys while the server is killed with
//! SIGKILL; after a restart every request that got no answer is retried with its key. Every
//! report acknowledged with 201 must be there exactly once, every retried one too, and a retry
//! of an acknowledged request replays it. `MADAR_CRASH_TRIALS` sets the number of crashes per
//! backend (2 in `make test`, 20 in `make test-reliability`). The same for state changes:
//! screenings, stage transitions and referral status changes in flight at the crash are retried
//! with their key, and a retry of an acknowledged one replays its first response. Webhook
//! deliveries pending or in flight at a crash are sent after the restart, under the same id.
//! And the orderly stop: SIGTERM under load answers what it accepted and loses no audit event.
use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use madar_tests::cases::*;
use madar_tests::*;

use crate::audit_tests::{count, verify};
use crate::referral_tests::{consented_case, referral_body};
use crate::transition_tests::timeline;
use crate::webhook_tests::{allowing_private, register, Receiver};

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

/// How many of each kind of referral event the case's timeline holds, per referral.
fn referral_events(
    app: &TestApp,
    case: &OpenedCase,
    token: &str,
) -> HashMap<(String, String), usize> {
    let mut counts = HashMap::new();
    for event in timeline(app, case, token) {
        let kind = event["kind"].as_str().unwrap_or_default();
        let subject = event["subject_id"].as_str();
        if let Some(subject) = subject.filter(|_| kind.starts_with("referral_")) {
            *counts
                .entry((subject.to_string(), kind.to_string()))
                .or_default() += 1;
        }
    }
    counts
}

/// The status of each of the case's referrals, by id, as the sending side lists them.
fn referral_statuses(app: &TestApp, case: &OpenedCase, token: &str) -> HashMap<String, String> {
    let mut found = HashMap::new();
    let list = format!("{}/referrals?limit=200", case.path);
    let mut path = list.clone();
    for _ in 0..100 {
        let page = json_of(app.get(&path, Some(token)), 200);
        for item in page["items"].as_array().expect("items") {
            let status = item["status"].as_str().expect("status").to_string();
            found.insert(id_of(item), status);
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{list}&cursor={cursor}"),
            None => return found,
        }
    }
    panic!("the referral list never ended")
}

/// Sends one referral of `case` to ngo-rabat; answers its id and ETag.
fn refer(app: &TestApp, token: &str, case: &OpenedCase) -> (String, String) {
    let path = format!("{}/referrals", case.path);
    let (body, etag) = json_and_etag(
        app.post(
            &path,
            Some(token),
            &referral_body("ngo-rabat", &["identity"]),
        ),
        201,
    );
    (id_of(&body), etag)
}

/// The move a sender's referrals get (`accept` or `decline`), and its body.
fn answer(sender: usize) -> (&'static str, Value) {
    if sender.is_multiple_of(2) {
        ("accept", json!(null))
    } else {
        ("decline", json!({"reason": "Plus de place ce mois-ci."}))
    }
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

    fn referral_status_changes_in_flight_at_a_crash_are_applied_once_and_replayed(backend) {
        let mut app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        // One case per sender, with a consent naming the partner's organization (ngo-rabat).
        let cases: Vec<OpenedCase> =
            (0..SENDERS).map(|w| consented_case(&app, &worker, &format!("Rayan{w}"))).collect();
        let (mut acknowledged, mut retried) = (0, 0);
        let per_sender = 5;
        for trial in 0..trials() {
            let sent: Vec<Vec<(String, String)>> = cases
                .iter()
                .map(|case| (0..per_sender).map(|_| refer(&app, &worker, case)).collect())
                .collect();
            // The partner answers with If-Match: senders of even rank accept, the others decline.
            let changes: Vec<Vec<Change>> = sent
                .iter()
                .enumerate()
                .map(|(w, list)| {
                    let (verb, body) = answer(w);
                    list.iter()
                        .map(|(id, etag)| Change {
                            key: format!("{verb}-{id}"),
                            path: format!("/api/v1/referrals/{id}/{verb}"),
                            body: body.clone(),
                            etag: Some(etag.clone()),
                        })
                        .collect()
                })
                .collect();
            let pause = 60 + (trial as u64 * 53) % 120;
            let (answered, a, r) = crash_during(&mut app, &partner, &changes, 200, pause);
            acknowledged += a;
            retried += r;
            for (change, body) in changes.iter().flatten().zip(&answered) {
                let expected = if change.path.ends_with("/accept") { "accepted" } else { "declined" };
                assert_eq!(body["status"], expected, "{}", change.key);
            }
            // The accepted ones are started, with If-Match, during another crash.
            let changes: Vec<Vec<Change>> = sent
                .iter()
                .step_by(2)
                .map(|list| {
                    list.iter()
                        .map(|(id, _)| {
                            let path = format!("/api/v1/referrals/{id}");
                            Change {
                                key: format!("start-{id}"),
                                etag: Some(app.etag(&path, &partner)),
                                path: format!("{path}/start"),
                                body: json!(null),
                            }
                        })
                        .collect()
                })
                .collect();
            let (started, a, r) = crash_during(&mut app, &partner, &changes, 200, pause);
            acknowledged += a;
            retried += r;
            assert!(started.iter().all(|b| b["status"] == "in_progress"), "{started:?}");
            // Each referral is where it should be, with exactly one change of each kind.
            for (w, (case, list)) in cases.iter().zip(&sent).enumerate() {
                let events = referral_events(&app, case, &worker);
                let statuses = referral_statuses(&app, case, &worker);
                let accepted = answer(w).0 == "accept";
                for (id, _) in list {
                    let expected = if accepted { "in_progress" } else { "declined" };
                    assert_eq!(statuses.get(id).map(String::as_str), Some(expected), "{id}");
                    let count = |kind: &str| events.get(&(id.clone(), kind.to_string())).copied().unwrap_or(0);
                    let found: Vec<usize> = ["referral_sent", "referral_accepted", "referral_declined", "referral_started"]
                        .iter()
                        .map(|k| count(k))
                        .collect();
                    let expected = if accepted { [1, 1, 0, 1] } else { [1, 0, 1, 0] };
                    assert_eq!(found, expected, "{id}: one event per change (sent, accepted, declined, started)");
                }
            }
        }
        assert!(acknowledged > 0 && retried > 0, "{acknowledged} acknowledged, {retried} retried");
        eprintln!("{} crashes x 2 referral moves: {acknowledged} acknowledged, {retried} retried, 0 doubled", trials());
    }

    fn webhook_deliveries_pending_at_a_crash_are_sent_after_the_restart_under_the_same_id(backend) {
        let mut app = allowing_private(backend);
        let (hotline, worker) = (app.token(HOTLINE), app.token(CASE_WORKER));
        // The endpoint fails the 1st and 3rd requests and holds the 5th unanswered: that one is
        // in flight when the server dies, the other deliveries are delivered, to be retried or
        // not yet sent.
        let receiver = Receiver::holding(&[500, 200, 500], 5);
        let hook = id_of(&register(&app, &hotline, &receiver.url, json!(["report.status_changed"])));
        let reports: Vec<String> = (0..8)
            .map(|i| {
                let body = report_body(&format!("Yassine{i}"), "Crash", "421", false);
                let report = id_of(&json_of(app.post(REPORTS, Some(&hotline), &body), 201));
                let close = json!({"decision": "close", "closing_reason": "referred_elsewhere"});
                json_of(app.post(&format!("{REPORTS}/{report}/screening"), Some(&worker), &close), 200);
                report
            })
            .collect();
        // A pass sends the deliveries due (the clock endpoint's own pass, or the worker's); the
        // server is killed while the endpoint holds the 5th.
        let (client, clock) = (app.client.clone(), app.url("/api/v1/dev/clock"));
        let pass = std::thread::spawn(move || {
            let _ = client.post(clock).json(&json!({"seconds": 0})).timeout(Duration::from_secs(30)).send();
        });
        assert!(receiver.wait_for(5).len() >= 5, "five requests before the crash");
        let in_flight = receiver.held().expect("the held request");
        let killed = std::process::Command::new("kill").args(["-KILL", &app.pid().to_string()]).status();
        assert!(killed.is_ok_and(|s| s.success()), "SIGKILL");
        receiver.release();
        pass.join().expect("the clock request");
        let before = receiver.requests().len();
        app.crash_and_restart();
        // After the restart the clock moves past the lease (60 s) and the backoffs, a pass at a
        // time, until every delivery is delivered.
        let mut deliveries = Value::Null;
        for _ in 0..10 {
            app.advance_clock(61);
            let hotline = app.token(HOTLINE);
            deliveries = json_of(app.get(&format!("/api/v1/webhooks/{hook}/deliveries"), Some(&hotline)), 200);
            let items = deliveries["items"].as_array().expect("items");
            if items.len() == reports.len() && items.iter().all(|d| d["status"] == "delivered") {
                break;
            }
        }
        let items = deliveries["items"].as_array().expect("items").clone();
        assert_eq!(items.len(), reports.len(), "one delivery per event: {deliveries}");
        assert!(items.iter().all(|d| d["status"] == "delivered"), "all delivered: {deliveries}");
        // Every event arrived at least once; every attempt of one event carried its webhook-id
        // and the same body; one event, one id.
        let received = receiver.requests();
        let mut bodies: HashMap<String, HashSet<String>> = HashMap::new();
        for request in &received {
            bodies.entry(request.headers["webhook-id"].clone()).or_default().insert(request.body.clone());
        }
        let mut ids_of_report: HashMap<String, HashSet<String>> = HashMap::new();
        for (id, set) in &bodies {
            assert_eq!(set.len(), 1, "{id}: the same body on every attempt: {set:?}");
            let body: Value = serde_json::from_str(set.iter().next().expect("a body")).expect("JSON body");
            assert_eq!(body["type"], "report.status_changed");
            let report = body["data"]["id"].as_str().expect("data.id").to_string();
            ids_of_report.entry(report).or_default().insert(id.clone());
        }
        for report in &reports {
            assert_eq!(ids_of_report.get(report).map(HashSet::len), Some(1), "{report}: delivered under one id");
        }
        for delivery in &items {
            let id = delivery["id"].as_str().expect("id");
            assert!(bodies.contains_key(id), "{id} was received");
        }
        // The one in flight at the crash was sent again after the restart, under its id.
        let times = received
            .iter()
            .filter(|r| r.headers["webhook-id"] == in_flight.headers["webhook-id"])
            .count();
        assert!(times >= 2, "the delivery in flight at the crash is sent again");
        let repeated = bodies.keys().filter(|id| received.iter().filter(|r| &&r.headers["webhook-id"] == id).count() > 1).count();
        eprintln!("{} events, {} requests ({before} before the crash), {repeated} events received more than once", reports.len(), received.len());
    }
    fn sigterm_under_load_answers_what_it_accepted_and_flushes_every_audit_event(backend) {
        let mut app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Sigterm");
        let (client, base) = (app.client.clone(), app.base.clone());
        let child = format!("{base}/api/v1/children/{}", case.child_id);
        // What each request got: (sent at, answered at, status), or no answer (the loop ends).
        type Answers = Vec<(Instant, Instant, u16)>;
        let send = |req: reqwest::blocking::RequestBuilder, answers: &mut Answers| {
            let sent = Instant::now();
            match req.timeout(Duration::from_secs(20)).send() {
                Ok(res) => {
                    answers.push((sent, Instant::now(), res.status().as_u16()));
                    true
                }
                Err(_) => false,
            }
        };
        let (reads, writes, stopped_at, stopping): (Vec<Answers>, Vec<(Answers, Vec<String>)>, Instant, Duration) =
            std::thread::scope(|s| {
                let readers: Vec<_> = (0..4)
                    .map(|_| {
                        let (client, child, token) = (&client, &child, &coordinator);
                        s.spawn(move || {
                            let mut answers = Answers::new();
                            while send(client.get(child).bearer_auth(token), &mut answers) {}
                            answers
                        })
                    })
                    .collect();
                let writers: Vec<_> = (0..2)
                    .map(|w| {
                        let (client, base, token) = (&client, &base, &coordinator);
                        s.spawn(move || {
                            let (mut answers, mut created) = (Answers::new(), Vec::new());
                            for i in 0.. {
                                let key = format!("term-{w}-{i}");
                                let req = client
                                    .post(format!("{base}{REPORTS}"))
                                    .bearer_auth(token)
                                    .header("idempotency-key", &key)
                                    .json(&report(&key));
                                if !send(req, &mut answers) {
                                    break;
                                }
                                if answers.last().is_some_and(|a| a.2 == 201) {
                                    created.push(key);
                                }
                            }
                            (answers, created)
                        })
                    })
                    .collect();
                std::thread::sleep(Duration::from_millis(1500));
                let stopped_at = Instant::now();
                assert_eq!(app.terminate(), Some(0), "madar exits 0 after SIGTERM under load");
                let stopping = stopped_at.elapsed();
                let reads = readers.into_iter().map(|h| h.join().expect("reader")).collect();
                let writes = writers.into_iter().map(|h| h.join().expect("writer")).collect();
                (reads, writes, stopped_at, stopping)
            });

        // Every request answered got a success: none was cut off with an error.
        let all = reads.iter().flatten().chain(writes.iter().flat_map(|(a, _)| a));
        let refused: Vec<u16> = all.clone().map(|a| a.2).filter(|s| !matches!(s, 200 | 201)).collect();
        assert!(refused.is_empty(), "statuses other than 200/201: {refused:?}");
        let in_flight = all.filter(|(sent, answered, _)| *sent < stopped_at && *answered > stopped_at).count();
        let answered_reads: usize = reads.iter().map(Vec::len).sum();
        let created: Vec<&String> = writes.iter().flat_map(|(_, keys)| keys).collect();
        assert!(answered_reads > 20 && created.len() > 5, "a real load: {answered_reads} reads, {} reports", created.len());

        // Each read answered is in the audit log (buffered, flushed at shutdown); a read the
        // server finished but whose answer a client did not get may be there too (one per reader).
        let logged = count(&app.db, &format!(
            "SELECT count(*) FROM audit_events WHERE action = 'child.read' AND resource_id = '{}'",
            case.child_id
        )) as usize;
        assert!(
            (answered_reads..=answered_reads + 4).contains(&logged),
            "{answered_reads} reads answered, {logged} audited"
        );
        // Each report acknowledged is stored, once.
        for key in &created {
            let stored = count(&app.db, &format!("SELECT count(*) FROM reports WHERE external_ref = '{key}'"));
            assert_eq!(stored, 1, "{key}");
        }
        // And the audit chain is whole and sealed to its last event.
        let (ok, out) = verify(&app.db);
        assert!(ok && out.contains("(0 not yet sealed)"), "{out}");
        eprintln!(
            "{answered_reads} reads ({logged} audited), {} reports, {in_flight} requests in flight at SIGTERM answered, stopped in {stopping:?}",
            created.len()
        );
    }
    fn concurrent_updates_that_read_first_are_never_refused_for_a_lock(backend) {
        // A PATCH reads the row (and checks its version) before it writes. On SQLite a
        // deferred transaction doing so fails at once with "database is locked" when another
        // writer commits in between, which four admins saving users at once make happen.
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let users: Vec<String> = (0..4)
            .map(|i| staff(&app, &format!("busy{i}@lock.ma"), "case_worker", "cape-rabat", "421").0)
            .collect();
        let refused: Vec<String> = std::thread::scope(|s| {
            let savers: Vec<_> = users
                .iter()
                .map(|id| {
                    let (app, admin) = (&app, &admin);
                    s.spawn(move || {
                        let path = format!("/api/v1/users/{id}");
                        let mut etag = app.get(&path, Some(admin)).headers()["etag"]
                            .to_str()
                            .expect("etag")
                            .to_string();
                        let mut refused = Vec::new();
                        for i in 0..40 {
                            let body = json!({"display_name": format!("Saved {i}")});
                            let res = app.patch(&path, Some(admin), &etag, &body);
                            match res.status().as_u16() {
                                200 => etag = res.headers()["etag"].to_str().expect("etag").to_string(),
                                status => refused.push(format!("{status} {}", res.text().unwrap_or_default())),
                            }
                        }
                        refused
                    })
                })
                .collect();
            savers.into_iter().flat_map(|h| h.join().expect("saver")).collect()
        });
        assert!(refused.is_empty(), "{} of 160 saves refused: {:?}", refused.len(), refused.first());
        for id in &users {
            let user = json_of(app.get(&format!("/api/v1/users/{id}"), Some(&admin)), 200);
            assert_eq!(user["display_name"], "Saved 39");
        }
    }
}
