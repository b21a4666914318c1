//! Two `madar serve` processes on one PostgreSQL database, as behind a load balancer (same
//! database, same secrets): a token or a refresh cookie of one works on the other, an
//! Idempotency-Key used on one replays on the other (and the same key sent to both at once
//! makes one record), and background work is done once: each webhook event is delivered once
//! though both processes run their delivery worker, and an unanswered referral raises one
//! action and expires once though both run their deadline worker. Each process has its own
//! dev clock: the tests move both, at the same moment.
use std::sync::Barrier;
use std::time::{Duration, Instant};

use madar_tests::cases::*;
use madar_tests::*;

use crate::referral_tests::{consented_case, referral_body};
use crate::transition_tests::timeline;
use crate::webhook_tests::{register, Receiver};

const REPORTS: &str = "/api/v1/reports";
const LOGIN: &str = "/api/v1/auth/login";
const REFRESH: &str = "/api/v1/auth/refresh";
const DAY: i64 = 24 * 3600;

/// The first process on a fresh PostgreSQL database (demo fixture), and a second beside it.
fn two(builder: Builder) -> (TestApp, TestApp) {
    let a = builder.spawn();
    let b = a.another_process();
    (a, b)
}

/// Runs `f` on both processes at the same moment; answers (A's, B's).
fn both<T: Send>(a: &TestApp, b: &TestApp, f: impl Fn(&TestApp) -> T + Sync) -> (T, T) {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        let (f, barrier) = (&f, &barrier);
        let on_a = s.spawn(move || {
            barrier.wait();
            f(a)
        });
        let on_b = s.spawn(move || {
            barrier.wait();
            f(b)
        });
        (on_a.join().expect("A"), on_b.join().expect("B"))
    })
}

fn email_of(app: &TestApp, token: &str) -> Value {
    json_of(app.get("/api/v1/me", Some(token)), 200)["email"].clone()
}

/// The `madar_refresh` cookie a response sets.
fn refresh_cookie(res: &Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("madar_refresh="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no madar_refresh cookie in {:?}", res.headers()))
        .to_string()
}

/// Refreshes with the cookie alone, as the web client does.
fn refresh_with_cookie(app: &TestApp, cookie: &str) -> Response {
    app.client
        .post(app.url(REFRESH))
        .header("cookie", format!("madar_refresh={cookie}"))
        .send()
        .expect("request")
}

/// A report carrying `key` as its external reference (the same body on every send).
fn report(key: &str) -> Value {
    let mut body = report_body("Anas", "Deux", "421", false);
    body["external_ref"] = json!(key);
    body["received_at"] = json!("2026-11-01T08:00:00Z");
    body
}

/// How many reports carry the external reference `key`.
fn reports_with(app: &TestApp, token: &str, key: &str) -> usize {
    let (mut found, mut path) = (0, format!("{REPORTS}?limit=200"));
    for _ in 0..100 {
        let page = json_of(app.get(&path, Some(token)), 200);
        let items = page["items"].as_array().expect("items");
        found += items.iter().filter(|r| r["external_ref"] == key).count();
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{REPORTS}?limit=200&cursor={cursor}"),
            None => return found,
        }
    }
    panic!("the report list never ended")
}

#[test]
fn two_processes_accept_each_others_tokens_and_refresh_cookies() {
    let (a, b) = two(TestApp::builder(Backend::Postgres));
    // An access token of one process works on the other.
    assert_eq!(email_of(&b, &a.token(CASE_WORKER)), CASE_WORKER);
    assert_eq!(email_of(&a, &b.token(PARTNER)), PARTNER);

    // The refresh cookie of a login on A refreshes on B; the pair B gives works on A.
    let login = json!({"email": COORDINATOR, "password": DEMO_PASSWORD});
    let cookie = refresh_cookie(&a.post(LOGIN, None, &login));
    let res = refresh_with_cookie(&b, &cookie);
    assert_eq!(res.status(), 200, "A's cookie refreshes on B");
    let next = refresh_cookie(&res);
    let pair: Value = res.json().expect("pair");
    let access = pair["access_token"].as_str().expect("access token");
    assert_eq!(email_of(&a, access), COORDINATOR);
    assert_ne!(next, cookie, "rotated");
    let res = refresh_with_cookie(&a, &next);
    assert_eq!(res.status(), 200, "B's cookie refreshes on A");

    // Two tabs, one on each process, refreshing one cookie at once get the same pair.
    let cookie = refresh_cookie(&b.post(LOGIN, None, &login));
    let (on_a, on_b) = both(&a, &b, |app| {
        let res = refresh_with_cookie(app, &cookie);
        (
            res.status().as_u16(),
            res.json::<Value>().unwrap_or(Value::Null),
        )
    });
    assert_eq!((on_a.0, on_b.0), (200, 200), "{on_a:?} {on_b:?}");
    assert_eq!(on_a.1["refresh_token"], on_b.1["refresh_token"]);
    assert_eq!(on_a.1["access_token"], on_b.1["access_token"]);

    // Signing out on B ends the session on A.
    let newest = on_a.1["refresh_token"].as_str().expect("refresh token");
    let res = b
        .client
        .post(b.url("/api/v1/auth/logout"))
        .header("cookie", format!("madar_refresh={newest}"))
        .send()
        .expect("logout");
    assert_eq!(res.status(), 204);
    assert_problem(
        refresh_with_cookie(&a, newest),
        401,
        "invalid_refresh_token",
    );
}

