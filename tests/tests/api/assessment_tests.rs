//! Risk assessments: the instruments as data, an assessment scored and its level retained or
//! overridden with a justification, the case's risk level, approvals where turned on, scope
//! per role, idempotent retries and the history.
use madar_tests::cases::*;
use madar_tests::*;

const INSTRUMENTS: &str = "/api/v1/assessment-instruments";

/// Every item of `madar_risk` v1 answered with its first (lowest) option, then `changes`.
fn answers(app: &TestApp, token: &str, changes: &[(&str, &str)]) -> Value {
    let list = json_of(app.get(INSTRUMENTS, Some(token)), 200);
    let instrument = &list["items"][0];
    let mut answers = serde_json::Map::new();
    for domain in instrument["domains"].as_array().expect("domains") {
        for item in domain["items"].as_array().expect("items") {
            let code = item["code"].as_str().expect("code").to_string();
            answers.insert(code, item["options"][0]["code"].clone());
        }
    }
    for (item, option) in changes {
        answers.insert((*item).to_string(), json!(option));
    }
    Value::Object(answers)
}

fn assessment(answers: Value) -> Value {
    json!({"instrument": "madar_risk", "version": 1, "answers": answers})
}

fn path(case: &OpenedCase) -> String {
    format!("{}/assessments", case.path)
}

