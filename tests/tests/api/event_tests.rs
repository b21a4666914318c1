//! Live updates (`/api/v1/events`): a single-use ticket opens a Server-Sent Events stream,
//! scoped by the policy; reports and referrals arrive as thin events; a used or expired ticket
//! is refused; `Last-Event-ID` resumes. The stream is read line by line by a helper thread.
use std::io::{BufRead, BufReader};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use madar_tests::cases::*;
use madar_tests::*;

const TICKETS: &str = "/api/v1/events/tickets";

/// An event read from a stream: its `id:`, `event:` and parsed `data:`.
#[derive(Debug)]
struct Event {
    seq: String,
    kind: String,
    data: Value,
}

/// An open stream: the lines a helper thread reads from it.
struct Stream {
    lines: Receiver<String>,
}

impl Stream {
    /// The next event within `wait`, skipping comments and `retry:`.
    fn next(&self, wait: Duration) -> Option<Event> {
        let deadline = Instant::now() + wait;
        let (mut seq, mut kind, mut data) = (None, None, None);
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let line = self.lines.recv_timeout(left).ok()?;
            if line.is_empty() {
                if let (Some(seq), Some(kind), Some(data)) = (seq.take(), kind.take(), data.take())
                {
                    return Some(Event { seq, kind, data });
                }
                continue;
            }
            if let Some(v) = line.strip_prefix("id: ") {
                seq = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("event: ") {
                kind = Some(v.to_string());
            } else if let Some(v) = line.strip_prefix("data: ") {
                data = serde_json::from_str(v).ok();
            }
        }
    }

    /// Whether the server ended the stream within `wait`.
    fn ends_within(&self, wait: Duration) -> bool {
        let deadline = Instant::now() + wait;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(_) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return true,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return false,
            }
        }
        false
    }

    /// The next event, which must come within 10 seconds.
    fn expect(&self) -> Event {
        self.next(Duration::from_secs(10))
            .expect("an event within 10 s")
    }
}

fn ticket(app: &TestApp, token: &str) -> String {
    let body = json_of(app.post(TICKETS, Some(token), &json!({})), 201);
    assert!(body["expires_at"].is_string());
    body["ticket"].as_str().expect("ticket").to_string()
}

/// `GET /api/v1/events?ticket=…` (asking for gzip, which the stream must not use).
fn get_stream(
    app: &TestApp,
    ticket: &str,
    last_event_id: Option<&str>,
) -> reqwest::blocking::Response {
    let client = reqwest::blocking::Client::builder()
        .timeout(None)
        .build()
        .expect("client");
    let mut req = client
        .get(app.url(&format!("/api/v1/events?ticket={ticket}")))
        .header("accept", "text/event-stream")
        .header("accept-encoding", "gzip");
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    req.send().expect("request")
}

/// `GET /api/v1/events?ticket=…` without asking for compression (a refusal is a problem).
fn refused(app: &TestApp, ticket: &str) -> reqwest::blocking::Response {
    app.get(&format!("/api/v1/events?ticket={ticket}"), None)
}

/// Opens a stream as `token` and starts reading it.
fn open(app: &TestApp, token: &str, last_event_id: Option<&str>) -> Stream {
    read(get_stream(app, &ticket(app, token), last_event_id))
}

/// Checks a stream's headers and starts reading it.
fn read(res: reqwest::blocking::Response) -> Stream {
    assert_eq!(res.status(), 200);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    assert_eq!(header("content-type").as_deref(), Some("text/event-stream"));
    let encoding = header("content-encoding");
    assert!(
        matches!(encoding.as_deref(), None | Some("identity")),
        "no compression: {encoding:?}"
    );
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(res).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Stream { lines: rx }
}

fn file_report(app: &TestApp, token: &str, territory: &str) -> String {
    let body = report_body("Yassine", "Alaoui", territory, false);
    id_of(&json_of(
        app.post("/api/v1/reports", Some(token), &body),
        201,
    ))
}

