//! Referrals: the lifecycle as a table (every allowed and refused move), consent coverage and
//! the coordinator's override, expiry on the test clock, the plan action a completed referral
//! carries out, partner isolation (users and API clients), If-Match and idempotent replay.
use madar_tests::cases::*;
use madar_tests::*;

use crate::transition_tests::timeline;

const REFERRALS: &str = "/api/v1/referrals";

fn consents(case: &OpenedCase) -> String {
    format!("/api/v1/children/{}/consents", case.child_id)
}

fn case_referrals(case: &OpenedCase) -> String {
    format!("{}/referrals", case.path)
}

fn one(id: &str) -> String {
    format!("{REFERRALS}/{id}")
}

/// Records a consent for the case's child; returns its id.
fn consent(
    app: &TestApp,
    token: &str,
    case: &OpenedCase,
    recipients: &[&str],
    groups: &[&str],
) -> String {
    let body = json!({
        "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
        "recipients": recipients, "field_groups": groups, "purpose": "Orientation vers un partenaire."
    });
    id_of(&json_of(app.post(&consents(case), Some(token), &body), 201))
}

pub fn referral_body(organization: &str, groups: &[&str]) -> Value {
    json!({
        "organization": organization, "service_type": "psychological_support",
        "reason": "Suivi psychologique après la mise à l'abri.", "urgency": "high",
        "due_by": (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
        "field_groups": groups
    })
}

/// A case opened by the demo case worker, with a consent naming `ngo-rabat` for identity,
/// contact and situation.
pub fn consented_case(app: &TestApp, worker: &str, given: &str) -> OpenedCase {
    let case = open_case(app, worker, given);
    consent(
        app,
        worker,
        &case,
        &["ngo-rabat"],
        &["identity", "contact", "situation"],
    );
    case
}

/// Sends a referral to ngo-rabat; returns (body, ETag).
fn send(app: &TestApp, token: &str, case: &OpenedCase) -> (Value, String) {
    json_and_etag(
        app.post(
            &case_referrals(case),
            Some(token),
            &referral_body("ngo-rabat", &["identity"]),
        ),
        201,
    )
}

fn act(
    app: &TestApp,
    token: &str,
    id: &str,
    verb: &str,
    etag: &str,
) -> reqwest::blocking::Response {
    let body = match verb {
        "decline" => json!({"reason": "Plus de place ce mois-ci."}),
        "complete" => json!({"outcome": "achieved", "feedback": "Six séances suivies."}),
        "cancel" => json!({"reason": "L'enfant a déménagé."}),
        _ => json!(null),
    };
    let path = format!("{}/{verb}", one(id));
    let mut req = app
        .client
        .post(app.url(&path))
        .bearer_auth(token)
        .header("if-match", etag);
    if !body.is_null() {
        req = req.json(&body);
    }
    req.send().expect("request")
}

/// The moves that lead from `sent` to each status, made by who may make them.
fn path_to(status: &str) -> &'static [&'static str] {
    match status {
        "sent" => &[],
        "accepted" => &["accept"],
        "declined" => &["decline"],
        "in_progress" => &["accept", "start"],
        "completed" => &["accept", "start", "complete"],
        "cancelled" => &["cancel"],
        _ => unreachable!(),
    }
}

