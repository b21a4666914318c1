//! Protocols and their actions: the shipped national protocol in force on a fresh server,
//! publication's validation as a table (every problem listed), a provincial variant that
//! replaces, disables and adds rules, actions created with their deadlines on the test clock,
//! completion and waiver with their access rules, and alerts once the clock passes a deadline.
use chrono::{DateTime, Utc};
use madar_tests::cases::*;
use madar_tests::*;

const PROTOCOLS: &str = "/api/v1/protocols";

fn report_actions(report_id: &str) -> String {
    format!("/api/v1/reports/{report_id}/actions")
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

/// The actions of a report or a case (`path`), as `token`.
fn actions(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    items(&json_of(app.get(path, Some(token)), 200))
}

fn action<'a>(list: &'a [Value], code: &str) -> &'a Value {
    list.iter()
        .find(|a| a["action"] == code)
        .unwrap_or_else(|| panic!("no {code} in {list:?}"))
}

fn codes(list: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = list
        .iter()
        .map(|a| a["action"].as_str().unwrap_or_default().to_string())
        .collect();
    c.sort();
    c
}

fn hours_from_now(value: &Value) -> f64 {
    let due: DateTime<Utc> = value.as_str().expect("time").parse().expect("rfc3339");
    (due - Utc::now()).num_seconds() as f64 / 3600.0
}

/// Files a report as `token`; returns its id.
fn file(app: &TestApp, token: &str, report: &Value) -> String {
    id_of(&json_of(
        app.post("/api/v1/reports", Some(token), report),
        201,
    ))
}

fn rule(key: &str, event: &str, action: &str, hours: i64) -> Value {
    json!({
        "key": key, "trigger": {"event": event},
        "actions": [{"action": action, "responsible": "owning_organization", "deadline_hours": hours}]
    })
}

/// Creates a draft as `token` and publishes it; returns the publication's response.
fn create_and_publish(
    app: &TestApp,
    token: &str,
    territory: &str,
    rules: Value,
) -> reqwest::blocking::Response {
    let body = json!({"territory": territory, "title": "Protocole", "rules": rules});
    let (draft, etag) = json_and_etag(app.post(PROTOCOLS, Some(token), &body), 201);
    assert_eq!(draft["status"], "draft");
    let path = format!("{PROTOCOLS}/{}/publish", id_of(&draft));
    app.post_if_match(&path, token, &etag, None, &json!(null))
}

fn alerts(app: &TestApp, token: &str) -> Vec<Value> {
    items(&json_of(app.get("/api/v1/alerts", Some(token)), 200))
}

/// The actions of a case that `event` created.
fn fired_by(app: &TestApp, token: &str, case: &OpenedCase, event: &str) -> Vec<Value> {
    actions(app, token, &format!("{}/actions", case.path))
        .into_iter()
        .filter(|a| a["trigger"] == event)
        .collect()
}

/// The alerts of `kind` for `token`.
fn alerts_of(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    alerts(app, token)
        .into_iter()
        .filter(|a| a["kind"] == kind)
        .collect()
}

const DAY: i64 = 24 * 3600;

