//! Cases: opened at screening (one open case per child, later reports attached), read, listed
//! as work lists (urgent first, filters, search, CSV), changed with If-Match, and their
//! timeline; scope per role.
use madar_tests::cases::*;
use madar_tests::*;

const CASES: &str = "/api/v1/cases";

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

fn ids(body: &Value) -> Vec<String> {
    items(body)
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn references(body: &Value) -> Vec<String> {
    items(body)
        .iter()
        .map(|c| c["reference"].as_str().unwrap_or_default().to_string())
        .collect()
}

backend_tests! {
    fn screening_opens_a_case_for_each_child_and_a_later_report_attaches_to_it(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        let (body, etag) = json_and_etag(app.get(&case.path, Some(&coordinator)), 200);
        let year = chrono::Utc::now().format("%Y").to_string();
        assert_eq!(body["reference"], format!("CASE-421-{year}-000001"));
        assert_eq!(body["stage"], "identification");
        assert_eq!(body["urgency"], "medium");
        assert_eq!(body["organization"], "cape-rabat");
        assert_eq!(body["concerns"], json!(["neglect"]));
        assert_eq!(body["child"]["id"], case.child_id.as_str());
        assert_eq!(body["child"]["birth_date_estimated"], true);
        assert_eq!(body["reports"], json!([case.report_id]));
        assert!(!etag.is_empty());
        let report = json_of(app.get(&format!("/api/v1/reports/{}", case.report_id), Some(&coordinator)), 200);
        assert_eq!(report["status"], "case_opened");

        // A second report on the same child, in immediate danger, joins the open case.
        let mut second = report_body("Mohamed", "El Idrissi", "421", true);
        second["concerns"] = json!(["physical_violence"]);
        let report_id = id_of(&json_of(app.post("/api/v1/reports", Some(&coordinator), &second), 201));
        let screening = json!({"decision": "accept", "children": [{"index": 0, "child_id": case.child_id}]});
        let screened = json_of(app.post(&format!("/api/v1/reports/{report_id}/screening"), Some(&coordinator), &screening), 200);
        assert_eq!(screened["children"][0]["case_id"], case.id.as_str());
        assert_eq!(screened["children"][0]["case_opened"], false);
        let body = json_of(app.get(&case.path, Some(&coordinator)), 200);
        assert_eq!(body["urgency"], "immediate_danger");
        assert_eq!(body["concerns"], json!(["physical_violence", "neglect"]));
        assert_eq!(body["reports"].as_array().map(Vec::len), Some(2));
        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&coordinator)), 200);
        let kinds: Vec<Value> = timeline.as_array().unwrap().iter().map(|e| e["kind"].clone()).collect();
        assert_eq!(kinds, [json!("case_opened"), json!("report_attached")]);
        let children_cases = json_of(app.get(&format!("/api/v1/children/{}/cases", case.child_id), Some(&coordinator)), 200);
        assert_eq!(items(&children_cases).len(), 1);
    }

    fn work_lists_put_immediate_danger_first_and_filter_and_search(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let calm = open_case(&app, &worker, "Youssef");
        let urgent = open_case_from(&app, &worker, &report_body("Amine", "Benali", "421", true));
        let list = json_of(app.get(CASES, Some(&worker)), 200);
        assert_eq!(ids(&list), [urgent.id.clone(), calm.id.clone()]);
        // Paging keeps the order.
        let first = json_of(app.get(&format!("{CASES}?limit=1"), Some(&worker)), 200);
        let cursor = first["next_cursor"].as_str().expect("cursor").to_string();
        let second = json_of(app.get(&format!("{CASES}?limit=1&cursor={cursor}"), Some(&worker)), 200);
        assert_eq!(items(&second)[0]["id"], calm.id.as_str());
        assert!(second["next_cursor"].is_null());
        // Names in the other script and a misspelling find the child; a reference finds its case.
        let found = json_of(app.get(&format!("{CASES}?q=%D9%8A%D9%88%D8%B3%D9%81"), Some(&worker)), 200);
        assert_eq!(references(&found).len(), 1, "{found}");
        assert_eq!(items(&found)[0]["id"], calm.id.as_str());
        let reference = items(&list)[0]["reference"].as_str().unwrap().to_string();
        let by_reference = json_of(app.get(&format!("{CASES}?q={}", reference.to_lowercase()), Some(&worker)), 200);
        assert_eq!(references(&by_reference), [reference]);
        let none = json_of(app.get(&format!("{CASES}?stage=closed"), Some(&worker)), 200);
        assert!(items(&none).is_empty());
        let neglect = json_of(app.get(&format!("{CASES}?concern=neglect&territory=MA-04&organization=cape-rabat"), Some(&worker)), 200);
        assert_eq!(items(&neglect).len(), 2);
        assert_problem(app.get(&format!("{CASES}?stage=asleep"), Some(&worker)), 422, "validation_failed");
        assert_problem(app.get(&format!("{CASES}?cursor=%%%"), Some(&worker)), 422, "validation_failed");
    }

    fn the_csv_export_holds_the_same_cases_as_the_json_list(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        for name in ["Youssef", "Amine", "Karim"] {
            open_case(&app, &coordinator, name);
        }
        let list = json_of(app.get(&format!("{CASES}?concern=neglect"), Some(&coordinator)), 200);
        let res = app.client.get(app.url(&format!("{CASES}?concern=neglect&limit=1")))
            .bearer_auth(&coordinator).header("accept", "text/csv").send().unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = res.text().unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.iter().map(|r| r[0].to_string()).collect::<Vec<_>>(), references(&list));
        assert_eq!(&rows[0][3], "Youssef");
        assert_eq!(&rows[0][9], "identification");
    }

    fn a_patch_assigns_workers_and_needs_the_current_etag(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &coordinator, "Mohamed");
        let me = json_of(app.get("/api/v1/me", Some(&worker)), 200);
        let etag = app.etag(&case.path, &coordinator);
        let change = json!({"assigned_to": [me["id"]], "urgency": "high", "concerns": ["sexual_violence"]});
        let (body, new_etag) = json_and_etag(app.patch(&case.path, Some(&coordinator), &etag, &change), 200);
        assert_eq!(body["assigned_to"], json!([me["id"]]));
        assert_eq!(body["urgency"], "high");
        assert_eq!(body["concerns"], json!(["sexual_violence"]));
        assert_ne!(etag, new_etag);
        assert_problem(app.patch(&case.path, Some(&coordinator), &etag, &json!({"urgency": "low"})), 412, "precondition_failed");
        let mine = json_of(app.get(&format!("{CASES}?assigned_to=me"), Some(&worker)), 200);
        assert_eq!(items(&mine).len(), 1);
        let partner = json_of(app.get("/api/v1/users?limit=200", Some(&coordinator)), 200);
        let outsider = items(&partner).into_iter().find(|u| u["role"] == "partner").unwrap();
        let problem = assert_problem(app.patch(&case.path, Some(&coordinator), &new_etag, &json!({"assigned_to": [outsider["id"]]})), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_user");
        let res = app.client.patch(app.url(&case.path)).bearer_auth(&coordinator).json(&json!({"urgency": "low"})).send().unwrap();
        assert_problem(res, 428, "precondition_required");
        assert_problem(app.patch(&case.path, Some(&coordinator), &new_etag, &json!({"stage": "closed"})), 422, "validation_failed");
    }

    fn cases_are_seen_by_their_organization_and_territory_only(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        centre(&app, "cape-rabat-2", "support_centre", "421");
        let (_, other_worker) = staff(&app, "w@cape-rabat-2.ma", "case_worker", "cape-rabat-2", "421");
        let (_, sale_coordinator) = staff(&app, "c@cape-sale.ma", "coordinator", "cape-sale", "441");
        for token in [&other_worker, &sale_coordinator] {
            assert_problem(app.get(&case.path, Some(token)), 404, "not_found");
            assert_problem(app.get(&format!("{}/timeline", case.path), Some(token)), 404, "not_found");
            assert!(items(&json_of(app.get(CASES, Some(token)), 200)).is_empty());
        }
        for email in [HOTLINE, ANALYST, AUDITOR, ADMIN] {
            let token = app.token(email);
            assert_problem(app.get(&case.path, Some(&token)), 403, "forbidden");
            assert_problem(app.get(CASES, Some(&token)), 403, "forbidden");
        }
        // A partner follows children only through the referrals addressed to it: no case
        // exists for it.
        let partner = app.token(PARTNER);
        assert_problem(app.get(&case.path, Some(&partner)), 404, "not_found");
        assert!(items(&json_of(app.get(CASES, Some(&partner)), 200)).is_empty());
        // The case worker of the owning centre sees it, and its child.
        let worker = app.token(CASE_WORKER);
        json_of(app.get(&case.path, Some(&worker)), 200);
        json_of(app.get(&format!("/api/v1/children/{}", case.child_id), Some(&worker)), 200);
    }

    fn every_record_written_on_a_case_is_readable_at_its_location(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Mohamed");
        let institution = centre(&app, "home-rabat", "social_care_institution", "421");
        let now = chrono::Utc::now();
        let today = now.date_naive().to_string();
        let writes = [
            (format!("{}/services", case.path), json!({
                "service_type": "social_emergency", "delivered_at": (now - chrono::Duration::hours(2)).to_rfc3339(),
                "by_organization": "cape-rabat", "notes": "Night shelter."
            })),
            (format!("{}/judicial-measures", case.path), json!({
                "measure_type": "prosecutor_notified", "authority": "Parquet de Rabat", "date": today
            })),
            (format!("{}/notes", case.path), json!({
                "note_type": "home_visit", "occurred_at": (now - chrono::Duration::hours(1)).to_rfc3339(),
                "sensitive": false, "text": "Visite au domicile."
            })),
            (format!("/api/v1/children/{}/placements", case.child_id), json!({
                "institution": institution, "case_id": case.id, "from": today
            })),
        ];
        for (path, body) in writes {
            let res = app.post(&path, Some(&coordinator), &body);
            let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
            let created = json_of(res, 201);
            let location = location.unwrap_or_else(|| panic!("no Location for {path}"));
            assert!(location.starts_with(&path), "{location}");
            let read = json_of(app.get(&location, Some(&coordinator)), 200);
            assert_eq!(read, created, "{location}");
        }
    }
}
