//! The Idempotency-Key mechanism on POSTs that create records.
use madar_tests::*;

fn organization(code: &str) -> Value {
    json!({"code": code, "name": "Association Test", "type": "ngo", "territories": ["421"]})
}

fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .expect("request")
}

fn count_organizations(app: &TestApp, token: &str, code: &str) -> usize {
    let body: Value = app
        .get("/api/v1/organizations?limit=200", Some(token))
        .json()
        .expect("list");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|o| o["code"] == code)
        .count()
}

backend_tests! {
    fn idempotency_stored_responses_are_sealed_at_rest_and_replayed_in_clear(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let body = json!({"code": "ngo-sealed", "name": "Association Zineb Sealed", "type": "ngo", "territories": ["421"]});
        let first = post_with_key(&app, &admin, "key-sealed", &body);
        assert_eq!(first.status(), 201);
        let first_body = first.text().expect("body");
        assert!(first_body.contains("Association Zineb Sealed"));
        let stored = app.db.strings("SELECT body FROM idempotency_keys");
        assert!(!stored.is_empty(), "the key's response is stored");
        for row in &stored {
            assert!(!row.contains("Zineb") && !row.contains("ngo-sealed"), "stored in clear: {row}");
            assert!(row.starts_with("v1:"), "sealed: {row}");
        }
        let again = post_with_key(&app, &admin, "key-sealed", &body);
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.text().expect("body"), first_body, "replayed byte for byte");
    }

    fn a_retry_with_the_same_key_replays_the_first_response_byte_for_byte(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let first = post_with_key(&app, &admin, "key-1", &organization("ngo-retry"));
        assert_eq!(first.status(), 201);
        let (location, etag) = (first.headers()["location"].clone(), first.headers()["etag"].clone());
        let first_body = first.bytes().expect("body");
        let again = post_with_key(&app, &admin, "key-1", &organization("ngo-retry"));
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["location"], location);
        assert_eq!(again.headers()["etag"], etag);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.bytes().expect("body"), first_body);
        assert_eq!(count_organizations(&app, &admin, "ngo-retry"), 1);
    }

    fn the_same_key_with_another_body_is_refused_with_422(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        assert_eq!(post_with_key(&app, &admin, "key-2", &organization("ngo-one")).status(), 201);
        assert_problem(post_with_key(&app, &admin, "key-2", &organization("ngo-two")), 422, "idempotency_key_reused");
        assert_eq!(count_organizations(&app, &admin, "ngo-two"), 0);
    }

    fn concurrent_duplicates_create_exactly_one_record_and_all_get_its_response(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let responses: Vec<(u16, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        let res = post_with_key(&app, &admin, "key-race", &organization("ngo-race"));
                        (res.status().as_u16(), res.text().expect("body"))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        assert_eq!(count_organizations(&app, &admin, "ngo-race"), 1);
        let created: Vec<&(u16, String)> = responses.iter().filter(|(s, _)| *s == 201).collect();
        assert!(!created.is_empty(), "{responses:?}");
        for (status, body) in &responses {
            // A duplicate either waited and replays the first response, or was told to retry.
            assert!(*status == 201 || *status == 409, "{status} {body}");
            if *status == 201 {
                assert_eq!(body, &created[0].1);
            } else {
                assert!(body.contains("idempotency_key_in_flight"), "{body}");
            }
        }
    }

    fn a_failed_request_leaves_its_key_free_for_a_corrected_retry(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        // The code is taken: 409, and nothing is remembered under the key.
        assert_problem(post_with_key(&app, &admin, "key-3", &organization("ministry")), 409, "organization_code_taken");
        assert_eq!(post_with_key(&app, &admin, "key-3", &organization("ngo-fixed")).status(), 201);
    }

    fn keys_belong_to_the_actor_that_sent_them(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let second = json!({
            "email": "second.admin@example.ma", "display_name": "Second admin", "password": "a long password 2026",
            "role": "admin", "organization": "ministry"
        });
        assert_eq!(app.post("/api/v1/users", Some(&admin), &second).status(), 201);
        let other = app.login_body("second.admin@example.ma", "a long password 2026")["access_token"].as_str().expect("token").to_string();
        assert_eq!(post_with_key(&app, &admin, "shared-key", &organization("ngo-a")).status(), 201);
        let res = post_with_key(&app, &other, "shared-key", &organization("ngo-b"));
        assert_eq!(res.status(), 201, "another actor's key is not this one's");
        assert!(res.headers().get("idempotent-replayed").is_none());
    }

    fn a_malformed_key_is_a_bad_request(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let long = "k".repeat(256);
        assert_problem(post_with_key(&app, &admin, &long, &organization("ngo-long")), 400, "invalid_idempotency_key");
        assert_problem(post_with_key(&app, &admin, "with space", &organization("ngo-space")), 400, "invalid_idempotency_key");
        assert_eq!(count_organizations(&app, &admin, "ngo-long"), 0);
    }

    fn creating_a_user_is_idempotent_too_and_the_password_is_not_stored_with_the_key(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let body = json!({
            "email": "amina@example.ma", "display_name": "Amina", "password": "correct horse battery",
            "role": "case_worker", "organization": "cape-rabat"
        });
        let send = || {
            app.client.post(app.url("/api/v1/users")).bearer_auth(&admin).header("idempotency-key", "user-1").json(&body).send().expect("request")
        };
        let first = send();
        assert_eq!(first.status(), 201);
        let first = first.text().expect("body");
        let again = send();
        assert_eq!(again.status(), 201);
        assert_eq!(again.text().expect("body"), first);
        assert!(!first.contains("correct horse battery"));
    }
}
