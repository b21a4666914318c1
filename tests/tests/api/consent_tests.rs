//! Consents: recorded, listed and withdrawn by those who see the child; a second withdrawal is a
//! conflict; expiry follows the server's clock; scope and role; validation; idempotent replay.
use chrono::{SecondsFormat, TimeDelta, Utc};
use madar_tests::*;

const CHILDREN: &str = "/api/v1/children";

fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Creates a Rabat child and returns its id.
fn child(app: &TestApp, token: &str) -> String {
    let body = json!({
        "given_name_latin": "Amine", "family_name_latin": "El Alaoui", "sex": "male",
        "estimated_birth_year": 2013, "civil_status": "registered", "territory": "421"
    });
    json_of(app.post(CHILDREN, Some(token), &body), 201)["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn consents(child: &str) -> String {
    format!("{CHILDREN}/{child}/consents")
}

fn withdraw(child: &str, consent: &str) -> String {
    format!("{CHILDREN}/{child}/consents/{consent}/withdraw")
}

fn rfc3339(offset: TimeDelta) -> String {
    (Utc::now() + offset).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn consent_body() -> Value {
    json!({
        "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
        "recipients": ["cape-sale", "ngo"], "field_groups": ["health", "identity"],
        "purpose": "Suivi médical et scolaire."
    })
}

fn with(extra: Value) -> Value {
    let mut body = consent_body();
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

/// A case worker of CAPE Salé (territory 441), created by the admin; returns a token.
fn sale_case_worker(app: &TestApp) -> String {
    let admin = app.token(ADMIN);
    let body = json!({
        "email": "worker@cape-sale.ma", "display_name": "Salé worker",
        "password": "a long password for sale", "role": "case_worker",
        "organization": "cape-sale", "territory": "441"
    });
    json_of(app.post("/api/v1/users", Some(&admin), &body), 201);
    let res = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"email": "worker@cape-sale.ma", "password": "a long password for sale"}),
    );
    json_of(res, 200)["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

fn post_with_key(app: &TestApp, token: &str, path: &str, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .expect("request")
}

/// The purpose and withdrawal reason of every consent, as stored.
fn raw_sealed(app: &TestApp) -> Vec<Option<String>> {
    let query = "SELECT purpose_sealed, withdrawal_reason_sealed FROM child_consents";
    let mut values = Vec::new();
    match app.db.backend {
        Backend::Postgres => {
            let mut client = ::postgres::Client::connect(&app.db.url, ::postgres::NoTls)
                .expect("connect to the test database");
            for row in client.query(query, &[]).expect("query") {
                values.push(row.get::<_, Option<String>>(0));
                values.push(row.get::<_, Option<String>>(1));
            }
        }
        Backend::Sqlite => {
            let path = app.db.url.strip_prefix("sqlite://").expect("a sqlite URL");
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("open");
            let mut statement = conn.prepare(query).expect("prepare");
            let rows = statement
                .query_map([], |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                    ))
                })
                .expect("query");
            for row in rows {
                let (purpose, reason) = row.expect("row");
                values.extend([purpose, reason]);
            }
        }
    }
    values
}

