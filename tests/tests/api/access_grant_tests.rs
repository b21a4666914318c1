//! Break-the-glass (issue 10): a coordinator opens a case outside their territory, with its
//! child and its reports, for a limited time and a written reason; the access is audited and
//! auditors list the grants. And legal holds on cases (what retention leaves whole; its run is
//! in keys_tests).
use std::time::{Duration, Instant};

use madar_tests::cases::*;
use madar_tests::*;

const GRANTS: &str = "/api/v1/access-grants";

/// A case in Salé (441), outside the demo coordinator's territory (421).
fn sale_case(app: &TestApp) -> OpenedCase {
    let (_, worker) = staff(app, "sale@glass.ma", "case_worker", "cape-sale", "441");
    open_case_from(app, &worker, &report_body("Ghali", "Glass", "441", false))
}

fn grant_body(case: &str) -> Value {
    json!({"case_id": case, "reason": "Child seen in Rabat at night, hotline escalation."})
}

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The audit actions on `resource_id`, waiting up to 10 s for `wanted` (reads are buffered).
fn audited(app: &TestApp, auditor: &str, resource_id: &str, wanted: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = json_of(
            app.get(
                &format!("/api/v1/audit?resource_id={resource_id}&limit=200"),
                Some(auditor),
            ),
            200,
        );
        let seen: Vec<String> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["action"].as_str().unwrap_or("").to_string())
            .collect();
        if seen.iter().any(|a| a == wanted) || Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