backend_tests! {
    fn every_move_of_the_lifecycle_is_allowed_or_refused(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let case = consented_case(&app, &worker, "Hamza");
        let allowed = [
            ("sent", "accept", "accepted"), ("sent", "decline", "declined"), ("sent", "cancel", "cancelled"),
            ("accepted", "start", "in_progress"), ("accepted", "cancel", "cancelled"),
            ("in_progress", "complete", "completed"), ("in_progress", "cancel", "cancelled"),
        ];
        for from in ["sent", "accepted", "declined", "in_progress", "completed", "cancelled"] {
            for verb in ["accept", "decline", "start", "complete", "cancel"] {
                let (sent, mut etag) = send(&app, &worker, &case);
                let id = id_of(&sent);
                for step in path_to(from) {
                    let who = if *step == "cancel" { &worker } else { &partner };
                    etag = json_and_etag(act(&app, who, &id, step, &etag), 200).1;
                }
                let who = if verb == "cancel" { &worker } else { &partner };
                let res = act(&app, who, &id, verb, &etag);
                match allowed.iter().find(|(f, v, _)| *f == from && *v == verb) {
                    Some((_, _, to)) => {
                        let (body, new_etag) = json_and_etag(res, 200);
                        assert_eq!(body["status"], *to, "{from} {verb}");
                        assert_ne!(new_etag, etag);
                    }
                    None => {
                        assert_problem(res, 409, "referral_transition_not_allowed");
                    }
                }
            }
        }
        // Every change is on the case's timeline.
        let kinds: Vec<String> = timeline(&app, &case, &worker).iter()
            .map(|e| e["kind"].as_str().unwrap_or("").to_string()).collect();
        for kind in ["referral_sent", "referral_accepted", "referral_declined", "referral_started",
                     "referral_completed", "referral_cancelled"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
        }
        // The receiver answers, the sender cancels: never the other way round.
        let (sent, etag) = send(&app, &worker, &case);
        let id = id_of(&sent);
        assert_problem(act(&app, &worker, &id, "accept", &etag), 403, "forbidden");
        assert_problem(act(&app, &partner, &id, "cancel", &etag), 403, "forbidden");
        let completed = json_of(app.get(&format!("{REFERRALS}?direction=incoming&status=completed"), Some(&partner)), 200);
        let done = completed["items"].as_array().unwrap();
        assert_eq!(done.len(), 6);
        assert_eq!(done[0]["outcome"], "achieved");
        assert_eq!(done[0]["feedback"], "Six séances suivies.");
    }

    fn a_referral_needs_a_covering_consent_or_a_coordinators_override(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator, partner) = (app.token(CASE_WORKER), app.token(COORDINATOR), app.token(PARTNER));
        let case = open_case(&app, &worker, "Ilyas");
        let path = case_referrals(&case);
        let refused = |token: &str, body: &Value| {
            let problem = assert_problem(app.post(&path, Some(token), body), 422, "validation_failed");
            assert_eq!(problem["errors"][0]["code"], "consent_required", "{problem}");
        };
        // No consent at all.
        refused(&worker, &referral_body("ngo-rabat", &["identity"]));
        // A consent for another organization, then one for too few groups.
        consent(&app, &worker, &case, &["cape-sale"], &["identity", "health"]);
        refused(&worker, &referral_body("ngo-rabat", &["identity"]));
        consent(&app, &worker, &case, &["ngo-rabat"], &["identity"]);
        refused(&worker, &referral_body("ngo-rabat", &["identity", "health"]));
        // A case worker's override does not count.
        let mut with_reason = referral_body("ngo-rabat", &["health"]);
        with_reason["override_reason"] = json!("Urgence psychologique.");
        refused(&worker, &with_reason);
        // A consent naming the organization's type covers it.
        let by_type = consent(&app, &worker, &case, &["ngo"], &["health", "situation"]);
        let sent = json_of(app.post(&path, Some(&worker), &referral_body("ngo-rabat", &["health", "situation"])), 201);
        assert_eq!(sent["consent_id"], by_type.as_str());
        assert_eq!(sent["consent_overridden"], false);
        assert_eq!(sent["domain"], "psychological_care");
        // A consent named explicitly must be the child's and must cover.
        let mut named = referral_body("ngo-rabat", &["identity"]);
        named["consent_id"] = json!(by_type);
        refused(&worker, &named);
        named["consent_id"] = json!("01a22bb8-3f27-7223-9fad-10acb7f42e8a");
        let problem = assert_problem(app.post(&path, Some(&worker), &named), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_consent");
        // A coordinator overrides with a written reason; the reason stays on the sending side.
        refused(&coordinator, &referral_body("health-rabat", &["narrative"]));
        let mut overridden = referral_body("ngo-rabat", &["narrative", "education"]);
        overridden["override_reason"] = json!("L'enfant est en danger, la mère est injoignable.");
        let sent = json_of(app.post(&path, Some(&coordinator), &overridden), 201);
        assert_eq!(sent["consent_overridden"], true);
        assert_eq!(sent["override_reason"], "L'enfant est en danger, la mère est injoignable.");
        let id = id_of(&sent);
        let seen = json_of(app.get(&one(&id), Some(&partner)), 200);
        assert_eq!(seen["consent_overridden"], true);
        assert!(seen["override_reason"].is_null());
        assert!(seen["case_id"].is_null());
        assert_eq!(seen["snapshot"]["narrative"][0], "L'enfant dort dehors.");
        assert!(seen["snapshot"]["identity"].is_null());
        let auditor = app.token(AUDITOR);
        for action in ["referral.send", "referral.override", "referral.read"] {
            // Reads are buffered for up to a second.
            let found = (0..30).any(|_| {
                let page = json_of(app.get(&format!("/api/v1/audit?action={action}"), Some(&auditor)), 200);
                let found = page["items"].as_array().unwrap().iter().any(|e| e["resource_id"] == id.as_str());
                if !found {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                found
            });
            assert!(found, "{action}");
        }
        // Addressing: a target is required, an unknown or the case's own organization refused.
        let mut none = referral_body("ngo-rabat", &["identity"]);
        none.as_object_mut().unwrap().remove("organization");
        let problem = assert_problem(app.post(&path, Some(&worker), &none), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "target_required");
        let problem = assert_problem(app.post(&path, Some(&worker), &referral_body("cape-rabat", &["identity"])), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "same_organization");
        let problem = assert_problem(app.post(&path, Some(&worker), &referral_body("nowhere", &["identity"])), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_organization");
    }

    fn an_unanswered_referral_expires_at_its_deadline(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let case = consented_case(&app, &worker, "Adam");
        let (sent, etag) = send(&app, &worker, &case);
        let id = id_of(&sent);
        let (accepted_one, accepted_etag) = send(&app, &worker, &case);
        let accepted_etag = json_and_etag(act(&app, &partner, &id_of(&accepted_one), "accept", &accepted_etag), 200).1;
        // High urgency: three days to answer.
        let respond_by: chrono::DateTime<chrono::Utc> = sent["respond_by"].as_str().unwrap().parse().unwrap();
        let sent_at: chrono::DateTime<chrono::Utc> = sent["sent_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(respond_by - sent_at, chrono::Duration::days(3));
        app.advance_clock(3 * 24 * 3600 - 60);
        // Tokens age with the clock: log in again.
        let partner = app.token(PARTNER);
        assert_eq!(json_of(app.get(&one(&id), Some(&partner)), 200)["status"], "sent");
        app.advance_clock(120);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let (expired, expired_etag) = json_and_etag(app.get(&one(&id), Some(&partner)), 200);
        assert_eq!(expired["status"], "expired");
        assert_ne!(expired_etag, etag);
        assert_problem(act(&app, &partner, &id, "accept", &expired_etag), 409, "referral_transition_not_allowed");
        // An accepted referral does not expire.
        let still = json_of(app.get(&one(&id_of(&accepted_one)), Some(&partner)), 200);
        assert_eq!(still["status"], "accepted");
        json_of(act(&app, &partner, &id_of(&accepted_one), "start", &accepted_etag), 200);
        let events = timeline(&app, &case, &worker);
        let last = events.iter().find(|e| e["kind"] == "referral_expired").expect("expired event");
        assert_eq!(last["subject_id"], id.as_str());
        assert_eq!(last["actor_id"], "00000000-0000-0000-0000-000000000000");
        let listed = json_of(app.get(&format!("{}?status=expired", case_referrals(&case)), Some(&worker)), 200);
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    }

    fn completing_a_referral_made_from_a_plan_action_marks_it_done(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let case = consented_case(&app, &worker, "Rayan");
        let plan = json!({"objectives": [{"domain": "psychological_care", "description": "Soutien psychologique", "actions": [
            {"description": "Séances avec l'association", "responsible_organization": "ngo-rabat"}]}]});
        let plan_path = format!("{}/plan", case.path);
        let res = app.client.put(app.url(&plan_path)).bearer_auth(&worker).json(&plan).send().expect("request");
        let (created, plan_etag) = json_and_etag(res, 201);
        let action = created["objectives"][0]["actions"][0]["id"].as_str().unwrap().to_string();
        let mut body = referral_body("ngo-rabat", &["identity", "contact"]);
        body["plan_action_id"] = json!(action);
        let (sent, mut etag) = json_and_etag(app.post(&case_referrals(&case), Some(&worker), &body), 201);
        assert_eq!(sent["plan_action_id"], action.as_str());
        let id = id_of(&sent);
        for verb in ["accept", "start", "complete"] {
            etag = json_and_etag(act(&app, &partner, &id, verb, &etag), 200).1;
        }
        let (plan_now, new_plan_etag) = json_and_etag(app.get(&plan_path, Some(&worker)), 200);
        assert_eq!(plan_now["objectives"][0]["actions"][0]["status"], "done");
        assert_ne!(new_plan_etag, plan_etag);
        let completed = timeline(&app, &case, &worker).into_iter().find(|e| e["kind"] == "referral_completed").expect("event");
        assert_eq!(completed["detail"]["plan_action_done"], true);
        assert_eq!(completed["detail"]["outcome"], "achieved");
        // An action of another case's plan is refused.
        let other = consented_case(&app, &worker, "Nabil");
        let problem = assert_problem(app.post(&case_referrals(&other), Some(&worker), &body), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_plan_action");
    }

    fn partners_see_their_organizations_referrals_and_nothing_else(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner, admin) = (app.token(CASE_WORKER), app.token(PARTNER), app.token(ADMIN));
        let case = consented_case(&app, &worker, "Anas");
        let guardian = json!({"relationship": "mother", "name": "Fatima Alaoui", "phone": "+212 6 61 00 00 00",
            "lives_with_child": true, "primary": true});
        json_of(app.post(&format!("/api/v1/children/{}/guardians", case.child_id), Some(&worker), &guardian), 201);
        consent(&app, &worker, &case, &["health-rabat"], &["identity"]);
        let mut body = referral_body("ngo-rabat", &["identity", "contact"]);
        body["urgency"] = json!("low");
        let mine = id_of(&json_of(app.post(&case_referrals(&case), Some(&worker), &body), 201));
        let mut elsewhere = referral_body("health-rabat", &["identity"]);
        elsewhere["service_type"] = json!("medical_exam");
        let theirs = id_of(&json_of(app.post(&case_referrals(&case), Some(&worker), &elsewhere), 201));

        // A partner user and an API client of ngo-rabat.
        let (client, _) = json_and_etag(app.post("/api/v1/clients", Some(&admin),
            &json!({"name": "ngo-rabat system", "organization": "ngo-rabat", "role": "partner"})), 201);
        let form = [("grant_type", "client_credentials"), ("client_id", client["client_id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap())];
        let token: Value = app.client.post(app.url("/api/v1/auth/token")).form(&form).send().unwrap().json().unwrap();
        let system = token["access_token"].as_str().unwrap().to_string();

        for who in [&partner, &system] {
            let inbox = json_of(app.get(&format!("{REFERRALS}?direction=incoming&status=sent"), Some(who)), 200);
            let items = inbox["items"].as_array().unwrap();
            assert_eq!(items.len(), 1, "{inbox}");
            assert_eq!(items[0]["id"], mine.as_str());
            assert!(items[0]["snapshot"].is_null());
            assert!(items[0]["case_id"].is_null() && items[0]["case_reference"].is_null());
            let all = json_of(app.get(REFERRALS, Some(who)), 200);
            assert_eq!(all["items"].as_array().unwrap().len(), 1);
            let outgoing = json_of(app.get(&format!("{REFERRALS}?direction=outgoing"), Some(who)), 200);
            assert!(outgoing["items"].as_array().unwrap().is_empty());
            let seen = json_of(app.get(&one(&mine), Some(who)), 200);
            let snapshot = &seen["snapshot"];
            assert_eq!(snapshot["identity"]["given_name_latin"], "Anas");
            assert_eq!(snapshot["contact"]["guardians"][0]["name"], "Fatima Alaoui");
            assert_eq!(snapshot["contact"]["guardians"][0]["phone"], "+212 6 61 00 00 00");
            assert!(snapshot["situation"].is_null() && snapshot["health"].is_null());
            assert_problem(app.get(&one(&theirs), Some(who)), 404, "not_found");
            // The case and the child do not exist for a partner: 404, and empty lists.
            assert_problem(app.get(&case.path, Some(who)), 404, "not_found");
            assert_problem(app.get(&format!("/api/v1/children/{}", case.child_id), Some(who)), 404, "not_found");
            assert_problem(app.get(&case_referrals(&case), Some(who)), 404, "not_found");
            assert_problem(app.get(&format!("{}/timeline", case.path), Some(who)), 404, "not_found");
            for list in ["/api/v1/cases", "/api/v1/children", "/api/v1/transfers", "/api/v1/approvals"] {
                let page = json_of(app.get(list, Some(who)), 200);
                assert!(page["items"].as_array().unwrap().is_empty(), "{list}: {page}");
            }
            // Searching for a child is screening work, which a partner never does.
            let search = "/api/v1/children/matches?given_name_latin=Anas&family_name_latin=Alaoui";
            assert_problem(app.get(search, Some(who)), 403, "forbidden");
        }
        // The API client answers with an Idempotency-Key (400 without).
        let etag = app.etag(&one(&mine), &system);
        let res = act(&app, &system, &mine, "accept", &etag);
        assert_problem(res, 400, "idempotency_key_required");
        let accepted = json_of(app.post_if_match(&format!("{}/accept", one(&mine)), &system, &etag, Some("k-1"), &json!(null)), 200);
        assert_eq!(accepted["status"], "accepted");
        // The sender sees both, with the case; a partner of another organization sees neither.
        let outgoing = json_of(app.get(&format!("{REFERRALS}?direction=outgoing"), Some(&worker)), 200);
        assert_eq!(outgoing["items"].as_array().unwrap().len(), 2);
        assert_eq!(outgoing["items"][0]["case_id"], case.id.as_str());
        centre(&app, "ngo-sale", "ngo", "441");
        let (_, stranger) = staff(&app, "partner@ngo-sale.ma", "partner", "ngo-sale", "441");
        assert!(json_of(app.get(REFERRALS, Some(&stranger)), 200)["items"].as_array().unwrap().is_empty());
        assert_problem(app.get(&one(&mine), Some(&stranger)), 404, "not_found");
        assert_problem(app.get(REFERRALS, Some(&app.token(HOTLINE))), 403, "forbidden");
    }

    fn a_referral_addresses_a_service_of_the_directory(backend) {
        let app = TestApp::spawn(backend);
        let (worker, admin) = (app.token(CASE_WORKER), app.token(ADMIN));
        let case = consented_case(&app, &worker, "Ayoub");
        let service = json!({"type": "school_reintegration", "provider": "ngo-rabat",
            "name": "Retour à l'école", "territories": ["421"]});
        let (created, service_etag) = json_and_etag(app.post("/api/v1/services", Some(&admin), &service), 201);
        let service_id = id_of(&created);
        let body = json!({
            "service_id": service_id, "reason": "Déscolarisé depuis un an.", "urgency": "medium",
            "due_by": (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
            "field_groups": ["identity"]
        });
        let sent = json_of(app.post(&case_referrals(&case), Some(&worker), &body), 201);
        assert_eq!(sent["service_id"], service_id.as_str());
        assert_eq!(sent["to_organization"], "ngo-rabat");
        assert_eq!(sent["service_type"], "school_reintegration");
        assert_eq!(sent["domain"], "education_training");
        // A service or an organization with a type, not both.
        let mut both = body.clone();
        both["organization"] = json!("ngo-rabat");
        let problem = assert_problem(app.post(&case_referrals(&case), Some(&worker), &both), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "target_required");
        // An inactive or unknown service is refused.
        let path = format!("/api/v1/services/{service_id}");
        json_of(app.patch(&path, Some(&admin), &service_etag, &json!({"active": false})), 200);
        let problem = assert_problem(app.post(&case_referrals(&case), Some(&worker), &body), 422, "validation_failed");
        assert_eq!(problem["errors"][0]["code"], "unknown_service");
    }

    fn status_changes_need_if_match_and_replay_under_their_key(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let case = consented_case(&app, &worker, "Omar");
        let (sent, etag) = send(&app, &worker, &case);
        let id = id_of(&sent);
        let accept = format!("{}/accept", one(&id));
        let res = app.post(&accept, Some(&partner), &json!(null));
        assert_problem(res, 428, "precondition_required");
        assert_problem(act(&app, &partner, &id, "accept", "\"99\""), 412, "precondition_failed");
        let decline = format!("{}/decline", one(&id));
        let body = json!({"reason": "Complet."});
        let first = app.post_if_match(&decline, &partner, &etag, Some("decline-1"), &body);
        let (first, first_etag) = json_and_etag(first, 200);
        assert_eq!(first["status"], "declined");
        assert_eq!(first["decline_reason"], "Complet.");
        // The same key and body replay the first answer, though the If-Match is now stale.
        let again = app.post_if_match(&decline, &partner, &etag, Some("decline-1"), &body);
        let (again, again_etag) = json_and_etag(again, 200);
        assert_eq!(again, first);
        assert_eq!(again_etag, first_etag);
        let other = json!({"reason": "Autre raison."});
        assert_problem(app.post_if_match(&decline, &partner, &first_etag, Some("decline-1"), &other), 422, "idempotency_key_reused");
        // Sending replays too.
        let body = referral_body("ngo-rabat", &["identity"]);
        let one_send = json_of(app.post_with_key(&case_referrals(&case), &worker, "send-1", &body), 201);
        let two_send = json_of(app.post_with_key(&case_referrals(&case), &worker, "send-1", &body), 201);
        assert_eq!(one_send["id"], two_send["id"]);
        let listed = json_of(app.get(&case_referrals(&case), Some(&worker)), 200);
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);
    }
}
