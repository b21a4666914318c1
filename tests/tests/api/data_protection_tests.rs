//! Data protection: a child's data export for an access request (coordinators, audited, the
//! sensitive text opened); `madar backup` and `madar restore` on SQLite; the bidi controls the
//! contract refuses and the direction marks it keeps.
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use madar_tests::cases::*;
use madar_tests::*;

const CHILDREN: &str = "/api/v1/children";

/// Waits, up to a deadline, for an audit event of `action` on `id` (reads are buffered).
fn wait_for_event(app: &TestApp, action: &str, id: &str) -> Value {
    let auditor = app.token(AUDITOR);
    let deadline = Instant::now() + Duration::from_secs(10);
    let query = format!("/api/v1/audit?action={action}&resource_id={id}");
    loop {
        let events = json_of(app.get(&query, Some(&auditor)), 200);
        if let Some(first) = events["items"].as_array().and_then(|a| a.first()) {
            return first.clone();
        }
        assert!(Instant::now() < deadline, "no {action} event on {id}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn export(child: &str) -> String {
    format!("{CHILDREN}/{child}/export")
}

fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_string(),
                e["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The bidi overrides and isolates the contract refuses.
const FORBIDDEN: [char; 9] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}',
];

fn child_body(given: &str) -> Value {
    json!({
        "given_name_latin": given, "family_name_latin": "Alaoui", "sex": "female",
        "estimated_birth_year": 2015, "civil_status": "registered", "territory": "421"
    })
}

backend_tests! {
    fn data_protection_export_gathers_everything_held_on_a_child(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Yassine");
        let child = case.child_id.clone();
        let note = json!({
            "note_type": "home_visit", "sensitive": true, "text": "La mère boit; des bleus.",
            "occurred_at": (Utc::now() - chrono::Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true),
        });
        json_of(app.post(&format!("{}/notes", case.path), Some(&coordinator), &note), 201);
        let consent = json!({
            "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
            "recipients": ["ngo-rabat"], "field_groups": ["identity"],
            "purpose": "Suivi psychologique."
        });
        json_of(app.post(&format!("{CHILDREN}/{child}/consents"), Some(&coordinator), &consent), 201);
        let mother = json!({"relationship": "mother", "name": "Fatima Idrissi",
            "phone": "+212 6 61 00 00 00", "lives_with_child": true, "primary": true});
        json_of(app.post(&format!("{CHILDREN}/{child}/guardians"), Some(&coordinator), &mother), 201);

        let referral = json!({
            "organization": "ngo-rabat", "service_type": "psychological_support",
            "reason": "Suivi psychologique.", "urgency": "high",
            "due_by": (Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
            "field_groups": ["identity"]
        });
        json_of(app.post(&format!("{}/referrals", case.path), Some(&coordinator), &referral), 201);
        let res = app.get(&export(&child), Some(&coordinator));
        let disposition = res.headers().get("content-disposition")
            .and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert_eq!(disposition, format!("attachment; filename=\"child-{child}.json\""));
        let body = json_of(res, 200);
        assert_eq!(body["child"]["id"], child.as_str());
        assert_eq!(body["child"]["given_name_latin"], "Yassine");
        assert_eq!(body["consents"].as_array().expect("consents").len(), 1);
        assert_eq!(body["consents"][0]["given_by"], "La mère");
        // The referral, with the snapshot of the child's data it carried.
        let referrals = &body["cases"][0]["referrals"];
        assert_eq!(referrals[0]["to_organization"], "ngo-rabat");
        assert!(referrals[0]["snapshot"].is_object(), "{referrals}");
        assert_eq!(body["guardians"][0]["name"], "Fatima Idrissi");
        assert!(body["siblings"].is_array() && body["placements"].is_array());
        // The report, whole: narrative and reporter contact opened.
        let report = &body["reports"][0];
        assert_eq!(report["id"], case.report_id.as_str());
        assert_eq!(report["narrative"], "L'enfant dort dehors.");
        assert_eq!(report["reporter"]["phone"], "+212 6 61 23 45 67");
        // The case, with its sensitive note opened and its timeline.
        let cases = body["cases"].as_array().expect("cases");
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0]["case"]["id"], case.id.as_str());
        assert_eq!(cases[0]["notes"][0]["text"], "La mère boit; des bleus.");
        assert_eq!(cases[0]["notes"][0]["redacted"], false);
        assert!(!cases[0]["timeline"].as_array().expect("timeline").is_empty());
        for section in ["assessments", "services", "judicial_measures", "attachments", "referrals"] {
            assert!(cases[0][section].is_array(), "{section}");
        }
        assert!(cases[0]["plan"].is_null());
        let log: Vec<&str> = body["access_log"].as_array().expect("access_log").iter()
            .filter_map(|e| e["action"].as_str()).collect();
        assert!(log.contains(&"child.create"), "{log:?}");

        // Audited as one export event, for the auditor to see.
        let event = wait_for_event(&app, "child.export", &child);
        assert_eq!(event["resource_type"], "child");

        // A case worker may not export (403); a coordinator of another province does not see
        // the child (404).
        assert_problem(app.get(&export(&child), Some(&app.token(CASE_WORKER))), 403, "forbidden");
        let (_, sale) = staff(&app, "c@cape-sale.ma", "coordinator", "cape-sale", "441");
        assert_problem(app.get(&export(&child), Some(&sale)), 404, "not_found");
        assert_problem(app.get(&export("00000000-0000-0000-0000-000000000000"), Some(&coordinator)), 404, "not_found");
    }

    fn data_protection_bidi_controls_are_refused_and_marks_kept(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        for c in FORBIDDEN {
            let name = format!("Am{c}ina");
            let res = app.post(CHILDREN, Some(&coordinator), &child_body(&name));
            let body = assert_problem(res, 422, "validation_failed");
            assert!(field_errors(&body).contains(&("given_name_latin".into(), "forbidden_character".into())),
                "U+{:04X} in a child's name: {body}", c as u32);
            let mut report = report_body("Omar", "Alaoui", "421", false);
            report["narrative"] = json!(format!("Il dort {c}dehors."));
            let res = app.post("/api/v1/reports", Some(&coordinator), &report);
            let body = assert_problem(res, 422, "validation_failed");
            assert!(field_errors(&body).contains(&("narrative".into(), "forbidden_character".into())),
                "U+{:04X} in a narrative: {body}", c as u32);
        }
        // The direction marks are kept exactly.
        for mark in ['\u{200E}', '\u{200F}'] {
            let name = format!("أمينة{mark}");
            let mut body = child_body("Amina");
            body["given_name_ar"] = json!(name);
            let created = json_of(app.post(CHILDREN, Some(&coordinator), &body), 201);
            let read = json_of(app.get(&format!("{CHILDREN}/{}", id_of(&created)), Some(&coordinator)), 200);
            assert_eq!(read["given_name_ar"], name.as_str());
            let narrative = format!("الطفل ينام{mark} في الشارع.");
            let mut report = report_body("Omar", "Alaoui", "421", false);
            report["narrative"] = json!(narrative);
            let created = json_of(app.post("/api/v1/reports", Some(&coordinator), &report), 201);
            let read = json_of(app.get(&format!("/api/v1/reports/{}", id_of(&created)), Some(&coordinator)), 200);
            assert_eq!(read["narrative"], narrative.as_str());
        }
    }
}