backend_tests! {
    fn break_the_glass_opens_a_case_outside_the_territory_for_a_limited_time_audited(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, auditor) = (app.token(COORDINATOR), app.token(AUDITOR));
        let case = sale_case(&app);
        let child = format!("/api/v1/children/{}", case.child_id);
        assert_eq!(app.get(&case.path, Some(&coordinator)).status(), 404, "outside the territory");

        // Refused: other roles; a short reason; a case in scope; an unknown case; too long.
        for token in [app.token(CASE_WORKER), app.token(ADMIN), auditor.clone()] {
            assert_eq!(app.post(GRANTS, Some(&token), &grant_body(&case.id)).status(), 403);
        }
        let res = app.post(GRANTS, Some(&coordinator), &json!({"case_id": case.id, "reason": "urgent"}));
        assert_eq!(res.status(), 422);
        let own = open_case(&app, &coordinator, "Rabati");
        let res = app.post(GRANTS, Some(&coordinator), &grant_body(&own.id));
        assert_eq!(codes(&json_of(res, 422)), vec!["in_scope"]);
        let res = app.post(GRANTS, Some(&coordinator), &grant_body("00000000-0000-7000-8000-000000000001"));
        assert_eq!(codes(&json_of(res, 422)), vec!["unknown_case"]);
        let mut long = grant_body(&case.id);
        long["hours"] = json!(73);
        assert_eq!(app.post(GRANTS, Some(&coordinator), &long).status(), 422);
        assert_eq!(app.get(&case.path, Some(&coordinator)).status(), 404, "refusals changed nothing");

        // Granted: the case, its records and its child open, for 8 hours by default.
        let res = app.post_with_key(GRANTS, &coordinator, "glass-1", &grant_body(&case.id));
        assert_eq!(res.status(), 201);
        let location = res.headers()["location"].to_str().expect("location").to_string();
        let grant: Value = res.json().expect("grant");
        assert_eq!(location, format!("{GRANTS}/{}", grant["id"].as_str().expect("id")));
        assert_eq!(grant["case_id"], case.id.as_str());
        assert_eq!(grant["child_id"], case.child_id.as_str());
        assert_eq!(grant["reason"], "Child seen in Rabat at night, hotline escalation.");
        assert_eq!(grant["active"], true);
        let (from, to) = (
            grant["granted_at"].as_str().expect("granted_at").parse::<chrono::DateTime<chrono::Utc>>().expect("time"),
            grant["expires_at"].as_str().expect("expires_at").parse::<chrono::DateTime<chrono::Utc>>().expect("time"),
        );
        assert_eq!(to - from, chrono::TimeDelta::hours(8));
        let replay = app.post_with_key(GRANTS, &coordinator, "glass-1", &grant_body(&case.id));
        assert_eq!(json_of(replay, 201)["id"], grant["id"], "a retry replays");
        let body = json_of(app.get(&case.path, Some(&coordinator)), 200);
        assert_eq!(body["id"], case.id.as_str());
        assert_eq!(app.get(&format!("{}/timeline", case.path), Some(&coordinator)).status(), 200);
        assert_eq!(app.get(&child, Some(&coordinator)).status(), 200);
        let res = app.post(GRANTS, Some(&coordinator), &grant_body(&case.id));
        assert_eq!(json_of(res, 409)["code"], "grant_active");
        // Another coordinator of Rabat has no such access.
        let (_, other) = staff(&app, "other@glass.ma", "coordinator", "cape-rabat", "421");
        assert_eq!(app.get(&case.path, Some(&other)).status(), 404);

        // The auditor sees the grant with its reason, its creation and its uses.
        let id = grant["id"].as_str().expect("id");
        let listed = json_of(app.get(&format!("{GRANTS}?active=true"), Some(&auditor)), 200);
        assert!(listed["items"].as_array().expect("items").iter().any(|g| g["id"] == id && g["reason"] == grant["reason"]), "{listed}");
        assert_eq!(json_of(app.get(&location, Some(&auditor)), 200)["id"], id);
        assert!(audited(&app, &auditor, id, "access_grant.create").contains(&"access_grant.create".to_string()));
        let on_case = audited(&app, &auditor, &case.id, "access_grant.use");
        assert!(on_case.contains(&"access_grant.use".to_string()) && on_case.contains(&"case.read".to_string()), "{on_case:?}");
        let on_child = audited(&app, &auditor, &case.child_id, "access_grant.use");
        assert!(on_child.contains(&"access_grant.use".to_string()), "{on_child:?}");
        // Coordinators list their own grants only; other roles are refused.
        let mine = json_of(app.get(GRANTS, Some(&coordinator)), 200);
        assert_eq!(mine["items"].as_array().expect("items").len(), 1);
        assert_eq!(json_of(app.get(GRANTS, Some(&other)), 200)["items"], json!([]));
        assert_eq!(app.get(&location, Some(&other)).status(), 404);
        for token in [app.token(CASE_WORKER), app.token(ADMIN), app.token(ANALYST)] {
            assert_eq!(app.get(GRANTS, Some(&token)).status(), 403);
        }

        // Past its time the case closes again.
        app.advance_clock(8 * 3600 + 60);
        let (coordinator, auditor) = (app.token(COORDINATOR), app.token(AUDITOR));
        let (_, other) = staff(&app, "third@glass.ma", "coordinator", "cape-rabat", "421");
        assert_eq!(app.get(&case.path, Some(&coordinator)).status(), 404);
        assert_eq!(app.get(&child, Some(&coordinator)).status(), 404);
        assert_eq!(json_of(app.get(&location, Some(&coordinator)), 200)["active"], false);
        let expired = json_of(app.get(&format!("{GRANTS}?active=false"), Some(&auditor)), 200);
        assert_eq!(expired["items"][0]["id"], id);

        // A new grant, ended by its holder: closed at once; ending again changes nothing.
        let mut short = grant_body(&case.id);
        short["hours"] = json!(1);
        let second = json_of(app.post(GRANTS, Some(&coordinator), &short), 201);
        assert_eq!(app.get(&case.path, Some(&coordinator)).status(), 200);
        let end = format!("{GRANTS}/{}/end", second["id"].as_str().expect("id"));
        assert_eq!(app.post(&end, Some(&other), &json!(null)).status(), 404, "not theirs");
        let ended = json_of(app.post(&end, Some(&coordinator), &json!(null)), 200);
        assert_eq!(ended["active"], false);
        assert!(ended["ended_at"].is_string());
        assert_eq!(app.get(&case.path, Some(&coordinator)).status(), 404);
        let again = json_of(app.post(&end, Some(&coordinator), &json!(null)), 200);
        assert_eq!(again["ended_at"], ended["ended_at"]);
    }

    fn a_grant_opens_the_reports_of_its_case_but_not_the_inbox(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, auditor) = (app.token(COORDINATOR), app.token(AUDITOR));
        let case = sale_case(&app);
        let report = format!("/api/v1/reports/{}", case.report_id);
        assert_eq!(app.get(&report, Some(&coordinator)).status(), 404, "outside the territory");
        let mut body = grant_body(&case.id);
        body["hours"] = json!(2);
        json_of(app.post(GRANTS, Some(&coordinator), &body), 201);

        // The case's report reads whole, as in the territory, and its use is audited.
        let read = json_of(app.get(&report, Some(&coordinator)), 200);
        assert_eq!(read["id"], case.report_id.as_str());
        assert_eq!(read["children"][0]["given_name_latin"], "Ghali", "whole: {read}");
        let on_report = audited(&app, &auditor, &case.report_id, "access_grant.use");
        assert!(on_report.contains(&"access_grant.use".to_string()) && on_report.contains(&"report.read".to_string()), "{on_report:?}");
        // The inbox stays the territory's: a grant opens a record, it adds no work.
        let inbox = json_of(app.get("/api/v1/reports?limit=200", Some(&coordinator)), 200);
        assert!(!inbox["items"].as_array().expect("items").iter().any(|r| r["id"] == case.report_id.as_str()), "{inbox}");
        // Another report of Salé, of no granted case, stays closed.
        let (_, worker) = staff(&app, "sale2@glass.ma", "case_worker", "cape-sale", "441");
        let other = json_of(app.post("/api/v1/reports", Some(&worker), &report_body("Hiba", "Glass", "441", false)), 201);
        assert_eq!(app.get(&format!("/api/v1/reports/{}", id_of(&other)), Some(&coordinator)).status(), 404);

        // Past the grant's two hours the report closes again.
        app.advance_clock(2 * 3600 + 60);
        let coordinator = app.token(COORDINATOR);
        assert_eq!(app.get(&report, Some(&coordinator)).status(), 404);
    }

    fn a_legal_hold_is_placed_read_and_lifted_by_those_who_see_the_case(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let case = open_case(&app, &worker, "Hold");
        let hold = format!("{}/legal-hold", case.path);
        let body = json!({"reason": "Procédure n° 12/2026 devant le tribunal de première instance."});
        assert_eq!(app.get(&hold, Some(&worker)).status(), 404, "no hold yet");
        assert_eq!(app.send(Method::PUT, &hold, Some(&worker), Some(&body)).status(), 403);
        assert_eq!(app.send(Method::PUT, &hold, Some(&coordinator), Some(&json!({"reason": ""}))).status(), 422);
        let placed = json_of(app.send(Method::PUT, &hold, Some(&coordinator), Some(&body)), 200);
        assert_eq!(placed["case_id"], case.id.as_str());
        assert_eq!(placed["reason"], body["reason"]);
        let read = json_of(app.get(&hold, Some(&worker)), 200);
        assert_eq!(read, placed);
        let stored = app.db.strings("SELECT reason_sealed FROM legal_holds");
        assert_eq!(stored.len(), 1);
        assert!(!stored[0].contains("tribunal"), "the reason is sealed");
        // Outside the scope: 404, as for the case.
        let (_, sale) = staff(&app, "coord@hold.ma", "coordinator", "cape-sale", "441");
        assert_eq!(app.get(&hold, Some(&sale)).status(), 404);
        assert_eq!(app.send(Method::PUT, &hold, Some(&sale), Some(&body)).status(), 404);
        assert_eq!(app.delete(&hold, Some(&sale)).status(), 404);
        // Replaced, then lifted; lifting again finds none.
        let newer = json!({"reason": "Enquête de la police judiciaire."});
        let replaced = json_of(app.send(Method::PUT, &hold, Some(&coordinator), Some(&newer)), 200);
        assert_eq!(replaced["reason"], newer["reason"]);
        assert_eq!(app.delete(&hold, Some(&worker)).status(), 403);
        assert_eq!(app.delete(&hold, Some(&coordinator)).status(), 204);
        assert_eq!(app.get(&hold, Some(&worker)).status(), 404);
        assert_eq!(app.delete(&hold, Some(&coordinator)).status(), 404);
        let auditor = app.token(AUDITOR);
        let seen = audited(&app, &auditor, &case.id, "legal_hold.lift");
        assert_eq!(seen.iter().filter(|a| *a == "legal_hold.place").count(), 2, "{seen:?}");
        assert!(seen.contains(&"legal_hold.lift".to_string()), "{seen:?}");
    }
}
