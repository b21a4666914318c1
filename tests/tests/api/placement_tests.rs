//! Placements of a child in social care institutions: recorded (idempotent), ended with
//! If-Match, one at a time, on the timeline of their case; the coming-of-age flag; the rules
//! on institutions, cases and dates; scope per role.
use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use madar_tests::cases::*;
use madar_tests::*;

fn placements(case: &OpenedCase) -> String {
    format!("/api/v1/children/{}/placements", case.child_id)
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days_ago(n: i64) -> String {
    (today() - Duration::days(n)).to_string()
}

/// An institution in Rabat.
fn institution(app: &TestApp) -> String {
    centre(app, "eps-rabat", "social_care_institution", "421")
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

fn kinds(app: &TestApp, case: &OpenedCase, token: &str) -> Vec<String> {
    let timeline = json_of(
        app.get(&format!("{}/timeline", case.path), Some(token)),
        200,
    );
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

backend_tests! {
    fn a_child_is_in_one_placement_at_a_time_and_an_ended_one_makes_room(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        let eps = institution(&app);
        let path = placements(&case);
        let body = json!({"institution": eps, "case_id": case.id, "from": days_ago(30), "reason": "Ordonnance du juge."});
        let res = app.post_with_key(&path, &coordinator, "pl-1", &body);
        assert!(res.headers().get("location").is_some());
        let (first, etag) = json_and_etag(res, 201);
        assert_eq!(etag, "\"1\"");
        assert_eq!(first["child_id"], case.child_id.as_str());
        assert_eq!(first["case_id"], case.id.as_str());
        assert_eq!(first["institution"], "eps-rabat");
        assert_eq!(first["from"], days_ago(30));
        assert!(first["to"].is_null());
        assert_eq!(first["current"], true);
        assert_eq!(first["reason"], "Ordonnance du juge.");
        assert_eq!(first["birth_date_estimated"], true);
        assert_eq!(first["adult_on"], format!("{}-01-01", Utc::now().year() + 8));
        assert_eq!(first["turns_18_within_6_months"], false);
        let replay = app.post_with_key(&path, &coordinator, "pl-1", &body);
        assert_eq!(replay.headers()["idempotent-replayed"], "true");
        assert_eq!(json_of(replay, 201), first);

        // A second open placement, or a stay overlapping the open one, is refused.
        let second = json!({"institution": eps, "from": days_ago(1)});
        assert_problem(app.post(&path, Some(&coordinator), &second), 409, "placement_open");
        let overlapping = json!({"institution": eps, "from": days_ago(40), "to": days_ago(20)});
        assert_problem(app.post(&path, Some(&coordinator), &overlapping), 409, "placement_open");
        // An earlier stay that ended the day this one began is fine.
        let before = json_of(app.post(&path, Some(&coordinator), &json!({"institution": eps, "from": days_ago(60), "to": days_ago(30)})), 201);
        assert_eq!(before["current"], false);

        // Ending it needs the current ETag.
        let item = format!("{path}/{}", first["id"].as_str().unwrap());
        let end = json!({"to": days_ago(2)});
        let res = app.client.patch(app.url(&item)).bearer_auth(&coordinator).json(&end).send().unwrap();
        assert_problem(res, 428, "precondition_required");
        assert_problem(app.patch(&item, Some(&coordinator), "\"7\"", &end), 412, "precondition_failed");
        let (ended, new_etag) = json_and_etag(app.patch(&item, Some(&coordinator), &etag, &end), 200);
        assert_eq!(ended["to"], days_ago(2));
        assert_eq!(ended["current"], false);
        assert_eq!(new_etag, "\"2\"");
        assert_problem(app.patch(&item, Some(&coordinator), &etag, &json!({"reason": "x"})), 412, "precondition_failed");
        field_error(app.patch(&item, Some(&coordinator), &new_etag, &json!({"to": days_ago(31)})), "to", "before_from");
        // Now the child may be placed again.
        let again = json_of(app.post(&path, Some(&coordinator), &second), 201);
        assert_eq!(again["current"], true);
        assert!(again["case_id"].is_null());
        let list = json_of(app.get(&path, Some(&coordinator)), 200);
        let ids: Vec<Value> = list.as_array().unwrap().iter().map(|p| p["id"].clone()).collect();
        assert_eq!(ids, [again["id"].clone(), first["id"].clone(), before["id"].clone()]);
        // The case's timeline shows the placement decided in it and its end.
        let kinds = kinds(&app, &case, &coordinator);
        assert!(kinds.contains(&"placement_recorded".to_string()), "{kinds:?}");
        assert!(kinds.contains(&"placement_updated".to_string()), "{kinds:?}");
        // A case worker who is not assigned sees placements, not reasons.
        let worker = app.token(CASE_WORKER);
        let seen = json_of(app.get(&path, Some(&worker)), 200);
        assert!(seen[1]["reason"].is_null());
        assert_eq!(seen[1]["institution"], "eps-rabat");
    }

    fn a_placement_names_an_institution_a_case_of_the_child_and_past_dates(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Youssef");
        let other = open_case_from(&app, &worker, &report_body("Amine", "Benali", "421", false));
        let eps = institution(&app);
        let path = placements(&case);
        field_error(app.post(&path, Some(&worker), &json!({"institution": "cape-rabat", "from": days_ago(1)})), "institution", "not_an_institution");
        field_error(app.post(&path, Some(&worker), &json!({"institution": "nowhere", "from": days_ago(1)})), "institution", "not_an_institution");
        field_error(app.post(&path, Some(&worker), &json!({"institution": eps, "case_id": other.id, "from": days_ago(1)})), "case_id", "unknown_case");
        field_error(app.post(&path, Some(&worker), &json!({"institution": eps, "from": days_ago(-1)})), "from", "in_future");
        field_error(app.post(&path, Some(&worker), &json!({"institution": eps, "from": days_ago(3), "to": days_ago(4)})), "to", "before_from");
        field_error(app.post(&path, Some(&worker), &json!({"institution": eps, "from": days_ago(3), "reason": ""})), "reason", "length");
        assert_problem(app.post(&path, Some(&worker), &json!({"institution": eps, "from": "yesterday"})), 422, "validation_failed");
        json_of(app.post(&path, Some(&worker), &json!({"institution": eps, "from": days_ago(0)})), 201);
    }

    fn a_child_turning_18_within_six_months_is_flagged(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let eps = institution(&app);
        // Born 18 years minus three months ago.
        let birth = today().checked_sub_months(Months::new(18 * 12 - 3)).unwrap();
        let mut report = report_body("Hamza", "Tazi", "421", false);
        report["children"][0].as_object_mut().unwrap().remove("estimated_birth_year");
        report["children"][0]["date_of_birth"] = json!(birth.to_string());
        let case = open_case_from(&app, &coordinator, &report);
        let placed = json_of(app.post(&placements(&case), Some(&coordinator), &json!({"institution": eps, "from": days_ago(5)})), 201);
        assert_eq!(placed["turns_18_within_6_months"], true);
        assert_eq!(placed["birth_date_estimated"], false);
        // A child with only an estimated year counts from 1 January of that year.
        let mut report = report_body("Omar", "Fassi", "421", false);
        report["children"][0]["estimated_birth_year"] = json!(Utc::now().year() - 17);
        let estimated = open_case_from(&app, &coordinator, &report);
        let placed = json_of(app.post(&placements(&estimated), Some(&coordinator), &json!({"institution": eps, "from": days_ago(5)})), 201);
        let adult_on = NaiveDate::from_ymd_opt(Utc::now().year() + 1, 1, 1).unwrap();
        assert_eq!(placed["adult_on"], adult_on.to_string());
        let soon = adult_on <= today().checked_add_months(Months::new(6)).unwrap();
        assert_eq!(placed["turns_18_within_6_months"], soon);
    }

    fn placements_are_seen_within_the_childs_scope_only(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Karim");
        let eps = institution(&app);
        let path = placements(&case);
        let body = json!({"institution": eps, "from": days_ago(1)});
        centre(&app, "cape-rabat-2", "support_centre", "421");
        let (_, other) = staff(&app, "w@cape-rabat-2.ma", "case_worker", "cape-rabat-2", "421");
        assert_problem(app.post(&path, Some(&other), &body), 404, "not_found");
        assert_problem(app.get(&path, Some(&other)), 404, "not_found");
        for email in [PARTNER, HOTLINE, ANALYST] {
            let token = app.token(email);
            assert_problem(app.post(&path, Some(&token), &body), 403, "forbidden");
            let (status, code) = if email == PARTNER { (404, "not_found") } else { (403, "forbidden") };
            assert_problem(app.get(&path, Some(&token)), status, code);
        }
        let placed = json_of(app.post(&path, Some(&coordinator), &body), 201);
        let item = format!("{path}/{}", placed["id"].as_str().unwrap());
        assert_problem(app.patch(&item, Some(&other), "\"1\"", &json!({"to": days_ago(0)})), 404, "not_found");
        assert!(json_of(app.get(&path, Some(&coordinator)), 200).as_array().unwrap().len() == 1);
    }
}
