//! Webhooks (`/api/v1/webhooks`): a partner registers an endpoint; a referral sent to it is
//! posted there signed per Standard Webhooks (checked here with HMAC, and with Python's
//! `standardwebhooks` when it installs); a failure is retried with the same `webhook-id`; 410
//! disables the endpoint; private URLs are refused unless allowed; other organizations see
//! nothing and case workers are refused. A tiny HTTP receiver runs in a thread (also used by
//! the crash and two-process tests).
use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use madar_tests::cases::*;
use madar_tests::*;
use sha2::Sha256;

const WEBHOOKS: &str = "/api/v1/webhooks";

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
}

/// An HTTP endpoint on 127.0.0.1 answering the queued statuses (then 200), recording requests,
/// one at a time. It can answer slowly (`set_delay`), or hold one request unanswered until
/// released (`holding`), so that a delivery is still in flight when the server is killed.
pub struct Receiver {
    pub url: String,
    statuses: Arc<Mutex<VecDeque<u16>>>,
    requests: Arc<Mutex<Vec<Received>>>,
    /// The request (1-based) left unanswered until `release`; 0: none.
    hold_at: usize,
    released: Arc<AtomicBool>,
    delay_ms: Arc<AtomicU64>,
}

impl Receiver {
    pub fn start(statuses: &[u16]) -> Receiver {
        Receiver::holding(statuses, 0)
    }

