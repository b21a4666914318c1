//! Stage transitions over HTTP: every forbidden jump refused with its code, what planning,
//! implementation and closing need, closing and reopening, If-Match races, idempotent retries,
//! scope per role.
use madar_tests::cases::*;
use madar_tests::*;

pub fn step(to: &str) -> Value {
    json!({"to": to, "reason": format!("Moving to {to}.")})
}

pub fn closing() -> Value {
    json!({
        "to": "closed", "reason": "The child is back with his family.",
        "closure_reason": "reintegrated_family", "outcome_note": "Back home, goes to school."
    })
}

pub fn transitions_of(case: &OpenedCase) -> String {
    format!("{}/transitions", case.path)
}

/// A transition sent with the case's current ETag.
pub fn transition(app: &TestApp, case: &OpenedCase, token: &str, body: &Value) -> Response {
    let etag = app.etag(&case.path, token);
    app.post_if_match(&transitions_of(case), token, &etag, None, body)
}

/// A transition that must be applied; returns the case.
pub fn moved(app: &TestApp, case: &OpenedCase, token: &str, body: &Value) -> Value {
    json_of(transition(app, case, token, body), 200)
}

pub fn timeline(app: &TestApp, case: &OpenedCase, token: &str) -> Vec<Value> {
    let body = json_of(
        app.get(&format!("{}/timeline", case.path), Some(token)),
        200,
    );
    body.as_array().cloned().unwrap_or_default()
}

fn refused(app: &TestApp, case: &OpenedCase, token: &str, to: &str, code: &str) {
    let res = transition(app, case, token, &step(to));
    assert_eq!(res.status().as_u16(), 422, "{to}");
    let body: Value = res.json().expect("problem");
    assert_eq!(body["code"], code, "{to}: {body}");
}

/// Records a risk assessment with the first instrument, answering each item's first option.
pub fn assess(app: &TestApp, case: &OpenedCase, token: &str) -> Value {
    let instruments = json_of(app.get("/api/v1/assessment-instruments", Some(token)), 200);
    let instrument = &instruments["items"][0];
    let mut answers = serde_json::Map::new();
    for domain in instrument["domains"].as_array().expect("domains") {
        for item in domain["items"].as_array().expect("items") {
            let option = item["options"][0]["code"].clone();
            answers.insert(item["code"].as_str().expect("code").to_string(), option);
        }
    }
    let body = json!({
        "instrument": instrument["code"], "version": instrument["version"], "answers": answers
    });
    json_of(
        app.post(&format!("{}/assessments", case.path), Some(token), &body),
        201,
    )
}

/// Writes a case's plan of one objective (`etag`: the plan's, for every write but the first).
pub fn write_plan(app: &TestApp, case: &OpenedCase, token: &str, etag: Option<&str>) -> Response {
    let body = json!({"objectives": [{
        "domain": "reintegration", "description": "Return to the family home.",
        "actions": [{"description": "Home visit."}]
    }]});
    let mut req = app
        .client
        .put(app.url(&format!("{}/plan", case.path)))
        .bearer_auth(token)
        .json(&body);
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    req.send().expect("request")
}

