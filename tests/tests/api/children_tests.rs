//! Children: who may create, read and change a record, optimistic concurrency, validation,
//! idempotent creation, name search, audited reads, and matching across scripts with the
//! announcement of a likely match outside the caller's scope.
use std::time::{Duration, Instant};

use madar_tests::*;

const CHILDREN: &str = "/api/v1/children";

/// A Rabat child, in Arabic script only.
fn mohamed() -> Value {
    json!({
        "given_name_ar": "محمد", "family_name_ar": "الإدريسي", "sex": "male",
        "estimated_birth_year": 2014, "civil_status": "registered", "territory": "421",
        "nationality": "ma", "aliases": ["حمودة"], "situation": ["out_of_school", "out_of_school"],
        "family_situation": "Vit chez sa grand-mère.", "schooling": "A quitté l'école en 2024."
    })
}

fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn etag(res: &Response) -> String {
    res.headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an ETag")
        .to_string()
}

fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(CHILDREN))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .expect("request")
}

/// Creates a child and returns (id, ETag).
fn create(app: &TestApp, token: &str, body: &Value) -> (String, String) {
    let res = app.post(CHILDREN, Some(token), body);
    let tag = etag(&res);
    let child = json_of(res, 201);
    (child["id"].as_str().expect("id").to_string(), tag)
}

fn path(id: &str) -> String {
    format!("{CHILDREN}/{id}")
}