    /// Like `start`, but the `at`-th request (from 1) gets no answer until `release`.
    pub fn holding(statuses: &[u16], at: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let statuses = Arc::new(Mutex::new(
            statuses.iter().copied().collect::<VecDeque<_>>(),
        ));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let released = Arc::new(AtomicBool::new(false));
        let delay_ms = Arc::new(AtomicU64::new(0));
        let (s, r) = (statuses.clone(), requests.clone());
        let (go, delay) = (released.clone(), delay_ms.clone());
        let mut count = 0;
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut headers = HashMap::new();
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = line.split_once(':') {
                        headers.insert(k.trim().to_lowercase(), v.trim().to_string());
                    }
                }
                let length = headers
                    .get("content-length")
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                r.lock().unwrap().push(Received {
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                count += 1;
                if count == at {
                    while !go.load(Ordering::SeqCst) {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                std::thread::sleep(Duration::from_millis(delay.load(Ordering::SeqCst)));
                let status = s.lock().unwrap().pop_front().unwrap_or(200);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Receiver {
            url,
            statuses,
            requests,
            hold_at: at,
            released,
            delay_ms,
        }
    }

    /// Answers the held request, and any later one at once.
    pub fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
    }

    /// Waits this long before answering each request.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// The request held unanswered, once it arrived.
    pub fn held(&self) -> Option<Received> {
        let at = self.hold_at.checked_sub(1)?;
        self.requests().get(at).cloned()
    }

    pub fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }

    /// Waits until `n` requests arrived (the dev clock's pass sends before it answers, but be
    /// patient anyway).
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.requests();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn hmac_b64(secret: &str, id: &str, ts: &str, body: &str) -> String {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 key");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{ts}.{body}").as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether one of the header's signatures is the HMAC of the request with `secret`.
fn signed_with(request: &Received, secret: &str) -> bool {
    let expected = format!(
        "v1,{}",
        hmac_b64(
            secret,
            &request.headers["webhook-id"],
            &request.headers["webhook-timestamp"],
            &request.body
        )
    );
    request.headers["webhook-signature"]
        .split(' ')
        .any(|s| s == expected)
}

/// Python's `standardwebhooks` in a venv under target/ (installed once), or `None`.
fn python_verifier() -> Option<PathBuf> {
    let venv = workspace().join("target/webhook-venv");
    let python = venv.join("bin/python");
    let ok = |p: &PathBuf| {
        std::process::Command::new(p)
            .args(["-c", "import standardwebhooks"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    };
    if ok(&python) {
        return Some(python);
    }
    let own = workspace().join(format!("target/webhook-venv-{}", std::process::id()));
    let made = std::process::Command::new("python3")
        .args(["-m", "venv"])
        .arg(&own)
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
        && std::process::Command::new(own.join("bin/pip"))
            .args(["install", "-q", "standardwebhooks"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
    if !made {
        let _ = std::fs::remove_dir_all(&own);
        return None;
    }
    if std::fs::rename(&own, &venv).is_err() {
        let _ = std::fs::remove_dir_all(&own);
    }
    ok(&python).then_some(python)
}

fn python_verifies(request: &Received, secret: &str) {
    let Some(python) = python_verifier() else {
        eprintln!("SKIPPED: Python standardwebhooks could not be installed (pip failed); the HMAC check stands alone");
        return;
    };
    let script = r#"
import json, sys
from standardwebhooks.webhooks import Webhook
secret, headers, body = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
Webhook(secret).verify(body, headers)
print("verified")
"#;
    let headers = json!({
        "webhook-id": request.headers["webhook-id"],
        "webhook-timestamp": request.headers["webhook-timestamp"],
        "webhook-signature": request.headers["webhook-signature"],
    });
    let out = std::process::Command::new(python)
        .args(["-c", script, secret, &headers.to_string(), &request.body])
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "standardwebhooks refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn allowing_private(backend: Backend) -> TestApp {
    TestApp::builder(backend)
        .env("MADAR_WEBHOOK_ALLOW_PRIVATE", "1")
        .spawn()
}

pub fn register(app: &TestApp, token: &str, url: &str, events: Value) -> Value {
    json_of(
        app.post(
            WEBHOOKS,
            Some(token),
            &json!({"url": url, "events": events}),
        ),
        201,
    )
}

/// Sends a referral of a new case's child to ngo-rabat (the partner's organization).
pub fn send_referral(app: &TestApp, worker: &str, given: &str) -> String {
    let case = open_case(app, worker, given);
    let consent = json!({
        "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
        "recipients": ["ngo-rabat"], "field_groups": ["identity"],
        "purpose": "Orientation vers un partenaire."
    });
    json_of(
        app.post(
            &format!("/api/v1/children/{}/consents", case.child_id),
            Some(worker),
            &consent,
        ),
        201,
    );
    let body = json!({
        "organization": "ngo-rabat", "service_type": "psychological_support",
        "reason": "Suivi psychologique.", "urgency": "high",
        "due_by": (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
        "field_groups": ["identity"]
    });
    id_of(&json_of(
        app.post(&format!("{}/referrals", case.path), Some(worker), &body),
        201,
    ))
}

backend_tests! {
    fn webhooks_a_referral_is_posted_signed_and_a_failure_retried_with_the_same_id(backend) {
        // The Python verifier first: installing it (~12 s on a fresh checkout) must not run
        // while a 10 s backoff is being timed.
        let _ = python_verifier();
        let app = allowing_private(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let receiver = Receiver::start(&[500, 200]);
        let hook = register(&app, &partner, &receiver.url, json!(["referral.created"]));
        let secret = hook["secret"].as_str().expect("secret").to_string();
        assert!(secret.starts_with("whsec_"));
        assert!(STANDARD.decode(&secret[6..]).expect("base64").len() >= 24);
        assert_eq!(hook["status"], "active");
        let hook_id = id_of(&hook);
        // The list and the read never show the secret.
        let list = json_of(app.get(WEBHOOKS, Some(&partner)), 200);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
        assert!(list["items"][0].get("secret").is_none());
        let one = json_of(app.get(&format!("{WEBHOOKS}/{hook_id}"), Some(&partner)), 200);
        assert!(one.get("secret").is_none());

        let referral = send_referral(&app, &worker, "Hamza");
        app.advance_clock(0);
        let got = receiver.wait_for(1);
        assert_eq!(got.len(), 1, "one attempt");
        let first = &got[0];
        let body: Value = serde_json::from_str(&first.body).expect("json body");
        assert_eq!(body["type"], "referral.created");
        assert_eq!(body["data"], json!({"id": referral}));
        assert!(body["timestamp"].is_string());
        assert!(first.headers["webhook-id"].starts_with("msg_"));
        assert!(first.headers["webhook-timestamp"].parse::<i64>().is_ok());
        assert!(signed_with(first, &secret), "HMAC: {:?}", first.headers);
        assert!(!signed_with(first, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        python_verifies(first, &secret);

        // 500: tried again after the backoff (10 s), with the same webhook-id.
        // (2 s on the dev clock, so that a slow machine's own seconds between the attempt and
        // this check do not reach the backoff.)
        app.advance_clock(2);
        assert_eq!(receiver.requests().len(), 1, "not before the backoff");
        app.advance_clock(9);
        let got = receiver.wait_for(2);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].headers["webhook-id"], first.headers["webhook-id"]);
        assert!(signed_with(&got[1], &secret));
        app.advance_clock(3600);
        assert_eq!(receiver.requests().len(), 2, "delivered: not sent again");
        let partner = app.token(PARTNER); // the clock moved past the first token

        let deliveries = json_of(
            app.get(&format!("{WEBHOOKS}/{hook_id}/deliveries"), Some(&partner)),
            200,
        );
        let delivery = &deliveries["items"][0];
        assert_eq!(delivery["id"], first.headers["webhook-id"].as_str());
        assert_eq!(delivery["type"], "referral.created");
        assert_eq!(delivery["status"], "delivered");
        let codes: Vec<i64> = delivery["attempts"]
            .as_array()
            .expect("attempts")
            .iter()
            .filter_map(|a| a["status_code"].as_i64())
            .collect();
        assert_eq!(codes, vec![500, 200]);
        assert!(receiver.statuses.lock().unwrap().is_empty());
    }

    fn webhooks_a_rotated_secret_signs_beside_the_old_one_and_410_disables(backend) {
        let app = allowing_private(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let receiver = Receiver::start(&[410]);
        let hook = register(&app, &partner, &receiver.url, json!(["referral.created"]));
        let (hook_id, old) = (id_of(&hook), hook["secret"].as_str().unwrap_or("").to_string());
        let rotated = json_of(
            app.post(&format!("{WEBHOOKS}/{hook_id}/secret-rotation"), Some(&partner), &json!({})),
            200,
        );
        let new = rotated["secret"].as_str().expect("new secret").to_string();
        assert_ne!(new, old);
        assert!(rotated["previous_secret_until"].is_string());
        send_referral(&app, &worker, "Hamza");
        app.advance_clock(0);
        let got = receiver.wait_for(1);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].headers["webhook-signature"].split(' ').count(), 2);
        assert!(signed_with(&got[0], &new) && signed_with(&got[0], &old));
        // 410 Gone: the endpoint is disabled, and nothing more is sent.
        let one = json_of(app.get(&format!("{WEBHOOKS}/{hook_id}"), Some(&partner)), 200);
        assert_eq!(one["status"], "disabled");
        let deliveries = json_of(
            app.get(&format!("{WEBHOOKS}/{hook_id}/deliveries"), Some(&partner)),
            200,
        );
        assert_eq!(deliveries["items"][0]["status"], "stopped");
        send_referral(&app, &worker, "Salma");
        app.advance_clock(60);
        assert_eq!(receiver.wait_for(2).len(), 1);
    }

    fn webhooks_private_and_non_http_urls_are_refused(backend) {
        let app = TestApp::spawn(backend);
        let partner = app.token(PARTNER);
        for url in ["http://127.0.0.1:9/hook", "http://10.0.0.1/h", "http://[::1]/h", "http://169.254.169.254/"] {
            assert_problem(
                app.post(WEBHOOKS, Some(&partner), &json!({"url": url, "events": ["referral.created"]})),
                422,
                "webhook_url_not_allowed",
            );
        }
        assert_problem(
            app.post(WEBHOOKS, Some(&partner), &json!({"url": "ftp://partner.example/", "events": ["referral.created"]})),
            422,
            "webhook_url_not_allowed",
        );
        let app = allowing_private(backend);
        let partner = app.token(PARTNER);
        assert_problem(
            app.post(WEBHOOKS, Some(&partner), &json!({"url": "file:///etc/passwd", "events": ["referral.created"]})),
            422,
            "webhook_url_not_allowed",
        );
        register(&app, &partner, "http://127.0.0.1:9/hook", json!(["report.status_changed"]));
    }

    fn webhooks_another_organization_sees_nothing_and_case_workers_are_refused(backend) {
        let app = allowing_private(backend);
        let (partner, hotline, worker) = (app.token(PARTNER), app.token(HOTLINE), app.token(CASE_WORKER));
        let hook = register(&app, &partner, "http://127.0.0.1:9/hook", json!(["referral.created"]));
        let path = format!("{WEBHOOKS}/{}", id_of(&hook));
        assert_problem(app.get(&path, Some(&hotline)), 404, "not_found");
        assert_problem(app.delete(&path, Some(&hotline)), 404, "not_found");
        assert_problem(app.get(&format!("{path}/deliveries"), Some(&hotline)), 404, "not_found");
        let theirs = json_of(app.get(WEBHOOKS, Some(&hotline)), 200);
        assert_eq!(theirs["items"], json!([]));
        assert_problem(app.get(WEBHOOKS, Some(&worker)), 403, "forbidden");
        assert_problem(
            app.post(WEBHOOKS, Some(&worker), &json!({"url": "http://127.0.0.1:9/", "events": ["referral.created"]})),
            403,
            "forbidden",
        );
        json_of(app.get(&path, Some(&partner)), 200);
        assert_eq!(app.delete(&path, Some(&partner)).status(), 204);
        assert_problem(app.get(&path, Some(&partner)), 404, "not_found");
    }

    fn webhooks_a_hotline_hears_when_its_report_is_screened(backend) {
        let app = allowing_private(backend);
        let (hotline, worker) = (app.token(HOTLINE), app.token(CASE_WORKER));
        let receiver = Receiver::start(&[]);
        let hook = register(&app, &hotline, &receiver.url, json!(["report.status_changed"]));
        let secret = hook["secret"].as_str().unwrap_or("").to_string();
        let report = id_of(&json_of(
            app.post("/api/v1/reports", Some(&hotline), &report_body("Yassine", "Alaoui", "421", false)),
            201,
        ));
        json_of(
            app.post(
                &format!("/api/v1/reports/{report}/screening"),
                Some(&worker),
                &json!({"decision": "close", "closing_reason": "referred_elsewhere"}),
            ),
            200,
        );
        app.advance_clock(0);
        let got = receiver.wait_for(1);
        assert_eq!(got.len(), 1);
        let body: Value = serde_json::from_str(&got[0].body).expect("json body");
        assert_eq!(body["type"], "report.status_changed");
        assert_eq!(body["data"], json!({"id": report}));
        assert!(signed_with(&got[0], &secret));
    }

    fn webhooks_a_hotline_hears_when_its_urgent_report_is_not_screened_in_time(backend) {
        let app = allowing_private(backend);
        let (hotline, worker) = (app.token(HOTLINE), app.token(CASE_WORKER));
        let receiver = Receiver::start(&[]);
        let hook = register(&app, &hotline, &receiver.url, json!(["alert.created"]));
        let secret = hook["secret"].as_str().unwrap_or("").to_string();
        let file = |given: &str, urgent: bool| {
            let body = report_body(given, "Alaoui", "421", urgent);
            id_of(&json_of(app.post("/api/v1/reports", Some(&hotline), &body), 201))
        };
        // Late, screened in time, and not urgent (72 hours to screen).
        let (late, screened, calm) = (file("Yassine", true), file("Omar", true), file("Anas", false));
        json_of(
            app.post(
                &format!("/api/v1/reports/{screened}/screening"),
                Some(&worker),
                &json!({"decision": "close", "closing_reason": "referred_elsewhere"}),
            ),
            200,
        );
        app.advance_clock(2 * 3600 + 60);
        app.advance_clock(0);
        receiver.wait_for(1);
        app.advance_clock(0);
        let got = receiver.requests();
        let bodies: Vec<Value> = got.iter().map(|r| serde_json::from_str(&r.body).expect("json")).collect();
        assert_eq!(bodies.len(), 1, "one alert, for the late report only: {bodies:?}");
        assert_eq!(bodies[0]["type"], "alert.created");
        assert_eq!(bodies[0]["data"], json!({"id": late}));
        assert!(signed_with(&got[0], &secret));
        // The hotline reads what the alert names: its report, still waiting to be screened.
        let read = json_of(app.get(&format!("/api/v1/reports/{late}"), Some(&app.token(HOTLINE))), 200);
        assert_eq!(read["status"], "received");
        for id in [&screened, &calm] {
            assert!(bodies.iter().all(|b| b["data"]["id"] != id.as_str()));
        }
        // The deliveries list of the endpoint shows it.
        let path = format!("{WEBHOOKS}/{}/deliveries", hook["id"].as_str().unwrap_or(""));
        let listed = json_of(app.get(&path, Some(&app.token(HOTLINE))), 200);
        let listed = listed["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0]["type"], "alert.created");
    }
}
