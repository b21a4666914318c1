//! Transfers when a child moves: asked by the side that follows the case, listed as the
//! receiving coordinator's inbox, decided by that coordinator only; acceptance moves the case
//! and its child (the receiving centre's workers see them, the sender's no longer); rejection
//! leaves them; a transfer is decided once; retries with the same key replay.
use madar_tests::cases::*;
use madar_tests::*;

const TRANSFERS: &str = "/api/v1/transfers";

fn transfers(case: &OpenedCase) -> String {
    format!("{}/transfers", case.path)
}

fn decision(id: &Value) -> String {
    format!("{TRANSFERS}/{}/decision", id.as_str().expect("id"))
}

fn ask() -> Value {
    json!({"to_organization": "cape-sale", "reason": "La famille a déménagé à Salé."})
}

fn items(body: &Value) -> Vec<Value> {
    body["items"].as_array().cloned().unwrap_or_default()
}

fn ids(body: &Value) -> Vec<Value> {
    items(body).iter().map(|t| t["id"].clone()).collect()
}

backend_tests! {
    fn an_accepted_transfer_moves_the_case_and_its_child(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &coordinator, "Othmane");
        let me = json_of(app.get("/api/v1/me", Some(&worker)), 200);
        let etag = app.etag(&case.path, &coordinator);
        json_of(app.patch(&case.path, Some(&coordinator), &etag, &json!({"assigned_to": [me["id"]]})), 200);
        let (_, sale_coordinator) = staff(&app, "coordinator@cape-sale.ma", "coordinator", "cape-sale", "441");
        let (_, sale_worker) = staff(&app, "worker@cape-sale.ma", "case_worker", "cape-sale", "441");
        assert_problem(app.get(&case.path, Some(&sale_worker)), 404, "not_found");

        let res = app.post_with_key(&transfers(&case), &worker, "transfer-1", &ask());
        assert!(res.headers().get("location").is_some());
        let transfer = json_of(res, 201);
        assert_eq!(transfer["status"], "pending");
        assert_eq!(transfer["from_organization"], "cape-rabat");
        assert_eq!(transfer["to_organization"], "cape-sale");
        assert_eq!(transfer["from_territory"], "421");
        assert_eq!(transfer["territory"], "441");
        assert_eq!(transfer["case_id"], case.id.as_str());
        assert!(transfer["case_reference"].as_str().unwrap().starts_with("CASE-421-"));
        assert_eq!(transfer["reason"], "La famille a déménagé à Salé.");
        assert_eq!(transfer["requested_by"], me["id"]);
        assert_problem(app.post(&transfers(&case), Some(&coordinator), &ask()), 409, "transfer_pending");

        // The receiving coordinator's inbox; the sender lists it as outgoing.
        let incoming = json_of(app.get(&format!("{TRANSFERS}?direction=incoming&status=pending"), Some(&sale_coordinator)), 200);
        assert_eq!(ids(&incoming), [transfer["id"].clone()]);
        assert_eq!(items(&incoming)[0]["reason"], "La famille a déménagé à Salé.");
        let theirs = json_of(app.get(&format!("{TRANSFERS}?direction=incoming"), Some(&coordinator)), 200);
        assert!(items(&theirs).is_empty());
        let outgoing = json_of(app.get(&format!("{TRANSFERS}?direction=outgoing"), Some(&coordinator)), 200);
        assert_eq!(ids(&outgoing), [transfer["id"].clone()]);
        let incoming_worker = json_of(app.get(&format!("{TRANSFERS}?direction=incoming"), Some(&sale_worker)), 200);
        assert_eq!(items(&incoming_worker)[0]["reason"], Value::Null, "a worker who did not ask does not read the reason");

        // Only the receiving side's coordinator decides.
        let accept = json!({"decision": "accept", "comment": "Bienvenue."});
        assert_problem(app.post(&decision(&transfer["id"]), Some(&coordinator), &accept), 403, "forbidden");
        assert_problem(app.post(&decision(&transfer["id"]), Some(&worker), &accept), 403, "forbidden");
        assert_problem(app.post(&decision(&transfer["id"]), Some(&sale_worker), &accept), 403, "forbidden");
        let (_, casa) = staff(&app, "coordinator@casa.ma", "coordinator", "samu-casablanca", "141-01");
        assert_problem(app.post(&decision(&transfer["id"]), Some(&casa), &accept), 404, "not_found");

        let res = app.post_with_key(&decision(&transfer["id"]), &sale_coordinator, "decide-1", &accept);
        let decided = json_of(res, 200);
        assert_eq!(decided["status"], "accepted");
        assert_eq!(decided["comment"], "Bienvenue.");
        assert!(decided["decided_at"].is_string());
        let replay = app.post_with_key(&decision(&transfer["id"]), &sale_coordinator, "decide-1", &accept);
        assert_eq!(replay.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
        assert_eq!(json_of(replay, 200), decided);
        let again = json!({"decision": "reject"});
        assert_problem(app.post(&decision(&transfer["id"]), Some(&sale_coordinator), &again), 409, "transfer_already_decided");

        // The case and its child moved; assignments ended; visibility flipped.
        let moved = json_of(app.get(&case.path, Some(&sale_worker)), 200);
        assert_eq!(moved["organization"], "cape-sale");
        assert_eq!(moved["territory"], "441");
        assert_eq!(moved["assigned_to"], json!([]));
        json_of(app.get(&format!("/api/v1/children/{}", case.child_id), Some(&sale_worker)), 200);
        json_of(app.get(&case.path, Some(&sale_coordinator)), 200);
        assert_problem(app.get(&case.path, Some(&worker)), 404, "not_found");
        assert_problem(app.get(&format!("/api/v1/children/{}", case.child_id), Some(&worker)), 404, "not_found");
        assert_problem(app.get(&case.path, Some(&coordinator)), 404, "not_found");
        // The sender still follows its transfer.
        let followed = json_of(app.get(&format!("{TRANSFERS}/{}", transfer["id"].as_str().unwrap()), Some(&coordinator)), 200);
        assert_eq!(followed["status"], "accepted");

        let timeline = json_of(app.get(&format!("{}/timeline", case.path), Some(&sale_coordinator)), 200);
        let events: Vec<(Value, Value)> = timeline.as_array().unwrap().iter()
            .filter(|e| e["kind"].as_str().unwrap().starts_with("transfer_"))
            .map(|e| (e["kind"].clone(), e["detail"].clone())).collect();
        assert_eq!(events, [
            (json!("transfer_requested"), json!({"from": "cape-rabat", "to": "cape-sale", "territory": "441"})),
            (json!("transfer_decided"), json!({"decision": "accept", "from": "cape-rabat", "to": "cape-sale"})),
        ]);
    }

    fn a_rejected_transfer_leaves_the_case_where_it_was(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        let case = open_case(&app, &coordinator, "Mehdi");
        let (_, sale_coordinator) = staff(&app, "coordinator@cape-sale.ma", "coordinator", "cape-sale", "441");
        let transfer = json_of(app.post(&transfers(&case), Some(&coordinator), &ask()), 201);
        let rejected = json_of(app.post(&decision(&transfer["id"]), Some(&sale_coordinator), &json!({"decision": "reject", "comment": "Adresse non confirmée."})), 200);
        assert_eq!(rejected["status"], "rejected");
        let body = json_of(app.get(&case.path, Some(&worker)), 200);
        assert_eq!(body["organization"], "cape-rabat");
        assert_eq!(body["territory"], "421");
        let pending = json_of(app.get(&format!("{TRANSFERS}?status=pending"), Some(&sale_coordinator)), 200);
        assert!(items(&pending).is_empty());
        // Another transfer may be asked once the first is decided, to a unit of Salé this time.
        let mut to_unit = ask();
        to_unit["to_organization"] = json!("upe-sale");
        to_unit["territory"] = json!("441");
        let second = json_of(app.post(&transfers(&case), Some(&worker), &to_unit), 201);
        assert_eq!(second["to_organization"], "upe-sale");
    }

    fn transfer_requests_are_validated_and_scoped(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let case = open_case(&app, &coordinator, "Soufiane");
        let field = |body: Value| {
            let problem = assert_problem(app.post(&transfers(&case), Some(&coordinator), &body), 422, "validation_failed");
            (problem["errors"][0]["field"].clone(), problem["errors"][0]["code"].clone())
        };
        let with = |key: &str, value: Value| {
            let mut body = ask();
            body[key] = value;
            body
        };
        assert_eq!(field(with("to_organization", json!("cape-rabat"))), (json!("to_organization"), json!("same_organization")));
        assert_eq!(field(with("to_organization", json!("ngo-rabat"))), (json!("to_organization"), json!("unknown_organization")));
        assert_eq!(field(with("to_organization", json!("nowhere"))), (json!("to_organization"), json!("unknown_organization")));
        assert_eq!(field(with("territory", json!("421"))), (json!("territory"), json!("not_served")));
        assert_eq!(field(with("territory", json!("999"))), (json!("territory"), json!("unknown_territory")));
        assert_eq!(field(with("reason", json!(""))).0, json!("reason"));
        assert_eq!(field(json!({"to_organization": "cape-sale"})).0, json!("reason"));
        let (_, sale_worker) = staff(&app, "worker@cape-sale.ma", "case_worker", "cape-sale", "441");
        assert_problem(app.post(&transfers(&case), Some(&sale_worker), &ask()), 404, "not_found");
        let partner = app.token(PARTNER);
        assert_problem(app.post(&transfers(&case), Some(&partner), &ask()), 403, "forbidden");
        let seen = json_of(app.get(TRANSFERS, Some(&partner)), 200);
        assert!(seen["items"].as_array().unwrap().is_empty(), "{seen}");
        assert_problem(app.get(&format!("{TRANSFERS}/01900000-0000-7000-8000-000000000000"), Some(&coordinator)), 404, "not_found");
    }
}
