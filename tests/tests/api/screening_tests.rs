//! Screening a report: accepting it (each reported child linked to a known child or created
//! from the report's data, the matching engine run on every creation) or closing it with a
//! reason; a report is screened once, even by concurrent screeners; who may screen; validation;
//! idempotent retries.
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use madar_tests::*;

const REPORTS: &str = "/api/v1/reports";
const CHILDREN: &str = "/api/v1/children";

fn birth_year() -> i32 {
    Utc::now().year() - 10
}

fn reported(given: &str, family: &str, territory: &str) -> Value {
    json!({
        "given_name_latin": given, "family_name_latin": family, "sex": "male",
        "estimated_birth_year": birth_year(), "territory": territory,
        "address_text": "Derb Sidi Fateh", "situation": ["out_of_school"]
    })
}

fn report_of(children: Vec<Value>) -> Value {
    json!({
        "source": "hotline_2511",
        "received_at": (Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
        "reporter": {"type": "neighbour", "name": "Khadija", "phone": "+212 6 61 23 45 67"},
        "children": children,
        "concerns": ["neglect"],
        "immediate_danger": false,
        "narrative": "L'enfant dort dehors."
    })
}

/// A report of one child, Mohamed El Idrissi, in `territory`.
fn report(territory: &str) -> Value {
    report_of(vec![reported("Mohamed", "El Idrissi", territory)])
}

/// The same boy as a child record, in Arabic script.
fn mohamed(territory: &str) -> Value {
    json!({
        "given_name_ar": "محمد", "family_name_ar": "الإدريسي", "sex": "male",
        "estimated_birth_year": birth_year(), "civil_status": "registered", "territory": territory
    })
}

fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_string()
}

/// Files a report and returns its id.
fn file(app: &TestApp, token: &str, body: &Value) -> String {
    id_of(&json_of(app.post(REPORTS, Some(token), body), 201))
}

/// Creates a child record and returns its id.
fn create_child(app: &TestApp, token: &str, body: &Value) -> String {
    id_of(&json_of(app.post(CHILDREN, Some(token), body), 201))
}

fn screening(id: &str) -> String {
    format!("{REPORTS}/{id}/screening")
}

fn screen(app: &TestApp, token: &str, id: &str, body: &Value) -> Response {
    app.post(&screening(id), Some(token), body)
}

fn screen_with_key(app: &TestApp, token: &str, id: &str, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(&screening(id)))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .expect("request")
}

fn close(reason: &str) -> Value {
    json!({"decision": "close", "closing_reason": reason})
}

fn create_all(n: usize) -> Value {
    let children: Vec<Value> = (0..n)
        .map(|i| json!({"index": i, "create": true}))
        .collect();
    json!({"decision": "accept", "children": children})
}

fn status_of(app: &TestApp, token: &str, id: &str) -> Value {
    json_of(app.get(&format!("{REPORTS}/{id}"), Some(token)), 200)["status"].clone()
}

/// The field and code of the first error of a 422.
fn invalid(res: Response) -> (String, String) {
    let body = assert_problem(res, 422, "validation_failed");
    let error = &body["errors"][0];
    (
        error["field"].as_str().unwrap_or("").to_string(),
        error["code"].as_str().unwrap_or("").to_string(),
    )
}