fn fields(problem: &Value) -> Vec<(String, String)> {
    let mut got: Vec<(String, String)> = problem["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").into(),
                e["code"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    got.sort();
    got
}

backend_tests! {
    fn instruments_are_listed_with_domains_weights_and_thresholds(backend) {
        let app = TestApp::spawn(backend);
        let list = json_of(app.get(INSTRUMENTS, Some(&app.token(CASE_WORKER))), 200);
        json_of(app.get(INSTRUMENTS, Some(&app.token(COORDINATOR))), 200);
        let instrument = &list["items"][0];
        assert_eq!(instrument["code"], "madar_risk");
        assert_eq!(instrument["version"], 1);
        assert!(instrument["labels"]["ar"].as_str().is_some_and(|l| !l.is_empty()));
        let domains: Vec<&str> = instrument["domains"].as_array().unwrap().iter().filter_map(|d| d["code"].as_str()).collect();
        for expected in ["safety", "health", "family_environment", "education", "exploitation", "online_risks"] {
            assert!(domains.contains(&expected), "{expected} in {domains:?}");
        }
        let option = &instrument["domains"][0]["items"][0]["options"][2];
        assert_eq!(option["critical"], true);
        assert!(option["weight"].is_i64());
        let levels: Vec<&str> = instrument["thresholds"].as_array().unwrap().iter().filter_map(|t| t["level"].as_str()).collect();
        assert_eq!(levels, ["low", "medium", "high", "immediate_danger"]);
        assert_problem(app.get(INSTRUMENTS, Some(&app.token(PARTNER))), 403, "forbidden");
    }

    fn answers_are_scored_and_a_completed_assessment_sets_the_case_risk(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Mohamed");
        let before = app.etag(&case.path, &worker);
        let res = app.post(&path(&case), Some(&worker), &assessment(answers(&app, &worker, &[])));
        let (low, etag) = json_and_etag(res, 201);
        assert!(!etag.is_empty());
        assert_eq!(low["score"], 0);
        assert_eq!(low["computed_level"], "low");
        assert_eq!(low["risk_level"], "low");
        assert_eq!(low["overridden"], false);
        assert_eq!(low["status"], "completed");
        assert_eq!(low["instrument"], "madar_risk");
        assert_eq!(low["answers"]["housing"], "stable");
        let (body, after) = json_and_etag(app.get(&case.path, Some(&worker)), 200);
        assert_eq!(body["risk_level"], "low");
        assert_ne!(before, after, "the case's ETag changes");

        let danger = answers(&app, &worker, &[("immediate_physical_danger", "yes")]);
        let urgent = json_of(app.post(&path(&case), Some(&worker), &assessment(danger)), 201);
        assert_eq!(urgent["computed_level"], "immediate_danger");
        assert_eq!(urgent["risk_level"], "immediate_danger");
        assert_eq!(urgent["score"], 10);
        assert_eq!(json_of(app.get(&case.path, Some(&worker)), 200)["risk_level"], "immediate_danger");

        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&worker)), 200);
        let recorded: Vec<&Value> = timeline.as_array().unwrap().iter().filter(|e| e["kind"] == "assessment_recorded").collect();
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[1]["subject_id"], urgent["id"]);
        assert_eq!(recorded[1]["detail"], json!({"risk_level": "immediate_danger", "computed_level": "immediate_danger", "status": "completed"}));
    }

    fn an_override_needs_a_justification_shown_only_to_those_who_see_sensitive_fields(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Youssef");
        let mut body = assessment(answers(&app, &coordinator, &[]));
        body["risk_level"] = json!("high");
        let problem = assert_problem(app.post(&path(&case), Some(&coordinator), &body), 422, "validation_failed");
        assert_eq!(fields(&problem), [("override_justification".to_string(), "justification_required".to_string())]);

        body["override_justification"] = json!("Le père violent revient à la maison la semaine prochaine.");
        let created = json_of(app.post(&path(&case), Some(&coordinator), &body), 201);
        assert_eq!(created["computed_level"], "low");
        assert_eq!(created["risk_level"], "high");
        assert_eq!(created["overridden"], true);
        assert_eq!(created["override_justification"], body["override_justification"]);
        assert_eq!(json_of(app.get(&case.path, Some(&coordinator)), 200)["risk_level"], "high");

        // A case worker of the owning centre who is not assigned sees the level, not the why.
        let (_, colleague) = staff(&app, "colleague@cape-rabat.ma", "case_worker", "cape-rabat", "421");
        let list = json_of(app.get(&path(&case), Some(&colleague)), 200);
        assert_eq!(list["items"][0]["risk_level"], "high");
        assert!(list["items"][0]["override_justification"].is_null());
        let one = json_of(app.get(&format!("{}/{}", path(&case), created["id"].as_str().unwrap()), Some(&coordinator)), 200);
        assert_eq!(one["override_justification"], body["override_justification"]);

        // Retaining the computed level is no override and needs no justification.
        let mut same = assessment(answers(&app, &coordinator, &[]));
        same["risk_level"] = json!("low");
        assert_eq!(json_of(app.post(&path(&case), Some(&coordinator), &same), 201)["overridden"], false);
    }

    fn answers_that_do_not_fit_the_instrument_are_refused_naming_the_item(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Amine");
        let mut wrong = answers(&app, &worker, &[("housing", "castle"), ("pets", "none")]);
        wrong.as_object_mut().unwrap().remove("food");
        let problem = assert_problem(app.post(&path(&case), Some(&worker), &assessment(wrong)), 422, "validation_failed");
        assert_eq!(fields(&problem), [
            ("answers.food".to_string(), "answer_required".to_string()),
            ("answers.housing".into(), "unknown_option".into()),
            ("answers.pets".into(), "unknown_item".into()),
        ]);
        let mut other = assessment(answers(&app, &worker, &[]));
        other["version"] = json!(7);
        let problem = assert_problem(app.post(&path(&case), Some(&worker), &other), 422, "validation_failed");
        assert_eq!(fields(&problem), [("version".to_string(), "unknown_version".to_string())]);
        other["instrument"] = json!("other");
        assert_problem(app.post(&path(&case), Some(&worker), &other), 422, "validation_failed");
        let list = json_of(app.get(&path(&case), Some(&worker)), 200);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
    }

    fn other_centres_get_404_and_other_roles_403(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Karim");
        let body = assessment(answers(&app, &worker, &[]));
        centre(&app, "upe-rabat", "protection_unit", "421");
        let (_, other) = staff(&app, "worker@upe-rabat.ma", "case_worker", "upe-rabat", "421");
        assert_problem(app.post(&path(&case), Some(&other), &body), 404, "not_found");
        assert_problem(app.get(&path(&case), Some(&other)), 404, "not_found");
        for user in [PARTNER, HOTLINE, ANALYST] {
            assert_problem(app.post(&path(&case), Some(&app.token(user)), &body), 403, "forbidden");
            // A partner reads cases with an empty scope: this one does not exist for them.
            let (status, code) = if user == PARTNER { (404, "not_found") } else { (403, "forbidden") };
            assert_problem(app.get(&path(&case), Some(&app.token(user))), status, code);
        }
    }

    fn a_retry_replays_and_the_history_is_newest_first(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Hamza");
        let low = assessment(answers(&app, &worker, &[]));
        let first = app.post_with_key(&path(&case), &worker, "assess-1", &low);
        let first = json_of(first, 201);
        let retry = app.post_with_key(&path(&case), &worker, "assess-1", &low);
        assert_eq!(retry.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        assert_eq!(json_of(retry, 201)["id"], first["id"]);
        app.advance_clock(60);
        let high = assessment(answers(&app, &worker, &[("housing", "none"), ("caregiver", "absent"), ("street_situation", "lives_on_street")]));
        let second = json_of(app.post_with_key(&path(&case), &worker, "assess-2", &high), 201);
        assert_eq!(second["computed_level"], "high");
        let list = json_of(app.get(&path(&case), Some(&worker)), 200);
        let ids: Vec<&Value> = list["items"].as_array().unwrap().iter().map(|a| &a["id"]).collect();
        assert_eq!(ids, [&second["id"], &first["id"]]);
        let page = json_of(app.get(&format!("{}?limit=1", path(&case)), Some(&worker)), 200);
        let cursor = page["next_cursor"].as_str().expect("cursor");
        let next = json_of(app.get(&format!("{}?limit=1&cursor={cursor}", path(&case)), Some(&worker)), 200);
        assert_eq!(next["items"][0]["id"], first["id"]);
    }

    fn where_approval_is_on_an_assessment_waits_for_a_coordinator(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let rule = app.client.put(app.url("/api/v1/approval-rules/assessment"))
            .bearer_auth(&coordinator).json(&json!({"enabled": true})).send().expect("request");
        json_of(rule, 200);
        let case = open_case(&app, &worker, "Rachid");
        let danger = assessment(answers(&app, &worker, &[("immediate_physical_danger", "yes")]));
        let pending = json_of(app.post(&path(&case), Some(&worker), &danger), 201);
        assert_eq!(pending["status"], "pending_approval");
        assert_eq!(pending["risk_level"], "immediate_danger");
        assert!(json_of(app.get(&case.path, Some(&worker)), 200)["risk_level"].is_null());
        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&worker)), 200);
        let kinds: Vec<&str> = timeline.as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
        assert!(kinds.contains(&"approval_requested"), "{kinds:?}");
        let recorded = timeline.as_array().unwrap().iter().find(|e| e["kind"] == "assessment_recorded").unwrap();
        assert_eq!(recorded["detail"]["status"], "pending_approval");
    }

    fn a_closed_case_takes_no_assessment_nor_plan(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Nabil");
        let closing = json!({
            "to": "closed", "reason": "The child is back with his family.",
            "closure_reason": "reintegrated_family", "outcome_note": "Back home, goes to school."
        });
        let etag = app.etag(&case.path, &coordinator);
        let transitions = format!("{}/transitions", case.path);
        json_of(app.post_if_match(&transitions, &coordinator, &etag, None, &closing), 200);
        let body = assessment(answers(&app, &coordinator, &[]));
        assert_problem(app.post(&path(&case), Some(&coordinator), &body), 409, "case_closed");
        let plan = json!({"objectives": [{"domain": "reintegration", "description": "Suivi"}]});
        let res = app.client.put(app.url(&format!("{}/plan", case.path)))
            .bearer_auth(&coordinator).json(&plan).send().expect("request");
        assert_problem(res, 409, "case_closed");
    }
}
