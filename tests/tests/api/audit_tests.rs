//! The audit log seen from outside: what writes and logins record (ids and action codes only),
//! who may read it, its filters and paging, buffered read events flushed at shutdown, and
//! `madar audit verify` catching an edited, a deleted and a reordered event in the raw database.
use std::collections::HashSet;
use std::process::Command;
use std::time::{Duration, Instant};

use madar_tests::cases::json_of;
use madar_tests::*;

/// The territory the tests correct (Rabat).
const TERRITORY: &str = "/api/v1/territories/421";

fn etag(res: &Response) -> String {
    res.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_string()
}

/// Corrects the territory's French name as `token`'s admin.
fn correct_territory(app: &TestApp, token: &str, name: &str) {
    let tag = etag(&app.get(TERRITORY, None));
    let res = app.patch(
        TERRITORY,
        Some(token),
        &tag,
        &json!({"labels": {"fr": name}}),
    );
    assert_eq!(res.status(), 200, "territory correction");
}

/// The logged-in user's id and an access token.
fn login(app: &TestApp, email: &str) -> (String, String) {
    let body = app.login_body(email, DEMO_PASSWORD);
    let id = body["user"]["id"].as_str().expect("user id").to_string();
    let token = body["access_token"].as_str().expect("token").to_string();
    (id, token)
}

/// A page of the audit log as the auditor; asserts 200.
fn audit_page(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/audit{query}"), Some(token));
    let status = res.status();
    let body: Value = res.json().expect("audit page");
    assert_eq!(status, 200, "audit list {query}: {body}");
    body
}

fn items(page: &Value) -> Vec<Value> {
    page["items"].as_array().cloned().unwrap_or_default()
}