backend_tests! {
    fn a_consent_is_recorded_listed_and_withdrawn_once(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = child(&app, &worker);
        let res = app.post(&consents(&id), Some(&worker), &consent_body());
        assert!(res.headers().get("etag").is_some());
        assert!(res.headers().get("location").is_some());
        let created = json_of(res, 201);
        assert_eq!(created["status"], "active");
        assert_eq!(created["child_id"], id.as_str());
        assert_eq!(created["relationship"], "parent");
        assert_eq!(created["recipients"], json!(["cape-sale", "ngo"]));
        assert_eq!(created["field_groups"], json!(["identity", "health"]));
        assert_eq!(created["purpose"], "Suivi médical et scolaire.");
        assert_eq!(created["withdrawn_at"], Value::Null);
        let consent = created["id"].as_str().expect("id").to_string();

        // A second one, newest first in the list; the coordinator of Rabat sees them too.
        let second = json_of(
            app.post(&consents(&id), Some(&worker), &with(json!({"recipients": ["cape-rabat"]}))),
            201,
        );
        let coordinator = app.token(COORDINATOR);
        let list = json_of(app.get(&consents(&id), Some(&coordinator)), 200);
        let items = list["items"].as_array().expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["id"], second["id"]);
        assert_eq!(items[1], created);

        let res = app.post(&withdraw(&id, &consent), Some(&coordinator), &json!({"reason": "Retrait oral."}));
        assert!(res.headers().get("etag").is_some());
        let withdrawn = json_of(res, 200);
        assert_eq!(withdrawn["status"], "withdrawn");
        assert!(withdrawn["withdrawn_at"].is_string());
        assert!(withdrawn["withdrawn_by"].is_string());
        assert_eq!(withdrawn["withdrawal_reason"], "Retrait oral.");
        assert_problem(
            app.post(&withdraw(&id, &consent), Some(&worker), &json!({})),
            409,
            "consent_already_withdrawn",
        );
        let list = json_of(app.get(&consents(&id), Some(&worker)), 200);
        assert_eq!(list["items"][1]["status"], "withdrawn");
        assert_eq!(list["items"][0]["status"], "active");
        // Both writes are audited, as ids and codes.
        let auditor = app.token(AUDITOR);
        for action in ["consent.create", "consent.withdraw"] {
            let query = format!("/api/v1/audit?action={action}&resource_id={consent}");
            let events = json_of(app.get(&query, Some(&auditor)), 200);
            assert_eq!(events["items"].as_array().map(Vec::len), Some(1), "{action}: {events}");
        }
        // A consent the child does not have.
        let unknown = "01a22bb8-3f27-7223-9fad-10acb7f42e8a";
        assert_problem(app.post(&withdraw(&id, unknown), Some(&worker), &json!({})), 404, "not_found");
    }

    fn a_consent_expires_with_the_server_clock(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = child(&app, &worker);
        let body = with(json!({
            "given_at": rfc3339(TimeDelta::minutes(-5)),
            "expires_at": rfc3339(TimeDelta::hours(1)),
        }));
        let created = json_of(app.post(&consents(&id), Some(&worker), &body), 201);
        assert_eq!(created["status"], "active");
        app.advance_clock(2 * 3600);
        // The access token has expired with the clock too.
        let worker = app.token(CASE_WORKER);
        let list = json_of(app.get(&consents(&id), Some(&worker)), 200);
        assert_eq!(list["items"][0]["status"], "expired");
        // An expired consent may still be withdrawn, once.
        let consent = created["id"].as_str().expect("id");
        let withdrawn = json_of(app.post(&withdraw(&id, consent), Some(&worker), &json!({})), 200);
        assert_eq!(withdrawn["status"], "withdrawn");
    }

    fn consents_follow_the_child_scope_and_roles(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = child(&app, &worker);
        let created = json_of(app.post(&consents(&id), Some(&worker), &consent_body()), 201);
        let consent = created["id"].as_str().expect("id");
        let other = sale_case_worker(&app);
        assert_problem(app.post(&consents(&id), Some(&other), &consent_body()), 404, "not_found");
        assert_problem(app.get(&consents(&id), Some(&other)), 404, "not_found");
        assert_problem(app.post(&withdraw(&id, consent), Some(&other), &json!({})), 404, "not_found");
        for user in [PARTNER, HOTLINE, ADMIN, ANALYST, AUDITOR] {
            let token = app.token(user);
            assert_problem(app.post(&consents(&id), Some(&token), &consent_body()), 403, "forbidden");
            let (status, code) = if user == PARTNER { (404, "not_found") } else { (403, "forbidden") };
            assert_problem(app.get(&consents(&id), Some(&token)), status, code);
        }
        assert_problem(app.get(&consents(&id), None), 401, "unauthorized");
        // Still active: nothing above changed it.
        let list = json_of(app.get(&consents(&id), Some(&worker)), 200);
        assert_eq!(list["items"][0]["status"], "active");
    }

    fn an_invalid_consent_is_refused_on_its_field(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = child(&app, &worker);
        let cases = [
            (json!({"recipients": ["no-such-org"]}), "recipients"),
            (json!({"recipients": []}), "recipients"),
            (json!({"field_groups": []}), "field_groups"),
            (json!({"expires_at": "2026-01-05T09:00:00Z"}), "expires_at"),
            (json!({"expires_at": "2026-01-05T10:00:00Z"}), "expires_at"),
            (json!({"given_at": rfc3339(TimeDelta::days(2))}), "given_at"),
            (json!({"purpose": ""}), "purpose"),
            (json!({"given_by": " "}), "given_by"),
        ];
        for (extra, field) in cases {
            let body = with(extra.clone());
            let problem = assert_problem(app.post(&consents(&id), Some(&worker), &body), 422, "validation_failed");
            let fields: Vec<&str> = problem["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .filter_map(|e| e["field"].as_str())
                .collect();
            assert!(fields.contains(&field), "{extra}: {problem}");
        }
        for bad in [json!({"relationship": "guardian"}), json!({"field_groups": ["finance"]})] {
            let res = app.post(&consents(&id), Some(&worker), &with(bad.clone()));
            assert!(res.status().is_client_error(), "{bad}");
        }
        let list = json_of(app.get(&consents(&id), Some(&worker)), 200);
        assert_eq!(list["items"], json!([]));
    }

    fn a_retry_with_the_same_key_replays_the_consent(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = child(&app, &worker);
        let first = post_with_key(&app, &worker, &consents(&id), "consent-1", &consent_body());
        assert_eq!(first.status(), 201);
        let first = first.text().expect("body");
        let again = post_with_key(&app, &worker, &consents(&id), "consent-1", &consent_body());
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap_or("")), Some("true"));
        assert_eq!(again.text().expect("body"), first);
        assert_problem(
            post_with_key(&app, &worker, &consents(&id), "consent-1", &with(json!({"given_by": "Le père"}))),
            422,
            "idempotency_key_reused",
        );
        let list = json_of(app.get(&consents(&id), Some(&worker)), 200);
        assert_eq!(list["items"].as_array().expect("items").len(), 1);

        let consent: Value = serde_json::from_str(&first).expect("json");
        let consent = consent["id"].as_str().expect("id");
        let once = post_with_key(&app, &worker, &withdraw(&id, consent), "w-1", &json!({}));
        assert_eq!(once.status(), 200);
        let once = once.text().expect("body");
        let twice = post_with_key(&app, &worker, &withdraw(&id, consent), "w-1", &json!({}));
        assert_eq!(twice.status(), 200);
        assert_eq!(twice.text().expect("body"), once);
    }

    fn the_purpose_and_reason_are_unreadable_in_the_raw_database(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let id = child(&app, &worker);
        let created = json_of(app.post(&consents(&id), Some(&worker), &consent_body()), 201);
        let consent = created["id"].as_str().expect("id");
        let reason = json!({"reason": "Retrait demandé par la mère."});
        json_of(app.post(&withdraw(&id, consent), Some(&worker), &reason), 200);
        let stored = raw_sealed(&app);
        assert_eq!(stored.len(), 2);
        for value in stored {
            let value = value.expect("a sealed value");
            assert!(!value.contains("Suivi") && !value.contains("Retrait"), "{value}");
        }
        // The API opens them again.
        let list = json_of(app.get(&consents(&id), Some(&worker)), 200);
        assert_eq!(list["items"][0]["purpose"], "Suivi médical et scolaire.");
        assert_eq!(list["items"][0]["withdrawal_reason"], "Retrait demandé par la mère.");
    }
}