backend_tests! {
    fn forbidden_jumps_and_missing_requirements_are_refused_with_stable_codes(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        // From identification, only assessment (and closing) exist.
        for to in ["identification", "planning", "implementation", "follow_up"] {
            refused(&app, &case, &coordinator, to, "transition_not_allowed");
        }
        let mut no_reason = closing();
        no_reason["closure_reason"] = Value::Null;
        assert_problem(transition(&app, &case, &coordinator, &no_reason), 422, "closure_reason_required");
        let mut no_note = closing();
        no_note.as_object_mut().unwrap().remove("outcome_note");
        assert_problem(transition(&app, &case, &coordinator, &no_note), 422, "outcome_note_required");
        let mut extra = step("assessment");
        extra["closure_reason"] = json!("other");
        assert_problem(transition(&app, &case, &coordinator, &extra), 422, "closure_fields_not_allowed");
        // A reason is required free text of 1 to 2000 characters; unknown fields are refused.
        for reason in [json!(""), json!("   "), json!("x".repeat(2001))] {
            let body = json!({"to": "assessment", "reason": reason});
            let problem = assert_problem(transition(&app, &case, &coordinator, &body), 422, "validation_failed");
            assert_eq!(problem["errors"][0]["field"], "reason", "{problem}");
        }
        let body = json!({"to": "assessment", "reason": "r", "stage": "x"});
        let problem = assert_problem(transition(&app, &case, &coordinator, &body), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_field", "{problem}");

        let body = moved(&app, &case, &coordinator, &step("assessment"));
        assert_eq!(body["stage"], "assessment");
        // From assessment: planning needs a completed assessment; the rest does not exist.
        refused(&app, &case, &coordinator, "planning", "assessment_required");
        for to in ["identification", "assessment", "implementation", "follow_up"] {
            refused(&app, &case, &coordinator, to, "transition_not_allowed");
        }
        let events = timeline(&app, &case, &coordinator);
        let last = events.last().expect("an event");
        assert_eq!(last["kind"], "stage_changed");
        assert_eq!(last["detail"], json!({"from": "identification", "to": "assessment"}));
        assert_eq!(last["note"], "Moving to assessment.");
        assert_eq!(events.len(), 2, "refusals leave no trace");
    }

    fn closing_clears_on_reopening_to_follow_up_or_assessment(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Youssef");
        moved(&app, &case, &coordinator, &step("assessment"));
        let closed = moved(&app, &case, &coordinator, &closing());
        assert_eq!(closed["stage"], "closed");
        assert_eq!(closed["closure_reason"], "reintegrated_family");
        assert_eq!(closed["outcome_note"], "Back home, goes to school.");
        assert!(closed["closed_at"].is_string());
        // A closed case only reopens.
        for to in ["identification", "planning", "implementation", "closed"] {
            refused(&app, &case, &coordinator, to, "transition_not_allowed");
        }
        let reopened = moved(&app, &case, &coordinator, &step("follow_up"));
        assert_eq!(reopened["stage"], "follow_up");
        assert!(reopened["closure_reason"].is_null());
        assert!(reopened["outcome_note"].is_null());
        assert!(reopened["closed_at"].is_null());
        // From follow-up: back to implementation needs an active plan; planning does not exist.
        refused(&app, &case, &coordinator, "implementation", "plan_required");
        refused(&app, &case, &coordinator, "planning", "transition_not_allowed");
        assert_eq!(moved(&app, &case, &coordinator, &step("assessment"))["stage"], "assessment");
        moved(&app, &case, &coordinator, &closing());
        assert_eq!(moved(&app, &case, &coordinator, &step("assessment"))["stage"], "assessment");
        // The timeline keeps the whole history.
        let changes: Vec<Value> = timeline(&app, &case, &coordinator)
            .into_iter()
            .filter(|e| e["kind"] == "stage_changed")
            .map(|e| e["detail"].clone())
            .collect();
        assert_eq!(changes.len(), 6);
        assert_eq!(changes[1], json!({"from": "assessment", "to": "closed", "closure_reason": "reintegrated_family"}));
        assert_eq!(changes[2], json!({"from": "closed", "to": "follow_up"}));
        assert_eq!(changes[5], json!({"from": "closed", "to": "assessment"}));
    }

    fn two_transitions_with_one_etag_one_wins_and_the_other_gets_412(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Amine");
        let etag = app.etag(&case.path, &worker);
        let path = transitions_of(&case);
        let first = app.post_if_match(&path, &worker, &etag, None, &step("assessment"));
        let (body, new_etag) = json_and_etag(first, 200);
        assert_eq!(body["stage"], "assessment");
        assert_ne!(new_etag, etag);
        assert_eq!(app.etag(&case.path, &worker), new_etag, "the response's ETag is current");
        assert_problem(app.post_if_match(&path, &worker, &etag, None, &closing()), 412, "precondition_failed");
        assert_eq!(json_of(app.get(&case.path, Some(&worker)), 200)["stage"], "assessment");
        // Sent at the same moment, on another case: one wins, the other gets 412.
        let raced = open_case(&app, &worker, "Rachid");
        let (etag, path) = (app.etag(&raced.path, &worker), transitions_of(&raced));
        let bodies = [step("assessment"), closing()];
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let sent: Vec<_> = bodies
                .iter()
                .map(|body| {
                    let (app, worker, etag, path) = (&app, &worker, &etag, &path);
                    s.spawn(move || app.post_if_match(path, worker, etag, None, body).status().as_u16())
                })
                .collect::<Vec<_>>();
            sent.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        assert!(sorted == [200, 412] || sorted == [202, 412], "{statuses:?}");
        // Without If-Match: 428.
        let res = app.post(&path, Some(&worker), &step("assessment"));
        assert_problem(res, 428, "precondition_required");
    }

    fn a_retried_transition_replays_the_first_response(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Karim");
        let etag = app.etag(&case.path, &coordinator);
        let path = transitions_of(&case);
        let first = app.post_if_match(&path, &coordinator, &etag, Some("move-1"), &step("assessment"));
        assert!(first.headers().get("idempotent-replayed").is_none());
        let (body, new_etag) = json_and_etag(first, 200);
        // The retry carries the same (now stale) ETag and gets the same answer, not a 412.
        let again = app.post_if_match(&path, &coordinator, &etag, Some("move-1"), &step("assessment"));
        assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        let (replayed, replayed_etag) = json_and_etag(again, 200);
        assert_eq!(replayed, body);
        assert_eq!(replayed_etag, new_etag);
        let changes = timeline(&app, &case, &coordinator)
            .into_iter()
            .filter(|e| e["kind"] == "stage_changed")
            .count();
        assert_eq!(changes, 1, "applied once");
        // The same key with another body is refused.
        let other = app.post_if_match(&path, &coordinator, &new_etag, Some("move-1"), &closing());
        assert_problem(other, 422, "idempotency_key_reused");
    }

    fn only_the_pathway_roles_in_scope_move_a_case(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Hamza");
        let etag = app.etag(&case.path, &coordinator);
        let path = transitions_of(&case);
        for user in [PARTNER, HOTLINE, ANALYST, AUDITOR, ADMIN] {
            let res = app.post_if_match(&path, &app.token(user), &etag, None, &step("assessment"));
            assert_problem(res, 403, "forbidden");
        }
        centre(&app, "cape-rabat-2", "support_centre", "421");
        let (_, other_worker) = staff(&app, "w@cape-rabat-2.ma", "case_worker", "cape-rabat-2", "421");
        let (_, sale_coordinator) = staff(&app, "c@cape-sale.ma", "coordinator", "cape-sale", "441");
        for token in [&other_worker, &sale_coordinator] {
            let res = app.post_if_match(&path, token, &etag, None, &step("assessment"));
            assert_problem(res, 404, "not_found");
        }
        assert_eq!(json_of(app.get(&case.path, Some(&coordinator)), 200)["stage"], "identification");
    }

    fn the_whole_path_forward_and_the_steps_back(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Ilyas");
        moved(&app, &case, &worker, &step("assessment"));
        refused(&app, &case, &worker, "planning", "assessment_required");
        let assessment = assess(&app, &case, &worker);
        assert_eq!(assessment["status"], "completed");
        assert_eq!(moved(&app, &case, &worker, &step("planning"))["stage"], "planning");
        refused(&app, &case, &worker, "implementation", "plan_required");
        refused(&app, &case, &worker, "follow_up", "transition_not_allowed");
        json_of(write_plan(&app, &case, &worker, None), 201);
        assert_eq!(moved(&app, &case, &worker, &step("implementation"))["stage"], "implementation");
        assert_eq!(moved(&app, &case, &worker, &step("follow_up"))["stage"], "follow_up");
        refused(&app, &case, &worker, "planning", "transition_not_allowed");
        refused(&app, &case, &worker, "identification", "transition_not_allowed");
        // Back: resume implementation, revise the plan, re-assess; then forward again.
        for to in ["implementation", "planning", "assessment", "planning", "implementation"] {
            assert_eq!(moved(&app, &case, &worker, &step(to))["stage"], to);
        }
        refused(&app, &case, &worker, "identification", "transition_not_allowed");
        // Closing from any open stage: a case worker asks (202).
        json_of(transition(&app, &case, &worker, &closing()), 202);
    }
}
