//! The case plan: created by a first PUT, read, replaced with If-Match (428 without, 412 when
//! stale), validated (domains, organizations, sizes), approval where turned on, scope per role.
use madar_tests::cases::*;
use madar_tests::*;

fn plan_path(case: &OpenedCase) -> String {
    format!("{}/plan", case.path)
}

/// PUT with an optional `If-Match`.
fn put(app: &TestApp, path: &str, token: &str, etag: Option<&str>, body: &Value) -> Response {
    let mut req = app.client.put(app.url(path)).bearer_auth(token).json(body);
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    req.send().expect("request")
}

fn plan() -> Value {
    json!({"objectives": [
        {"domain": "health_care", "description": "Bilan de santé complet et suivi des blessures.", "actions": [
            {"description": "Examen médical au centre hospitalier", "responsible_organization": "health-rabat",
             "due_date": "2026-12-15", "status": "planned"},
            {"description": "Accompagner l'enfant au rendez-vous", "status": "in_progress"}
        ]},
        {"domain": "education_training", "description": "إعادة الإدماج في المدرسة", "actions": []}
    ]})
}

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
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
        .collect()
}

backend_tests! {
    fn a_plan_is_created_read_and_replaced_with_if_match(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Mohamed");
        let path = plan_path(&case);
        assert_problem(app.get(&path, Some(&worker)), 404, "not_found");

        let (created, etag) = json_and_etag(put(&app, &path, &worker, None, &plan()), 201);
        assert_eq!(etag, "\"1\"");
        assert_eq!(created["status"], "active");
        assert_eq!(created["version"], 1);
        assert_eq!(created["case_id"], case.id.as_str());
        let objectives = created["objectives"].as_array().unwrap();
        assert_eq!(objectives.len(), 2);
        assert_eq!(objectives[0]["domain"], "health_care");
        assert!(objectives[0]["id"].is_string());
        assert_eq!(objectives[1]["description"], "إعادة الإدماج في المدرسة");
        let action = &objectives[0]["actions"][0];
        assert_eq!(action["responsible_organization"], "health-rabat");
        assert_eq!(action["due_date"], "2026-12-15");
        assert_eq!(action["status"], "planned");
        assert_eq!(objectives[0]["actions"][1]["status"], "in_progress");
        assert!(objectives[0]["actions"][1]["responsible_organization"].is_null());

        // Anyone who sees the case reads the plan, descriptions included.
        let (read, read_etag) = json_and_etag(app.get(&path, Some(&app.token(COORDINATOR))), 200);
        assert_eq!(read, created);
        assert_eq!(read_etag, etag);

        // Later writes need the plan's ETag.
        let mut changed = plan();
        changed["objectives"][0]["actions"][0]["status"] = json!("done");
        assert_problem(put(&app, &path, &worker, None, &changed), 428, "precondition_required");
        let (replaced, new_etag) = json_and_etag(put(&app, &path, &worker, Some(&etag), &changed), 200);
        assert_eq!(new_etag, "\"2\"");
        assert_eq!(replaced["version"], 2);
        assert_eq!(replaced["objectives"][0]["actions"][0]["status"], "done");
        assert_problem(put(&app, &path, &worker, Some(&etag), &plan()), 412, "precondition_failed");
        assert_eq!(json_of(app.get(&path, Some(&worker)), 200), replaced);

        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&worker)), 200);
        let updates: Vec<&Value> = timeline.as_array().unwrap().iter().filter(|e| e["kind"] == "plan_updated").collect();
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0]["detail"], json!({"objectives": 2, "actions": 2, "status": "active"}));
    }

    fn a_plan_that_does_not_fit_is_refused_naming_the_field(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Youssef");
        let path = plan_path(&case);
        let mut bad = plan();
        bad["objectives"][1]["domain"] = json!("astrology");
        let problem = assert_problem(put(&app, &path, &worker, None, &bad), 422, "validation_failed");
        assert_eq!(fields(&problem)[0].0, "objectives[1].domain");

        let mut bad = plan();
        bad["objectives"][0]["actions"][0]["responsible_organization"] = json!("nowhere");
        let problem = assert_problem(put(&app, &path, &worker, None, &bad), 422, "validation_failed");
        assert_eq!(fields(&problem), [(
            "objectives[0].actions[0].responsible_organization".to_string(),
            "unknown_organization".to_string(),
        )]);

        let problem = assert_problem(put(&app, &path, &worker, None, &json!({"objectives": []})), 422, "validation_failed");
        assert_eq!(fields(&problem)[0].0, "objectives");
        let mut blank = plan();
        blank["objectives"][0]["description"] = json!("   ");
        let problem = assert_problem(put(&app, &path, &worker, None, &blank), 422, "validation_failed");
        assert_eq!(fields(&problem)[0].0, "objectives[0].description");
        let mut bad = plan();
        bad["objectives"][0]["actions"][0]["status"] = json!("forgotten");
        assert_problem(put(&app, &path, &worker, None, &bad), 422, "validation_failed");
        assert_problem(app.get(&path, Some(&worker)), 404, "not_found");
    }

    fn other_centres_get_404_and_other_roles_403(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Karim");
        let path = plan_path(&case);
        json_of(put(&app, &path, &worker, None, &plan()), 201);
        centre(&app, "upe-rabat", "protection_unit", "421");
        let (_, other) = staff(&app, "worker@upe-rabat.ma", "case_worker", "upe-rabat", "421");
        assert_problem(app.get(&path, Some(&other)), 404, "not_found");
        assert_problem(put(&app, &path, &other, Some("\"1\""), &plan()), 404, "not_found");
        for user in [PARTNER, HOTLINE, AUDITOR] {
            let token = app.token(user);
            let (status, code) = if user == PARTNER { (404, "not_found") } else { (403, "forbidden") };
            assert_problem(app.get(&path, Some(&token)), status, code);
            assert_problem(put(&app, &path, &token, Some("\"1\""), &plan()), 403, "forbidden");
        }
    }

    fn where_approval_is_on_a_plan_waits_for_a_coordinator(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let rule = put(&app, "/api/v1/approval-rules/plan", &coordinator, None, &json!({"enabled": true}));
        json_of(rule, 200);
        let case = open_case(&app, &worker, "Rachid");
        let created = json_of(put(&app, &plan_path(&case), &worker, None, &plan()), 201);
        assert_eq!(created["status"], "pending_approval");
        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&worker)), 200);
        let requested = timeline.as_array().unwrap().iter().find(|e| e["kind"] == "approval_requested").expect("requested");
        assert_eq!(requested["detail"]["kind"], "plan");
        let update = timeline.as_array().unwrap().iter().find(|e| e["kind"] == "plan_updated").expect("updated");
        assert_eq!(update["detail"]["status"], "pending_approval");
    }
}
