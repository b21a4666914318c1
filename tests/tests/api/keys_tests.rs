//! `madar keys rotate`: every sealed value re-sealed under the new data key, resumable, a
//! missing key named. Its fixtures (a case with notes and an attachment) serve
//! `retention_tests` too.
use chrono::{Duration, SecondsFormat, Utc};
use madar_tests::cases::*;
use madar_tests::*;

/// 32 bytes of 0x01 and of 0x02, in base64.
fn key_a() -> String {
    format!("{}AQE=", "AQEB".repeat(10))
}

fn key_b() -> String {
    format!("{}AgI=", "AgIC".repeat(10))
}

pub(crate) fn note(text: &str) -> Value {
    json!({
        "note_type": "home_visit",
        "occurred_at": (Utc::now() - Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true),
        "sensitive": false,
        "text": text
    })
}

pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj\nCERTIFICAT-CONFIDENTIEL\nendobj\n%%EOF\n".to_vec()
}

/// Uploads a PDF to the case; returns its id.
pub(crate) fn attach(app: &TestApp, token: &str, case: &OpenedCase) -> String {
    let res = app
        .client
        .post(app.url(&format!("{}/attachments", case.path)))
        .query(&[
            ("kind", "medical_certificate"),
            ("file_name", "certificat.pdf"),
        ])
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(pdf())
        .send()
        .expect("request");
    id_of(&json_of(res, 201))
}

pub(crate) fn env(app: &TestApp, keys: &[(&'static str, String)]) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("DATABASE_URL", app.db.url.clone()),
        ("MADAR_DATA_DIR", app.db.data_dir().display().to_string()),
    ];
    env.extend(keys.iter().cloned());
    env
}

/// The key id of a stored value `v1:<id>:...`.
fn key_id(stored: &str) -> String {
    let mut parts = stored.split(':');
    assert_eq!(parts.next(), Some("v1"), "not a sealed value: {stored}");
    parts.next().unwrap_or_default().to_string()
}

/// Every sealed value the test wrote, raw.
fn raw(app: &TestApp, case: &OpenedCase) -> Vec<String> {
    let mut all = app.db.strings(&format!(
        "SELECT narrative_sealed FROM reports WHERE id = '{}'",
        case.report_id
    ));
    all.extend(app.db.strings(&format!(
        "SELECT reporter_name_sealed FROM reports WHERE id = '{}'",
        case.report_id
    )));
    all.extend(app.db.strings(&format!(
        "SELECT text_sealed FROM case_notes WHERE case_id = '{}'",
        case.id
    )));
    all.extend(
        app.db
            .strings("SELECT body FROM idempotency_keys WHERE key = 'rotate-note-1'"),
    );
    all.extend(app.db.strings(&format!(
        "SELECT content_sealed FROM case_attachments WHERE case_id = '{}'",
        case.id
    )));
    assert_eq!(all.len(), 6, "{all:?}");
    all
}

pub(crate) fn notes_of(app: &TestApp, case: &OpenedCase, token: &str) -> Vec<String> {
    let list = json_of(app.get(&format!("{}/notes", case.path), Some(token)), 200);
    let mut texts: Vec<String> = list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|n| n["text"].as_str().unwrap_or_default().to_string())
        .collect();
    texts.sort();
    texts
}

/// A case of a child born in 1990 (of age long ago).
pub(crate) fn adult_case(app: &TestApp, coordinator: &str, family: &str) -> OpenedCase {
    let mut adult = report_body("Ancien", family, "421", false);
    adult["children"][0]["date_of_birth"] = json!("1990-01-01");
    adult["children"][0]["estimated_birth_year"] = json!(1990);
    open_case_from(app, coordinator, &adult)
}

/// Moves a case to assessment, then closes it (the child back with the family).
pub(crate) fn close_case(app: &TestApp, coordinator: &str, case: &OpenedCase) {
    let step = json!({"to": "assessment", "reason": "Moving to assessment."});
    let close = json!({
        "to": "closed", "reason": "The child is back with his family.",
        "closure_reason": "reintegrated_family", "outcome_note": "Back home, goes to school."
    });
    for body in [&step, &close] {
        let etag = app.etag(&case.path, coordinator);
        let res = app.post_if_match(
            &format!("{}/transitions", case.path),
            coordinator,
            &etag,
            None,
            body,
        );
        json_of(res, 200);
    }
}

