//! Services delivered directly on a case: recorded (idempotent), listed the latest delivered
//! first, notes shown to those who see the case's sensitive fields, on the timeline; the
//! rules on dates and organizations; scope per role.
use chrono::{Duration, Utc};
use madar_tests::cases::*;
use madar_tests::*;

fn services(case: &OpenedCase) -> String {
    format!("{}/services", case.path)
}

fn service(kind: &str, days_ago: i64, notes: Option<&str>) -> Value {
    let mut body = json!({
        "service_type": kind,
        "delivered_at": (Utc::now() - Duration::days(days_ago)).to_rfc3339(),
        "by_organization": "cape-rabat"
    });
    if let Some(n) = notes {
        body["notes"] = json!(n);
    }
    body
}

/// A 422 naming `field` with `code`.
fn field_error(res: Response, field: &str, code: &str) {
    let problem = assert_problem(res, 422, "validation_failed");
    let errors = problem["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field && e["code"] == code),
        "{field}/{code} in {problem}"
    );
}

backend_tests! {
    fn a_service_is_recorded_once_listed_latest_first_and_on_the_timeline(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        let case_etag = app.etag(&case.path, &coordinator);
        let body = service("social_emergency", 0, Some("Nuit au centre d'urgence."));
        let res = app.post_with_key(&services(&case), &coordinator, "svc-1", &body);
        assert!(res.headers().get("location").is_some());
        let (first, etag) = json_and_etag(res, 201);
        assert!(!etag.is_empty());
        assert_eq!(first["case_id"], case.id.as_str());
        assert_eq!(first["service_type"], "social_emergency");
        assert_eq!(first["domain"], "social_care");
        assert_eq!(first["by_organization"], "cape-rabat");
        assert_eq!(first["notes"], "Nuit au centre d'urgence.");
        assert!(first["recorded_by"].is_string() && first["created_at"].is_string());
        // A retry replays the first response; nothing is recorded twice.
        let replay = app.post_with_key(&services(&case), &coordinator, "svc-1", &body);
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        assert_eq!(json_of(replay, 201), first);
        // An earlier one comes after it in the list.
        let earlier = json_of(app.post(&services(&case), Some(&coordinator), &service("psychological_support", 3, None)), 201);
        assert_eq!(earlier["domain"], "psychological_care");
        let list = json_of(app.get(&services(&case), Some(&coordinator)), 200);
        let ids: Vec<Value> = list["items"].as_array().unwrap().iter().map(|s| s["id"].clone()).collect();
        assert_eq!(ids, [first["id"].clone(), earlier["id"].clone()]);
        // Paging follows the same order.
        let page = json_of(app.get(&format!("{}?limit=1", services(&case)), Some(&coordinator)), 200);
        let cursor = page["next_cursor"].as_str().expect("cursor").to_string();
        let next = json_of(app.get(&format!("{}?limit=1&cursor={cursor}", services(&case)), Some(&coordinator)), 200);
        assert_eq!(next["items"][0]["id"], earlier["id"]);
        // A case worker of the centre who is not assigned sees the service, not its notes.
        let worker = app.token(CASE_WORKER);
        let seen = json_of(app.get(&services(&case), Some(&worker)), 200);
        assert_eq!(seen["items"][0]["service_type"], "social_emergency");
        assert!(seen["items"][0]["notes"].is_null());
        // The case's ETag moved, and the timeline shows both.
        assert_ne!(app.etag(&case.path, &coordinator), case_etag);
        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&coordinator)), 200);
        let recorded: Vec<&Value> = timeline.as_array().unwrap().iter().filter(|e| e["kind"] == "service_recorded").collect();
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0]["subject_id"], first["id"]);
        assert_eq!(recorded[0]["detail"], json!({"service_type": "social_emergency", "domain": "social_care"}));
    }

    fn a_service_needs_a_past_date_near_the_case_and_an_active_organization(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Youssef");
        let path = services(&case);
        let mut future = service("medical_exam", 0, None);
        future["delivered_at"] = json!((Utc::now() + Duration::hours(2)).to_rfc3339());
        field_error(app.post(&path, Some(&worker), &future), "delivered_at", "in_future");
        field_error(app.post(&path, Some(&worker), &service("medical_exam", 45, None)), "delivered_at", "before_case_opened");
        json_of(app.post(&path, Some(&worker), &service("medical_exam", 20, None)), 201);
        let mut unknown = service("medical_exam", 0, None);
        unknown["by_organization"] = json!("no-such-centre");
        field_error(app.post(&path, Some(&worker), &unknown), "by_organization", "unknown_organization");
        let mut bad = service("medical_exam", 0, None);
        bad["service_type"] = json!("massage");
        assert_problem(app.post(&path, Some(&worker), &bad), 422, "validation_failed");
        field_error(app.post(&path, Some(&worker), &service("medical_exam", 0, Some("   "))), "notes", "blank");
        let mut extra = service("medical_exam", 0, None);
        extra["domain"] = json!("health_care");
        assert_problem(app.post(&path, Some(&worker), &extra), 422, "validation_failed");
        // The same key for another body is refused.
        json_of(app.post_with_key(&path, &worker, "k", &service("trauma_care", 0, None)), 201);
        assert_problem(app.post_with_key(&path, &worker, "k", &service("legal_aid", 0, None)), 422, "idempotency_key_reused");
    }

    fn services_are_recorded_and_read_within_scope_only(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Karim");
        let path = services(&case);
        centre(&app, "cape-rabat-2", "support_centre", "421");
        let (_, other) = staff(&app, "w@cape-rabat-2.ma", "case_worker", "cape-rabat-2", "421");
        assert_problem(app.post(&path, Some(&other), &service("medical_exam", 0, None)), 404, "not_found");
        assert_problem(app.get(&path, Some(&other)), 404, "not_found");
        for email in [PARTNER, HOTLINE, ANALYST] {
            let token = app.token(email);
            assert_problem(app.post(&path, Some(&token), &service("medical_exam", 0, None)), 403, "forbidden");
            // A partner reads cases with an empty scope: this one does not exist for it.
            let (status, code) = if email == PARTNER { (404, "not_found") } else { (403, "forbidden") };
            assert_problem(app.get(&path, Some(&token)), status, code);
        }
        let list = json_of(app.get(&path, Some(&coordinator)), 200);
        assert!(list["items"].as_array().unwrap().is_empty());
    }
}
