//! Judicial measures of a case: recorded (idempotent), listed by date, updated with If-Match,
//! outcomes shown to those who see the case's sensitive fields, on the timeline; the rules on
//! dates and text; scope per role.
use madar_tests::cases::*;
use madar_tests::*;

fn measures(case: &OpenedCase) -> String {
    format!("{}/judicial-measures", case.path)
}

fn hearing(date: &str) -> Value {
    json!({
        "measure_type": "hearing", "authority": "Tribunal de première instance de Rabat",
        "date": date, "reference": "1234/2026", "next_date": "2026-12-20",
        "outcome": "Audience renvoyée."
    })
}

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
    fn a_measure_is_recorded_once_updated_with_if_match_and_on_the_timeline(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        let path = measures(&case);
        let res = app.post_with_key(&path, &coordinator, "jm-1", &hearing("2026-12-01"));
        assert!(res.headers().get("location").is_some());
        let (measure, etag) = json_and_etag(res, 201);
        assert_eq!(etag, "\"1\"");
        assert_eq!(measure["case_id"], case.id.as_str());
        assert_eq!(measure["measure_type"], "hearing");
        assert_eq!(measure["authority"], "Tribunal de première instance de Rabat");
        assert_eq!(measure["date"], "2026-12-01");
        assert_eq!(measure["reference"], "1234/2026");
        assert_eq!(measure["next_date"], "2026-12-20");
        assert_eq!(measure["outcome"], "Audience renvoyée.");
        let replay = app.post_with_key(&path, &coordinator, "jm-1", &hearing("2026-12-01"));
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        assert_eq!(json_of(replay, 201), measure);
        let notified = json!({"measure_type": "prosecutor_notified", "authority": "Parquet de Rabat", "date": "2026-11-02"});
        let earlier = json_of(app.post(&path, Some(&coordinator), &notified), 201);
        assert!(earlier["outcome"].is_null() && earlier["reference"].is_null());
        let list = json_of(app.get(&path, Some(&coordinator)), 200);
        let ids: Vec<Value> = list.as_array().unwrap().iter().map(|m| m["id"].clone()).collect();
        assert_eq!(ids, [earlier["id"].clone(), measure["id"].clone()]);

        // The outcome is recorded with the measure's ETag.
        let item = format!("{path}/{}", measure["id"].as_str().unwrap());
        let change = json!({"outcome": "Placement ordonné.", "next_date": "2027-01-15"});
        let res = app.client.patch(app.url(&item)).bearer_auth(&coordinator).json(&change).send().unwrap();
        assert_problem(res, 428, "precondition_required");
        assert_problem(app.patch(&item, Some(&coordinator), "\"9\"", &change), 412, "precondition_failed");
        let (updated, new_etag) = json_and_etag(app.patch(&item, Some(&coordinator), &etag, &change), 200);
        assert_eq!(new_etag, "\"2\"");
        assert_eq!(updated["outcome"], "Placement ordonné.");
        assert_eq!(updated["next_date"], "2027-01-15");
        assert_eq!(updated["reference"], "1234/2026");
        assert_problem(app.patch(&item, Some(&coordinator), &etag, &json!({"reference": "9/2026"})), 412, "precondition_failed");
        field_error(app.patch(&item, Some(&coordinator), &new_etag, &json!({"next_date": "2026-11-30"})), "next_date", "before_date");

        // A case worker who is not assigned sees the measures, not their outcomes.
        let worker = app.token(CASE_WORKER);
        let seen = json_of(app.get(&path, Some(&worker)), 200);
        assert_eq!(seen[1]["measure_type"], "hearing");
        assert!(seen[1]["outcome"].is_null());
        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&coordinator)), 200);
        let events: Vec<&Value> = timeline.as_array().unwrap().iter()
            .filter(|e| e["kind"].as_str().unwrap().starts_with("judicial_measure")).collect();
        let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["judicial_measure_recorded", "judicial_measure_recorded", "judicial_measure_updated"]);
        assert_eq!(events[2]["detail"], json!({"measure_type": "hearing"}));
        assert_eq!(events[2]["subject_id"], measure["id"]);
    }

    fn a_measure_needs_an_authority_a_known_type_and_a_next_date_after_its_date(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Youssef");
        let path = measures(&case);
        let mut early = hearing("2026-12-01");
        early["next_date"] = json!("2026-11-01");
        field_error(app.post(&path, Some(&worker), &early), "next_date", "before_date");
        let mut blank = hearing("2026-12-01");
        blank["authority"] = json!("   ");
        field_error(app.post(&path, Some(&worker), &blank), "authority", "blank");
        let mut long = hearing("2026-12-01");
        long["authority"] = json!("a".repeat(201));
        field_error(app.post(&path, Some(&worker), &long), "authority", "length");
        let mut two_lines = hearing("2026-12-01");
        two_lines["reference"] = json!("12\n34");
        field_error(app.post(&path, Some(&worker), &two_lines), "reference", "forbidden_character");
        let mut unknown = hearing("2026-12-01");
        unknown["measure_type"] = json!("arrest");
        assert_problem(app.post(&path, Some(&worker), &unknown), 422, "validation_failed");
        let mut extra = hearing("2026-12-01");
        extra["judge"] = json!("X");
        assert_problem(app.post(&path, Some(&worker), &extra), 422, "validation_failed");
        let same_day = json!({"measure_type": "decision", "authority": "Tribunal", "date": "2026-12-01", "next_date": "2026-12-01"});
        json_of(app.post(&path, Some(&worker), &same_day), 201);
    }

    fn measures_are_recorded_and_read_within_scope_only(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Karim");
        let path = measures(&case);
        centre(&app, "cape-rabat-2", "support_centre", "421");
        let (_, other) = staff(&app, "w@cape-rabat-2.ma", "case_worker", "cape-rabat-2", "421");
        assert_problem(app.post(&path, Some(&other), &hearing("2026-12-01")), 404, "not_found");
        assert_problem(app.get(&path, Some(&other)), 404, "not_found");
        for email in [PARTNER, HOTLINE, ANALYST] {
            let token = app.token(email);
            assert_problem(app.post(&path, Some(&token), &hearing("2026-12-01")), 403, "forbidden");
            let (status, code) = if email == PARTNER { (404, "not_found") } else { (403, "forbidden") };
            assert_problem(app.get(&path, Some(&token)), status, code);
        }
        let measure = json_of(app.post(&path, Some(&coordinator), &hearing("2026-12-01")), 201);
        let item = format!("{path}/{}", measure["id"].as_str().unwrap());
        assert_problem(app.patch(&item, Some(&other), "\"1\"", &json!({"outcome": "x"})), 404, "not_found");
        let missing = format!("{path}/01a22bb8-3f27-7223-9fad-10acb7f42e8a");
        assert_problem(app.patch(&missing, Some(&coordinator), "\"1\"", &json!({"outcome": "x"})), 404, "not_found");
    }
}
