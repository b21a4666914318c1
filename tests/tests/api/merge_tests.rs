//! Merging a duplicate child record into the surviving one and undoing it: what follows the
//! duplicate (a screened report's link), what hides it, who may merge; a child's access log.
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use madar_tests::*;

const CHILDREN: &str = "/api/v1/children";

fn birth_year() -> i32 {
    Utc::now().year() - 10
}

fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_string()
}

/// Mohamed El Idrissi as a child record, in Arabic script, in `territory`.
fn mohamed(territory: &str) -> Value {
    json!({
        "given_name_ar": "محمد", "family_name_ar": "الإدريسي", "sex": "male",
        "estimated_birth_year": birth_year(), "civil_status": "registered", "territory": territory
    })
}

fn create_child(app: &TestApp, token: &str, body: &Value) -> String {
    id_of(&json_of(app.post(CHILDREN, Some(token), body), 201))
}

/// A report of Mohamed El Idrissi in 421, screened by the coordinator as a new child (the
/// duplicate of `mohamed`); returns (report id, the new child's id).
fn screened_duplicate(app: &TestApp, coordinator: &str) -> (String, String) {
    let report = json!({
        "source": "hotline_2511",
        "received_at": (Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
        "reporter": {"type": "anonymous"},
        "children": [{
            "given_name_latin": "Mohamed", "family_name_latin": "El Idrissi", "sex": "male",
            "estimated_birth_year": birth_year(), "territory": "421",
            "address_text": "Derb Sidi Fateh", "situation": ["out_of_school"]
        }],
        "concerns": ["neglect"],
        "immediate_danger": false,
        "narrative": "L'enfant dort dehors."
    });
    let report = id_of(&json_of(
        app.post("/api/v1/reports", Some(&app.token(HOTLINE)), &report),
        201,
    ));
    let accept = json!({"decision": "accept", "children": [{"index": 0, "create": true, "confirm_new": true}]});
    let outcome = json_of(
        app.post(
            &format!("/api/v1/reports/{report}/screening"),
            Some(coordinator),
            &accept,
        ),
        200,
    );
    let child = outcome["children"][0]["child_id"]
        .as_str()
        .expect("child_id")
        .to_string();
    (report, child)
}

fn merge(app: &TestApp, token: &str, survivor: &str, duplicate: &str) -> Response {
    app.post(
        &format!("{CHILDREN}/{survivor}/merge"),
        Some(token),
        &json!({"duplicate_id": duplicate}),
    )
}

fn undo(app: &TestApp, token: &str, survivor: &str, merge_id: &str) -> Response {
    app.post(
        &format!("{CHILDREN}/{survivor}/merges/{merge_id}/undo"),
        Some(token),
        &json!({}),
    )
}

fn linked_child(app: &TestApp, token: &str, report: &str) -> Value {
    json_of(
        app.get(&format!("/api/v1/reports/{report}"), Some(token)),
        200,
    )["children"][0]["child_id"]
        .clone()
}

fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    json_of(app.get(&format!("{CHILDREN}{query}"), Some(token)), 200)["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

/// The action codes of a child's access log.
fn access_log(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    json_of(
        app.get(&format!("{CHILDREN}/{id}/access-log"), Some(token)),
        200,
    )["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action").to_string())
        .collect()
}

/// A case worker of CAPE Salé (territory 441); returns a token.
fn sale_case_worker(app: &TestApp) -> String {
    let body = json!({
        "email": "worker@cape-sale.ma", "display_name": "Salé worker",
        "password": "a long password for sale", "role": "case_worker",
        "organization": "cape-sale", "territory": "441"
    });
    json_of(
        app.post("/api/v1/users", Some(&app.token(ADMIN)), &body),
        201,
    );
    app.login_body("worker@cape-sale.ma", "a long password for sale")["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

backend_tests! {
    fn a_merge_moves_the_report_link_and_hides_the_duplicate_and_undo_restores_both(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let survivor = create_child(&app, &coordinator, &mohamed("421"));
        let (report, duplicate) = screened_duplicate(&app, &coordinator);
        assert_eq!(linked_child(&app, &coordinator, &report), duplicate.as_str());
        assert!(listed(&app, &coordinator, "?q=Mohamed").contains(&duplicate));

        let case = json_of(app.get(&format!("{CHILDREN}/{duplicate}/cases"), Some(&coordinator)), 200)["items"][0]["id"].clone();
        let res = merge(&app, &coordinator, &survivor, &duplicate);
        assert!(res.headers().get("etag").is_some());
        let merged = json_of(res, 200);
        assert_eq!(merged["survivor_id"], survivor.as_str());
        assert_eq!(merged["duplicate_id"], duplicate.as_str());
        // The report's link and the case screening opened follow the child.
        let mut moved = merged["moved"].as_array().cloned().unwrap_or_default();
        moved.sort_by_key(|m| m["kind"].to_string());
        assert_eq!(moved, [json!({"kind": "case", "id": case}), json!({"kind": "report_link", "id": format!("{report}:0")})]);
        assert_eq!(merged["undone_at"], Value::Null);
        let merge_id = id_of(&merged);
        // The survivor lists it, for an undo from a later visit.
        let merges = format!("{CHILDREN}/{survivor}/merges");
        assert_eq!(json_of(app.get(&merges, Some(&coordinator)), 200), json!([merged.clone()]));
        // The report now points at the survivor; the duplicate is gone from reads, lists,
        // searches and matches.
        assert_eq!(linked_child(&app, &coordinator, &report), survivor.as_str());
        assert_problem(app.get(&format!("{CHILDREN}/{duplicate}"), Some(&coordinator)), 404, "not_found");
        assert_eq!(listed(&app, &coordinator, ""), vec![survivor.clone()]);
        assert!(!listed(&app, &coordinator, "?q=Mohamed").contains(&duplicate));
        let query = format!("given_name=Mohamed&family_name=El%20Idrissi&birth_year={}&sex=male&territory=421", birth_year());
        let matches = json_of(app.get(&format!("{CHILDREN}/matches?{query}"), Some(&coordinator)), 200);
        assert!(matches.to_string().contains(&survivor), "{matches}");
        assert!(!matches.to_string().contains(&duplicate), "{matches}");
        // Neither side of a merge can be merged again.
        let third = create_child(&app, &coordinator, &json!({
            "given_name_latin": "Khadija", "family_name_latin": "Alaoui", "sex": "female",
            "estimated_birth_year": 2016, "civil_status": "registered", "territory": "421"
        }));
        assert_problem(merge(&app, &coordinator, &third, &duplicate), 409, "child_merged");
        assert_problem(merge(&app, &coordinator, &duplicate, &third), 409, "child_merged");

        let undone = json_of(undo(&app, &coordinator, &survivor, &merge_id), 200);
        assert!(undone["undone_at"].is_string(), "{undone}");
        assert_eq!(json_of(app.get(&merges, Some(&coordinator)), 200), json!([undone.clone()]));
        assert_eq!(undone["moved"], merged["moved"]);
        assert_eq!(linked_child(&app, &coordinator, &report), duplicate.as_str());
        json_of(app.get(&format!("{CHILDREN}/{duplicate}"), Some(&coordinator)), 200);
        assert!(listed(&app, &coordinator, "?q=Mohamed").contains(&duplicate), "keys restored");
        assert!(listed(&app, &coordinator, "").contains(&duplicate));
        // Undoing twice is refused, and changes nothing.
        assert_problem(undo(&app, &coordinator, &survivor, &merge_id), 409, "merge_already_undone");
        assert_eq!(linked_child(&app, &coordinator, &report), duplicate.as_str());
        // An unknown merge, or one of another child: 404.
        assert_problem(undo(&app, &coordinator, &survivor, &uuid::Uuid::new_v4().to_string()), 404, "not_found");
        assert_problem(undo(&app, &coordinator, &third, &merge_id), 404, "not_found");
    }

    fn only_coordinators_merge_children_in_their_territory(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let survivor = create_child(&app, &coordinator, &mohamed("421"));
        let duplicate = create_child(&app, &coordinator, &mohamed("421"));
        for email in [CASE_WORKER, PARTNER, HOTLINE, ADMIN, ANALYST, AUDITOR] {
            assert_problem(merge(&app, &app.token(email), &survivor, &duplicate), 403, "forbidden");
        }
        let path = format!("{CHILDREN}/{survivor}/merge");
        assert_problem(app.post(&path, None, &json!({"duplicate_id": duplicate})), 401, "unauthorized");
        // A child outside the territory, on either side, or none at all: 404.
        let elsewhere = create_child(&app, &sale_case_worker(&app), &mohamed("441"));
        assert_problem(merge(&app, &coordinator, &survivor, &elsewhere), 404, "not_found");
        assert_problem(merge(&app, &coordinator, &elsewhere, &survivor), 404, "not_found");
        assert_problem(merge(&app, &coordinator, &survivor, &uuid::Uuid::new_v4().to_string()), 404, "not_found");
        // Into itself: 422 on duplicate_id.
        let body = assert_problem(merge(&app, &coordinator, &survivor, &survivor), 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "duplicate_id");
        assert_eq!(body["errors"][0]["code"], "same_child");
        // Nothing was merged.
        assert_eq!(listed(&app, &coordinator, "").len(), 2);
        let merged = json_of(merge(&app, &coordinator, &survivor, &duplicate), 200);
        assert_eq!(merged["moved"], json!([]));
        // Undo is the coordinators' too, and so is the list of merges (in their territory).
        let merge_id = id_of(&merged);
        assert_problem(undo(&app, &app.token(CASE_WORKER), &survivor, &merge_id), 403, "forbidden");
        let merges = format!("{CHILDREN}/{survivor}/merges");
        assert_problem(app.get(&merges, Some(&app.token(CASE_WORKER))), 403, "forbidden");
        let elsewhere_merges = format!("{CHILDREN}/{elsewhere}/merges");
        assert_problem(app.get(&elsewhere_merges, Some(&coordinator)), 404, "not_found");
    }

    fn a_retried_merge_is_replayed(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let survivor = create_child(&app, &coordinator, &mohamed("421"));
        let duplicate = create_child(&app, &coordinator, &mohamed("421"));
        let send = |key: &str, duplicate: &str| {
            app.client
                .post(app.url(&format!("{CHILDREN}/{survivor}/merge")))
                .bearer_auth(&coordinator)
                .header("idempotency-key", key)
                .json(&json!({"duplicate_id": duplicate}))
                .send()
                .expect("request")
        };
        let first = send("merge-1", &duplicate);
        assert_eq!(first.status(), 200);
        let etag = first.headers()["etag"].clone();
        let first = first.bytes().expect("body");
        let again = send("merge-1", &duplicate);
        assert_eq!(again.status(), 200);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.headers()["etag"], etag);
        assert_eq!(again.bytes().expect("body"), first);
        let third = create_child(&app, &coordinator, &mohamed("421"));
        assert_problem(send("merge-1", &third), 422, "idempotency_key_reused");
        // Without the key, it is a second merge.
        assert_problem(merge(&app, &coordinator, &survivor, &duplicate), 409, "child_merged");
    }

    fn the_access_log_lists_the_events_about_the_child_only(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let survivor = create_child(&app, &coordinator, &mohamed("421"));
        let duplicate = create_child(&app, &coordinator, &mohamed("421"));
        let other = create_child(&app, &coordinator, &json!({
            "given_name_latin": "Khadija", "family_name_latin": "Alaoui", "sex": "female",
            "estimated_birth_year": 2016, "civil_status": "registered", "territory": "421"
        }));
        json_of(app.get(&format!("{CHILDREN}/{survivor}"), Some(&coordinator)), 200);
        // Reads are recorded within a second.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !access_log(&app, &coordinator, &survivor).iter().any(|a| a == "child.read") {
            assert!(Instant::now() < deadline, "no child.read event");
            std::thread::sleep(Duration::from_millis(100));
        }
        json_of(merge(&app, &coordinator, &survivor, &duplicate), 200);
        let actions = access_log(&app, &coordinator, &survivor);
        // Newest first.
        assert_eq!(actions, ["child.merge", "child.read", "child.create"], "{actions:?}");
        let page = json_of(app.get(&format!("{CHILDREN}/{survivor}/access-log?limit=1"), Some(&coordinator)), 200);
        let entry = &page["items"][0];
        assert_eq!(entry["action"], "child.merge");
        assert_eq!(entry["actor_kind"], "user");
        assert!(entry["actor_id"].is_string() && entry["id"].is_i64(), "{entry}");
        assert!(entry.get("resource_id").is_none(), "{entry}");
        let cursor = page["next_cursor"].as_str().expect("cursor");
        let next = json_of(app.get(&format!("{CHILDREN}/{survivor}/access-log?limit=1&cursor={cursor}"), Some(&coordinator)), 200);
        assert_eq!(next["items"][0]["action"], "child.read");
        // Nothing about the others.
        assert_eq!(access_log(&app, &coordinator, &other), ["child.create"]);
        // A merged child is not found; others may not read the log.
        assert_problem(app.get(&format!("{CHILDREN}/{duplicate}/access-log"), Some(&coordinator)), 404, "not_found");
        for email in [CASE_WORKER, AUDITOR, ADMIN, HOTLINE] {
            assert_problem(app.get(&format!("{CHILDREN}/{survivor}/access-log"), Some(&app.token(email))), 403, "forbidden");
        }
        let elsewhere = create_child(&app, &sale_case_worker(&app), &mohamed("441"));
        assert_problem(app.get(&format!("{CHILDREN}/{elsewhere}/access-log"), Some(&coordinator)), 404, "not_found");
    }

    fn consents_follow_the_duplicate_and_come_back_on_undo(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let survivor = create_child(&app, &worker, &mohamed("421"));
        let duplicate = create_child(&app, &worker, &mohamed("421"));
        let consent = json!({
            "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
            "recipients": ["cape-sale"], "field_groups": ["identity"], "purpose": "Suivi scolaire."
        });
        let consent = id_of(&json_of(app.post(&format!("{CHILDREN}/{duplicate}/consents"), Some(&worker), &consent), 201));
        let consents_of = |child: &str| -> Vec<String> {
            json_of(app.get(&format!("{CHILDREN}/{child}/consents"), Some(&worker)), 200)["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["id"].as_str().expect("id").to_string())
                .collect()
        };
        let merged = json_of(merge(&app, &coordinator, &survivor, &duplicate), 200);
        assert_eq!(merged["moved"], json!([{"kind": "consent", "id": consent}]));
        assert_eq!(consents_of(&survivor), std::slice::from_ref(&consent));
        json_of(undo(&app, &coordinator, &survivor, &id_of(&merged)), 200);
        assert_eq!(consents_of(&duplicate), [consent]);
        assert!(consents_of(&survivor).is_empty());
    }
}
