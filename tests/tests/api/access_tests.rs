//! Organizations, users, API clients and `/me`, seen from outside: who may call what (the role
//! matrix of design.md, "Identity and access"), what a coordinator's territory lets them see,
//! and the rules each resource keeps (validation, conflicts, preconditions, paging).
use std::collections::HashSet;

use madar_tests::*;

/// A password that passes the rules (at least 12 characters).
const PASSWORD: &str = "correct-horse-battery";

/// The part of a demo email before `@`, to make per-caller names unique.
fn slug(email: &str) -> String {
    email.split('@').next().unwrap_or(email).to_string()
}

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Status, `ETag` and JSON body of a response, asserting the status.
fn expect_json(res: Response, status: u16) -> (Option<String>, Value) {
    let got = res.status().as_u16();
    let etag = header(&res, "etag");
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (etag, body)
}

/// The `ETag` of a successful read.
fn etag_of(app: &TestApp, path: &str, token: &str) -> String {
    let (etag, _) = expect_json(app.get(path, Some(token)), 200);
    etag.expect("an ETag on a single record")
}

/// `(field, code)` of every error of a 422 problem.
fn field_errors(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_string(),
                        e["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts a 422 `validation_failed` naming `field` (and `code`, when given).
fn assert_invalid(res: Response, field: &str, code: Option<&str>) -> Value {
    let problem = assert_problem(res, 422, "validation_failed");
    let errors = field_errors(&problem);
    assert!(
        errors
            .iter()
            .any(|(f, c)| f == field && code.is_none_or(|code| c == code)),
        "expected an error on {field} ({code:?}), got {errors:?}"
    );
    problem
}

/// Asserts the 401 of a call without a token.
fn assert_unauthorized(res: Response) {
    let challenge = header(&res, "www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "challenge {challenge:?}");
    assert_problem(res, 401, "unauthorized");
}

/// Calls an endpoint as each demo user and checks the status their role gets; a refused call
/// must be a 403 `forbidden` problem. `expected` names every demo user once, in call order.
fn assert_matrix(
    app: &TestApp,
    expected: [(&str, u16); 7],
    mut call: impl FnMut(&str, &str) -> Response,
) {
    let named: HashSet<&str> = expected.iter().map(|(email, _)| *email).collect();
    for (email, _) in DEMO_USERS {
        assert!(named.contains(email), "the matrix misses {email}");
    }
    for (email, status) in expected {
        let token = app.token(email);
        let res = call(email, &token);
        if status == 403 {
            let body = assert_problem(res, 403, "forbidden");
            assert!(body["errors"].as_array().is_none_or(Vec::is_empty));
        } else {
            let got = res.status().as_u16();
            assert_eq!(
                got,
                status,
                "{email} got {got}: {}",
                res.text().unwrap_or_default()
            );
        }
    }
}

/// PATCH without `If-Match`.
fn patch_without_if_match(app: &TestApp, path: &str, token: &str, body: &Value) -> Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .expect("request")
}

fn new_organization(code: &str, territories: &[&str]) -> Value {
    json!({
        "code": code,
        "name": format!("Organization {code}"),
        "type": "ngo",
        "territories": territories,
    })
}

fn create_organization(app: &TestApp, admin: &str, body: &Value) -> Value {
    expect_json(app.post("/api/v1/organizations", Some(admin), body), 201).1
}

fn new_user(email: &str, role: &str, organization: &str, territory: Option<&str>) -> Value {
    let mut body = json!({
        "email": email,
        "display_name": format!("User {email}"),
        "password": PASSWORD,
        "role": role,
        "organization": organization,
    });
    if let Some(t) = territory {
        body["territory"] = json!(t);
    }
    body
}

fn create_user(app: &TestApp, admin: &str, body: &Value) -> Value {
    expect_json(app.post("/api/v1/users", Some(admin), body), 201).1
}

/// The id of the user behind a demo email, read from their `/me`.
fn user_id(app: &TestApp, email: &str) -> String {
    let token = app.token(email);
    let (_, me) = expect_json(app.get("/api/v1/me", Some(&token)), 200);
    me["id"].as_str().expect("id").to_string()
}

fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    app.post(
        "/api/v1/auth/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .status()
    .as_u16()
}

fn login_token(app: &TestApp, email: &str, password: &str) -> String {
    app.login_body(email, password)["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// Creates an API client and returns its record (with the secret) and an access token for it.
fn api_client(app: &TestApp, admin: &str, organization: &str, role: &str) -> (Value, String) {
    let (_, created) = expect_json(
        app.post(
            "/api/v1/clients",
            Some(admin),
            &json!({"name": format!("{organization} system"), "organization": organization, "role": role}),
        ),
        201,
    );
    let form = client_token(&created).expect("credentials of a new client");
    let token = token_from(app, &form);
    (created, token)
}

/// The form of a client-credentials request for a created client.
fn client_token(created: &Value) -> Option<Vec<(String, String)>> {
    Some(vec![
        ("grant_type".into(), "client_credentials".into()),
        ("client_id".into(), created["client_id"].as_str()?.into()),
        (
            "client_secret".into(),
            created["client_secret"].as_str()?.into(),
        ),
    ])
}

fn token_request(app: &TestApp, form: &[(String, String)]) -> Response {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .form(form)
        .send()
        .expect("request")
}

fn token_from(app: &TestApp, form: &[(String, String)]) -> String {
    let (_, body) = expect_json(token_request(app, form), 200);
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// Every item of a paged list, following `next_cursor` with `limit`, checking that no item
/// comes twice (by `key`).
fn all_pages(app: &TestApp, path: &str, token: &str, limit: u32, key: &str) -> Vec<Value> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let (_, page) = expect_json(app.get(&url, Some(token)), 200);
        let page_items = page["items"].as_array().expect("items").clone();
        assert!(page_items.len() <= limit as usize, "page over its limit");
        for item in page_items {
            let k = item[key].as_str().expect("key").to_string();
            assert!(seen.insert(k.clone()), "{k} came twice");
            items.push(item);
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return items,
        }
    }
    panic!("the list never ended");
}

fn emails(users: &[Value]) -> HashSet<String> {
    users
        .iter()
        .map(|u| u["email"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Every role gets `status`.
fn everyone(status: u16) -> [(&'static str, u16); 7] {
    DEMO_USERS.map(|(email, _)| (email, status))
}

/// Every other role is refused with 403, then the admin gets `status` (last, as the call
/// changes what the others would have seen).
fn others_then_admin(status: u16) -> [(&'static str, u16); 7] {
    let mut matrix = admin_only(status);
    matrix.rotate_left(1);
    matrix
}

/// The admin gets `status`; every other role is refused with 403.
fn admin_only(status: u16) -> [(&'static str, u16); 7] {
    DEMO_USERS.map(|(email, _)| (email, if email == ADMIN { status } else { 403 }))
}

backend_tests! {
    // ---------------------------------------------------------------- the role matrix

    fn every_role_lists_organizations_and_no_one_without_a_token(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            everyone(200),
            |_, token| app.get("/api/v1/organizations", Some(token)),
        );
        assert_unauthorized(app.get("/api/v1/organizations", None));
    }

    fn every_role_reads_an_organization_and_no_one_without_a_token(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            everyone(200),
            |_, token| app.get("/api/v1/organizations/health-rabat", Some(token)),
        );
        assert_unauthorized(app.get("/api/v1/organizations/health-rabat", None));
    }

    fn only_an_admin_creates_an_organization(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            admin_only(201),
            |email, token| {
                let code = format!("org-by-{}", slug(email));
                app.post("/api/v1/organizations", Some(token), &new_organization(&code, &["421"]))
            },
        );
        assert_unauthorized(app.post(
            "/api/v1/organizations",
            None,
            &new_organization("org-anonymous", &["421"]),
        ));
        // Only the admin's organization exists.
        let admin = app.token(ADMIN);
        let codes: HashSet<String> = all_pages(&app, "/api/v1/organizations", &admin, 200, "code")
            .iter()
            .map(|o| o["code"].as_str().unwrap_or("").to_string())
            .filter(|c| c.starts_with("org-"))
            .collect();
        assert_eq!(codes, HashSet::from(["org-by-admin".to_string()]));
    }

    fn only_an_admin_changes_an_organization(backend) {
        let app = TestApp::spawn(backend);
        let path = "/api/v1/organizations/ngo-rabat";
        let admin = app.token(ADMIN);
        let etag = etag_of(&app, path, &admin);
        assert_matrix(
            &app,
            others_then_admin(200),
            |email, token| app.patch(path, Some(token), &etag, &json!({"name": format!("Renamed by {}", slug(email))})),
        );
        assert_unauthorized(app.patch(path, None, &etag, &json!({"name": "Anonymous"})));
        let (_, org) = expect_json(app.get(path, Some(&admin)), 200);
        assert_eq!(org["name"], "Renamed by admin");
    }

    fn only_an_admin_deactivates_an_organization(backend) {
        let app = TestApp::spawn(backend);
        let path = "/api/v1/organizations/samu-casablanca";
        let admin = app.token(ADMIN);
        assert_unauthorized(app.delete(path, None));
        assert_matrix(
            &app,
            others_then_admin(204),
            |_, token| {
                let (_, org) = expect_json(app.get(path, Some(&admin)), 200);
                assert_eq!(org["active"], true, "still active before the admin's call");
                app.delete(path, Some(token))
            },
        );
        assert_eq!(expect_json(app.get(path, Some(&admin)), 200).1["active"], false);
    }

    fn only_admins_and_coordinators_list_users(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            [
                (ADMIN, 200),
                (COORDINATOR, 200),
                (CASE_WORKER, 403),
                (PARTNER, 403),
                (HOTLINE, 403),
                (ANALYST, 403),
                (AUDITOR, 403),
            ],
            |_, token| app.get("/api/v1/users", Some(token)),
        );
        assert_unauthorized(app.get("/api/v1/users", None));
    }

    fn only_admins_and_coordinators_read_a_user_even_oneself(backend) {
        let app = TestApp::spawn(backend);
        let case_worker = user_id(&app, CASE_WORKER);
        let path = format!("/api/v1/users/{case_worker}");
        assert_matrix(
            &app,
            [
                (ADMIN, 200),
                (COORDINATOR, 200),
                (CASE_WORKER, 403),
                (PARTNER, 403),
                (HOTLINE, 403),
                (ANALYST, 403),
                (AUDITOR, 403),
            ],
            |_, token| app.get(&path, Some(token)),
        );
        assert_unauthorized(app.get(&path, None));
    }

    fn only_an_admin_creates_a_user(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            admin_only(201),
            |email, token| {
                let body = new_user(&format!("made-by-{}@example.ma", slug(email)), "case_worker", "cape-rabat", None);
                app.post("/api/v1/users", Some(token), &body)
            },
        );
        assert_unauthorized(app.post(
            "/api/v1/users",
            None,
            &new_user("anonymous@example.ma", "case_worker", "cape-rabat", None),
        ));
        let admin = app.token(ADMIN);
        let made: HashSet<String> = emails(&all_pages(&app, "/api/v1/users", &admin, 200, "id"))
            .into_iter()
            .filter(|e| e.starts_with("made-by-") || e.starts_with("anonymous"))
            .collect();
        assert_eq!(made, HashSet::from(["made-by-admin@example.ma".to_string()]));
    }

    fn only_an_admin_changes_a_user_not_even_their_coordinator(backend) {
        let app = TestApp::spawn(backend);
        let path = format!("/api/v1/users/{}", user_id(&app, CASE_WORKER));
        let admin = app.token(ADMIN);
        let etag = etag_of(&app, &path, &admin);
        assert_matrix(
            &app,
            others_then_admin(200),
            |email, token| app.patch(&path, Some(token), &etag, &json!({"display_name": format!("Renamed by {}", slug(email))})),
        );
        assert_unauthorized(app.patch(&path, None, &etag, &json!({"display_name": "Anonymous"})));
        assert_eq!(expect_json(app.get(&path, Some(&admin)), 200).1["display_name"], "Renamed by admin");
    }

    fn a_case_worker_may_not_promote_themselves(backend) {
        let app = TestApp::spawn(backend);
        let path = format!("/api/v1/users/{}", user_id(&app, CASE_WORKER));
        let admin = app.token(ADMIN);
        let etag = etag_of(&app, &path, &admin);
        let token = app.token(CASE_WORKER);
        assert_problem(app.patch(&path, Some(&token), &etag, &json!({"role": "admin"})), 403, "forbidden");
        assert_invalid(
            app.patch("/api/v1/me", Some(&token), &etag, &json!({"language": "fr", "role": "admin"})),
            "role",
            Some("unknown_field"),
        );
        assert_eq!(expect_json(app.get("/api/v1/me", Some(&token)), 200).1["role"], "case_worker");
    }

    fn only_an_admin_deactivates_a_user(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let user = create_user(&app, &admin, &new_user("leaving@example.ma", "case_worker", "cape-rabat", None));
        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap_or(""));
        assert_unauthorized(app.delete(&path, None));
        assert_matrix(
            &app,
            others_then_admin(204),
            |_, token| app.delete(&path, Some(token)),
        );
        assert_eq!(expect_json(app.get(&path, Some(&admin)), 200).1["active"], false);
    }

    fn only_an_admin_lists_api_clients(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            admin_only(200),
            |_, token| app.get("/api/v1/clients", Some(token)),
        );
        assert_unauthorized(app.get("/api/v1/clients", None));
    }

    fn only_an_admin_reads_an_api_client(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (client, _) = api_client(&app, &admin, "hotline-2511", "hotline");
        let path = format!("/api/v1/clients/{}", client["id"].as_str().unwrap_or(""));
        assert_matrix(
            &app,
            admin_only(200),
            |_, token| app.get(&path, Some(token)),
        );
        assert_unauthorized(app.get(&path, None));
    }

    fn only_an_admin_creates_an_api_client(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            admin_only(201),
            |email, token| {
                app.post(
                    "/api/v1/clients",
                    Some(token),
                    &json!({"name": format!("client by {}", slug(email)), "organization": "ngo-rabat", "role": "partner"}),
                )
            },
        );
        assert_unauthorized(app.post(
            "/api/v1/clients",
            None,
            &json!({"name": "anonymous", "organization": "ngo-rabat", "role": "partner"}),
        ));
        let admin = app.token(ADMIN);
        let names: Vec<String> = all_pages(&app, "/api/v1/clients", &admin, 200, "id")
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(names, vec!["client by admin".to_string()]);
    }

    fn only_an_admin_changes_an_api_client(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (client, _) = api_client(&app, &admin, "ngo-rabat", "partner");
        let path = format!("/api/v1/clients/{}", client["id"].as_str().unwrap_or(""));
        let etag = etag_of(&app, &path, &admin);
        assert_matrix(
            &app,
            others_then_admin(200),
            |email, token| app.patch(&path, Some(token), &etag, &json!({"name": format!("renamed by {}", slug(email))})),
        );
        assert_unauthorized(app.patch(&path, None, &etag, &json!({"name": "anonymous"})));
        assert_eq!(expect_json(app.get(&path, Some(&admin)), 200).1["name"], "renamed by admin");
    }

    fn only_an_admin_deactivates_an_api_client(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (client, _) = api_client(&app, &admin, "ngo-rabat", "partner");
        let path = format!("/api/v1/clients/{}", client["id"].as_str().unwrap_or(""));
        assert_unauthorized(app.delete(&path, None));
        assert_matrix(
            &app,
            others_then_admin(204),
            |_, token| app.delete(&path, Some(token)),
        );
        assert_eq!(expect_json(app.get(&path, Some(&admin)), 200).1["active"], false);
    }

    fn every_role_reads_its_own_profile(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            everyone(200),
            |_, token| app.get("/api/v1/me", Some(token)),
        );
        assert_unauthorized(app.get("/api/v1/me", None));
    }

    fn every_role_sets_its_own_language(backend) {
        let app = TestApp::spawn(backend);
        assert_matrix(
            &app,
            everyone(200),
            |_, token| app.patch("/api/v1/me", Some(token), "\"1\"", &json!({"language": "en"})),
        );
        assert_unauthorized(app.patch("/api/v1/me", None, "\"1\"", &json!({"language": "en"})));
    }

    fn only_an_admin_corrects_a_territory(backend) {
        let app = TestApp::spawn(backend);
        let path = "/api/v1/territories/421";
        let admin = app.token(ADMIN);
        let (etag, _) = expect_json(app.get(path, None), 200);
        let etag = etag.expect("territory ETag");
        assert_matrix(
            &app,
            others_then_admin(200),
            |email, token| app.patch(path, Some(token), &etag, &json!({"labels": {"en": format!("Rabat ({})", slug(email))}})),
        );
        assert_unauthorized(app.patch(path, None, &etag, &json!({"labels": {"en": "Rabat (anonymous)"}})));
        let (_, territory) = expect_json(app.get(path, Some(&admin)), 200);
        assert_eq!(territory["labels"]["en"], "Rabat (admin)");
        assert_eq!(territory["labels"]["fr"], "Rabat");
    }

    fn a_role_that_may_never_act_is_refused_before_its_request_is_checked(backend) {
        let app = TestApp::spawn(backend);
        let partner = app.token(PARTNER);
        // No If-Match, and a body that would not validate: the role alone decides.
        for path in [
            "/api/v1/organizations/ngo-rabat".to_string(),
            format!("/api/v1/users/{}", user_id(&app, PARTNER)),
            "/api/v1/clients/00000000-0000-7000-8000-000000000000".to_string(),
        ] {
            let res = patch_without_if_match(&app, &path, &partner, &json!({"nonsense": true}));
            assert_eq!(res.status(), 403, "PATCH {path}");
            assert_problem(res, 403, "forbidden");
        }
        assert_problem(
            app.post("/api/v1/organizations", Some(&partner), &json!({"nonsense": true})),
            403,
            "forbidden",
        );
        assert_problem(
            app.post("/api/v1/users", Some(&partner), &json!({"nonsense": true})),
            403,
            "forbidden",
        );
        assert_problem(
            app.post("/api/v1/clients", Some(&partner), &json!({"nonsense": true})),
            403,
            "forbidden",
        );
    }

    fn a_role_that_may_never_correct_a_territory_is_refused_before_its_request_is_checked(backend) {
        let app = TestApp::spawn(backend);
        for email in [COORDINATOR, ANALYST] {
            let token = app.token(email);
            let res = patch_without_if_match(&app, "/api/v1/territories/421", &token, &json!({"nonsense": true}));
            assert_eq!(res.status(), 403, "{email}");
            assert_problem(res, 403, "forbidden");
        }
    }

    fn an_api_client_lists_organizations_but_nothing_else_of_this_issue(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        for (organization, role) in [("ngo-rabat", "partner"), ("hotline-2511", "hotline")] {
            let (_, token) = api_client(&app, &admin, organization, role);
            let t = Some(token.as_str());
            assert_eq!(app.get("/api/v1/organizations", t).status(), 200, "{role}");
            assert_eq!(app.get("/api/v1/organizations/cape-rabat", t).status(), 200, "{role}");
            assert_problem(app.get("/api/v1/me", t), 403, "forbidden");
            assert_problem(app.patch("/api/v1/me", t, "\"1\"", &json!({"language": "fr"})), 403, "forbidden");
            assert_problem(app.get("/api/v1/users", t), 403, "forbidden");
            assert_problem(app.get("/api/v1/clients", t), 403, "forbidden");
            assert_problem(
                app.post("/api/v1/organizations", t, &new_organization(&format!("by-{role}"), &["421"])),
                403,
                "forbidden",
            );
            assert_problem(
                app.post("/api/v1/users", t, &new_user(&format!("by-{role}@example.ma"), "partner", organization, None)),
                403,
                "forbidden",
            );
        }
    }

    // ---------------------------------------------------------------- coordinator scope

    fn a_coordinator_sees_only_the_users_of_their_territory(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let sale = create_user(&app, &admin, &new_user("worker.sale@example.ma", "case_worker", "upe-sale", Some("441")));
        assert_eq!(sale["territory"], "441");
        let sale_path = format!("/api/v1/users/{}", sale["id"].as_str().unwrap_or(""));

        let coordinator = app.token(COORDINATOR);
        let seen = all_pages(&app, "/api/v1/users", &coordinator, 2, "id");
        assert_eq!(
            emails(&seen),
            HashSet::from([COORDINATOR, CASE_WORKER, PARTNER].map(String::from)),
            "the users whose territory is Rabat (421)"
        );
        assert!(seen.iter().all(|u| u["territory"] == "421"));
        let hidden = assert_problem(app.get(&sale_path, Some(&coordinator)), 404, "not_found");
        let absent = assert_problem(
            app.get("/api/v1/users/00000000-0000-7000-8000-000000000000", Some(&coordinator)),
            404,
            "not_found",
        );
        for key in ["type", "title", "detail", "code", "status", "errors"] {
            assert_eq!(hidden.get(key), absent.get(key), "a hidden user looks absent ({key})");
        }
        let admin_id = user_id(&app, ADMIN);
        assert_problem(app.get(&format!("/api/v1/users/{admin_id}"), Some(&coordinator)), 404, "not_found");
        // Filters stay inside the scope.
        let (_, filtered) = expect_json(app.get("/api/v1/users?organization=upe-sale", Some(&coordinator)), 200);
        assert_eq!(filtered["items"], json!([]));

        let (_, found) = expect_json(app.get(&sale_path, Some(&admin)), 200);
        assert_eq!(found["email"], "worker.sale@example.ma");
        assert!(emails(&all_pages(&app, "/api/v1/users", &admin, 200, "id")).contains("worker.sale@example.ma"));
    }

    fn a_regional_coordinator_sees_the_users_of_every_province_in_the_region(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        create_user(&app, &admin, &new_user("worker.sale@example.ma", "case_worker", "upe-sale", None));
        create_user(&app, &admin, &new_user("worker.meknes@example.ma", "case_worker", "cape-meknes", None));
        let regional = create_user(&app, &admin, &new_user("region.rsk@example.ma", "coordinator", "ministry", Some("MA-04")));
        assert_eq!(regional["territory"], "MA-04");

        let token = login_token(&app, "region.rsk@example.ma", PASSWORD);
        let seen = emails(&all_pages(&app, "/api/v1/users", &token, 3, "id"));
        let expected: HashSet<String> = [
            "region.rsk@example.ma",
            "worker.sale@example.ma",
            COORDINATOR,
            CASE_WORKER,
            PARTNER,
        ]
        .map(String::from)
        .into();
        assert_eq!(seen, expected, "Rabat (421), Salé (441) and the region itself, not Meknès nor national users");

        // The provincial coordinator does not see the regional one above them.
        let provincial = app.token(COORDINATOR);
        let regional_path = format!("/api/v1/users/{}", regional["id"].as_str().unwrap_or(""));
        assert_problem(app.get(&regional_path, Some(&provincial)), 404, "not_found");
        assert_eq!(app.get(&regional_path, Some(&token)).status(), 200);
    }

    // ---------------------------------------------------------------- organizations

    fn an_admin_creates_an_organization_and_reads_it_back(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let body = json!({
            "code": "cape-kenitra",
            "name": "Child protection support centre, Kénitra",
            "labels": {"ar": "مركز المواكبة لحماية الطفولة القنيطرة", "fr": "CAPE Kénitra", "en": "Support centre, Kenitra"},
            "type": "support_centre",
            "territories": ["441", "421", "421"],
        });
        let res = app.post("/api/v1/organizations", Some(&admin), &body);
        assert_eq!(header(&res, "location").as_deref(), Some("/api/v1/organizations/cape-kenitra"));
        assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"));
        let (etag, created) = expect_json(res, 201);
        let etag = etag.expect("ETag on create");
        assert_eq!(created["code"], "cape-kenitra");
        assert_eq!(created["name"], body["name"]);
        assert_eq!(created["labels"], body["labels"]);
        assert_eq!(created["type"], "support_centre");
        assert_eq!(created["sector"], Value::Null);
        assert_eq!(created["territories"], json!(["421", "441"]));
        assert_eq!(created["active"], true);
        assert!(created["created_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{created}");

        let (read_etag, read) = expect_json(app.get("/api/v1/organizations/cape-kenitra", Some(&admin)), 200);
        assert_eq!(read_etag.as_deref(), Some(etag.as_str()));
        assert_eq!(read, created);

        let public = json!({
            "code": "police-sale", "name": "Police, Salé", "type": "public_service",
            "sector": "police", "territories": ["441"],
        });
        let created = create_organization(&app, &admin, &public);
        assert_eq!(created["sector"], "police");
        assert_eq!(created["labels"], Value::Null);
    }

    fn an_organization_code_is_taken_once(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        create_organization(&app, &admin, &new_organization("ngo-tanger", &["511"]));
        assert_problem(
            app.post("/api/v1/organizations", Some(&admin), &new_organization("ngo-tanger", &["421"])),
            409,
            "organization_code_taken",
        );
        assert_problem(
            app.post("/api/v1/organizations", Some(&admin), &new_organization("cape-rabat", &["421"])),
            409,
            "organization_code_taken",
        );
    }

    fn an_organization_body_is_checked_field_by_field(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let post = |body: &Value| app.post("/api/v1/organizations", Some(&admin), body);

        assert_invalid(post(&new_organization("ngo-nowhere", &["999"])), "territories", Some("unknown_territory"));
        assert_invalid(post(&new_organization("ngo-nowhere", &[])), "territories", None);
        let no_sector = json!({"code": "hospital-x", "name": "Hospital", "type": "public_service", "territories": ["421"]});
        assert_invalid(post(&no_sector), "sector", Some("required"));
        let ngo_with_sector = json!({"code": "ngo-x", "name": "NGO", "type": "ngo", "sector": "health", "territories": ["421"]});
        assert_invalid(post(&ngo_with_sector), "sector", Some("not_allowed"));
        let mut unknown = new_organization("ngo-x", &["421"]);
        unknown["budget"] = json!(1000);
        assert_invalid(post(&unknown), "budget", Some("unknown_field"));
        let mut bad_type = new_organization("ngo-x", &["421"]);
        bad_type["type"] = json!("bank");
        assert_invalid(post(&bad_type), "type", None);
        let mut bad_sector = new_organization("hospital-x", &["421"]);
        bad_sector["type"] = json!("public_service");
        bad_sector["sector"] = json!("banking");
        assert_invalid(post(&bad_sector), "sector", None);
        assert_invalid(post(&new_organization("a b", &["421"])), "code", Some("invalid_code"));
        let mut long_name = new_organization("ngo-x", &["421"]);
        long_name["name"] = json!("n".repeat(201));
        assert_invalid(post(&long_name), "name", Some("length"));
        let mut nameless = new_organization("ngo-x", &["421"]);
        nameless.as_object_mut().map(|o| o.remove("name"));
        assert_invalid(post(&nameless), "name", Some("required"));
        let mut disguised = new_organization("ngo-x", &["421"]);
        disguised["labels"] = json!({"ar": "جمعية\u{202E}", "fr": "Association", "en": "Association"});
        assert_invalid(post(&disguised), "labels.ar", Some("forbidden_character"));

        // Nothing was created by the refused calls.
        assert_problem(app.get("/api/v1/organizations/ngo-x", Some(&admin)), 404, "not_found");
        assert_problem(app.get("/api/v1/organizations/ngo-nowhere", Some(&admin)), 404, "not_found");
    }

    fn organizations_page_by_cursor_without_gaps_or_repeats(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let partner = app.token(PARTNER);
        // Codes whose byte order and a linguistic collation disagree (case, '-' and '_').
        let added = ["aaa-first", "zzz-last", "ab-c", "abb", "ab_d", "AB-E", "Abf"];
        for code in added {
            create_organization(&app, &admin, &new_organization(code, &["421"]));
        }
        let total = 14 + added.len();

        let (_, whole) = expect_json(app.get("/api/v1/organizations?limit=200", Some(&partner)), 200);
        assert!(whole["next_cursor"].is_null());
        let whole: Vec<Value> = whole["items"].as_array().expect("items").clone();
        assert_eq!(whole.len(), total, "14 demo organizations and the new ones");

        let (_, first) = expect_json(app.get("/api/v1/organizations?limit=2", Some(&partner)), 200);
        assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
        assert!(first["next_cursor"].is_string());

        for limit in [1, 2, 3, 7] {
            let paged = all_pages(&app, "/api/v1/organizations", &partner, limit, "code");
            assert_eq!(paged, whole, "pages of {limit}, end to end, are the whole list in its order");
        }
        let paged = whole.clone();
        let cape_rabat = paged.iter().find(|o| o["code"] == "cape-rabat").expect("cape-rabat");
        assert_eq!(cape_rabat["territories"], json!(["421"]));
        assert_eq!(cape_rabat["type"], "support_centre");
        assert!(cape_rabat["labels"]["ar"].is_string());

        let (_, default) = expect_json(app.get("/api/v1/organizations", Some(&partner)), 200);
        assert_eq!(default["items"].as_array().map(Vec::len), Some(total));
    }

    fn a_list_refuses_a_limit_out_of_range_or_a_forged_cursor(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        for path in ["/api/v1/organizations", "/api/v1/users", "/api/v1/clients"] {
            for limit in ["0", "500", "-1"] {
                assert_invalid(app.get(&format!("{path}?limit={limit}"), Some(&admin)), "limit", None);
            }
            assert_eq!(app.get(&format!("{path}?limit=200"), Some(&admin)).status(), 200);
            assert_eq!(app.get(&format!("{path}?limit=1"), Some(&admin)).status(), 200);
            assert_invalid(app.get(&format!("{path}?cursor=%25%25"), Some(&admin)), "cursor", None);
            assert_problem(app.get(&format!("{path}?limit=ten"), Some(&admin)), 422, "validation_failed");
        }
    }

    fn an_organization_changes_only_with_the_etag_of_the_last_read(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let path = "/api/v1/organizations/ngo-rabat";
        let etag = etag_of(&app, path, &admin);

        assert_problem(
            patch_without_if_match(&app, path, &admin, &json!({"name": "No precondition"})),
            428,
            "precondition_required",
        );
        let change = json!({
            "name": "Child rights association, Rabat-Salé",
            "labels": {"ar": "جمعية حقوق الطفل الرباط سلا", "fr": "Association, Rabat-Salé", "en": "Association, Rabat-Salé"},
            "territories": ["441", "421"],
        });
        let (new_etag, changed) = expect_json(app.patch(path, Some(&admin), &etag, &change), 200);
        let new_etag = new_etag.expect("a new ETag");
        assert_ne!(new_etag, etag);
        assert_eq!(changed["name"], change["name"]);
        assert_eq!(changed["labels"], change["labels"]);
        assert_eq!(changed["territories"], json!(["421", "441"]));
        assert_eq!(changed["type"], "ngo");

        assert_problem(app.patch(path, Some(&admin), &etag, &json!({"name": "Stale"})), 412, "precondition_failed");
        assert_problem(app.patch(path, Some(&admin), "\"abc\"", &json!({"name": "Garbled"})), 412, "precondition_failed");
        assert_invalid(app.patch(path, Some(&admin), &new_etag, &json!({"territories": ["999"]})), "territories", None);
        assert_invalid(app.patch(path, Some(&admin), &new_etag, &json!({"territories": []})), "territories", None);
        assert_invalid(app.patch(path, Some(&admin), &new_etag, &json!({"sector": "health"})), "sector", None);
        assert_invalid(app.patch(path, Some(&admin), &new_etag, &json!({"type": "ministry"})), "type", Some("unknown_field"));
        let (etag_now, unchanged) = expect_json(app.get(path, Some(&admin)), 200);
        assert_eq!(etag_now.as_deref(), Some(new_etag.as_str()), "refused changes leave the record as it was");
        assert_eq!(unchanged, changed);

        assert_problem(app.patch("/api/v1/organizations/no-such-org", Some(&admin), &new_etag, &json!({"name": "x"})), 404, "not_found");
        assert_problem(app.get("/api/v1/organizations/no-such-org", Some(&admin)), 404, "not_found");
        assert_problem(app.delete("/api/v1/organizations/no-such-org", Some(&admin)), 404, "not_found");
    }

    fn a_deactivated_organization_shuts_out_its_users_and_clients(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let coordinator = app.token(COORDINATOR);
        let case_worker = app.token(CASE_WORKER);
        let (_, client) = api_client(&app, &admin, "cape-rabat", "partner");
        assert_eq!(app.get("/api/v1/me", Some(&coordinator)).status(), 200);
        assert_eq!(app.get("/api/v1/organizations", Some(&client)).status(), 200);

        let res = app.delete("/api/v1/organizations/cape-rabat", Some(&admin));
        assert_eq!(res.status(), 204);
        let (_, org) = expect_json(app.get("/api/v1/organizations/cape-rabat", Some(&admin)), 200);
        assert_eq!(org["active"], false);
        assert_eq!(org["code"], "cape-rabat", "the record stays");

        assert_problem(app.get("/api/v1/me", Some(&coordinator)), 401, "invalid_token");
        assert_problem(app.get("/api/v1/users", Some(&coordinator)), 401, "invalid_token");
        assert_problem(app.get("/api/v1/organizations", Some(&case_worker)), 401, "invalid_token");
        assert_problem(app.get("/api/v1/organizations", Some(&client)), 401, "invalid_token");
        assert_eq!(login_status(&app, COORDINATOR, DEMO_PASSWORD), 401);
        // Other organizations' users carry on.
        assert_eq!(app.get("/api/v1/me", Some(&app.token(PARTNER))).status(), 200);

        // Reactivating lets them back in.
        let etag = etag_of(&app, "/api/v1/organizations/cape-rabat", &admin);
        let (_, org) = expect_json(app.patch("/api/v1/organizations/cape-rabat", Some(&admin), &etag, &json!({"active": true})), 200);
        assert_eq!(org["active"], true);
        assert_eq!(app.get("/api/v1/me", Some(&coordinator)).status(), 200);
    }

    // ---------------------------------------------------------------- users

    fn an_admin_creates_a_user_who_can_then_log_in(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let mut body = new_user("Amina.Alaoui@Example.MA", "case_worker", "cape-rabat", Some("421"));
        body["display_name"] = json!("Amina Alaoui");
        body["language"] = json!("fr");
        let res = app.post("/api/v1/users", Some(&admin), &body);
        let location = header(&res, "location").expect("Location");
        let (etag, user) = expect_json(res, 201);
        assert!(etag.is_some());
        let id = user["id"].as_str().expect("id").to_string();
        assert_eq!(location, format!("/api/v1/users/{id}"));
        assert_eq!(user["email"], "amina.alaoui@example.ma");
        assert_eq!(user["display_name"], "Amina Alaoui");
        assert_eq!(user["role"], "case_worker");
        assert_eq!(user["organization"], "cape-rabat");
        assert_eq!(user["territory"], "421");
        assert_eq!(user["language"], "fr");
        assert_eq!(user["active"], true);
        let text = serde_json::to_string(&user).unwrap_or_default();
        assert!(!text.contains("password") && !text.contains("argon2"), "{text}");

        let (_, read) = expect_json(app.get(&location, Some(&admin)), 200);
        assert_eq!(read, user);
        let login = app.login_body("amina.alaoui@example.ma", PASSWORD);
        assert_eq!(login["user"]["id"], json!(id));

        // Arabic is the default language.
        let arabic = create_user(&app, &admin, &new_user("karim@example.ma", "partner", "ngo-rabat", None));
        assert_eq!(arabic["language"], "ar");
    }

    fn a_user_body_is_checked_field_by_field(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let post = |body: &Value| app.post("/api/v1/users", Some(&admin), body);

        let mut short = new_user("short@example.ma", "case_worker", "cape-rabat", None);
        short["password"] = json!("elevenchars");
        assert_invalid(post(&short), "password", Some("length"));
        assert_invalid(post(&new_user("not-an-email", "case_worker", "cape-rabat", None)), "email", Some("email"));
        assert_invalid(post(&new_user("a@b@example.ma", "case_worker", "cape-rabat", None)), "email", None);
        assert_invalid(post(&new_user("x@example.ma", "case_worker", "no-such-org", None)), "organization", None);
        assert_invalid(post(&new_user("x@example.ma", "case_worker", "cape-rabat", Some("999"))), "territory", None);
        assert_invalid(post(&new_user("x@example.ma", "superuser", "cape-rabat", None)), "role", None);
        let mut unknown = new_user("x@example.ma", "case_worker", "cape-rabat", None);
        unknown["is_admin"] = json!(true);
        assert_invalid(post(&unknown), "is_admin", Some("unknown_field"));
        let mut long_name = new_user("x@example.ma", "case_worker", "cape-rabat", None);
        long_name["display_name"] = json!("n".repeat(121));
        assert_invalid(post(&long_name), "display_name", Some("length"));
        let mut long_password = new_user("x@example.ma", "case_worker", "cape-rabat", None);
        long_password["password"] = json!("p".repeat(257));
        assert_invalid(post(&long_password), "password", Some("length"));
        let mut missing = new_user("x@example.ma", "case_worker", "cape-rabat", None);
        missing.as_object_mut().map(|o| o.remove("role"));
        assert_invalid(post(&missing), "role", Some("required"));
        let mut bad_language = new_user("x@example.ma", "case_worker", "cape-rabat", None);
        bad_language["language"] = json!("de");
        assert_invalid(post(&bad_language), "language", None);

        let admin_list = all_pages(&app, "/api/v1/users", &admin, 200, "id");
        assert_eq!(admin_list.len(), 7, "no refused user was created");
    }

    fn an_email_is_taken_once_whatever_its_case(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        create_user(&app, &admin, &new_user("Samira@Example.ma", "partner", "ngo-rabat", None));
        assert_problem(
            app.post("/api/v1/users", Some(&admin), &new_user("samira@example.MA", "hotline", "hotline-2511", None)),
            409,
            "email_taken",
        );
        assert_problem(
            app.post("/api/v1/users", Some(&admin), &new_user("ADMIN@demo.madar.ma", "admin", "ministry", None)),
            409,
            "email_taken",
        );
    }

    fn a_user_gets_the_territory_of_an_organization_that_serves_one(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let sale = create_user(&app, &admin, &new_user("sale@example.ma", "case_worker", "upe-sale", None));
        assert_eq!(sale["territory"], "441");
        let national = create_user(&app, &admin, &new_user("national@example.ma", "hotline", "hotline-2511", None));
        assert_eq!(national["territory"], "MA");
        let narrower = create_user(&app, &admin, &new_user("anfa@example.ma", "coordinator", "ministry", Some("141-01")));
        assert_eq!(narrower["territory"], "141-01");

        // An organization serving several territories needs the user's named.
        create_organization(&app, &admin, &new_organization("ngo-two-cities", &["421", "441"]));
        assert_invalid(
            app.post("/api/v1/users", Some(&admin), &new_user("two@example.ma", "partner", "ngo-two-cities", None)),
            "territory",
            None,
        );
        let named = create_user(&app, &admin, &new_user("two@example.ma", "partner", "ngo-two-cities", Some("441")));
        assert_eq!(named["territory"], "441");
    }

    fn a_case_worker_is_never_national(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        assert_invalid(
            app.post("/api/v1/users", Some(&admin), &new_user("cw@example.ma", "case_worker", "cape-rabat", Some("MA"))),
            "territory",
            Some("territory_too_wide"),
        );
        // The ministry serves MA: a case worker there would be national too.
        assert_invalid(
            app.post("/api/v1/users", Some(&admin), &new_user("cw@example.ma", "case_worker", "ministry", None)),
            "territory",
            Some("territory_too_wide"),
        );
        // Nor can an existing one be made national, nor a national user made a case worker.
        let path = format!("/api/v1/users/{}", user_id(&app, CASE_WORKER));
        let etag = etag_of(&app, &path, &admin);
        assert_invalid(app.patch(&path, Some(&admin), &etag, &json!({"territory": "MA"})), "territory", Some("territory_too_wide"));
        let hotline = format!("/api/v1/users/{}", user_id(&app, HOTLINE));
        let etag = etag_of(&app, &hotline, &admin);
        assert_invalid(app.patch(&hotline, Some(&admin), &etag, &json!({"role": "case_worker"})), "territory", Some("territory_too_wide"));
        // A regional case worker is fine, where the organization works.
        let regional = create_user(&app, &admin, &new_user("cw@example.ma", "case_worker", "ministry", Some("MA-04")));
        assert_eq!(regional["territory"], "MA-04");
    }

    fn a_user_works_inside_the_territories_of_their_organization(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        // cape-rabat serves 421: its region and a neighbouring province are outside it.
        for territory in ["MA-04", "441"] {
            assert_invalid(
                app.post("/api/v1/users", Some(&admin), &new_user("out@example.ma", "case_worker", "cape-rabat", Some(territory))),
                "territory",
                Some("outside_organization"),
            );
        }
        // Moving a user to an organization elsewhere, keeping their territory, is refused too.
        let path = format!("/api/v1/users/{}", user_id(&app, CASE_WORKER));
        let etag = etag_of(&app, &path, &admin);
        assert_invalid(
            app.patch(&path, Some(&admin), &etag, &json!({"organization": "cape-marrakech"})),
            "territory",
            Some("outside_organization"),
        );
        // Casablanca-Anfa's mobile unit works in 141-01, a prefecture of arrondissements.
        let user = create_user(&app, &admin, &new_user("samu@example.ma", "case_worker", "samu-casablanca", None));
        assert_eq!(user["territory"], "141-01");
    }

    fn an_admin_cannot_deactivate_themselves_or_drop_their_own_admin_role(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let path = format!("/api/v1/users/{}", user_id(&app, ADMIN));
        let etag = etag_of(&app, &path, &admin);
        assert_problem(app.patch(&path, Some(&admin), &etag, &json!({"active": false})), 409, "cannot_change_own_access");
        assert_problem(app.patch(&path, Some(&admin), &etag, &json!({"role": "analyst"})), 409, "cannot_change_own_access");
        assert_problem(app.delete(&path, Some(&admin)), 409, "cannot_change_own_access");
        // Nothing changed: the admin still works, and may still rename themselves.
        let renamed = app.patch(&path, Some(&admin), &etag, &json!({"display_name": "Still admin"}));
        assert_eq!(renamed.status(), 200);
        assert_eq!(app.get("/api/v1/me", Some(&admin)).json::<Value>().unwrap()["role"], "admin");
    }

    fn a_deactivated_organization_is_hidden_from_everyone_but_admins(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let partner = app.token(PARTNER);
        assert_eq!(app.delete("/api/v1/organizations/health-rabat", Some(&admin)).status(), 204);
        assert_problem(app.get("/api/v1/organizations/health-rabat", Some(&partner)), 404, "not_found");
        let codes = |token: &str| -> Vec<String> {
            let body: Value = app.get("/api/v1/organizations?limit=200", Some(token)).json().unwrap();
            body["items"].as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap().to_string()).collect()
        };
        assert!(!codes(&partner).contains(&"health-rabat".to_string()));
        assert!(codes(&admin).contains(&"health-rabat".to_string()));
        let seen: Value = app.get("/api/v1/organizations/health-rabat", Some(&admin)).json().unwrap();
        assert_eq!(seen["active"], false);
    }

    fn a_display_name_refuses_disguising_characters_but_keeps_arabic_marks(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        for (i, name) in ["evil\u{202E}txt.exe", "nul\u{0}name", "isolate\u{2067}x", "line\nbreak"].iter().enumerate() {
            let mut body = new_user(&format!("bad{i}@example.ma"), "partner", "ngo-rabat", None);
            body["display_name"] = json!(name);
            assert_invalid(app.post("/api/v1/users", Some(&admin), &body), "display_name", Some("forbidden_character"));
        }
        let mut blank = new_user("blank@example.ma", "partner", "ngo-rabat", None);
        blank["display_name"] = json!("   ");
        assert_invalid(app.post("/api/v1/users", Some(&admin), &blank), "display_name", None);

        let arabic = "\u{200F}أمينة العلوي";
        let mut body = new_user("amina@example.ma", "partner", "ngo-rabat", None);
        body["display_name"] = json!(arabic);
        let user = create_user(&app, &admin, &body);
        assert_eq!(user["display_name"], arabic);

        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap_or(""));
        let etag = etag_of(&app, &path, &admin);
        assert_invalid(app.patch(&path, Some(&admin), &etag, &json!({"display_name": "x\u{202D}y"})), "display_name", Some("forbidden_character"));
        assert_eq!(expect_json(app.get(&path, Some(&admin)), 200).1["display_name"], arabic);
    }

    fn users_filter_by_role_organization_and_text(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        create_user(&app, &admin, &new_user("cw.sale@example.ma", "case_worker", "upe-sale", None));

        let case_workers = all_pages(&app, "/api/v1/users?role=case_worker", &admin, 1, "id");
        assert_eq!(emails(&case_workers), HashSet::from([CASE_WORKER, "cw.sale@example.ma"].map(String::from)));
        assert!(case_workers.iter().all(|u| u["role"] == "case_worker"));

        let ministry = all_pages(&app, "/api/v1/users?organization=ministry", &admin, 2, "id");
        assert_eq!(emails(&ministry), HashSet::from([ADMIN, ANALYST, AUDITOR].map(String::from)));
        assert!(ministry.iter().all(|u| u["organization"] == "ministry"));

        let both = all_pages(&app, "/api/v1/users?role=analyst&organization=ministry", &admin, 50, "id");
        assert_eq!(emails(&both), HashSet::from([ANALYST.to_string()]));

        let (_, none) = expect_json(app.get("/api/v1/users?organization=no-such-org", Some(&admin)), 200);
        assert_eq!(none["items"], json!([]));
        assert_problem(app.get("/api/v1/users?role=superuser", Some(&admin)), 422, "validation_failed");

        // Text in the email or the name, any case, wildcards taken literally.
        let found = all_pages(&app, "/api/v1/users?q=CW.SALE", &admin, 50, "id");
        assert_eq!(emails(&found), HashSet::from(["cw.sale@example.ma".to_string()]));
        let by_name = all_pages(&app, "/api/v1/users?q=demo%20analyst", &admin, 50, "id");
        assert_eq!(emails(&by_name), HashSet::from([ANALYST.to_string()]));
        let with_role = all_pages(&app, "/api/v1/users?q=demo&role=auditor", &admin, 50, "id");
        assert_eq!(emails(&with_role), HashSet::from([AUDITOR.to_string()]));
        let (_, none) = expect_json(app.get("/api/v1/users?q=%25", Some(&admin)), 200);
        assert_eq!(none["items"], json!([]), "% is a character, not a wildcard");
        let long = "x".repeat(101);
        assert_problem(app.get(&format!("/api/v1/users?q={long}"), Some(&admin)), 422, "validation_failed");

        // The coordinator's filters apply within their scope.
        let coordinator = app.token(COORDINATOR);
        let theirs = all_pages(&app, "/api/v1/users?role=case_worker", &coordinator, 50, "id");
        assert_eq!(emails(&theirs), HashSet::from([CASE_WORKER.to_string()]));
        let (_, outside) = expect_json(app.get("/api/v1/users?q=cw.sale", Some(&coordinator)), 200);
        assert_eq!(outside["items"], json!([]), "the search stays in the coordinator's scope");
    }

    fn an_admin_changes_a_users_role_and_territory_with_the_etag(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let user = create_user(&app, &admin, &new_user("mover@example.ma", "case_worker", "cape-rabat", None));
        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap_or(""));
        let etag = etag_of(&app, &path, &admin);

        assert_problem(
            patch_without_if_match(&app, &path, &admin, &json!({"role": "coordinator"})),
            428,
            "precondition_required",
        );
        let (new_etag, changed) = expect_json(
            app.patch(&path, Some(&admin), &etag, &json!({"role": "coordinator", "territory": "441", "organization": "upe-sale"})),
            200,
        );
        assert_ne!(new_etag.as_deref(), Some(etag.as_str()));
        assert_eq!(changed["role"], "coordinator");
        assert_eq!(changed["territory"], "441");
        assert_eq!(changed["organization"], "upe-sale");
        assert_eq!(changed["email"], "mover@example.ma");
        assert_problem(app.patch(&path, Some(&admin), &etag, &json!({"role": "analyst"})), 412, "precondition_failed");
        let new_etag = new_etag.expect("ETag");
        assert_invalid(app.patch(&path, Some(&admin), &new_etag, &json!({"territory": "999"})), "territory", None);
        assert_invalid(app.patch(&path, Some(&admin), &new_etag, &json!({"organization": "no-such-org"})), "organization", None);
        assert_invalid(app.patch(&path, Some(&admin), &new_etag, &json!({"email": "new@example.ma"})), "email", Some("unknown_field"));

        // Their new scope follows them: they now coordinate Salé.
        let token = login_token(&app, "mover@example.ma", PASSWORD);
        let seen = emails(&all_pages(&app, "/api/v1/users", &token, 50, "id"));
        assert_eq!(seen, HashSet::from(["mover@example.ma".to_string()]));
        assert_problem(app.get("/api/v1/users/00000000-0000-7000-8000-000000000000", Some(&admin)), 404, "not_found");
        assert_problem(app.get("/api/v1/users/not-a-uuid", Some(&admin)), 404, "not_found");
    }

    fn a_new_password_replaces_the_old_one(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let user = create_user(&app, &admin, &new_user("forgetful@example.ma", "partner", "ngo-rabat", None));
        let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap_or(""));
        let etag = etag_of(&app, &path, &admin);
        assert_invalid(app.patch(&path, Some(&admin), &etag, &json!({"password": "too-short"})), "password", Some("length"));
        assert_eq!(login_status(&app, "forgetful@example.ma", PASSWORD), 200);

        let new_password = "a-much-longer-new-passphrase";
        let (_, changed) = expect_json(app.patch(&path, Some(&admin), &etag, &json!({"password": new_password})), 200);
        assert!(!serde_json::to_string(&changed).unwrap_or_default().contains("password"));
        assert_eq!(login_status(&app, "forgetful@example.ma", PASSWORD), 401);
        assert_eq!(login_status(&app, "forgetful@example.ma", new_password), 200);
    }

    fn a_deactivated_user_is_refused_from_the_next_request(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let path = format!("/api/v1/users/{}", user_id(&app, CASE_WORKER));
        let token = app.token(CASE_WORKER);
        assert_eq!(app.get("/api/v1/me", Some(&token)).status(), 200);
        assert_eq!(app.delete(&path, Some(&admin)).status(), 204);
        assert_problem(app.get("/api/v1/me", Some(&token)), 401, "invalid_token");
        assert_eq!(login_status(&app, CASE_WORKER, DEMO_PASSWORD), 401);
        let (etag, user) = expect_json(app.get(&path, Some(&admin)), 200);
        assert_eq!(user["active"], false);
        // And an admin may let them back in.
        let (_, user) = expect_json(app.patch(&path, Some(&admin), &etag.unwrap_or_default(), &json!({"active": true})), 200);
        assert_eq!(user["active"], true);
        assert_eq!(login_status(&app, CASE_WORKER, DEMO_PASSWORD), 200);
        assert_problem(app.delete("/api/v1/users/00000000-0000-7000-8000-000000000000", Some(&admin)), 404, "not_found");
    }

    // ---------------------------------------------------------------- /me

    fn every_demo_user_reads_their_own_profile(backend) {
        let app = TestApp::spawn(backend);
        for (email, role) in DEMO_USERS {
            let token = app.token(email);
            let res = app.get("/api/v1/me", Some(&token));
            assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"), "{email}");
            let (etag, me) = expect_json(res, 200);
            assert!(etag.is_some());
            assert_eq!(me["email"], email);
            assert_eq!(me["role"], role);
            assert_eq!(me["active"], true);
            assert_eq!(me["language"], "ar");
            assert!(me.get("password").is_none() && me.get("password_hash").is_none());
        }
        let (_, me) = expect_json(app.get("/api/v1/me", Some(&app.token(COORDINATOR))), 200);
        assert_eq!(me["organization"], "cape-rabat");
        assert_eq!(me["territory"], "421");
    }

    fn a_user_sets_their_language_and_it_stays(backend) {
        let app = TestApp::spawn(backend);
        let token = app.token(CASE_WORKER);
        let res = app
            .client
            .patch(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .json(&json!({"language": "fr"}))
            .send()
            .expect("request");
        let (_, me) = expect_json(res, 200);
        assert_eq!(me["language"], "fr");
        assert_eq!(me["email"], CASE_WORKER);
        assert_eq!(expect_json(app.get("/api/v1/me", Some(&token)), 200).1["language"], "fr");
        assert_eq!(app.login_body(CASE_WORKER, DEMO_PASSWORD)["user"]["language"], "fr");
        // Only their own profile changed.
        assert_eq!(expect_json(app.get("/api/v1/me", Some(&app.token(COORDINATOR))), 200).1["language"], "ar");

        assert_invalid(app.patch("/api/v1/me", Some(&token), "\"1\"", &json!({"language": "de"})), "language", None);
        assert_invalid(app.patch("/api/v1/me", Some(&token), "\"1\"", &json!({})), "language", Some("required"));
        assert_invalid(
            app.patch("/api/v1/me", Some(&token), "\"1\"", &json!({"language": "en", "territory": "MA"})),
            "territory",
            Some("unknown_field"),
        );
        assert_eq!(expect_json(app.get("/api/v1/me", Some(&token)), 200).1["language"], "fr");
    }

    fn an_api_client_has_no_profile(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (_, token) = api_client(&app, &admin, "hotline-2511", "hotline");
        assert_problem(app.get("/api/v1/me", Some(&token)), 403, "forbidden");
        assert_problem(app.patch("/api/v1/me", Some(&token), "\"1\"", &json!({"language": "fr"})), 403, "forbidden");
    }

    // ---------------------------------------------------------------- API clients

    fn an_admin_manages_api_clients_and_never_sees_a_secret_twice(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let res = app.post(
            "/api/v1/clients",
            Some(&admin),
            &json!({"name": "Hotline switchboard", "organization": "hotline-2511", "role": "hotline"}),
        );
        let location = header(&res, "location").expect("Location");
        let (etag, created) = expect_json(res, 201);
        assert!(etag.is_some());
        let id = created["id"].as_str().expect("id").to_string();
        assert_eq!(location, format!("/api/v1/clients/{id}"));
        let secret = created["client_secret"].as_str().expect("the secret, once").to_string();
        assert!(secret.len() >= 32, "a long secret");
        assert!(created["client_id"].as_str().is_some_and(|c| c.starts_with("mdr_")));
        assert_eq!(created["name"], "Hotline switchboard");
        assert_eq!(created["organization"], "hotline-2511");
        assert_eq!(created["role"], "hotline");
        assert_eq!(created["active"], true);
        let form = client_token(&created).expect("credentials");
        let token = token_from(&app, &form);
        assert_eq!(app.get("/api/v1/organizations", Some(&token)).status(), 200);

        let (_, list) = expect_json(app.get("/api/v1/clients", Some(&admin)), 200);
        let (etag, one) = expect_json(app.get(&location, Some(&admin)), 200);
        for body in [&list, &one] {
            let text = serde_json::to_string(body).unwrap_or_default();
            assert!(!text.contains(&secret), "the secret shows again: {text}");
            assert!(!text.contains("secret"), "a secret field shows: {text}");
        }
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(list["items"][0]["client_id"], created["client_id"]);
        assert_eq!(one["client_id"], created["client_id"]);
        let etag = etag.expect("ETag");

        assert_problem(patch_without_if_match(&app, &location, &admin, &json!({"name": "x"})), 428, "precondition_required");
        let (new_etag, renamed) = expect_json(app.patch(&location, Some(&admin), &etag, &json!({"name": "Hotline PBX"})), 200);
        assert_eq!(renamed["name"], "Hotline PBX");
        assert!(renamed.get("client_secret").is_none());
        assert_ne!(new_etag.as_deref(), Some(etag.as_str()));
        assert_problem(app.patch(&location, Some(&admin), &etag, &json!({"name": "Stale"})), 412, "precondition_failed");
        assert_invalid(app.patch(&location, Some(&admin), &new_etag.unwrap_or_default(), &json!({"role": "partner"})), "role", Some("unknown_field"));

        assert_eq!(app.delete(&location, Some(&admin)).status(), 204);
        assert_eq!(expect_json(app.get(&location, Some(&admin)), 200).1["active"], false);
        assert_problem(app.get("/api/v1/organizations", Some(&token)), 401, "invalid_token");
        assert_eq!(token_request(&app, &form).status(), 401);

        let unknown = "/api/v1/clients/00000000-0000-7000-8000-000000000000";
        assert_problem(app.get(unknown, Some(&admin)), 404, "not_found");
        assert_problem(app.delete(unknown, Some(&admin)), 404, "not_found");
        assert_problem(app.patch(unknown, Some(&admin), "\"1\"", &json!({"name": "x"})), 404, "not_found");
    }

    fn an_api_client_body_is_checked(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let post = |body: &Value| app.post("/api/v1/clients", Some(&admin), body);
        assert_invalid(post(&json!({"name": "x", "organization": "no-such-org", "role": "partner"})), "organization", None);
        assert_invalid(post(&json!({"name": "x", "organization": "ngo-rabat", "role": "admin"})), "role", None);
        assert_invalid(post(&json!({"name": "x\u{202E}", "organization": "ngo-rabat", "role": "partner"})), "name", Some("forbidden_character"));
        assert_invalid(post(&json!({"name": "x", "organization": "ngo-rabat", "role": "partner", "secret": "mine"})), "secret", Some("unknown_field"));
        let (_, list) = expect_json(app.get("/api/v1/clients", Some(&admin)), 200);
        assert_eq!(list["items"], json!([]));
    }

    fn api_clients_page_by_cursor(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        for i in 0..5 {
            expect_json(
                app.post("/api/v1/clients", Some(&admin), &json!({"name": format!("system {i}"), "organization": "ngo-rabat", "role": "partner"})),
                201,
            );
        }
        let all = all_pages(&app, "/api/v1/clients", &admin, 2, "id");
        assert_eq!(all.len(), 5);
        let users = all_pages(&app, "/api/v1/users", &admin, 2, "id");
        assert_eq!(users.len(), 7);
    }

    // ---------------------------------------------------------------- headers

    fn authenticated_responses_are_never_cached(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let partner = app.token(PARTNER);
        let case_worker = user_id(&app, CASE_WORKER);
        let calls = [
            app.get("/api/v1/me", Some(&admin)),
            app.get("/api/v1/organizations", Some(&partner)),
            app.get("/api/v1/organizations/ngo-rabat", Some(&partner)),
            app.get("/api/v1/users", Some(&admin)),
            app.get(&format!("/api/v1/users/{case_worker}"), Some(&admin)),
            app.get("/api/v1/clients", Some(&admin)),
            app.get("/api/v1/users", Some(&partner)),
            app.get("/api/v1/users", None),
            app.post("/api/v1/organizations", Some(&admin), &new_organization("ngo-cache", &["421"])),
            app.post("/api/v1/users", Some(&admin), &new_user("cache@example.ma", "partner", "ngo-rabat", None)),
            app.patch("/api/v1/me", Some(&partner), "\"1\"", &json!({"language": "fr"})),
            app.delete("/api/v1/organizations/ngo-cache", Some(&admin)),
        ];
        for res in calls {
            let url = res.url().to_string();
            assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"), "{url} {}", res.status());
        }
    }
}