backend_tests! {
    fn events_a_report_reaches_the_centre_it_is_routed_to_and_no_other(backend) {
        let app = TestApp::spawn(backend);
        let (rabat, hotline) = (app.token(CASE_WORKER), app.token(HOTLINE));
        let (_, sale) = staff(&app, "w@cape-sale.ma", "case_worker", "cape-sale", "441");
        let (rabat_stream, sale_stream) = (open(&app, &rabat, None), open(&app, &sale, None));
        let in_rabat = file_report(&app, &hotline, "421");
        let event = rabat_stream.expect();
        assert_eq!(event.kind, "report.received");
        assert_eq!(event.data, json!({"type": "report.received", "id": in_rabat}));
        assert!(event.seq.parse::<i64>().is_ok(), "numeric id: {}", event.seq);
        // Salé's worker gets its own province's report first: Rabat's never reached it.
        let in_sale = file_report(&app, &hotline, "441");
        let event = sale_stream.expect();
        assert_eq!(event.data["id"], in_sale);
        assert!(rabat_stream.next(Duration::from_secs(2)).is_none());
    }

    fn events_a_ticket_opens_one_stream_once_within_30_seconds(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let used = ticket(&app, &worker);
        let first = get_stream(&app, &used, None);
        assert_eq!(first.status(), 200);
        assert_problem(refused(&app, &used), 401, "invalid_ticket");
        assert_problem(refused(&app, "no-such-ticket"), 401, "invalid_ticket");
        let late = ticket(&app, &worker);
        app.advance_clock(31);
        assert_problem(refused(&app, &late), 401, "invalid_ticket");
        assert_problem(app.post(TICKETS, None, &json!({})), 401, "unauthorized");
    }

    fn events_an_action_falling_overdue_raises_a_live_alert_for_those_who_see_it(backend) {
        let app = TestApp::spawn(backend);
        let (worker, hotline) = (app.token(CASE_WORKER), app.token(HOTLINE));
        staff(&app, "w2@cape-sale.ma", "case_worker", "cape-sale", "441");
        let stream = open(&app, &worker, None);
        let body = report_body("Yassine", "Alaoui", "421", true);
        let report = id_of(&json_of(app.post("/api/v1/reports", Some(&hotline), &body), 201));
        let seen = stream.expect();
        assert_eq!(seen.data["id"], report);
        drop(stream);
        let actions = json_of(app.get(&format!("/api/v1/reports/{report}/actions"), Some(&worker)), 200);
        let screening = actions["items"]
            .as_array()
            .or(actions.as_array())
            .and_then(|a| a.iter().find(|x| x["action"] == "screen_report").cloned())
            .expect("a screening action");
        // Past its 2-hour deadline, the worker's pass marks it overdue and says so live.
        app.advance_clock(3 * 3600);
        let worker = app.token(CASE_WORKER);
        let resumed = open(&app, &worker, Some(&seen.seq));
        let alert = resumed.expect();
        assert_eq!(alert.kind, "alert.created");
        assert_eq!(alert.data, json!({"type": "alert.created", "id": screening["id"]}));
        // Salé's worker does not see Rabat's report, nor its alert.
        let sale = app.login_body("w2@cape-sale.ma", "a long password for the tests")["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        let sale_stream = open(&app, &sale, Some("0"));
        assert!(sale_stream.next(Duration::from_secs(2)).is_none(), "nothing for Salé");
    }

    fn events_last_event_id_resumes_after_it(backend) {
        let app = TestApp::spawn(backend);
        let (worker, hotline) = (app.token(CASE_WORKER), app.token(HOTLINE));
        let stream = open(&app, &worker, None);
        let first = file_report(&app, &hotline, "421");
        let seen = stream.expect();
        assert_eq!(seen.data["id"], first);
        drop(stream);
        let second = file_report(&app, &hotline, "421");
        let third = file_report(&app, &hotline, "421");
        let resumed = open(&app, &worker, Some(&seen.seq));
        assert_eq!(resumed.expect().data["id"], second);
        let last = resumed.expect();
        assert_eq!(last.data["id"], third);
        // The query parameter does the same for an EventSource opened anew.
        let res = get_stream(&app, &format!("{}&last_event_id={}", ticket(&app, &worker), seen.seq), None);
        assert_eq!(read(res).expect().data["id"], second);
    }

    fn events_the_stream_ends_when_the_token_behind_it_expires(backend) {
        let app = TestApp::spawn(backend);
        let stream = open(&app, &app.token(CASE_WORKER), None);
        assert!(!stream.ends_within(Duration::from_secs(1)));
        app.advance_clock(15 * 60 + 1);
        assert!(stream.ends_within(Duration::from_secs(5)));
    }

    fn events_a_rotated_client_secret_ends_the_clients_stream_and_its_unused_tickets(backend) {
        use crate::auth_tests::{client_token, create_client};
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (record, id, secret) = create_client(&app, &admin);
        let token: Value = client_token(&app, &id, &secret).json().expect("token");
        let token = token["access_token"].as_str().expect("access_token").to_string();
        let stream = open(&app, &token, None);
        let unused = ticket(&app, &token);
        assert!(!stream.ends_within(Duration::from_secs(1)));
        app.advance_clock(2);
        let rotation = format!("/api/v1/clients/{record}/secret-rotation");
        assert_eq!(app.post(&rotation, Some(&admin), &json!({})).status(), 200);
        // The stream's next check of its viewer (with its heartbeat, every 15 s) ends it; a
        // ticket taken with the old secret's token opens nothing.
        assert!(stream.ends_within(Duration::from_secs(17)), "the stream outlived the rotation");
        assert_problem(refused(&app, &unused), 401, "invalid_ticket");
    }

    fn events_an_idle_stream_gets_a_heartbeat_every_15_seconds(backend) {
        let app = TestApp::spawn(backend);
        let stream = open(&app, &app.token(PARTNER), None);
        let started = Instant::now();
        let beat = loop {
            match stream.lines.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.starts_with(':') => break line,
                Ok(_) => continue,
                Err(e) => panic!("no heartbeat: {e}"),
            }
        };
        assert_eq!(beat, ": heartbeat");
        assert!(started.elapsed() >= Duration::from_secs(10));
    }

    fn events_streams_end_at_shutdown(backend) {
        let mut app = TestApp::spawn(backend);
        let stream = open(&app, &app.token(CASE_WORKER), None);
        let started = Instant::now();
        assert_eq!(app.terminate(), Some(0), "clean shutdown");
        assert!(started.elapsed() < Duration::from_secs(10), "not held by the stream");
        assert!(stream.ends_within(Duration::from_secs(2)));
    }

    fn events_a_referral_reaches_the_partner_and_its_answer_the_sender(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let case = open_case(&app, &worker, "Hamza");
        let consent = json!({
            "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
            "recipients": ["ngo-rabat"], "field_groups": ["identity"],
            "purpose": "Orientation vers un partenaire."
        });
        json_of(app.post(&format!("/api/v1/children/{}/consents", case.child_id), Some(&worker), &consent), 201);
        let partner_stream = open(&app, &partner, None);
        let body = json!({
            "organization": "ngo-rabat", "service_type": "psychological_support",
            "reason": "Suivi psychologique.", "urgency": "high",
            "due_by": (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
            "field_groups": ["identity"]
        });
        let (sent, etag) = json_and_etag(app.post(&format!("{}/referrals", case.path), Some(&worker), &body), 201);
        let id = id_of(&sent);
        let event = partner_stream.expect();
        assert_eq!(event.kind, "referral.created");
        assert_eq!(event.data, json!({"type": "referral.created", "id": id}));
        let worker_stream = open(&app, &worker, None);
        let accepted = app
            .client
            .post(app.url(&format!("/api/v1/referrals/{id}/accept")))
            .bearer_auth(&partner)
            .header("if-match", etag)
            .send()
            .expect("request");
        assert_eq!(accepted.status(), 200);
        for stream in [&worker_stream, &partner_stream] {
            let event = stream.expect();
            assert_eq!(event.kind, "referral.updated");
            assert_eq!(event.data["id"], id);
        }
    }
}