#[test]
fn two_processes_share_idempotency_keys() {
    let (a, b) = two(TestApp::builder(Backend::Postgres));
    let (hotline, coordinator) = (a.token(HOTLINE), b.token(COORDINATOR));
    // A key used on A replays on B: the same answer, byte for byte, and no second report.
    let first = a.post_with_key(REPORTS, &hotline, "two-1", &report("two-1"));
    assert_eq!(first.status(), 201);
    let first = first.text().expect("body");
    let again = b.post_with_key(REPORTS, &hotline, "two-1", &report("two-1"));
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.text().expect("body"), first, "replayed on B");
    assert_problem(
        b.post_with_key(REPORTS, &hotline, "two-1", &report("two-other")),
        422,
        "idempotency_key_reused",
    );
    assert_eq!(reports_with(&a, &coordinator, "two-1"), 1);

    // The same key sent to both at once: one report, and both answers are it (or the one that
    // came second is told the first is in flight, and its retry replays it).
    let mut in_flight = 0;
    for i in 0..8 {
        let key = format!("race-{i}");
        let (on_a, on_b) = both(&a, &b, |app| {
            let res = app.post_with_key(REPORTS, &hotline, &key, &report(&key));
            (res.status().as_u16(), res.text().unwrap_or_default())
        });
        let answers = [&on_a, &on_b];
        let created: Vec<&&(u16, String)> = answers.iter().filter(|(s, _)| *s == 201).collect();
        assert!(!created.is_empty(), "{key}: {answers:?}");
        for (status, body) in answers {
            if *status == 201 {
                assert_eq!(body, &created[0].1, "{key}: one answer");
            } else {
                assert_eq!(*status, 409, "{key}: {body}");
                assert!(body.contains("idempotency_key_in_flight"), "{body}");
                in_flight += 1;
            }
        }
        for app in [&a, &b] {
            let retry = app.post_with_key(REPORTS, &hotline, &key, &report(&key));
            assert_eq!(retry.status(), 201);
            assert_eq!(retry.text().expect("body"), created[0].1, "{key}: replayed");
        }
        assert_eq!(reports_with(&b, &coordinator, &key), 1, "{key}: one report");
    }
    eprintln!("8 keys sent to both processes at once: one report each, {in_flight} answered 409 in flight");
}

#[test]
fn two_processes_deliver_each_webhook_event_once() {
    let (a, b) = two(TestApp::builder(Backend::Postgres).env("MADAR_WEBHOOK_ALLOW_PRIVATE", "1"));
    let (hotline, worker) = (a.token(HOTLINE), b.token(CASE_WORKER));
    // A slow endpoint, so that the two processes' passes overlap.
    let receiver = Receiver::start(&[]);
    receiver.set_delay(Duration::from_millis(20));
    let hook = id_of(&register(
        &a,
        &hotline,
        &receiver.url,
        json!(["report.status_changed"]),
    ));
    let mut reports = Vec::new();
    for round in 0..3 {
        // Events made on both processes, then a delivery pass on both at the same moment
        // (beside their own workers' passes every 10 s).
        for i in 0..4 {
            let app = if i % 2 == 0 { &a } else { &b };
            let body = report_body(&format!("Yassine{round}x{i}"), "Deux", "421", false);
            let report = id_of(&json_of(app.post(REPORTS, Some(&hotline), &body), 201));
            let close = json!({"decision": "close", "closing_reason": "referred_elsewhere"});
            let path = format!("{REPORTS}/{report}/screening");
            json_of(app.post(&path, Some(&worker), &close), 200);
            reports.push(report);
        }
        both(&a, &b, |app| app.advance_clock(0));
    }
    // Every delivery is delivered (by one process or the other).
    let deliveries = format!("/api/v1/webhooks/{hook}/deliveries");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let list = json_of(a.get(&deliveries, Some(&hotline)), 200);
        let items = list["items"].as_array().expect("items");
        if items.len() == reports.len() && items.iter().all(|d| d["status"] == "delivered") {
            break;
        }
        assert!(Instant::now() < deadline, "not all delivered: {list}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Past every lease, both processes pass again: nothing is sent a second time.
    both(&a, &b, |app| app.advance_clock(61));
    both(&a, &b, |app| app.advance_clock(3600));
    let received = receiver.requests();
    let ids: Vec<&String> = received.iter().map(|r| &r.headers["webhook-id"]).collect();
    let unique: std::collections::HashSet<&&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each delivery sent once: {ids:?}");
    let mut delivered: Vec<String> = received
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("JSON body");
            body["data"]["id"].as_str().expect("data.id").to_string()
        })
        .collect();
    delivered.sort();
    reports.sort();
    assert_eq!(delivered, reports, "each event delivered once");
    let list = json_of(b.get(&deliveries, Some(&b.token(HOTLINE))), 200);
    for delivery in list["items"].as_array().expect("items") {
        let attempts = delivery["attempts"].as_array().map(Vec::len);
        assert_eq!(attempts, Some(1), "one attempt: {delivery}");
    }
}

