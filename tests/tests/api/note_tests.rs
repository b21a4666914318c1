//! Case notes: written and listed by those who see the case; a sensitive note's text is shown
//! to the coordinators and the assigned case workers only; validation; scope and role;
//! idempotent replay; the timeline records each note.
use chrono::{Duration, SecondsFormat, Utc};
use madar_tests::cases::*;
use madar_tests::*;

fn notes(case: &OpenedCase) -> String {
    format!("{}/notes", case.path)
}

fn note(note_type: &str, sensitive: bool, text: &str) -> Value {
    json!({
        "note_type": note_type,
        "occurred_at": (Utc::now() - Duration::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, true),
        "sensitive": sensitive,
        "text": text
    })
}

/// Assigns the user `user_id` to the case (as the coordinator).
fn assign(app: &TestApp, case: &OpenedCase, user_id: &Value) {
    let coordinator = app.token(COORDINATOR);
    let etag = app.etag(&case.path, &coordinator);
    json_of(
        app.patch(
            &case.path,
            Some(&coordinator),
            &etag,
            &json!({"assigned_to": [user_id]}),
        ),
        200,
    );
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

backend_tests! {
    fn sensitive_notes_are_redacted_for_case_workers_not_assigned(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &coordinator, "Hamza");
        let before = app.etag(&case.path, &coordinator);
        let res = app.post(&notes(&case), Some(&coordinator), &note("home_visit", true, "La mère boit; l'enfant a des bleus."));
        assert!(res.headers().get("location").is_some());
        let created = json_of(res, 201);
        assert_eq!(created["text"], "La mère boit; l'enfant a des bleus.");
        assert_eq!(created["redacted"], false);
        assert_eq!(created["note_type"], "home_visit");
        assert_ne!(app.etag(&case.path, &coordinator), before, "a note changes the case's ETag");
        app.advance_clock(1);
        json_of(app.post(&notes(&case), Some(&worker), &note("phone_call", false, "Appel à l'école.")), 201);

        // Newest first; the unassigned worker sees the sensitive note's type and date, not its text.
        let list = json_of(app.get(&notes(&case), Some(&worker)), 200);
        let list = items(&list);
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["note_type"], "phone_call");
        assert_eq!(list[0]["text"], "Appel à l'école.");
        assert_eq!(list[1]["note_type"], "home_visit");
        assert_eq!(list[1]["text"], Value::Null);
        assert_eq!(list[1]["redacted"], true);
        assert_eq!(list[1]["sensitive"], true);
        let one = json_of(app.get(&format!("{}/{}", notes(&case), created["id"].as_str().unwrap()), Some(&worker)), 200);
        assert_eq!(one["text"], Value::Null);

        // The coordinator sees all; once assigned, the worker does too.
        let list = json_of(app.get(&notes(&case), Some(&coordinator)), 200);
        assert_eq!(items(&list)[1]["text"], "La mère boit; l'enfant a des bleus.");
        let me = json_of(app.get("/api/v1/me", Some(&worker)), 200);
        assign(&app, &case, &me["id"]);
        let list = json_of(app.get(&notes(&case), Some(&worker)), 200);
        assert_eq!(items(&list)[1]["text"], "La mère boit; l'enfant a des bleus.");
        assert_eq!(items(&list)[1]["redacted"], false);

        // Paging.
        let first = json_of(app.get(&format!("{}?limit=1", notes(&case)), Some(&worker)), 200);
        let cursor = first["next_cursor"].as_str().expect("cursor").to_string();
        let second = json_of(app.get(&format!("{}?limit=1&cursor={cursor}", notes(&case)), Some(&worker)), 200);
        assert_eq!(items(&second)[0]["note_type"], "home_visit");
        assert!(second["next_cursor"].is_null());

        // The timeline records each note with codes only.
        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&coordinator)), 200);
        let added: Vec<Value> = timeline.as_array().unwrap().iter()
            .filter(|e| e["kind"] == "note_added").cloned().collect();
        assert_eq!(added.len(), 2);
        assert_eq!(added[0]["detail"], json!({"note_type": "home_visit", "sensitive": true}));
        assert_eq!(added[0]["subject_id"], created["id"]);
    }

    fn notes_are_validated(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Yassine");
        let mut future = note("interview", false, "x");
        future["occurred_at"] = json!((Utc::now() + Duration::hours(2)).to_rfc3339());
        let problem = assert_problem(app.post(&notes(&case), Some(&coordinator), &future), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "occurred_at");
        assert_eq!(problem["errors"][0]["code"], "in_future");
        for (body, field) in [
            (note("interview", false, ""), "text"),
            (note("interview", false, &"a".repeat(20001)), "text"),
            (note("gossip", false, "x"), "note_type"),
        ] {
            let problem = assert_problem(app.post(&notes(&case), Some(&coordinator), &body), 422, "validation_failed");
            assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        }
        let mut unknown = note("meeting", false, "x");
        unknown["author"] = json!("me");
        assert_problem(app.post(&notes(&case), Some(&coordinator), &unknown), 422, "validation_failed");
        json_of(app.post(&notes(&case), Some(&coordinator), &note("case_conference", false, &"a".repeat(20000))), 201);
    }

    fn notes_follow_the_case_scope_and_roles(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Adam");
        let (_, sale) = staff(&app, "worker@cape-sale.ma", "case_worker", "cape-sale", "441");
        assert_problem(app.get(&notes(&case), Some(&sale)), 404, "not_found");
        assert_problem(app.post(&notes(&case), Some(&sale), &note("other", false, "x")), 404, "not_found");
        let partner = app.token(PARTNER);
        assert_problem(app.get(&notes(&case), Some(&partner)), 404, "not_found");
        assert_problem(app.post(&notes(&case), Some(&partner), &note("other", false, "x")), 403, "forbidden");
        let missing = format!("/api/v1/cases/{}/notes", uuid_like());
        assert_problem(app.get(&missing, Some(&coordinator)), 404, "not_found");
    }

    fn a_note_retried_with_its_key_is_written_once(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Ilyas");
        let body = note("hearing", true, "Audience au tribunal.");
        let first = json_of(app.post_with_key(&notes(&case), &coordinator, "note-1", &body), 201);
        let res = app.post_with_key(&notes(&case), &coordinator, "note-1", &body);
        assert_eq!(res.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        assert_eq!(json_of(res, 201), first);
        let list = json_of(app.get(&notes(&case), Some(&coordinator)), 200);
        assert_eq!(items(&list).len(), 1);
    }
}

/// A UUID no record has.
fn uuid_like() -> &'static str {
    "01900000-0000-7000-8000-000000000000"
}