fn actions(page: &Value) -> Vec<String> {
    items(page)
        .iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Runs SQL on the test's database directly, outside Madar; returns the rows as text.
pub(crate) fn sql(db: &TestDb, query: &str) -> Vec<Vec<String>> {
    match db.backend {
        Backend::Sqlite => {
            let file = db.url.trim_start_matches("sqlite://");
            let out = Command::new("sqlite3")
                .args(["-cmd", ".timeout 5000", "-separator", "|", file, query])
                .output()
                .expect("sqlite3 (apt package sqlite3)");
            assert!(
                out.status.success(),
                "sqlite3 {query}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| l.split('|').map(str::to_string).collect())
                .collect()
        }
        Backend::Postgres => {
            let mut client = ::postgres::Client::connect(&db.url, ::postgres::NoTls)
                .expect("connect to test db");
            client
                .simple_query(query)
                .expect("raw query")
                .into_iter()
                .filter_map(|m| match m {
                    ::postgres::SimpleQueryMessage::Row(row) => Some(
                        (0..row.len())
                            .map(|i| row.get(i).unwrap_or("").to_string())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect()
        }
    }
}

pub(crate) fn count(db: &TestDb, query: &str) -> i64 {
    sql(db, query)[0][0].parse().expect("a count")
}

/// Waits, up to a deadline, until the running sealer has chained every committed event.
fn wait_until_sealed(db: &TestDb) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if count(db, "SELECT count(*) FROM audit_events WHERE seq IS NULL") == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "events still unsealed after 15 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `madar audit verify` on the test's database and key: (success, stdout + stderr).
pub(crate) fn verify(db: &TestDb) -> (bool, String) {
    let env = [
        ("DATABASE_URL", db.url.clone()),
        ("MADAR_DATA_DIR", db.data_dir().display().to_string()),
    ];
    let (ok, out, err) = madar(&["audit", "verify"], &env, None);
    (ok, format!("{out}{err}"))
}

/// A stopped server's database with a sealed chain of several events: a login, a failed login,
/// three territory corrections. Returns the events' ids in chain order.
fn sealed_chain(backend: Backend) -> (TestApp, Vec<String>) {
    let mut app = TestApp::spawn(backend);
    let (_, admin) = login(&app, ADMIN);
    let res = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"email": ADMIN, "password": "not-the-password"}),
    );
    assert_eq!(res.status(), 401);
    for name in ["Rabat 1", "Rabat 2", "Rabat 3"] {
        correct_territory(&app, &admin, name);
    }
    // Shutdown flushes and seals everything: no waiting on the sealer's tick.
    assert_eq!(app.terminate(), Some(0), "clean shutdown");
    assert_eq!(
        count(
            &app.db,
            "SELECT count(*) FROM audit_events WHERE seq IS NULL"
        ),
        0
    );
    let ids: Vec<String> = sql(&app.db, "SELECT id FROM audit_events ORDER BY seq")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert!(ids.len() >= 5, "events {ids:?}");
    let (ok, out) = verify(&app.db);
    assert!(ok, "an untouched chain verifies: {out}");
    (app, ids)
}

/// Asserts that verification fails and names `id` as the first broken link.
fn assert_broken_at(db: &TestDb, id: &str) {
    let (ok, out) = verify(db);
    assert!(!ok, "verify must fail: {out}");
    assert!(
        out.contains(&format!("BROKEN at event {id} ")),
        "expected event {id} named first: {out}"
    );
}

backend_tests! {
    fn an_auditor_sees_ids_and_action_codes_after_an_admin_corrects_a_territory(backend) {
        let app = TestApp::spawn(backend);
        let (admin_id, admin) = login(&app, ADMIN);
        let (_, auditor) = login(&app, AUDITOR);

        correct_territory(&app, &admin, "Rabat (corrigé)");

        let page = audit_page(&app, &auditor, "?action=territory.update");
        let events = items(&page);
        assert_eq!(events.len(), 1, "{page}");
        let event = &events[0];
        assert_eq!(event["actor_kind"], "user");
        assert_eq!(event["actor_id"], admin_id.as_str());
        assert_eq!(event["resource_type"], "territory");
        assert_eq!(event["resource_id"], "421");
        assert!(event["id"].as_i64().is_some_and(|id| id > 0));
        assert!(event["occurred_at"].as_str().is_some());
        assert!(event["request_id"].as_str().is_some_and(|r| !r.is_empty()));
        let text = page.to_string();
        assert!(!text.contains("corrigé") && !text.contains("demo.madar.ma"), "no names: {text}");
        // The admin's login is there too, by id.
        let logins = audit_page(&app, &auditor, &format!("?action=auth.login&actor_id={admin_id}"));
        assert_eq!(items(&logins).len(), 1, "{logins}");
    }

    fn every_administrative_write_leaves_an_event_naming_its_record(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let org = json!({"code": "ngo-audit", "name": "Association", "type": "ngo", "territories": ["421"]});
        assert_eq!(app.post("/api/v1/organizations", Some(&admin), &org).status(), 201);
        let user = json!({
            "email": "audited@example.ma", "display_name": "Audited", "password": "a long password 2026",
            "role": "partner", "organization": "ngo-audit"
        });
        let created: Value = app.post("/api/v1/users", Some(&admin), &user).json().expect("user");
        let user_id = created["id"].as_str().expect("id").to_string();
        assert_eq!(app.delete(&format!("/api/v1/users/{user_id}"), Some(&admin)).status(), 204);
        let client = json!({"name": "2511", "organization": "hotline-2511", "role": "hotline"});
        assert_eq!(app.post("/api/v1/clients", Some(&admin), &client).status(), 201);
        assert_eq!(app.delete("/api/v1/organizations/ngo-audit", Some(&admin)).status(), 204);

        let auditor = app.token(AUDITOR);
        let seen = actions(&audit_page(&app, &auditor, "?limit=200"));
        for action in ["organization.create", "user.create", "user.deactivate", "client.create", "organization.deactivate"] {
            assert!(seen.iter().any(|a| a == action), "{action} missing from {seen:?}");
        }
        let page = audit_page(&app, &auditor, &format!("?resource_id={user_id}&limit=200"));
        let about_user = actions(&page);
        assert_eq!(about_user, vec!["user.deactivate", "user.create"], "newest first");
        let text = page.to_string();
        assert!(!text.contains("audited@example.ma") && !text.contains("Audited"), "no names or emails: {text}");
    }

    fn filing_a_report_and_reading_it_whole_are_audited(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let report = json!({
            "source": "walk_in", "received_at": "2026-01-05T10:00:00Z",
            "reporter": {"type": "parent"},
            "children": [{"given_name_latin": "Amine", "sex": "male", "territory": "421"}],
            "concerns": ["neglect"], "immediate_danger": false, "narrative": "confidential words"
        });
        let created: Value = app.post("/api/v1/reports", Some(&worker), &report).json().expect("report");
        let id = created["id"].as_str().expect("id").to_string();
        assert_eq!(app.get(&format!("/api/v1/reports/{id}"), Some(&worker)).status(), 200);
        let auditor = app.token(AUDITOR);
        // The write's event is there at once; the read's within the buffer's second.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let page = audit_page(&app, &auditor, &format!("?resource_id={id}&limit=50"));
            let seen = actions(&page);
            assert!(seen.contains(&"report.create".to_string()), "{seen:?}");
            if seen.contains(&"report.read".to_string()) {
                assert!(!page.to_string().contains("confidential words") && !page.to_string().contains("Amine"));
                break;
            }
            assert!(std::time::Instant::now() < deadline, "report.read never recorded: {seen:?}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    fn every_role_but_the_auditor_is_refused_the_audit_log(backend) {
        let app = TestApp::spawn(backend);
        for (email, role) in DEMO_USERS {
            let token = app.token(email);
            let res = app.get("/api/v1/audit", Some(&token));
            if role == "auditor" {
                assert_eq!(res.status(), 200, "{role}");
            } else {
                assert_problem(res, 403, "forbidden");
            }
        }
        assert_problem(app.get("/api/v1/audit", None), 401, "unauthorized");
    }

    fn the_audit_log_filters_by_actor_action_resource_and_time_and_pages_newest_first(backend) {
        let app = TestApp::spawn(backend);
        let (admin_id, admin) = login(&app, ADMIN);
        let (coordinator_id, _) = login(&app, COORDINATOR);
        let res = app.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": COORDINATOR, "password": "not-the-password"}),
        );
        assert_eq!(res.status(), 401);
        let res = app.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "nobody@demo.madar.ma", "password": "not-the-password"}),
        );
        assert_eq!(res.status(), 401);
        correct_territory(&app, &admin, "Rabat A");
        correct_territory(&app, &admin, "Rabat B");
        let (_, auditor) = login(&app, AUDITOR);

        // By actor.
        let page = audit_page(&app, &auditor, &format!("?actor_id={admin_id}"));
        assert_eq!(actions(&page), ["territory.update", "territory.update", "auth.login"]);
        // Failed logins: one for a known account (its id as the resource, no actor), one for
        // an unknown email (no id at all); never the email.
        let failed = audit_page(&app, &auditor, "?action=auth.login_failed");
        let failed = items(&failed);
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert!(failed.iter().all(|e| e["actor_id"].is_null()));
        assert_eq!(failed[1]["resource_id"], coordinator_id.as_str());
        assert!(failed[0]["resource_id"].is_null());
        // By resource.
        let page = audit_page(&app, &auditor, &format!("?resource_type=user&resource_id={coordinator_id}"));
        assert_eq!(actions(&page), ["auth.login_failed", "auth.login"]);
        let page = audit_page(&app, &auditor, "?resource_type=territory&resource_id=421");
        assert_eq!(items(&page).len(), 2);
        // By time: everything so far is before now, nothing after.
        let now = chrono::Utc::now() + chrono::TimeDelta::seconds(1);
        let now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let earlier = audit_page(&app, &auditor, &format!("?to={now}&action=territory.update"));
        assert_eq!(items(&earlier).len(), 2);
        let later = audit_page(&app, &auditor, &format!("?from={now}"));
        assert!(items(&later).is_empty(), "{later}");
        let res = app.get("/api/v1/audit?from=yesterday", Some(&auditor));
        assert_problem(res, 422, "validation_failed");

        // Paging, newest first, without repeats, down to the first event.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let query = match &cursor {
                Some(c) => format!("?limit=2&cursor={c}"),
                None => "?limit=2".to_string(),
            };
            let page = audit_page(&app, &auditor, &query);
            let page_items = items(&page);
            assert!(page_items.len() <= 2);
            seen.extend(page_items.iter().map(|e| e["id"].as_i64().expect("id")));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        assert!(seen.len() >= 7, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first: {seen:?}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
        let res = app.get("/api/v1/audit?cursor=bm90LWFuLWlk", Some(&auditor));
        assert_problem(res, 422, "validation_failed");
    }

    fn the_running_sealer_chains_new_events_and_verify_says_ok(backend) {
        let app = TestApp::spawn(backend);
        let (_, admin) = login(&app, ADMIN);
        correct_territory(&app, &admin, "Rabat scellé");

        wait_until_sealed(&app.db);
        let (ok, out) = verify(&app.db);
        assert!(ok, "{out}");
        assert!(out.contains("audit chain OK: 2 sealed events verified"), "{out}");
        let (_, auditor) = login(&app, AUDITOR);
        let page = audit_page(&app, &auditor, "?action=territory.update");
        assert!(items(&page)[0]["seq"].as_i64().is_some(), "sealed: {page}");
    }

    fn the_auditor_verifies_the_chain_over_http_and_sees_where_it_breaks(backend) {
        let app = TestApp::spawn(backend);
        let (_, admin) = login(&app, ADMIN);
        for name in ["Rabat 1", "Rabat 2", "Rabat 3"] {
            correct_territory(&app, &admin, name);
        }
        wait_until_sealed(&app.db);
        let (_, auditor) = login(&app, AUDITOR);
        let path = "/api/v1/audit/verification";
        let intact = json_of(app.get(path, Some(&auditor)), 200);
        assert_eq!(intact["intact"], true, "{intact}");
        assert!(intact["verified"].as_i64().unwrap_or(0) >= 4, "a login and three corrections: {intact}");
        assert!(intact["unsealed"].as_i64().is_some());
        assert!(intact.get("broken_at").is_none());
        for who in [ADMIN, COORDINATOR, CASE_WORKER] {
            assert_problem(app.get(path, Some(&app.token(who))), 403, "forbidden");
        }
        // An event edited in the database: the check names it.
        let ids: Vec<String> = sql(&app.db, "SELECT id FROM audit_events WHERE seq IS NOT NULL ORDER BY seq")
            .into_iter().map(|r| r[0].clone()).collect();
        sql(&app.db, &format!("UPDATE audit_events SET action = 'territory.read' WHERE id = {}", ids[2]));
        let broken = json_of(app.get(path, Some(&auditor)), 200);
        assert_eq!(broken["intact"], false, "{broken}");
        assert_eq!(broken["broken_at"]["event_id"].to_string(), ids[2]);
        assert_eq!(broken["broken_at"]["position"], 3);
        assert_eq!(broken["broken_at"]["fault"], "wrong_hmac");
        assert_eq!(broken["verified"], 2);
    }

    fn verify_names_an_edited_event(backend) {
        let (app, ids) = sealed_chain(backend);
        sql(&app.db, &format!(
            "UPDATE audit_events SET action = 'territory.read' WHERE id = {}", ids[2]
        ));
        assert_broken_at(&app.db, &ids[2]);
    }

    fn verify_names_the_event_after_a_deleted_one(backend) {
        let (app, ids) = sealed_chain(backend);
        sql(&app.db, &format!("DELETE FROM audit_events WHERE id = {}", ids[1]));
        assert_broken_at(&app.db, &ids[2]);
    }

    fn verify_names_a_reordered_event(backend) {
        let (app, ids) = sealed_chain(backend);
        let (a, b) = (&ids[1], &ids[2]);
        // Swap the two events' ids, so each reads as the other's position.
        sql(&app.db, &format!(
            "UPDATE audit_events SET id = -1 WHERE id = {a}; \
             UPDATE audit_events SET id = {a} WHERE id = {b}; \
             UPDATE audit_events SET id = {b} WHERE id = -1"
        ));
        // The event at the second position now carries id `b`.
        assert_broken_at(&app.db, b);
    }

    fn reads_of_the_audit_log_are_buffered_and_flushed_at_shutdown(backend) {
        let mut app = TestApp::spawn(backend);
        let (auditor_id, auditor) = login(&app, AUDITOR);
        let reads = format!(
            "SELECT count(*) FROM audit_events WHERE action = 'audit.read' AND actor_id = '{auditor_id}'"
        );

        audit_page(&app, &auditor, "");
        // Flushed within about a second while the server runs.
        let deadline = Instant::now() + Duration::from_secs(10);
        while count(&app.db, &reads) < 1 {
            assert!(Instant::now() < deadline, "read event not flushed within 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        // Read again and stop at once: shutdown writes what is still buffered, and seals it.
        audit_page(&app, &auditor, "");
        audit_page(&app, &auditor, "");
        assert_eq!(app.terminate(), Some(0));
        assert_eq!(count(&app.db, &reads), 3);
        let (ok, out) = verify(&app.db);
        assert!(ok && out.contains("(0 not yet sealed)"), "{out}");
    }
}

#[test]
fn production_refuses_to_start_without_an_audit_key_of_32_characters() {
    let base = [
        ("MADAR_ENV", "production".to_string()),
        ("MADAR_JWT_SECRET", "j".repeat(40)),
        ("DATABASE_URL", "sqlite:///nonexistent/madar.db".to_string()),
    ];
    let (ok, _, err) = madar(&["migrate"], &base, None);
    assert!(!ok && err.contains("MADAR_AUDIT_KEY"), "{err}");
    // A short key is refused in development too.
    let short = [
        ("MADAR_AUDIT_KEY", "too-short".to_string()),
        ("DATABASE_URL", "sqlite:///nonexistent/madar.db".to_string()),
    ];
    let (ok, _, err) = madar(&["migrate"], &short, None);
    assert!(!ok && err.contains("at least 32 characters"), "{err}");
}