backend_tests! {
    fn protocol_shipped_national_is_in_force_on_a_fresh_server(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let body = json_of(app.get(&format!("{PROTOCOLS}?territory=MA&status=published"), Some(&admin)), 200);
        let list = items(&body);
        assert_eq!(list.len(), 1, "{body}");
        assert_eq!(list[0]["national"], true);
        let keys: Vec<&str> = list[0]["rules"].as_array().expect("rules").iter()
            .filter_map(|r| r["key"].as_str()).collect();
        for key in ["immediate_danger_screening", "sexual_violence_care", "street_situation_outreach", "turning_18_transition"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        // Case workers read protocols; partners, the hotline, analysts and auditors do not.
        assert_eq!(app.get(PROTOCOLS, Some(&app.token(CASE_WORKER))).status(), 200);
        for who in [PARTNER, HOTLINE, ANALYST, AUDITOR] {
            assert_problem(app.get(PROTOCOLS, Some(&app.token(who))), 403, "forbidden");
        }
    }

    fn protocol_publication_lists_every_problem(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let table = [
            (json!({"key": "a", "trigger": {"event": "full_moon"}, "actions": [{"action": "contact_child", "responsible": "owning_organization", "deadline_hours": 2}]}), "rules[a].trigger.event", "unknown_event"),
            (json!({"key": "b", "trigger": {"event": "case_opened"}, "actions": [{"action": "dance", "responsible": "owning_organization", "deadline_hours": 2}]}), "rules[b].actions[0].action", "unknown_action"),
            (json!({"key": "c", "trigger": {"event": "case_opened"}, "actions": [{"action": "home_visit", "responsible": "owning_organization", "deadline_hours": 0}]}), "rules[c].actions[0].deadline_hours", "invalid_deadline"),
            (json!({"key": "d", "trigger": {"event": "case_opened"}, "actions": [{"action": "home_visit", "responsible": "owning_organization", "deadline_hours": 9000}]}), "rules[d].actions[0].deadline_hours", "invalid_deadline"),
            (json!({"key": "e", "trigger": {"event": "case_opened"}, "actions": [{"action": "home_visit", "responsible": "wizards", "deadline_hours": 5}]}), "rules[e].actions[0].responsible", "unknown_responsible"),
            (json!({"key": "f", "trigger": {"event": "concern_present", "concerns": ["boredom"]}, "actions": [{"action": "home_visit", "responsible": "owning_organization", "deadline_hours": 5}]}), "rules[f].trigger.concerns[0]", "unknown_concern"),
            (json!({"key": "g", "trigger": {"event": "case_opened"}, "actions": [{"action": "service_referral", "responsible": "owning_organization", "deadline_hours": 5}]}), "rules[g].actions[0].service_type", "required"),
            (json!({"key": "h", "trigger": {"event": "case_opened"}, "actions": []}), "rules[h].actions", "required"),
            (json!({"key": "i", "disabled": true}), "rules[i].disabled", "disabled_in_national"),
            (rule("a", "case_opened", "home_visit", 5), "rules[a].key", "duplicate_key"),
        ];
        let rules: Vec<Value> = table.iter().map(|(r, _, _)| r.clone()).collect();
        let res = create_and_publish(&app, &admin, "MA", json!(rules));
        let problem = assert_problem(res, 422, "validation_failed");
        let errors = problem["errors"].as_array().cloned().unwrap_or_default();
        for (_, field, code) in &table {
            assert!(
                errors.iter().any(|e| e["field"] == *field && e["code"] == *code),
                "{field} {code} in {errors:?}"
            );
        }
        assert_eq!(errors.len(), table.len(), "{errors:?}");
        // A variant disables only rules of the national protocol in force.
        let coordinator = app.token(COORDINATOR);
        let res = create_and_publish(&app, &coordinator, "421", json!([{"key": "ghost", "disabled": true}]));
        let problem = assert_problem(res, 422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "rules[ghost].key");
        assert_eq!(problem["errors"][0]["code"], "unknown_base_rule");
    }

    fn protocol_editing_is_for_admins_nationally_and_coordinators_in_their_territory(backend) {
        let app = TestApp::spawn(backend);
        let (admin, coordinator) = (app.token(ADMIN), app.token(COORDINATOR));
        let draft = |territory: &str| json!({"territory": territory, "title": "P", "rules": []});
        assert_problem(app.post(PROTOCOLS, Some(&coordinator), &draft("MA")), 403, "forbidden");
        assert_problem(app.post(PROTOCOLS, Some(&coordinator), &draft("141-01")), 403, "forbidden");
        assert_problem(app.post(PROTOCOLS, Some(&admin), &draft("421")), 403, "forbidden");
        assert_problem(app.post(PROTOCOLS, Some(&app.token(CASE_WORKER)), &draft("421")), 403, "forbidden");
        // A draft changes with If-Match; a published version is frozen.
        let (created, etag) = json_and_etag(app.post(PROTOCOLS, Some(&coordinator), &draft("421")), 201);
        let path = format!("{PROTOCOLS}/{}", id_of(&created));
        let change = json!({"rules": [rule("rabat_visit", "case_opened", "home_visit", 12)]});
        assert_problem(app.patch(&path, Some(&coordinator), "\"99\"", &change), 412, "precondition_failed");
        let (changed, etag2) = json_and_etag(app.patch(&path, Some(&coordinator), &etag, &change), 200);
        assert_eq!(changed["rules"][0]["key"], "rabat_visit");
        let (published, etag3) = json_and_etag(
            app.post_if_match(&format!("{path}/publish"), &coordinator, &etag2, None, &json!(null)), 200);
        assert_eq!(published["status"], "published");
        assert_problem(app.patch(&path, Some(&coordinator), &etag3, &change), 409, "protocol_not_draft");
    }

    fn protocol_variant_replaces_disables_and_adds_national_rules(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let variant = json!([
            rule("immediate_danger_screening", "report_received", "screen_report", 1),
            {"key": "report_screening", "disabled": true},
            rule("rabat_report_visit", "report_received", "home_visit", 12),
        ]);
        // The replaced rule keeps its national trigger only if the variant says so.
        let mut variant = variant;
        variant[0]["trigger"]["immediate_danger"] = json!(true);
        let first = json_of(create_and_publish(&app, &coordinator, "421", variant.clone()), 200);
        let ordinary = file(&app, &worker, &report_body("Yassine", "Amrani", "421", false));
        let list = actions(&app, &worker, &report_actions(&ordinary));
        assert_eq!(codes(&list), ["home_visit"], "{list:?}");
        let urgent = file(&app, &worker, &report_body("Nour", "Amrani", "421", true));
        let list = actions(&app, &worker, &report_actions(&urgent));
        assert_eq!(codes(&list), ["home_visit", "medical_exam", "notify_prosecutor", "screen_report"]);
        let due = hours_from_now(&action(&list, "screen_report")["due_at"]);
        assert!((0.9..1.05).contains(&due), "due in {due} h");
        // Elsewhere (Salé) the national protocol alone applies.
        let national = file(&app, &worker, &report_body("Omar", "Amrani", "441", false));
        let (_, sale) = staff(&app, "coord.sale@demo.madar.ma", "coordinator", "upe-sale", "441");
        let list = actions(&app, &sale, &report_actions(&national));
        assert_eq!(codes(&list), ["screen_report"]);
        let due = hours_from_now(&list[0]["due_at"]);
        assert!((71.9..72.05).contains(&due), "due in {due} h");
        // A new variant retires the previous one; the actions it created stay.
        let second = json_of(create_and_publish(&app, &coordinator, "421", json!([])), 200);
        let old = json_of(app.get(&format!("{PROTOCOLS}/{}", id_of(&first)), Some(&coordinator)), 200);
        assert_eq!(old["status"], "retired");
        assert_eq!(second["status"], "published");
        assert_eq!(actions(&app, &worker, &report_actions(&ordinary)).len(), 1);
        let after = file(&app, &worker, &report_body("Sami", "Amrani", "421", false));
        assert_eq!(codes(&actions(&app, &worker, &report_actions(&after))), ["screen_report"]);
    }

    fn protocol_immediate_danger_report_alerts_when_unscreened_in_time(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let report = file(&app, &worker, &report_body("Adam", "Tazi", "421", true));
        let list = actions(&app, &worker, &report_actions(&report));
        assert_eq!(codes(&list), ["medical_exam", "notify_prosecutor", "screen_report"]);
        let screen = action(&list, "screen_report");
        assert_eq!(screen["status"], "pending");
        let due = hours_from_now(&screen["due_at"]);
        assert!((1.9..2.05).contains(&due), "due in {due} h");
        assert!(hours_from_now(&action(&list, "notify_prosecutor")["due_at"]) > 23.9);
        assert!(alerts(&app, &worker).is_empty());
        app.advance_clock(2 * 3600 + 60);
        // Tokens age with the clock: log in again.
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let list = actions(&app, &worker, &report_actions(&report));
        assert_eq!(action(&list, "screen_report")["status"], "overdue");
        assert_eq!(action(&list, "notify_prosecutor")["status"], "pending");
        for token in [&worker, &coordinator] {
            let raised = alerts(&app, token);
            assert_eq!(raised.len(), 1, "{raised:?}");
            assert_eq!(raised[0]["kind"], "immediate_danger_unscreened");
            assert_eq!(raised[0]["report_id"], report.as_str());
        }
        // Outside the report's territory and organization, no alert.
        let (_, sale) = staff(&app, "coord.sale2@demo.madar.ma", "coordinator", "upe-sale", "441");
        assert!(alerts(&app, &sale).is_empty());
        assert_problem(app.get(&report_actions(&report), Some(&sale)), 404, "not_found");
        assert_problem(app.get("/api/v1/alerts", Some(&app.token(HOTLINE))), 403, "forbidden");
        // Screening does the screening action: its alert goes; later ones come on time.
        let screening = json!({"decision": "close", "closing_reason": "duplicate"});
        json_of(app.post(&format!("/api/v1/reports/{report}/screening"), Some(&worker), &screening), 200);
        let list = actions(&app, &worker, &report_actions(&report));
        assert_eq!(action(&list, "screen_report")["status"], "done");
        assert!(alerts(&app, &worker).iter().all(|a| a["report_id"] != report.as_str()));
        app.advance_clock(22 * 3600);
        let worker = app.token(CASE_WORKER);
        let raised = alerts(&app, &worker);
        let mine: Vec<&Value> = raised.iter().filter(|a| a["report_id"] == report.as_str()).collect();
        assert_eq!(mine.len(), 2, "{raised:?}");
        assert!(mine.iter().all(|a| a["kind"] == "overdue_action"));
    }

    fn protocol_case_actions_are_completed_and_waived(backend) {
        let app = TestApp::spawn(backend);
        let (coordinator, worker) = (app.token(COORDINATOR), app.token(CASE_WORKER));
        let case = open_case(&app, &worker, "Ilyas");
        let path = format!("{}/actions", case.path);
        let list = actions(&app, &worker, &path);
        assert_eq!(codes(&list), ["assessment", "contact_child"], "{list:?}");
        let contact = action(&list, "contact_child").clone();
        assert!((47.9..48.05).contains(&hours_from_now(&contact["due_at"])));
        let one = format!("/api/v1/protocol-actions/{}", id_of(&contact));
        let etag = app.etag(&one, &worker);
        // If-Match is required; a case worker may not waive.
        let res = app.client.post(app.url(&format!("{one}/completion"))).bearer_auth(&worker).json(&json!(null)).send().expect("request");
        assert_problem(res, 428, "precondition_required");
        let waiver = json!({"reason": "Déjà vu par l'unité mobile."});
        assert_problem(app.post_if_match(&format!("{one}/waiver"), &worker, &etag, None, &waiver), 403, "forbidden");
        let (done, etag2) = json_and_etag(
            app.post_if_match(&format!("{one}/completion"), &worker, &etag, Some("complete-1"), &json!(null)), 200);
        assert_eq!(done["status"], "done");
        assert!(done["completed_at"].is_string());
        // The same key replays; a stale ETag is 412; a closed action is 409.
        let replay = json_of(app.post_if_match(&format!("{one}/completion"), &worker, &etag, Some("complete-1"), &json!(null)), 200);
        assert_eq!(replay["id"], done["id"]);
        assert_problem(app.post_if_match(&format!("{one}/completion"), &worker, &etag, None, &json!(null)), 412, "precondition_failed");
        assert_problem(app.post_if_match(&format!("{one}/completion"), &worker, &etag2, None, &json!(null)), 409, "protocol_action_closed");
        // The coordinator waives the assessment, with a reason shown back.
        let assessment = action(&list, "assessment").clone();
        let other = format!("/api/v1/protocol-actions/{}", id_of(&assessment));
        let etag = app.etag(&other, &coordinator);
        let waived = json_of(app.post_if_match(&format!("{other}/waiver"), &coordinator, &etag, None, &waiver), 200);
        assert_eq!(waived["status"], "waived");
        assert_eq!(waived["waiver_reason"], "Déjà vu par l'unité mobile.");
        // Nothing left to alert about on this case, however late.
        app.advance_clock(30 * 24 * 3600);
        let worker = app.token(CASE_WORKER);
        assert!(alerts(&app, &worker).iter().all(|a| a["case_id"] != case.id.as_str() || a["kind"] == "no_follow_up"));
        // Others do not see the case's actions.
        centre(&app, "cape-sale-p", "support_centre", "441");
        let (_, outsider) = staff(&app, "worker.sale@demo.madar.ma", "case_worker", "cape-sale-p", "441");
        assert_problem(app.get(&path, Some(&outsider)), 404, "not_found");
        assert_problem(app.get(&one, Some(&outsider)), 404, "not_found");
        assert_problem(app.get(&path, Some(&app.token(PARTNER))), 403, "forbidden");
    }

    fn protocol_case_actions_follow_concerns_and_alert_when_overdue(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let mut report = report_body("Rayan", "Bennani", "421", false);
        report["concerns"] = json!(["sexual_violence", "street_situation"]);
        let case = open_case_from(&app, &worker, &report);
        let list = actions(&app, &worker, &format!("{}/actions", case.path));
        assert_eq!(
            codes(&list),
            ["assessment", "contact_child", "forensic_exam", "mobile_unit_contact", "psychological_support"],
            "{list:?}"
        );
        assert_eq!(action(&list, "mobile_unit_contact")["responsible"], "mobile_unit");
        assert!((47.9..48.05).contains(&hours_from_now(&action(&list, "mobile_unit_contact")["due_at"])));
        app.advance_clock(24 * 3600 + 60);
        let worker = app.token(CASE_WORKER);
        let raised = alerts(&app, &worker);
        let on_case: Vec<&Value> = raised.iter().filter(|a| a["case_id"] == case.id.as_str()).collect();
        assert_eq!(on_case.len(), 1, "{raised:?}");
        assert_eq!(on_case[0]["action"], "forensic_exam");
        assert_eq!(on_case[0]["kind"], "overdue_action");
    }

    fn protocol_stage_and_risk_changes_fire_their_rules_once(backend) {
        use crate::transition_tests::{closing, moved, step};
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Anas");
        assert!(fired_by(&app, &coordinator, &case, "risk_level_reached").is_empty());
        moved(&app, &case, &coordinator, &step("assessment"));
        // An hour later, an assessment finds immediate danger: the high-risk rule fires, due
        // 72 h from the assessment.
        app.advance_clock(3600);
        let coordinator = app.token(COORDINATOR);
        let danger = |app: &TestApp, token: &str| {
            let list = json_of(app.get("/api/v1/assessment-instruments", Some(token)), 200);
            let instrument = &list["items"][0];
            let mut answers = serde_json::Map::new();
            for domain in instrument["domains"].as_array().expect("domains") {
                for item in domain["items"].as_array().expect("items") {
                    let code = item["code"].as_str().expect("code").to_string();
                    answers.insert(code, item["options"][0]["code"].clone());
                }
            }
            answers.insert("immediate_physical_danger".into(), json!("yes"));
            json!({"instrument": instrument["code"], "version": instrument["version"], "answers": answers})
        };
        let assessments = format!("{}/assessments", case.path);
        let body = danger(&app, &coordinator);
        assert_eq!(json_of(app.post(&assessments, Some(&coordinator), &body), 201)["risk_level"], "immediate_danger");
        let fired = fired_by(&app, &coordinator, &case, "risk_level_reached");
        assert_eq!(codes(&fired), ["home_visit"], "{fired:?}");
        assert_eq!(fired[0]["rule_key"], "high_risk_home_visit");
        let due = hours_from_now(&fired[0]["due_at"]);
        assert!((72.9..73.05).contains(&due), "due in {due} h");
        // The same level again fires nothing more.
        json_of(app.post(&assessments, Some(&coordinator), &body), 201);
        assert_eq!(fired_by(&app, &coordinator, &case, "risk_level_reached").len(), 1);
        // Reaching follow-up fires its visit, due 30 days from the change; reaching it again
        // (closed, then reopened) does not.
        assert!(fired_by(&app, &coordinator, &case, "stage_reached").is_empty());
        moved(&app, &case, &coordinator, &closing());
        app.advance_clock(3600);
        let coordinator = app.token(COORDINATOR);
        moved(&app, &case, &coordinator, &step("follow_up"));
        let fired = fired_by(&app, &coordinator, &case, "stage_reached");
        assert_eq!(codes(&fired), ["follow_up_visit"], "{fired:?}");
        let due = hours_from_now(&fired[0]["due_at"]);
        assert!((721.9..722.05).contains(&due), "due in {due} h");
        moved(&app, &case, &coordinator, &closing());
        moved(&app, &case, &coordinator, &step("follow_up"));
        assert_eq!(fired_by(&app, &coordinator, &case, "stage_reached").len(), 1);
    }

    fn protocol_children_turning_18_in_an_institution_fire_once_and_alert(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let eps = centre(&app, "eps-rabat", "social_care_institution", "421");
        let today = Utc::now().date_naive();
        // Born 18 years minus three months ago, placed in an institution.
        let birth = today.checked_sub_months(chrono::Months::new(18 * 12 - 3)).expect("date");
        let mut report = report_body("Hamza", "Tazi", "421", false);
        report["children"][0].as_object_mut().expect("child").remove("estimated_birth_year");
        report["children"][0]["date_of_birth"] = json!(birth.to_string());
        let case = open_case_from(&app, &coordinator, &report);
        // Another child of that age not in an institution, and a young one placed: nothing.
        let mut free = report.clone();
        free["children"][0]["given_name_latin"] = json!("Ali");
        let free = open_case_from(&app, &coordinator, &free);
        let young = open_case(&app, &coordinator, "Badr");
        let since = (today - chrono::Duration::days(5)).to_string();
        for c in [&case, &young] {
            let placements = format!("/api/v1/children/{}/placements", c.child_id);
            json_of(app.post(&placements, Some(&coordinator), &json!({"institution": eps, "case_id": c.id, "from": since})), 201);
        }
        assert!(fired_by(&app, &coordinator, &case, "turning_18_in_institution").is_empty());
        // Services: post-18 support in Rabat (proposed), in Salé and of another type (not).
        let admin = app.token(ADMIN);
        let service = |name: &str, kind: &str, territory: &str| {
            let body = json!({"type": kind, "provider": "ngo-rabat", "name": name, "territories": [territory]});
            id_of(&json_of(app.post("/api/v1/services", Some(&admin), &body), 201))
        };
        let rabat = service("Accompagnement post-18 Rabat", "post18_support", "421");
        service("Accompagnement post-18 Salé", "post18_support", "441");
        service("Écoute Rabat", "psychological_support", "421");
        // The worker's pass (run when the clock moves) fires the transition rule.
        app.advance_clock(60);
        let coordinator = app.token(COORDINATOR);
        let fired = fired_by(&app, &coordinator, &case, "turning_18_in_institution");
        assert_eq!(codes(&fired), ["service_referral", "transition_plan"], "{fired:?}");
        let referral = action(&fired, "service_referral");
        assert_eq!(referral["service_type"], "post18_support");
        assert_eq!(referral["proposed_services"], json!([rabat]), "{referral}");
        let one = json_of(app.get(&format!("/api/v1/protocol-actions/{}", id_of(referral)), Some(&coordinator)), 200);
        assert_eq!(one["proposed_services"], json!([rabat]));
        assert_eq!(action(&fired, "transition_plan")["proposed_services"], json!([]));
        let due = hours_from_now(&action(&fired, "transition_plan")["due_at"]);
        assert!((719.9..720.05).contains(&due), "due in {due} h");
        for c in [&free, &young] {
            assert!(fired_by(&app, &coordinator, c, "turning_18_in_institution").is_empty());
        }
        // Later passes fire nothing more for this child.
        app.advance_clock(DAY);
        app.advance_clock(DAY);
        let coordinator = app.token(COORDINATOR);
        assert_eq!(fired_by(&app, &coordinator, &case, "turning_18_in_institution").len(), 2);
        // The alert names the child, due on the 18th birthday, for those who see the case.
        let raised = alerts_of(&app, &coordinator, "turning_18_in_institution");
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0]["child_id"], case.child_id.as_str());
        assert_eq!(raised[0]["case_id"], case.id.as_str());
        let adult: DateTime<Utc> = raised[0]["due_at"].as_str().expect("due").parse().expect("time");
        assert_eq!(adult.date_naive(), birth.checked_add_months(chrono::Months::new(18 * 12)).expect("date"));
        let (_, sale) = staff(&app, "coord.sale3@demo.madar.ma", "coordinator", "upe-sale", "441");
        assert!(alerts_of(&app, &sale, "turning_18_in_institution").is_empty());
    }

    fn protocol_unanswered_referrals_fire_once_and_alert_the_sender(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Zakaria");
        let consent = json!({
            "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
            "recipients": ["ngo-rabat"], "field_groups": ["identity"], "purpose": "Orientation vers un partenaire."
        });
        json_of(app.post(&format!("/api/v1/children/{}/consents", case.child_id), Some(&worker), &consent), 201);
        let referral = json!({
            "organization": "ngo-rabat", "service_type": "psychological_support",
            "reason": "Suivi psychologique.", "urgency": "high",
            "due_by": (Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
            "field_groups": ["identity"]
        });
        let sent = json_of(app.post(&format!("{}/referrals", case.path), Some(&worker), &referral), 201);
        let referral_id = id_of(&sent);
        // Answered in time: nothing (respond_by is 3 days for high urgency).
        app.advance_clock(2 * DAY);
        let worker = app.token(CASE_WORKER);
        assert!(fired_by(&app, &worker, &case, "referral_unanswered").is_empty());
        assert!(alerts_of(&app, &worker, "referral_unanswered").is_empty());
        app.advance_clock(DAY + 60);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let fired = fired_by(&app, &worker, &case, "referral_unanswered");
        assert_eq!(codes(&fired), ["follow_up_visit"], "{fired:?}");
        assert_eq!(fired[0]["rule_key"], "referral_unanswered_follow_up");
        let due = hours_from_now(&fired[0]["due_at"]);
        assert!((3.0 * 24.0 + 47.9..3.0 * 24.0 + 48.1).contains(&due), "due in {due} h");
        for token in [&worker, &coordinator] {
            let raised = alerts_of(&app, token, "referral_unanswered");
            assert_eq!(raised.len(), 1, "{raised:?}");
            assert_eq!(raised[0]["referral_id"], referral_id.as_str());
            assert_eq!(raised[0]["case_id"], case.id.as_str());
            assert_eq!(raised[0]["due_at"], sent["respond_by"]);
        }
        // Once per referral, however many passes.
        app.advance_clock(DAY);
        let worker = app.token(CASE_WORKER);
        assert_eq!(fired_by(&app, &worker, &case, "referral_unanswered").len(), 1);
        // The receiving side and other territories get no such alert.
        let (_, sale) = staff(&app, "coord.sale4@demo.madar.ma", "coordinator", "upe-sale", "441");
        assert!(alerts_of(&app, &sale, "referral_unanswered").is_empty());
        assert_problem(app.get("/api/v1/alerts", Some(&app.token(PARTNER))), 403, "forbidden");
    }

    fn protocol_a_service_referral_action_becomes_a_referral_in_one_call(backend) {
        let app = TestApp::spawn(backend);
        let (worker, admin) = (app.token(CASE_WORKER), app.token(ADMIN));
        // An out-of-school child: the national rule asks for a school reintegration referral.
        let mut report = report_body("Karim", "Bennani", "421", false);
        report["concerns"] = json!(["neglect", "out_of_school"]);
        let case = open_case_from(&app, &worker, &report);
        let other = open_case_from(&app, &worker, &report_body("Saad", "Fassi", "421", false));
        let service = |kind: &str| {
            let body = json!({"type": kind, "provider": "ngo-rabat", "name": format!("Service {kind}"), "territories": ["421"]});
            id_of(&json_of(app.post("/api/v1/services", Some(&admin), &body), 201))
        };
        let (school, listening) = (service("school_reintegration"), service("psychological_support"));
        let pending = action(&actions(&app, &worker, &format!("{}/actions", case.path)), "service_referral").clone();
        assert_eq!(pending["service_type"], "school_reintegration");
        assert_eq!(pending["status"], "pending");
        assert_eq!(pending["proposed_services"], json!([school]), "{pending}");
        let consent = json!({
            "given_by": "Le père", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
            "recipients": ["ngo-rabat"], "field_groups": ["identity"], "purpose": "Retour à l'école."
        });
        for c in [&case, &other] {
            json_of(app.post(&format!("/api/v1/children/{}/consents", c.child_id), Some(&worker), &consent), 201);
        }
        let referral = |service: &str, action: &Value| json!({
            "service_id": service, "reason": "Réinscription scolaire.", "urgency": "medium",
            "due_by": (Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
            "field_groups": ["identity"], "protocol_action_id": action
        });
        // A service of another type, another case's referral, an unknown action: 422, nothing sent.
        let referrals = format!("{}/referrals", case.path);
        for (path, body) in [
            (&referrals, referral(&listening, &pending["id"])),
            (&format!("{}/referrals", other.path), referral(&school, &pending["id"])),
            (&referrals, referral(&school, &json!("00000000-0000-7000-8000-000000000001"))),
        ] {
            let problem = assert_problem(app.post(path, Some(&worker), &body), 422, "validation_failed");
            assert_eq!(problem["errors"][0]["field"], "protocol_action_id", "{problem}");
            assert_eq!(problem["errors"][0]["code"], "unknown_protocol_action");
        }
        let count = |c: &OpenedCase| items(&json_of(app.get(&format!("{}/referrals", c.path), Some(&worker)), 200)).len();
        assert_eq!((count(&case), count(&other)), (0, 0));
        // One call: the referral is sent and the action done, by the sender, at once.
        let key = "protocol-action-referral-1";
        let body = referral(&school, &pending["id"]);
        let sent = json_of(app.post_with_key(&referrals, &worker, key, &body), 201);
        assert_eq!(sent["service_type"], "school_reintegration");
        let path = format!("/api/v1/protocol-actions/{}", id_of(&pending));
        let done = json_of(app.get(&path, Some(&worker)), 200);
        assert_eq!(done["status"], "done");
        assert!(done["completed_at"].is_string());
        assert_eq!(done["version"], pending["version"].as_i64().unwrap_or(0) + 1);
        assert_eq!(done["proposed_services"], json!([]));
        // A retry replays the first answer; a second referral for the action is refused.
        let replay = json_of(app.post_with_key(&referrals, &worker, key, &body), 201);
        assert_eq!(replay["id"], sent["id"]);
        assert_problem(app.post(&referrals, Some(&worker), &referral(&school, &pending["id"])), 409, "protocol_action_closed");
        assert_eq!(count(&case), 1);
        assert_eq!(json_of(app.get(&path, Some(&worker)), 200)["version"], done["version"]);
    }

    fn protocol_cases_without_follow_up_alert_after_the_configured_days(backend) {
        let app = TestApp::builder(backend).env("MADAR_ALERT_NO_FOLLOW_UP_DAYS", "10").spawn();
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &worker, "Idriss");
        app.advance_clock(9 * DAY);
        let worker = app.token(CASE_WORKER);
        assert!(alerts_of(&app, &worker, "no_follow_up").iter().all(|a| a["case_id"] != case.id.as_str()));
        app.advance_clock(DAY + 3600);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        for token in [&worker, &coordinator] {
            let raised = alerts_of(&app, token, "no_follow_up");
            let mine: Vec<&Value> = raised.iter().filter(|a| a["case_id"] == case.id.as_str()).collect();
            assert_eq!(mine.len(), 1, "{raised:?}");
            assert!(mine[0]["action_id"].is_null());
            let due = hours_from_now(&mine[0]["due_at"]);
            // Due 10 days after the opening (the last event), on the real clock's scale.
            assert!((239.9..240.05).contains(&due), "due {due} h from now");
        }
        let (_, sale) = staff(&app, "coord.sale5@demo.madar.ma", "coordinator", "upe-sale", "441");
        assert!(alerts_of(&app, &sale, "no_follow_up").is_empty());
        // A timeline event (a stage change) is follow-up: the alert goes.
        crate::transition_tests::moved(&app, &case, &coordinator, &crate::transition_tests::step("assessment"));
        assert!(alerts_of(&app, &worker, "no_follow_up").iter().all(|a| a["case_id"] != case.id.as_str()));
    }
}