/// A case worker of CAPE Salé (territory 441), created by the admin; returns a token.
fn sale_case_worker(app: &TestApp) -> String {
    let admin = app.token(ADMIN);
    let body = json!({
        "email": "worker@cape-sale.ma", "display_name": "Salé worker",
        "password": "a long password for sale", "role": "case_worker",
        "organization": "cape-sale", "territory": "441"
    });
    json_of(app.post("/api/v1/users", Some(&admin), &body), 201);
    let res = app.post(
        "/api/v1/auth/login",
        None,
        &json!({"email": "worker@cape-sale.ma", "password": "a long password for sale"}),
    );
    json_of(res, 200)["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

/// Waits, up to a deadline, for an audit event of `action` on `id` (read events are buffered).
fn wait_for_event(app: &TestApp, action: &str, id: &str) {
    let auditor = app.token(AUDITOR);
    let deadline = Instant::now() + Duration::from_secs(10);
    let query = format!("/api/v1/audit?action={action}&resource_id={id}");
    loop {
        let events = json_of(app.get(&query, Some(&auditor)), 200);
        if !events["items"].as_array().expect("items").is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "no {action} event on {id}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn matches(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let res = app.get(&format!("{CHILDREN}/matches?{query}"), Some(token));
    json_of(res, 200)["items"]
        .as_array()
        .expect("items")
        .clone()
}

backend_tests! {
    fn a_patch_with_null_clears_an_optional_field_but_not_the_last_name(backend) {
        let app = TestApp::spawn(backend);
        let token = app.token(CASE_WORKER);
        let res = app.post(CHILDREN, Some(&token), &mohamed());
        let tag = etag(&res);
        let id = json_of(res, 201)["id"].as_str().expect("id").to_string();
        let path = format!("{CHILDREN}/{id}");
        let res = app.patch(&path, Some(&token), &tag, &json!({"given_name_ar": null, "schooling": "CE6"}));
        let tag = etag(&res);
        let child = json_of(res, 200);
        assert_eq!(child["given_name_ar"], Value::Null);
        assert_eq!(child["schooling"], "CE6");
        let res = app.patch(&path, Some(&token), &tag, &json!({"schooling": null}));
        let tag = etag(&res);
        assert_eq!(json_of(res, 200)["schooling"], Value::Null);
        let nameless = json!({"given_name_ar": null, "family_name_ar": null, "given_name_latin": null, "family_name_latin": null});
        assert_problem(app.patch(&path, Some(&token), &tag, &nameless), 422, "validation_failed");
    }

    fn a_case_worker_creates_reads_and_changes_a_child(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let res = app.post(CHILDREN, Some(&worker), &mohamed());
        assert!(res.headers().get("location").is_some());
        let created = json_of(res, 201);
        assert_eq!(created["organization"], "cape-rabat");
        assert_eq!(created["nationality"], "MA");
        assert_eq!(created["situation"], json!(["out_of_school"]));
        assert_eq!(created["family_situation"], "Vit chez sa grand-mère.");
        let id = created["id"].as_str().expect("id");

        let res = app.get(&path(id), Some(&worker));
        let tag = etag(&res);
        assert_eq!(json_of(res, 200), created);

        let change = json!({"given_name_latin": "Mohamed", "schooling": "Inscrit en CE6."});
        let res = app.patch(&path(id), Some(&worker), &tag, &change);
        let next = etag(&res);
        let changed = json_of(res, 200);
        assert_ne!(next, tag);
        assert_eq!(changed["given_name_latin"], "Mohamed");
        assert_eq!(changed["given_name_ar"], "محمد");
        assert_eq!(changed["schooling"], "Inscrit en CE6.");
        // The coordinator of Rabat sees the change too.
        let coordinator = app.token(COORDINATOR);
        assert_eq!(json_of(app.get(&path(id), Some(&coordinator)), 200), changed);
    }

    fn a_change_needs_the_etag_of_the_last_read(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let (id, tag) = create(&app, &worker, &mohamed());
        let change = json!({"schooling": "CE6"});
        let res = app.send(Method::PATCH, &path(&id), Some(&worker), Some(&change));
        assert_problem(res, 428, "precondition_required");
        json_of(app.patch(&path(&id), Some(&worker), &tag, &change), 200);
        assert_problem(
            app.patch(&path(&id), Some(&worker), &tag, &change),
            412,
            "precondition_failed",
        );
    }

    fn two_changes_with_one_etag_give_exactly_one_success(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let (id, tag) = create(&app, &worker, &mohamed());
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = ["CE5", "CE6"]
                .iter()
                .map(|level| {
                    let (app, worker, tag, id) = (&app, &worker, &tag, &id);
                    s.spawn(move || {
                        let body = json!({"schooling": level});
                        app.patch(&path(id), Some(worker), tag, &body).status().as_u16()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        let mut sorted = statuses.clone();
        sorted.sort();
        assert_eq!(sorted, [200, 412], "{statuses:?}");
    }

    fn children_are_seen_within_scope_only(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let sale = sale_case_worker(&app);
        let mut in_sale = mohamed();
        in_sale["territory"] = json!("441");
        let (id, tag) = create(&app, &sale, &in_sale);
        // Owned by CAPE Salé in 441: neither the Rabat worker nor the Rabat coordinator sees it.
        for token in [&worker, &coordinator] {
            assert_problem(app.get(&path(&id), Some(token)), 404, "not_found");
            let change = json!({"schooling": "CE6"});
            assert_problem(app.patch(&path(&id), Some(token), &tag, &change), 404, "not_found");
            let list = json_of(app.get(CHILDREN, Some(token)), 200);
            assert_eq!(list["items"], json!([]));
        }
        json_of(app.get(&path(&id), Some(&sale)), 200);
        // Roles that never handle children get 403, whatever the record.
        for email in [ADMIN, PARTNER, HOTLINE, ANALYST, AUDITOR] {
            let token = app.token(email);
            if email == PARTNER {
                // A partner reads children with an empty scope: none exists for it.
                assert_problem(app.get(&path(&id), Some(&token)), 404, "not_found");
                assert_eq!(json_of(app.get(CHILDREN, Some(&token)), 200)["items"], json!([]));
            } else {
                assert_problem(app.get(&path(&id), Some(&token)), 403, "forbidden");
                assert_problem(app.get(CHILDREN, Some(&token)), 403, "forbidden");
            }
            assert_problem(app.post(CHILDREN, Some(&token), &mohamed()), 403, "forbidden");
            let res = app.get(&format!("{CHILDREN}/matches?given_name=Mohamed"), Some(&token));
            assert_problem(res, 403, "forbidden");
        }
        assert_problem(app.get(CHILDREN, None), 401, "unauthorized");
    }

    fn a_coordinator_keeps_children_within_their_territory(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let (id, _) = create(&app, &coordinator, &mohamed());
        let worker = app.token(CASE_WORKER);
        // Created by the coordinator of cape-rabat: owned by cape-rabat.
        json_of(app.get(&path(&id), Some(&worker)), 200);
        let mut elsewhere = mohamed();
        elsewhere["territory"] = json!("441");
        let res = app.post(CHILDREN, Some(&coordinator), &elsewhere);
        let problem = assert_problem(res, 422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "territory");
    }

    fn invalid_children_are_refused_naming_the_field(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let cases = [
            (json!({"given_name_ar": null, "family_name_ar": null}), "names"),
            (json!({"estimated_birth_year": 2999}), "estimated_birth_year"),
            (json!({"date_of_birth": "2015-01-01"}), "estimated_birth_year"),
            (json!({"territory": "999"}), "territory"),
            (json!({"nationality": "M1"}), "nationality"),
            (json!({"aliases": ["a\u{202E}b"]}), "aliases"),
            (json!({"given_name_ar": ""}), "given_name_ar"),
            (json!({"favourite_colour": "blue"}), "favourite_colour"),
        ];
        for (change, field) in cases {
            let mut body = mohamed();
            for (k, v) in change.as_object().expect("object") {
                body[k] = v.clone();
            }
            let problem = assert_problem(app.post(CHILDREN, Some(&worker), &body), 422, "validation_failed");
            let fields: Vec<&str> = problem["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .filter_map(|e| e["field"].as_str())
                .collect();
            assert!(fields.contains(&field), "{field}: {problem}");
        }
    }

    fn a_retried_create_makes_one_child(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let first = post_with_key(&app, &worker, "child-1", &mohamed());
        assert_eq!(first.status(), 201);
        let first = first.text().expect("body");
        let again = post_with_key(&app, &worker, "child-1", &mohamed());
        assert_eq!(again.status(), 201);
        assert_eq!(again.text().expect("body"), first);
        let mut other = mohamed();
        other["given_name_latin"] = json!("Mohamed");
        assert_problem(post_with_key(&app, &worker, "child-1", &other), 422, "idempotency_key_reused");
        let list = json_of(app.get(CHILDREN, Some(&worker)), 200);
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    }

    fn a_name_search_finds_children_across_scripts_and_pages(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let (id, _) = create(&app, &worker, &mohamed());
        let fatima = json!({
            "given_name_latin": "Fatima Zahra", "family_name_latin": "Alaoui", "sex": "female",
            "estimated_birth_year": 2012, "civil_status": "unknown", "territory": "421"
        });
        let (fatima_id, _) = create(&app, &worker, &fatima);
        let found = json_of(app.get(&format!("{CHILDREN}?q=Mohammed%20Idrissi"), Some(&worker)), 200);
        let ids: Vec<&str> = found["items"].as_array().expect("items").iter().filter_map(|c| c["id"].as_str()).collect();
        assert_eq!(ids, [id.as_str()]);
        let found = json_of(app.get(&format!("{CHILDREN}?q=فاطمة"), Some(&worker)), 200);
        assert_eq!(found["items"][0]["id"], fatima_id.as_str());
        assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
        // Paging: one per page, in creation order.
        let first = json_of(app.get(&format!("{CHILDREN}?limit=1"), Some(&worker)), 200);
        assert_eq!(first["items"][0]["id"], id.as_str());
        let cursor = first["next_cursor"].as_str().expect("a next page");
        let second = json_of(app.get(&format!("{CHILDREN}?limit=1&cursor={cursor}"), Some(&worker)), 200);
        assert_eq!(second["items"][0]["id"], fatima_id.as_str());
        assert!(second["next_cursor"].is_null());
    }

    fn reading_a_child_is_audited(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let (id, _) = create(&app, &worker, &mohamed());
        json_of(app.get(&path(&id), Some(&worker)), 200);
        wait_for_event(&app, "child.read", &id);
        let auditor = app.token(AUDITOR);
        let created = json_of(app.get(&format!("/api/v1/audit?action=child.create&resource_id={id}"), Some(&auditor)), 200);
        assert_eq!(created["items"].as_array().map(Vec::len), Some(1));
    }

    fn a_latin_search_finds_an_arabic_record_as_likely(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let (id, _) = create(&app, &worker, &mohamed());
        let items = matches(&app, &worker, "given_name=Mohamed&family_name=El%20Idrissi&birth_year=2014&sex=male&territory=421");
        assert_eq!(items.len(), 1, "{items:?}");
        let found = &items[0];
        assert_eq!(found["child"]["id"], id.as_str());
        assert_eq!(found["decision"], "likely");
        assert!(found["owner"].is_null());
        let reasons: Vec<&str> = found["reasons"].as_array().expect("reasons").iter().filter_map(Value::as_str).collect();
        assert!(reasons.contains(&"cross_script"), "{reasons:?}");
        let score = found["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score));
        // Someone else entirely is not a candidate.
        assert!(matches(&app, &worker, "given_name=Khadija&family_name=Bennani&birth_year=2010").is_empty());
        assert_problem(app.get(&format!("{CHILDREN}/matches?birth_year=2014"), Some(&worker)), 422, "validation_failed");
    }

    fn a_match_finds_the_child_among_more_namesakes_than_it_scores(backend) {
        // At national scale a common given name with a birth year is shared by thousands of
        // children: more than a match scores (200). Those sharing both names' keys come
        // first, whatever order the namesakes were recorded in.
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let families = ["Dahbi", "Daoudi", "Doukkali", "Dinia", "Dghoughi", "Dakir", "Drif", "Dahmani"];
        for i in 0..230 {
            let body = json!({
                "given_name_latin": "Mohamed", "family_name_latin": families[i % families.len()],
                "sex": "male", "estimated_birth_year": 2014, "territory": "421",
                "civil_status": "registered", "nationality": "ma"
            });
            let res = app.post(CHILDREN, Some(&worker), &body);
            assert_eq!(res.status().as_u16(), 201, "{:?}", res.text());
        }
        let (id, _) = create(&app, &worker, &mohamed());
        let items = matches(&app, &worker, "given_name=Mohamed&family_name=Idrisi&birth_year=2014&territory=421&limit=5");
        assert_eq!(items.first().map(|m| m["child"]["id"].clone()), Some(json!(id)), "{items:?}");
        assert_eq!(items[0]["decision"], "likely");
    }

    fn a_likely_match_outside_scope_is_announced_with_its_owner_only(backend) {
        let app = TestApp::spawn(backend);
        let sale = sale_case_worker(&app);
        let mut in_sale = mohamed();
        in_sale["territory"] = json!("441");
        let (id, _) = create(&app, &sale, &in_sale);
        let worker = app.token(CASE_WORKER);
        let items = matches(&app, &worker, "given_name=Mohamed&family_name=El%20Idrissi&birth_year=2014&territory=421");
        assert_eq!(items.len(), 1, "{items:?}");
        let found = &items[0];
        assert_eq!(found["decision"], "likely");
        assert_eq!(found["owner"], json!({"organization": "cape-sale", "territory": "441"}));
        assert!(found.get("child").is_none(), "{found}");
        assert!(!found.to_string().contains(&id), "the child's id stays hidden: {found}");
        assert!(!found.to_string().contains("محمد"));
        wait_for_event(&app, "child.match_announce", &id);
        // A merely possible match outside scope is not shown at all.
        assert!(matches(&app, &worker, "given_name=Mohamed&birth_year=2001").is_empty());
    }
}
