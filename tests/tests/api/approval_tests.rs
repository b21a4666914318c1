//! Approvals: a case worker's closure waits for a coordinator (202), who finds it in the inbox
//! and approves (the case closes) or rejects (it stays open); workers never decide; decisions
//! are made once and replay when retried; approval rules per territory.
use madar_tests::cases::*;
use madar_tests::*;

use crate::transition_tests::{closing, moved, step, timeline, transition, transitions_of};

const APPROVALS: &str = "/api/v1/approvals";

fn decision(id: &str) -> String {
    format!("{APPROVALS}/{id}/decision")
}

fn approve() -> Value {
    json!({"decision": "approve", "comment": "Agreed: the family is ready."})
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

/// A case of the demo case worker's organization at the assessment stage, and the pending
/// closure the worker asked for.
fn asked_closure(app: &TestApp, worker: &str, name: &str) -> (OpenedCase, Value) {
    let case = open_case(app, worker, name);
    moved(app, &case, worker, &step("assessment"));
    let approval = json_of(transition(app, &case, worker, &closing()), 202);
    (case, approval)
}

fn put_rule(app: &TestApp, kind: &str, token: &str, enabled: bool) {
    let path = format!("/api/v1/approval-rules/{kind}");
    let res = app.send(
        Method::PUT,
        &path,
        Some(token),
        Some(&json!({"enabled": enabled})),
    );
    json_of(res, 200);
}

fn pending_of(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let path = format!("{APPROVALS}?status=pending&kind={kind}");
    items(&json_of(app.get(&path, Some(token)), 200))
}

backend_tests! {
    fn a_case_workers_closure_waits_for_a_coordinator_who_approves_it(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let (case, approval) = asked_closure(&app, &worker, "Mohamed");
        assert_eq!(approval["kind"], "closure");
        assert_eq!(approval["status"], "pending");
        assert_eq!(approval["case_id"], case.id.as_str());
        assert_eq!(approval["request"], json!({"to": "closed", "closure_reason": "reintegrated_family"}));
        assert_eq!(approval["request_text"]["outcome_note"], "Back home, goes to school.");
        let id = approval["id"].as_str().expect("id").to_string();
        // The case is unchanged but for the request on its timeline.
        let body = json_of(app.get(&case.path, Some(&worker)), 200);
        assert_eq!(body["stage"], "assessment");
        assert!(body["closure_reason"].is_null());
        let last = timeline(&app, &case, &coordinator).pop().expect("event");
        assert_eq!(last["kind"], "approval_requested");
        assert_eq!(last["subject_id"], id.as_str());
        // One pending closure per case.
        assert_problem(transition(&app, &case, &worker, &closing()), 409, "approval_pending");

        // The coordinator's inbox lists it; the worker reads it but cannot decide.
        let inbox = json_of(app.get(&format!("{APPROVALS}?status=pending"), Some(&coordinator)), 200);
        assert_eq!(items(&inbox).len(), 1);
        assert_eq!(items(&inbox)[0]["id"], id.as_str());
        assert_eq!(items(&inbox)[0]["request_text"]["reason"], "The child is back with his family.");
        let (read, etag) = json_and_etag(app.get(&format!("{APPROVALS}/{id}"), Some(&worker)), 200);
        assert_eq!(read["status"], "pending");
        assert!(!etag.is_empty());
        assert_problem(app.post(&decision(&id), Some(&worker), &approve()), 403, "forbidden");
        for user in [HOTLINE, ANALYST, AUDITOR, ADMIN] {
            assert_problem(app.get(APPROVALS, Some(&app.token(user))), 403, "forbidden");
        }
        // A partner reads cases with an empty scope: no approval exists for them.
        assert_eq!(json_of(app.get(APPROVALS, Some(&app.token(PARTNER))), 200)["items"], json!([]));
        assert_problem(app.get(&format!("{APPROVALS}/{id}"), Some(&app.token(PARTNER))), 404, "not_found");

        // Approved: the case closes with what was asked.
        let decided = json_of(app.post_with_key(&decision(&id), &coordinator, "decide-1", &approve()), 200);
        assert_eq!(decided["status"], "approved");
        assert_eq!(decided["comment"], "Agreed: the family is ready.");
        assert!(decided["decided_at"].is_string());
        let closed = json_of(app.get(&case.path, Some(&coordinator)), 200);
        assert_eq!(closed["stage"], "closed");
        assert_eq!(closed["closure_reason"], "reintegrated_family");
        assert_eq!(closed["outcome_note"], "Back home, goes to school.");
        let kinds: Vec<Value> = timeline(&app, &case, &coordinator).iter().map(|e| e["kind"].clone()).collect();
        assert_eq!(kinds[kinds.len() - 2..], [json!("stage_changed"), json!("approval_decided")]);

        // A retry replays the decision; another decision is refused.
        let again = app.post_with_key(&decision(&id), &coordinator, "decide-1", &approve());
        assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        assert_eq!(json_of(again, 200), decided);
        let reject = json!({"decision": "reject"});
        assert_problem(app.post(&decision(&id), Some(&coordinator), &reject), 409, "approval_already_decided");
        let inbox = json_of(app.get(&format!("{APPROVALS}?status=pending"), Some(&coordinator)), 200);
        assert!(items(&inbox).is_empty());
        // Audited: the request, the decision, the worker's step, by action code and id.
        let auditor = app.token(AUDITOR);
        for (action, resource) in [
            ("approval.request", id.as_str()),
            ("approval.decide", id.as_str()),
            ("case.transition", case.id.as_str()),
        ] {
            let page = json_of(app.get(&format!("/api/v1/audit?action={action}"), Some(&auditor)), 200);
            let found = items(&page).iter().any(|e| e["resource_id"] == resource);
            assert!(found, "{action}: {page}");
        }
    }

    fn a_rejected_closure_leaves_the_case_open_and_a_coordinator_closes_directly(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let (case, approval) = asked_closure(&app, &worker, "Youssef");
        let id = approval["id"].as_str().expect("id").to_string();
        let decided = json_of(app.post(&decision(&id), Some(&coordinator), &json!({"decision": "reject"})), 200);
        assert_eq!(decided["status"], "rejected");
        let body = json_of(app.get(&case.path, Some(&worker)), 200);
        assert_eq!(body["stage"], "assessment");
        // The worker may ask again; meanwhile the coordinator closes the case directly (200),
        // so approving the stale request is a conflict, rejecting it still works.
        let again = json_of(transition(&app, &case, &worker, &closing()), 202);
        let again_id = again["id"].as_str().expect("id").to_string();
        assert_eq!(moved(&app, &case, &coordinator, &closing())["stage"], "closed");
        assert_problem(app.post(&decision(&again_id), Some(&coordinator), &approve()), 409, "case_changed");
        let rejected = json_of(app.post(&decision(&again_id), Some(&coordinator), &json!({"decision": "reject"})), 200);
        assert_eq!(rejected["status"], "rejected");
        // Status and kind filters, pending first.
        let all = json_of(app.get(&format!("{APPROVALS}?kind=closure"), Some(&coordinator)), 200);
        assert_eq!(items(&all).len(), 2);
        let plans = json_of(app.get(&format!("{APPROVALS}?kind=plan"), Some(&coordinator)), 200);
        assert!(items(&plans).is_empty());
        let bad = app.get(&format!("{APPROVALS}?status=maybe"), Some(&coordinator));
        assert_problem(bad, 422, "validation_failed");
    }

    fn the_inbox_is_paged_pending_first_and_scoped(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let (_, first) = asked_closure(&app, &worker, "Amine");
        let (_, second) = asked_closure(&app, &worker, "Karim");
        let (_, third) = asked_closure(&app, &worker, "Hamza");
        let first_id = first["id"].as_str().expect("id").to_string();
        json_of(app.post(&decision(&first_id), Some(&coordinator), &json!({"decision": "reject"})), 200);
        let page = json_of(app.get(&format!("{APPROVALS}?limit=2"), Some(&coordinator)), 200);
        let ids: Vec<Value> = items(&page).iter().map(|a| a["id"].clone()).collect();
        assert_eq!(ids, [second["id"].clone(), third["id"].clone()]);
        let cursor = page["next_cursor"].as_str().expect("cursor").to_string();
        let next = json_of(app.get(&format!("{APPROVALS}?limit=2&cursor={cursor}"), Some(&coordinator)), 200);
        assert_eq!(items(&next).len(), 1);
        assert_eq!(items(&next)[0]["id"], first["id"]);
        assert!(next["next_cursor"].is_null());
        // Another territory's coordinator and another centre's worker see none of them.
        centre(&app, "cape-rabat-2", "support_centre", "421");
        let (_, other_worker) = staff(&app, "w@cape-rabat-2.ma", "case_worker", "cape-rabat-2", "421");
        let (_, sale_coordinator) = staff(&app, "c@cape-sale.ma", "coordinator", "cape-sale", "441");
        for token in [&other_worker, &sale_coordinator] {
            assert!(items(&json_of(app.get(APPROVALS, Some(token)), 200)).is_empty());
            assert_problem(app.get(&format!("{APPROVALS}/{first_id}"), Some(token)), 404, "not_found");
        }
        let second_id = second["id"].as_str().expect("id");
        assert_problem(app.post(&decision(second_id), Some(&sale_coordinator), &approve()), 404, "not_found");
    }

    fn a_retried_closure_request_replays_its_202(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Said");
        moved(&app, &case, &worker, &step("assessment"));
        let etag = app.etag(&case.path, &worker);
        let path = transitions_of(&case);
        let first = app.post_if_match(&path, &worker, &etag, Some("close-1"), &closing());
        let location = first.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let body = json_of(first, 202);
        assert_eq!(location, Some(format!("{APPROVALS}/{}", body["id"].as_str().unwrap_or_default())));
        let again = app.post_if_match(&path, &worker, &etag, Some("close-1"), &closing());
        assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        assert_eq!(json_of(again, 202), body);
    }

    fn coordinators_turn_assessment_and_plan_approvals_on_for_their_territory(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let rules = "/api/v1/approval-rules";
        assert_eq!(json_of(app.get(rules, Some(&coordinator)), 200), json!([]));
        let on = json!({"enabled": true});
        let put = |kind: &str, token: &str, body: &Value| {
            app.send(Method::PUT, &format!("{rules}/{kind}"), Some(token), Some(body))
        };
        let rule = json_of(put("assessment", &coordinator, &on), 200);
        assert_eq!(rule["territory"], "421");
        assert_eq!(rule["kind"], "assessment");
        assert_eq!(rule["enabled"], true);
        json_of(put("plan", &coordinator, &on), 200);
        let listed = json_of(app.get(rules, Some(&coordinator)), 200);
        let kinds: Vec<Value> = listed.as_array().unwrap().iter().map(|r| r["kind"].clone()).collect();
        assert_eq!(kinds, [json!("assessment"), json!("plan")]);
        assert_problem(put("closure", &coordinator, &on), 422, "validation_failed");
        assert_problem(put("assessment", &worker, &on), 403, "forbidden");
        assert_problem(app.get(rules, Some(&worker)), 403, "forbidden");
        let (_, sale_coordinator) = staff(&app, "c@cape-sale.ma", "coordinator", "cape-sale", "441");
        assert_eq!(json_of(app.get(rules, Some(&sale_coordinator)), 200), json!([]));
        let off = json_of(put("plan", &coordinator, &json!({"enabled": false})), 200);
        assert_eq!(off["enabled"], false);
        assert_eq!(json_of(app.get(rules, Some(&coordinator)), 200).as_array().map(Vec::len), Some(1));
    }

    fn assessments_and_plans_wait_for_a_coordinator_where_the_territory_turned_it_on(backend) {
        use crate::transition_tests::{assess, write_plan};
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        put_rule(&app, "assessment", &coordinator, true);
        put_rule(&app, "plan", &coordinator, true);
        let case = open_case(&app, &worker, "Zakaria");
        moved(&app, &case, &worker, &step("assessment"));
        let assessment = assess(&app, &case, &worker);
        assert_eq!(assessment["status"], "pending_approval");
        let pending = pending_of(&app, &coordinator, "assessment");
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0]["subject_id"], assessment["id"]);
        let transitions = transitions_of(&case);
        let etag = app.etag(&case.path, &worker);
        let res = app.post_if_match(&transitions, &worker, &etag, None, &step("planning"));
        assert_problem(res, 422, "assessment_required");
        let id = pending[0]["id"].as_str().expect("id").to_string();
        json_of(app.post(&decision(&id), Some(&coordinator), &approve()), 200);
        let body = json_of(app.get(&case.path, Some(&worker)), 200);
        assert_eq!(body["risk_level"], assessment["risk_level"]);
        moved(&app, &case, &worker, &step("planning"));

        // A plan waits too; rejected, it is rewritten and approved.
        let (plan, plan_etag) = json_and_etag(write_plan(&app, &case, &worker, None), 201);
        assert_eq!(plan["status"], "pending_approval");
        let etag = app.etag(&case.path, &worker);
        let res = app.post_if_match(&transitions, &worker, &etag, None, &step("implementation"));
        assert_problem(res, 422, "plan_required");
        let first = pending_of(&app, &coordinator, "plan");
        let first_id = first[0]["id"].as_str().expect("id").to_string();
        json_of(app.post(&decision(&first_id), Some(&coordinator), &json!({"decision": "reject", "comment": "Add a school objective."})), 200);
        let plan = json_of(app.get(&format!("{}/plan", case.path), Some(&worker)), 200);
        assert_eq!(plan["status"], "rejected");
        let plan_etag = app.etag(&format!("{}/plan", case.path), &worker).max(plan_etag);
        json_of(write_plan(&app, &case, &worker, Some(&plan_etag)), 200);
        let second = pending_of(&app, &coordinator, "plan");
        assert_eq!(second.len(), 1);
        let second_id = second[0]["id"].as_str().expect("id").to_string();
        json_of(app.post(&decision(&second_id), Some(&coordinator), &approve()), 200);
        let plan = json_of(app.get(&format!("{}/plan", case.path), Some(&worker)), 200);
        assert_eq!(plan["status"], "active");
        assert_eq!(moved(&app, &case, &worker, &step("implementation"))["stage"], "implementation");
        let decided: Vec<Value> = timeline(&app, &case, &coordinator)
            .into_iter()
            .filter(|e| e["kind"] == "approval_decided")
            .map(|e| e["detail"].clone())
            .collect();
        assert_eq!(decided, [
            json!({"kind": "assessment", "decision": "approve"}),
            json!({"kind": "plan", "decision": "reject"}),
            json!({"kind": "plan", "decision": "approve"}),
        ]);
    }
}
