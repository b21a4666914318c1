//! Provincial action plans: a coordinator writes a plan for their province, adopts it, records
//! progress, and reads indicators bound to statistics (counted from the reports, one more
//! report one more count) beside typed ones; bad contents are listed in one 422 and change
//! nothing; the plan's life only moves forward and a closed plan is frozen; scope and roles.
//! The national executive programme: shipped with the policy's five objectives, replaced whole
//! by admins, read with each objective's progress.
use chrono::{Duration, Utc};
use madar_tests::cases::*;
use madar_tests::*;

const PLANS: &str = "/api/v1/plans";

/// A period around today: a month ago to eleven months ahead.
fn period() -> (String, String) {
    let start = (Utc::now() - Duration::days(30)).date_naive();
    (start.to_string(), (start + Duration::days(364)).to_string())
}

fn plan_body(territory: &str) -> Value {
    let (starts_on, ends_on) = period();
    json!({
        "territory": territory,
        "title": "Plan d'action provincial de protection de l'enfance",
        "starts_on": starts_on,
        "ends_on": ends_on,
        "objectives": [
            {"key": "detection", "title": "Renforcer le signalement", "measures": [
                {"key": "hotline_campaign", "title": "Campagne 2511 dans les écoles",
                 "domain": "reporting", "responsible": ["ngo-rabat"], "budget_mad": 150000,
                 "starts_on": starts_on, "ends_on": ends_on,
                 "expected_results": "Plus de signalements venant des écoles.",
                 "indicators": [
                    {"key": "reports", "name": "Signalements reçus", "baseline": 40, "target": 80,
                     "statistics_query": "measure=reports"},
                    {"key": "schools", "name": "Écoles touchées", "baseline": 0, "target": 120}
                 ]}
            ]},
            {"key": "reintegration", "title": "Réintégrer", "measures": [
                {"key": "integration", "title": "Suivi de la réintégration",
                 "indicators": [
                    {"key": "integrated", "name": "Enfants intégrés",
                     "ministry_indicator": "children_integrated"}
                 ]}
            ]}
        ]
    })
}

fn indicator<'a>(plan: &'a Value, key: &str) -> &'a Value {
    plan["indicators"]
        .as_array()
        .and_then(|list| list.iter().find(|i| i["indicator"] == key))
        .unwrap_or_else(|| panic!("no indicator {key} in {plan}"))
}

fn measure<'a>(plan: &'a Value, key: &str) -> &'a Value {
    plan["measures"]
        .as_array()
        .and_then(|list| list.iter().find(|m| m["measure"] == key))
        .unwrap_or_else(|| panic!("no measure {key} in {plan}"))
}

/// The reports of territory 421 over the plan's period so far, as the statistics count them.
fn reports_counted(app: &TestApp, token: &str) -> f64 {
    let (from, _) = period();
    let to = Utc::now().date_naive();
    let path = format!("/api/v1/statistics?measure=reports&territory=421&from={from}&to={to}");
    let body = json_of(app.get(&path, Some(token)), 200);
    body["cells"]
        .as_array()
        .map(|cells| {
            cells
                .iter()
                .filter_map(|c| c["count"].as_i64())
                .sum::<i64>()
        })
        .unwrap_or_default() as f64
}

fn progress(measure: &str, percent: i32, values: Value) -> Value {
    json!({
        "measure": measure, "status": "in_progress", "percent_done": percent,
        "as_of": Utc::now().date_naive().to_string(), "note": "Premières écoles visitées.",
        "values": values
    })
}