backend_tests! {
    fn keys_rotate_reseals_everything_under_the_new_key(backend) {
        let mut app = TestApp::builder(backend).env("MADAR_DATA_KEY", &key_a()).spawn();
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Rotation");
        let notes = format!("{}/notes", case.path);
        let replayed = note("Appel à l'école.");
        json_of(app.post(&notes, Some(&coordinator), &note("Visite: la mère est absente.")), 201);
        json_of(app.post_with_key(&notes, &coordinator, "rotate-note-1", &replayed), 201);
        let file = attach(&app, &coordinator, &case);
        let before = raw(&app, &case);
        let a = key_id(&before[0]);
        assert!(before.iter().all(|v| key_id(v) == a), "{before:?}");
        assert_eq!(app.terminate(), Some(0));

        // Without A in the ring nothing is written, and A's id is named.
        let (ok, out, err) = madar(&["keys", "rotate"], &env(&app, &[("MADAR_DATA_KEY", key_b())]), None);
        assert!(!ok, "{out}");
        assert!(err.contains(&a), "the missing key id {a} is named: {err}");
        assert_eq!(raw(&app, &case), before);

        let both = env(&app, &[("MADAR_DATA_KEY", key_b()), ("MADAR_DATA_KEY_PREVIOUS", key_a())]);
        // A dry run counts, writes nothing.
        let (ok, out, err) = madar(&["keys", "rotate", "--dry-run"], &both, None);
        assert!(ok, "{out}{err}");
        assert!(out.contains("reports.narrative_sealed: 1 to re-seal"), "{out}");
        assert_eq!(raw(&app, &case), before);

        // The rotation, in small batches.
        let (ok, out, err) = madar(&["keys", "rotate", "--batch", "2"], &both, None);
        assert!(ok, "{out}{err}");
        assert!(out.contains("reports.narrative_sealed: 1 re-sealed"), "{out}");
        assert!(out.contains("case_notes.text_sealed: 2 re-sealed"), "{out}");
        assert!(out.contains("idempotency_keys.body: 1 re-sealed"), "{out}");
        assert!(out.contains("case_attachments.content_sealed: 1 re-sealed"), "{out}");
        let after = raw(&app, &case);
        let b = key_id(&after[0]);
        assert_ne!(a, b);
        assert!(after.iter().all(|v| key_id(v) == b), "{after:?}");
        assert!(app.db.strings(
            "SELECT action FROM audit_events WHERE action = 'data_keys.rotate'"
        ).len() == 1);

        // Again: nothing left to do.
        let (ok, out, err) = madar(&["keys", "rotate"], &both, None);
        assert!(ok, "{out}{err}");
        assert!(out.contains("total: 0 re-sealed"), "{out}");
        assert!(out.contains("reports.narrative_sealed: 0 re-sealed, 1 already current"), "{out}");

        // A server holding only B reads everything in clear.
        let data_dir = app.db.data_dir().display().to_string();
        let second = TestApp::start(
            TestDb::at(app.db.url.clone(), backend),
            &[("MADAR_DATA_DIR".into(), data_dir), ("MADAR_DATA_KEY".into(), key_b())],
        );
        let token = second.token(COORDINATOR);
        let report = json_of(second.get(&format!("/api/v1/reports/{}", case.report_id), Some(&token)), 200);
        assert_eq!(report["narrative"], "L'enfant dort dehors.");
        assert_eq!(report["reporter"]["name"], "Khadija");
        assert_eq!(
            notes_of(&second, &case, &token),
            vec!["Appel à l'école.".to_string(), "Visite: la mère est absente.".to_string()]
        );
        let res = second.get(&format!("{}/attachments/{file}", case.path), Some(&token));
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.bytes().expect("body").to_vec(), pdf());
        // The stored response replays.
        let replay = second.post_with_key(&notes, &token, "rotate-note-1", &replayed);
        assert_eq!(replay.status().as_u16(), 201);
        assert_eq!(json_of(replay, 201)["text"], "Appel à l'école.");
    }
}