fn db_env(url: &str, data_dir: &std::path::Path) -> [(&'static str, String); 2] {
    [
        ("DATABASE_URL", url.to_string()),
        ("MADAR_DATA_DIR", data_dir.display().to_string()),
    ]
}

/// A SQLite backup taken while the server serves, restored into a new database file, serves
/// the records written before it (the data directory, which holds the keys, is shared).
#[test]
fn data_protection_sqlite_backup_while_serving_restores_into_a_new_database() {
    let app = TestApp::spawn(Backend::Sqlite);
    let coordinator = app.token(COORDINATOR);
    let created = json_of(
        app.post(CHILDREN, Some(&coordinator), &child_body("Sanaa")),
        201,
    );
    let child = id_of(&created);
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("backups/madar-copy.db");
    let copy_text = copy.display().to_string();
    let env = db_env(&app.db.url, app.db.data_dir());

    // Writes go on while the copy is taken.
    let writer = {
        let (base, token) = (app.base.clone(), coordinator.clone());
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            for i in 0..20 {
                let res = client
                    .post(format!("{base}{CHILDREN}"))
                    .bearer_auth(&token)
                    .json(&child_body(&format!("Writer{i}")))
                    .send()
                    .expect("request");
                assert_eq!(res.status().as_u16(), 201);
            }
        })
    };
    let (ok, out, err) = madar(&["backup", "--to", &copy_text], &env, None);
    writer.join().expect("writer");
    assert!(ok, "backup failed: {out}{err}");
    assert!(out.contains("backed up"), "{out}");
    // The server still serves after the copy.
    json_of(
        app.get(&format!("{CHILDREN}/{child}"), Some(&coordinator)),
        200,
    );
    let (ok, _, err) = madar(&["backup", "--to", &copy_text], &env, None);
    assert!(!ok && err.contains("already exists"), "{err}");

    // Restore into a database that exists: --force is needed; a file that is not a Madar
    // database is refused.
    let restored = TestDb::new(Backend::Sqlite, Fixture::Empty);
    let target_env = db_env(&restored.url, app.db.data_dir());
    let (ok, _, err) = madar(&["restore", "--from", &copy_text], &target_env, None);
    assert!(!ok && err.contains("--force"), "{err}");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").expect("write junk");
    let junk_text = junk.display().to_string();
    let (ok, _, err) = madar(
        &["restore", "--from", &junk_text, "--force"],
        &target_env,
        None,
    );
    assert!(!ok && err.contains("junk.db"), "{err}");
    let (ok, out, err) = madar(
        &["restore", "--from", &copy_text, "--force"],
        &target_env,
        None,
    );
    assert!(ok, "restore failed: {out}{err}");

    let data_dir = app.db.data_dir().display().to_string();
    let second = TestApp::start(restored, &[("MADAR_DATA_DIR".into(), data_dir)]);
    let token = second.token(COORDINATOR);
    let read = json_of(
        second.get(&format!("{CHILDREN}/{child}"), Some(&token)),
        200,
    );
    assert_eq!(read["given_name_latin"], "Sanaa");
}

/// On PostgreSQL, backup and restore name the tools to use instead.
#[test]
fn data_protection_postgres_backup_names_pg_dump() {
    let db = TestDb::new(Backend::Postgres, Fixture::Demo);
    let env = db_env(&db.url, db.data_dir());
    let (ok, _, err) = madar(&["backup", "--to", "/tmp/never-written.db"], &env, None);
    assert!(
        !ok && err.contains("pg_dump") && err.contains("pg_basebackup"),
        "{err}"
    );
    let (ok, _, err) = madar(&["restore", "--from", "/tmp/never-written.db"], &env, None);
    assert!(!ok && err.contains("pg_dump"), "{err}");
    assert!(!std::path::Path::new("/tmp/never-written.db").exists());
}