backend_tests! {
    fn plans_a_coordinator_writes_adopts_and_follows_a_plan(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        for given in ["Amine", "Salma"] {
            json_of(app.post("/api/v1/reports", Some(&worker), &report_body(given, "Tazi", "421", false)), 201);
        }
        let (plan, etag) = json_and_etag(app.post(PLANS, Some(&coordinator), &plan_body("421")), 201);
        assert_eq!(plan["status"], "draft");
        assert_eq!(plan["territory"], "421");
        let path = format!("{PLANS}/{}", id_of(&plan));

        // The bound indicator is counted from the reports, exactly (a coordinator's own
        // province), and one more report is one more count.
        let bound = indicator(&plan, "reports");
        assert_eq!(bound["source"], "computed");
        let before = reports_counted(&app, &coordinator);
        assert!(before >= 2.0, "the two reports filed are counted: {before}");
        assert_eq!(bound["value"].as_f64(), Some(before));
        assert_eq!((bound["baseline"].as_f64(), bound["target"].as_f64()), (Some(40.0), Some(80.0)));
        json_of(app.post("/api/v1/reports", Some(&worker), &report_body("Yassir", "Tazi", "421", false)), 201);
        let (read, etag_read) = json_and_etag(app.get(&path, Some(&coordinator)), 200);
        assert_eq!(etag_read, etag);
        assert_eq!(indicator(&read, "reports")["value"].as_f64(), Some(before + 1.0));
        assert_eq!(indicator(&read, "integrated")["source"], "computed");
        assert_eq!(indicator(&read, "schools")["source"], "none");
        assert_eq!(measure(&read, "hotline_campaign")["status"], "planned");

        // Progress waits for adoption.
        let first = progress("hotline_campaign", 40, json!([{"indicator": "schools", "value": 35}]));
        assert_problem(app.post(&format!("{path}/progress"), Some(&coordinator), &first), 409, "plan_not_active");
        let (active, _) = json_and_etag(app.patch(&path, Some(&coordinator), &etag, &json!({"status": "active"})), 200);
        assert_eq!(active["status"], "active");
        let saved = json_of(app.post(&format!("{path}/progress"), Some(&coordinator), &first), 201);
        assert_eq!(saved["percent_done"], 40);
        // A bound indicator is computed, never typed; a measure of another plan is unknown.
        let typed_bound = progress("hotline_campaign", 50, json!([{"indicator": "reports", "value": 99}]));
        assert_problem(app.post(&format!("{path}/progress"), Some(&coordinator), &typed_bound), 422, "validation_failed");
        assert_problem(app.post(&format!("{path}/progress"), Some(&coordinator), &progress("elsewhere", 10, json!([]))), 422, "validation_failed");

        let (read, etag) = json_and_etag(app.get(&path, Some(&coordinator)), 200);
        let state = measure(&read, "hotline_campaign");
        assert_eq!((state["status"].as_str(), state["percent_done"].as_i64()), (Some("in_progress"), Some(40)));
        assert_eq!(state["objective"], "detection");
        let schools = indicator(&read, "schools");
        assert_eq!((schools["source"].as_str(), schools["value"].as_f64()), (Some("recorded"), Some(35.0)));
        let history = json_of(app.get(&format!("{path}/progress"), Some(&coordinator)), 200);
        assert_eq!(history.as_array().map(Vec::len), Some(1));

        // Forward only; a stale ETag is refused; a closed plan is frozen.
        assert_problem(app.patch(&path, Some(&coordinator), &etag, &json!({"status": "draft"})), 422, "validation_failed");
        assert_problem(app.patch(&path, Some(&coordinator), "\"1\"", &json!({"title": "Ancien"})), 412, "precondition_failed");
        let (closed, etag) = json_and_etag(app.patch(&path, Some(&coordinator), &etag, &json!({"status": "closed"})), 200);
        assert_eq!(closed["status"], "closed");
        assert_problem(app.patch(&path, Some(&coordinator), &etag, &json!({"title": "Encore"})), 409, "plan_closed");
        assert_problem(app.post(&format!("{path}/progress"), Some(&coordinator), &first), 409, "plan_not_active");

        let list = json_of(app.get(&format!("{PLANS}?territory=421&status=closed"), Some(&coordinator)), 200);
        assert_eq!(list["items"][0]["id"], plan["id"]);
        let none = json_of(app.get(&format!("{PLANS}?status=draft"), Some(&coordinator)), 200);
        assert!(none["items"].as_array().is_some_and(|i| i.iter().all(|p| p["id"] != plan["id"])));
    }

    fn plans_bad_contents_are_listed_in_one_answer_and_change_nothing(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let mut body = plan_body("421");
        body["ends_on"] = json!("2020-01-01");
        body["objectives"][1]["key"] = json!("detection");
        body["objectives"][0]["measures"][0]["responsible"] = json!(["no-such-org"]);
        body["objectives"][0]["measures"][0]["indicators"][0]["statistics_query"] = json!("measure=reports&territory=441");
        body["objectives"][1]["measures"][0]["indicators"][0]["statistics_query"] = json!("measure=weather");
        let problem = assert_problem(app.post(PLANS, Some(&coordinator), &body), 422, "validation_failed");
        let mut found: Vec<(String, String)> = problem["errors"].as_array().cloned().unwrap_or_default().iter()
            .map(|e| (e["field"].as_str().unwrap_or_default().to_string(), e["code"].as_str().unwrap_or_default().to_string()))
            .collect();
        found.sort();
        assert_eq!(found, vec![
            ("ends_on".into(), "before_from".into()),
            ("objectives[0].measures[0].indicators[0].statistics_query".into(), "not_allowed".into()),
            ("objectives[0].measures[0].responsible".into(), "unknown_organization".into()),
            ("objectives[1].key".into(), "repeated".into()),
            ("objectives[1].measures[0].indicators[0].ministry_indicator".into(), "inconsistent".into()),
            ("objectives[1].measures[0].indicators[0].statistics_query".into(), "bad_query".into()),
        ]);
        assert_problem(app.post(PLANS, Some(&coordinator), &json!({"territory": "nowhere", "title": "X", "starts_on": "2026-01-01", "ends_on": "2026-12-31"})), 422, "validation_failed");
        assert_problem(app.post(PLANS, Some(&coordinator), &json!({"territory": "421", "title": "X", "starts_on": "2026-01-01", "ends_on": "2026-12-31", "extra": 1})), 422, "validation_failed");
        let list = json_of(app.get(PLANS, Some(&coordinator)), 200);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "nothing was stored: {list}");
    }

    fn plans_scope_and_roles(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let (plan, etag) = json_and_etag(app.post(PLANS, Some(&coordinator), &plan_body("421")), 201);
        let path = format!("{PLANS}/{}", id_of(&plan));
        // Another province's coordinator: the plan does not exist for them, nor may they plan
        // for a province not theirs.
        let (_, sale) = staff(&app, "coord.plans@demo.madar.ma", "coordinator", "upe-sale", "441");
        assert_problem(app.get(&path, Some(&sale)), 404, "not_found");
        assert_problem(app.patch(&path, Some(&sale), &etag, &json!({"title": "Pris"})), 404, "not_found");
        assert_problem(app.post(&format!("{path}/progress"), Some(&sale), &progress("integration", 5, json!([]))), 404, "not_found");
        assert_problem(app.post(PLANS, Some(&sale), &plan_body("421")), 403, "forbidden");
        let theirs = json_of(app.get(PLANS, Some(&sale)), 200);
        assert_eq!(theirs["items"].as_array().map(Vec::len), Some(0));
        json_of(app.post(PLANS, Some(&sale), &plan_body("441")), 201);

        // Analysts and admins read; bound values follow the statistics' disclosure control.
        for token in [app.token(ANALYST), app.token(ADMIN)] {
            let read = json_of(app.get(&path, Some(&token)), 200);
            let bound = indicator(&read, "reports");
            let suppressed = bound["suppressed"].as_bool() == Some(true);
            assert_eq!(suppressed, bound["value"].is_null(), "{bound}");
            assert!(suppressed || bound["value"].as_f64().is_some_and(|v| v == 0.0 || v >= 5.0), "{bound}");
            assert_problem(app.patch(&path, Some(&token), &etag, &json!({"title": "Non"})), 403, "forbidden");
        }
        let all = json_of(app.get(PLANS, Some(&app.token(ADMIN))), 200);
        assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
        assert_problem(app.post(PLANS, Some(&app.token(ADMIN)), &plan_body("421")), 403, "forbidden");
        for who in [CASE_WORKER, PARTNER, HOTLINE, AUDITOR] {
            assert_problem(app.get(&path, Some(&app.token(who))), 403, "forbidden");
            assert_problem(app.get(PLANS, Some(&app.token(who))), 403, "forbidden");
        }
    }

    fn programme_ships_the_five_objectives_admins_replace_it_readers_see_progress(backend) {
        let app = TestApp::spawn(backend);
        let (admin, coordinator, analyst) = (app.token(ADMIN), app.token(COORDINATOR), app.token(ANALYST));
        let (shipped, etag) = json_and_etag(app.get("/api/v1/programme", Some(&coordinator)), 200);
        let codes: Vec<&str> = shipped["objectives"].as_array().map(|o| o.iter().filter_map(|x| x["code"].as_str()).collect()).unwrap_or_default();
        assert_eq!(codes, ["so1", "so2", "so3", "so4", "so5"]);
        assert_eq!(shipped["objectives"][4]["title"]["ar"], "وضع منظومات للمعلومات والتتبع والتقييم");
        assert_eq!(shipped["progress"][4]["measures"], 0);
        assert!(shipped["progress"][4]["share_done"].is_null());

        let mut objectives = shipped["objectives"].clone();
        objectives[4]["sub_objectives"] = json!([{"key": "so5-1", "title": "Système d'information intégré", "measures": [
            {"key": "so5-1-1", "title": "Déployer Madar dans les provinces pilotes", "sector": "Ministère de la Solidarité",
             "partners": ["UNICEF"], "starts_year": 2026, "ends_year": 2027, "status": "done",
             "indicators": [{"key": "provinces", "name": "Provinces équipées", "baseline": 0, "target": 8,
                             "yearly": [{"year": 2026, "value": 8}]}]},
            {"key": "so5-1-2", "title": "Publier les indicateurs", "sector": "Ministère de la Solidarité", "status": "in_progress"}
        ]}]);
        let (replaced, etag2) = json_and_etag(app.put_if_match("/api/v1/programme", &admin, &etag, &json!({"objectives": objectives})), 200);
        assert_ne!(etag2, etag);
        let so5 = &replaced["progress"][4];
        assert_eq!((so5["measures"].as_i64(), so5["share_done"].as_f64(), so5["indicators_on_target"].as_i64()), (Some(2), Some(0.5), Some(1)));
        let report = json_of(app.get("/api/v1/programme/objectives/so5", Some(&analyst)), 200);
        assert_eq!(report["objective"]["sub_objectives"][0]["measures"][0]["key"], "so5-1-1");
        assert_eq!(report["progress"]["measures"], 2);
        assert_problem(app.get("/api/v1/programme/objectives/so9", Some(&analyst)), 404, "not_found");

        // The five stay; a stale ETag changes nothing; only admins replace it.
        let dropped: Vec<Value> = objectives.as_array().cloned().unwrap_or_default().into_iter().filter(|o| o["code"] != "so3").collect();
        let problem = assert_problem(app.put_if_match("/api/v1/programme", &admin, &etag2, &json!({"objectives": dropped})), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "objectives");
        assert_problem(app.put_if_match("/api/v1/programme", &admin, &etag, &json!({"objectives": objectives})), 412, "precondition_failed");
        assert_problem(app.put_if_match("/api/v1/programme", &coordinator, &etag2, &json!({"objectives": objectives})), 403, "forbidden");
        for who in [CASE_WORKER, PARTNER, HOTLINE, AUDITOR] {
            assert_problem(app.get("/api/v1/programme", Some(&app.token(who))), 403, "forbidden");
        }
        let (read, etag3) = json_and_etag(app.get("/api/v1/programme", Some(&admin)), 200);
        assert_eq!(etag3, etag2);
        assert_eq!(read["progress"][4]["measures"], 2);
    }
}