#[test]
fn two_processes_raise_each_unanswered_referral_action_once() {
    let (a, b) = two(TestApp::builder(Backend::Postgres));
    let worker = a.token(CASE_WORKER);
    // Referrals sent from both processes, each on its own case, none answered.
    let sent: Vec<(OpenedCase, String)> = (0..6)
        .map(|i| {
            let app = if i % 2 == 0 { &a } else { &b };
            let case = consented_case(app, &worker, &format!("Zakaria{i}"));
            let path = format!("{}/referrals", case.path);
            let body = referral_body("ngo-rabat", &["identity"]);
            let referral = id_of(&json_of(app.post(&path, Some(&worker), &body), 201));
            (case, referral)
        })
        .collect();
    // Both clocks past the answer deadline (three days for high urgency) at the same moment:
    // both processes run their deadline pass together; then both read the referrals at once
    // (a read expires the referrals due).
    both(&a, &b, |app| app.advance_clock(3 * DAY + 60));
    let (on_a, on_b) = both(&a, &b, |app| {
        let token = app.token(CASE_WORKER);
        json_of(
            app.get("/api/v1/referrals?direction=outgoing", Some(&token)),
            200,
        )
    });
    for list in [on_a, on_b] {
        for item in list["items"].as_array().expect("items") {
            assert_eq!(item["status"], "expired", "{item}");
        }
    }
    // Later passes (the follow-up action is due two days after it was raised) change nothing
    // but its status.
    both(&a, &b, |app| app.advance_clock(DAY));
    both(&a, &b, |app| app.advance_clock(2 * DAY));
    let worker = b.token(CASE_WORKER);
    for (case, referral) in &sent {
        let actions = json_of(a.get(&format!("{}/actions", case.path), Some(&worker)), 200);
        let fired: Vec<&Value> = actions["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|a| a["trigger"] == "referral_unanswered")
            .collect();
        assert_eq!(fired.len(), 1, "{}: one action: {fired:?}", case.id);
        assert_eq!(fired[0]["status"], "overdue");
        let expired = timeline(&b, case, &worker)
            .iter()
            .filter(|e| e["kind"] == "referral_expired" && e["subject_id"] == referral.as_str())
            .count();
        assert_eq!(expired, 1, "{referral}: expired once");
    }
    // One alert per referral, on either process.
    for app in [&a, &b] {
        let alerts = json_of(app.get("/api/v1/alerts", Some(&worker)), 200);
        let unanswered = alerts["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|a| a["kind"] == "referral_unanswered")
            .count();
        assert_eq!(unanswered, sent.len(), "{alerts}");
    }
}

#[test]
fn two_processes_alert_a_late_urgent_report_once() {
    let (a, b) = two(TestApp::builder(Backend::Postgres).env("MADAR_WEBHOOK_ALLOW_PRIVATE", "1"));
    let hotline = a.token(HOTLINE);
    let receiver = Receiver::start(&[]);
    register(&a, &hotline, &receiver.url, json!(["alert.created"]));
    // Immediate-danger reports filed on both processes, none screened.
    let mut reports: Vec<String> = (0..6)
        .map(|i| {
            let app = if i % 2 == 0 { &a } else { &b };
            let body = report_body(&format!("Yassine{i}"), "Urgent", "421", true);
            id_of(&json_of(app.post(REPORTS, Some(&hotline), &body), 201))
        })
        .collect();
    // Both deadline workers pass together past the 2-hour screening deadline, then again.
    both(&a, &b, |app| app.advance_clock(2 * 3600 + 60));
    both(&a, &b, |app| app.advance_clock(0));
    receiver.wait_for(reports.len());
    both(&a, &b, |app| app.advance_clock(61));
    let mut alerted: Vec<String> = receiver
        .requests()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("JSON body");
            assert_eq!(body["type"], "alert.created");
            body["data"]["id"].as_str().expect("data.id").to_string()
        })
        .collect();
    alerted.sort();
    reports.sort();
    assert_eq!(alerted, reports, "each late report alerted once");
}