/// A case worker of CAPE Salé (territory 441); returns a token.
fn sale_case_worker(app: &TestApp) -> String {
    let admin = app.token(ADMIN);
    let body = json!({
        "email": "worker@cape-sale.ma", "display_name": "Salé worker",
        "password": "a long password for sale", "role": "case_worker",
        "organization": "cape-sale", "territory": "441"
    });
    json_of(app.post("/api/v1/users", Some(&admin), &body), 201);
    app.login_body("worker@cape-sale.ma", "a long password for sale")["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// Waits, up to a deadline, for an audit event of `action` on `id`.
fn wait_for_event(app: &TestApp, action: &str, id: &str) {
    let auditor = app.token(AUDITOR);
    let deadline = Instant::now() + Duration::from_secs(10);
    let query = format!("/api/v1/audit?action={action}&resource_id={id}");
    loop {
        let events = json_of(app.get(&query, Some(&auditor)), 200);
        if !events["items"].as_array().expect("items").is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "no {action} event on {id}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

backend_tests! {
    fn accepting_links_a_known_child_and_creates_the_other(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let known = create_child(&app, &worker, &json!({
            "given_name_latin": "Khadija", "family_name_latin": "Alaoui", "sex": "female",
            "estimated_birth_year": 2016, "civil_status": "registered", "territory": "421"
        }));
        let id = file(&app, &app.token(HOTLINE), &report_of(vec![
            reported("Khadija", "Alaoui", "421"), reported("Mohamed", "El Idrissi", "421"),
        ]));
        let body = json!({"decision": "accept", "children": [
            {"index": 1, "create": true}, {"index": 0, "child_id": known}
        ]});
        let res = screen(&app, &worker, &id, &body);
        assert!(res.headers().get("etag").is_some());
        let outcome = json_of(res, 200);
        assert_eq!(outcome["report"]["status"], "case_opened", "{outcome}");
        assert_eq!(outcome["announcements"], json!([]));
        let children = outcome["children"].as_array().expect("children");
        assert_eq!(children.len(), 2);
        assert_eq!(children[0]["index"], 0);
        assert_eq!(children[0]["child_id"], known.as_str());
        assert_eq!(children[0]["created"], false);
        assert_eq!(children[1]["index"], 1);
        assert_eq!(children[1]["created"], true);
        // Each child has a case now, opened by this screening.
        assert_eq!(children[0]["case_opened"], true);
        assert_ne!(children[0]["case_id"], children[1]["case_id"]);
        let created = children[1]["child_id"].as_str().expect("child_id").to_string();
        // The whole report shows the links, now and on later reads.
        assert_eq!(outcome["report"]["children"][0]["child_id"], known.as_str());
        assert_eq!(outcome["report"]["children"][1]["child_id"], created.as_str());
        let read = json_of(app.get(&format!("{REPORTS}/{id}"), Some(&worker)), 200);
        assert_eq!(read["status"], "case_opened");
        assert_eq!(read["children"][1]["child_id"], created.as_str());
        assert_eq!(read["children"][1]["address_text"], "Derb Sidi Fateh");
        // The new record holds the report's data, owned by the screener's organization.
        let child = json_of(app.get(&format!("{CHILDREN}/{created}"), Some(&worker)), 200);
        assert_eq!(child["given_name_latin"], "Mohamed");
        assert_eq!(child["family_name_latin"], "El Idrissi");
        assert_eq!(child["estimated_birth_year"], birth_year());
        assert_eq!(child["territory"], "421");
        assert_eq!(child["situation"], json!(["out_of_school"]));
        assert_eq!(child["civil_status"], "unknown");
        assert_eq!(child["organization"], "cape-rabat");
        let listed = json_of(app.get(CHILDREN, Some(&worker)), 200);
        assert_eq!(listed["items"].as_array().expect("items").len(), 2);
        // The coordinator of the territory sees the new child too.
        json_of(app.get(&format!("{CHILDREN}/{created}"), Some(&app.token(COORDINATOR))), 200);
        wait_for_event(&app, "report.screen", &id);
        wait_for_event(&app, "child.create", &created);
        // The screened report leaves the screening inbox.
        let inbox = json_of(app.get(&format!("{REPORTS}?status=received"), Some(&worker)), 200);
        assert_eq!(inbox["items"], json!([]));
    }

    fn closing_a_report_is_what_its_sender_then_sees_and_a_report_is_screened_once(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, coordinator) = (app.token(HOTLINE), app.token(COORDINATOR));
        let id = file(&app, &hotline, &report("421"));
        assert_eq!(status_of(&app, &hotline, &id), "received");
        let outcome = json_of(screen(&app, &coordinator, &id, &close("referred_elsewhere")), 200);
        assert_eq!(outcome["report"]["status"], "closed");
        assert_eq!(outcome["children"], json!([]));
        assert!(outcome["report"]["children"][0].get("child_id").is_none(), "{outcome}");
        assert_eq!(status_of(&app, &hotline, &id), "closed");
        wait_for_event(&app, "report.screen", &id);
        // A second screening, whatever its decision, is refused.
        assert_problem(screen(&app, &coordinator, &id, &close("duplicate")), 409, "report_already_screened");
        let worker = app.token(CASE_WORKER);
        assert_problem(screen(&app, &worker, &id, &create_all(1)), 409, "report_already_screened");
        assert_eq!(status_of(&app, &hotline, &id), "closed");
        // Nothing was created by the refused screening.
        assert_eq!(json_of(app.get(CHILDREN, Some(&worker)), 200)["items"], json!([]));
    }

    fn concurrent_screenings_of_one_report_give_exactly_one_success(backend) {
        let app = TestApp::spawn(backend);
        let id = file(&app, &app.token(HOTLINE), &report("421"));
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = [(&coordinator, close("duplicate")), (&worker, create_all(1)),
                                   (&coordinator, close("out_of_scope")), (&worker, create_all(1))]
                .into_iter()
                .map(|(token, body)| {
                    let (app, id) = (&app, &id);
                    s.spawn(move || screen(app, token, id, &body).status().as_u16())
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [200, 409, 409, 409], "{statuses:?}");
        // At most the winner's child exists.
        let children = json_of(app.get(CHILDREN, Some(&worker)), 200);
        assert!(children["items"].as_array().expect("items").len() <= 1);
    }

    fn a_likely_duplicate_in_scope_is_refused_until_confirmed(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let known = create_child(&app, &worker, &mohamed("421"));
        let id = file(&app, &app.token(HOTLINE), &report("421"));
        let refused = assert_problem(screen(&app, &worker, &id, &create_all(1)), 409, "likely_duplicate");
        let detail = refused["detail"].as_str().expect("detail");
        assert!(detail.contains("children[0]") && detail.contains("1 likely match"), "{detail}");
        assert_eq!(status_of(&app, &worker, &id), "received");
        let confirmed = json!({"decision": "accept", "children": [{"index": 0, "create": true, "confirm_new": true}]});
        let outcome = json_of(screen(&app, &worker, &id, &confirmed), 200);
        assert_eq!(outcome["children"][0]["created"], true);
        assert_ne!(outcome["children"][0]["child_id"], known.as_str());
        assert_eq!(json_of(app.get(CHILDREN, Some(&worker)), 200)["items"].as_array().expect("items").len(), 2);
    }

    fn a_child_named_twice_in_one_report_is_a_likely_duplicate_of_itself(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        // The same boy, once in Latin and once in Arabic script: creating both in one screening
        // matches the second against the first, created moments before in the same transaction.
        let arabic = json!({
            "given_name_ar": "محمد", "family_name_ar": "الإدريسي", "sex": "male",
            "estimated_birth_year": birth_year(), "territory": "421", "situation": []
        });
        let id = file(&app, &app.token(HOTLINE), &report_of(vec![reported("Mohamed", "El Idrissi", "421"), arabic]));
        let refused = assert_problem(screen(&app, &worker, &id, &create_all(2)), 409, "likely_duplicate");
        assert!(refused["detail"].as_str().unwrap_or_default().contains("children[1]"), "{refused}");
        assert_eq!(status_of(&app, &worker, &id), "received");
        assert_eq!(json_of(app.get(CHILDREN, Some(&worker)), 200)["items"], json!([]));
    }

    fn a_likely_match_outside_scope_is_announced_with_its_owner_only(backend) {
        let app = TestApp::spawn(backend);
        let sale = sale_case_worker(&app);
        let elsewhere = create_child(&app, &sale, &mohamed("441"));
        let id = file(&app, &app.token(HOTLINE), &report("421"));
        let res = screen(&app, &app.token(CASE_WORKER), &id, &create_all(1));
        let text = res.text().expect("body");
        let outcome: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(outcome["announcements"], json!([
            {"index": 0, "owner": {"organization": "cape-sale", "territory": "441"}}
        ]), "{outcome}");
        assert_eq!(outcome["children"][0]["created"], true);
        assert!(!text.contains(&elsewhere), "the other child's id stays hidden");
        wait_for_event(&app, "child.match_announce", &elsewhere);
    }

    fn only_those_who_see_the_report_whole_screen_it(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, partner) = (app.token(HOTLINE), app.token(PARTNER));
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let rabat = file(&app, &hotline, &report("421"));
        let partners = file(&app, &partner, &report("421"));
        for email in [PARTNER, HOTLINE, ADMIN, ANALYST, AUDITOR] {
            let token = app.token(email);
            for id in [&rabat, &partners, &uuid::Uuid::new_v4().to_string()] {
                assert_problem(screen(&app, &token, id, &close("duplicate")), 403, "forbidden");
            }
        }
        assert_problem(app.post(&screening(&rabat), None, &close("duplicate")), 401, "unauthorized");
        // Outside scope, or seen only as its sender: 404.
        let sale = file(&app, &hotline, &report("441"));
        let worker_sale = file(&app, &worker, &report("441"));
        let coordinator_sale = file(&app, &coordinator, &report("441"));
        for (token, id) in [(&coordinator, &sale), (&worker, &sale), (&worker, &worker_sale),
                            (&coordinator, &coordinator_sale), (&worker, &uuid::Uuid::new_v4().to_string())] {
            assert_problem(screen(&app, token, id, &close("duplicate")), 404, "not_found");
        }
        for id in [&rabat, &sale] {
            assert_eq!(status_of(&app, &hotline, id), "received");
        }
        assert_eq!(status_of(&app, &worker, &worker_sale), "received");
        assert_eq!(status_of(&app, &partner, &partners), "received");
        // The Salé centre screens its own.
        json_of(screen(&app, &sale_case_worker(&app), &sale, &close("duplicate")), 200);
        json_of(screen(&app, &coordinator, &partners, &close("out_of_scope")), 200);
        assert_eq!(status_of(&app, &partner, &partners), "closed");
    }

    fn invalid_screenings_are_refused_naming_the_field(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let elsewhere = create_child(&app, &sale_case_worker(&app), &mohamed("441"));
        let id = file(&app, &app.token(HOTLINE), &report_of(vec![
            reported("Khadija", "Alaoui", "421"), reported("Mohamed", "El Idrissi", "421"),
        ]));
        let accept = |children: Value| json!({"decision": "accept", "children": children});
        let cases = [
            (accept(json!([{"index": 0, "create": true}])), "children", "missing_child"),
            (accept(json!([{"index": 0, "create": true}, {"index": 2, "create": true}])), "children[1].index", "out_of_range"),
            (accept(json!([{"index": 0, "create": true}, {"index": 0, "create": true}])), "children[1].index", "duplicate"),
            (accept(json!([{"index": 0, "create": true}, {"index": 1}])), "children[1]", "link_or_create"),
            (accept(json!([{"index": 0, "create": true}, {"index": 1, "child_id": elsewhere}])), "children[1].child_id", "unknown_child"),
            (accept(json!([{"index": 0, "create": true}, {"index": 1, "child_id": uuid::Uuid::new_v4()}])), "children[1].child_id", "unknown_child"),
            (accept(json!([{"index": 0, "create": true}, {"index": 1, "create": true, "why": 1}])), "children[1].why", "unknown_field"),
            (accept(json!([])), "children", "length"),
            (close("bored"), "closing_reason", "invalid_value"),
            (json!({"decision": "close"}), "closing_reason", "required"),
            (json!({"decision": "accept"}), "children", "required"),
            (json!({"decision": "close", "closing_reason": "duplicate", "children": [{"index": 0, "create": true}]}), "children", "not_allowed"),
            (json!({"decision": "maybe"}), "decision", "invalid_value"),
        ];
        for (body, field, code) in cases {
            assert_eq!(invalid(screen(&app, &worker, &id, &body)), (field.to_string(), code.to_string()), "{body}");
        }
        // Nothing changed: the report waits for screening, no child was created.
        assert_eq!(status_of(&app, &worker, &id), "received");
        assert_eq!(json_of(app.get(CHILDREN, Some(&worker)), 200)["items"], json!([]));
        json_of(screen(&app, &worker, &id, &create_all(2)), 200);
    }

    fn a_retried_screening_is_replayed(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = file(&app, &app.token(HOTLINE), &report("421"));
        let first = screen_with_key(&app, &worker, &id, "screen-1", &create_all(1));
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"].clone();
        let first = first.bytes().expect("body");
        let again = screen_with_key(&app, &worker, &id, "screen-1", &create_all(1));
        assert_eq!(again.status(), 200);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["etag"], etag);
        assert_eq!(again.bytes().expect("body"), first);
        assert_eq!(json_of(app.get(CHILDREN, Some(&worker)), 200)["items"].as_array().expect("items").len(), 1);
        assert_problem(screen_with_key(&app, &worker, &id, "screen-1", &close("duplicate")), 422, "idempotency_key_reused");
        // Without the key, it is a second screening.
        assert_problem(screen(&app, &worker, &id, &create_all(1)), 409, "report_already_screened");
    }
}
