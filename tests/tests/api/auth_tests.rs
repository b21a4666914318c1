//! Authentication as a user sees it: logging in, lockout and rate limits, refresh-token rotation
//! and reuse detection, logging out, access-token checks, deactivated users, and API clients
//! with OAuth 2 client credentials.
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use madar_tests::*;

/// The signing secret the forging tests start the server with.
const SECRET: &str = "auth-tests-signing-secret-0123456789-abcdef";
const LOGIN: &str = "/api/v1/auth/login";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const TOKEN: &str = "/api/v1/auth/token";
const FIFTEEN_MINUTES: i64 = 15 * 60;

fn login(app: &TestApp, email: &str, password: &str) -> Response {
    app.post(LOGIN, None, &json!({"email": email, "password": password}))
}

fn refresh(app: &TestApp, refresh_token: &str) -> Response {
    app.post(REFRESH, None, &json!({"refresh_token": refresh_token}))
}

/// Refreshes with the `madar_refresh` cookie alone and no body, as the web client does.
fn refresh_with_cookie(app: &TestApp, refresh_token: &str) -> Response {
    app.client
        .post(app.url(REFRESH))
        .header("cookie", format!("madar_refresh={refresh_token}"))
        .send()
        .expect("request")
}

fn header(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn text(body: &Value, field: &str) -> String {
    body[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {body}"))
        .to_string()
}

/// A response's `Retry-After`, in seconds.
fn retry_after(res: &Response) -> u64 {
    header(res, "retry-after")
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After in {:?}", res.headers()))
}

/// The problem's body without its request id, to compare two refusals.
fn without_request_id(mut body: Value) -> Value {
    body.as_object_mut().map(|o| o.remove("request_id"));
    body
}

/// Asserts a 401 with `WWW-Authenticate: Bearer` and the given code.
fn assert_unauthorized(res: Response, code: &str) -> Value {
    let challenge = header(&res, "www-authenticate");
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate: {challenge:?}"
    );
    assert_problem(res, 401, code)
}

/// The `madar_refresh` cookie a response sets: its value and its attributes, lower-cased.
fn refresh_cookie(res: &Response) -> (String, Vec<String>) {
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("madar_refresh="))
        .unwrap_or_else(|| panic!("no madar_refresh cookie in {:?}", res.headers()))
        .to_string();
    let mut parts = cookie.split(';').map(str::trim);
    let value = parts
        .next()
        .and_then(|p| p.strip_prefix("madar_refresh="))
        .unwrap_or("")
        .to_string();
    (value, parts.map(str::to_ascii_lowercase).collect())
}

fn me(app: &TestApp, token: &str) -> Response {
    app.get("/api/v1/me", Some(token))
}

/// Seconds since the epoch on this machine (the server's clock until a test advances it).
fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The claims Madar puts in a user's access token (see api/src/auth/tokens.rs).
fn user_claims(user_id: &str) -> Value {
    json!({
        "iss": "madar",
        "aud": "madar-api",
        "sub": user_id,
        "sub_kind": "user",
        "iat": now(),
        "exp": now() + 900,
        "jti": uuid::Uuid::new_v4().to_string(),
    })
}

/// A JWT signed with `secret`, with the given algorithm, `typ` and claims.
fn forge(alg: Algorithm, typ: Option<&str>, claims: &Value, secret: &str) -> String {
    let mut header = Header::new(alg);
    header.typ = typ.map(str::to_string);
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign a token")
}

/// A token as Madar would sign it, with the server's secret.
fn forge_valid(claims: &Value) -> String {
    forge(Algorithm::HS256, Some("at+jwt"), claims, SECRET)
}

/// A JWT with any header, unsigned (`alg: none` and the like).
fn unsigned(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// A server with a known signing secret, and the admin's user id.
fn app_with_secret(backend: Backend) -> (TestApp, String) {
    let app = TestApp::builder(backend)
        .env("MADAR_JWT_SECRET", SECRET)
        .spawn();
    let id = text(&app.login_body(ADMIN, DEMO_PASSWORD)["user"], "id");
    (app, id)
}

fn user_id(app: &TestApp, admin: &str, email: &str) -> String {
    let res = app.get("/api/v1/users?limit=100", Some(admin));
    assert_eq!(res.status(), 200);
    let page: Value = res.json().expect("users page");
    page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|u| u["email"] == email))
        .map(|u| text(u, "id"))
        .unwrap_or_else(|| panic!("{email} in {page}"))
}

/// Deactivates a user the way an admin does in the web client: read, then PATCH with If-Match.
fn deactivate_by_patch(app: &TestApp, admin: &str, id: &str) {
    let path = format!("/api/v1/users/{id}");
    let res = app.get(&path, Some(admin));
    assert_eq!(res.status(), 200);
    let etag = header(&res, "etag");
    assert!(!etag.is_empty(), "ETag on GET {path}");
    let res = app.patch(&path, Some(admin), &etag, &json!({"active": false}));
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().expect("user")["active"], false);
}

/// A new API client for the demo hotline's switchboard.
fn hotline_client() -> Value {
    json!({
        "name": "Hotline 2511 switchboard",
        "organization": "hotline-2511",
        "role": "hotline",
    })
}

/// A hotline API client created by the admin: (record id, client_id, client_secret).
pub(crate) fn create_client(app: &TestApp, admin: &str) -> (String, String, String) {
    let res = app.post("/api/v1/clients", Some(admin), &hotline_client());
    assert_eq!(res.status(), 201);
    let body: Value = res.json().expect("created client");
    (
        text(&body, "id"),
        text(&body, "client_id"),
        text(&body, "client_secret"),
    )
}

fn token_form(app: &TestApp, form: &[(&str, &str)]) -> Response {
    app.client
        .post(app.url(TOKEN))
        .form(form)
        .send()
        .expect("request")
}

pub(crate) fn client_token(app: &TestApp, client_id: &str, secret: &str) -> Response {
    token_form(
        app,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ],
    )
}

/// Asserts a token-endpoint refusal: a problem that also carries RFC 6749's `error`.
fn assert_oauth_error(res: Response, status: u16, error: &str) -> Value {
    let body = assert_problem(res, status, error);
    assert_eq!(body["error"], error, "RFC 6749 error in {body}");
    assert!(body["error_description"].is_string(), "{body}");
    body
}

/// Runs `n` requests at once; returns their statuses.
fn at_once(n: usize, request: impl Fn() -> Response + Sync) -> Vec<u16> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| s.spawn(|| request().status().as_u16()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("request thread"))
            .collect()
    })
}

backend_tests! {
    // ----- logging in -----

    fn a_login_returns_a_bearer_access_token_a_refresh_token_and_the_user(backend) {
        let app = TestApp::spawn(backend);
        let res = login(&app, COORDINATOR, DEMO_PASSWORD);
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "cache-control"), "no-store");
        let body: Value = res.json().unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        let access = text(&body, "access_token");
        assert_eq!(access.split('.').count(), 3, "a JWT: {access}");
        assert!(text(&body, "refresh_token").len() >= 32);
        assert_eq!(body["user"]["email"], COORDINATOR);
        assert_eq!(body["user"]["role"], "coordinator");
        assert_eq!(body["user"]["active"], true);
        assert!(body["user"]["id"].is_string());
        assert!(body["user"].get("password_hash").is_none(), "{body}");

        let res = me(&app, &access);
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().unwrap()["email"], COORDINATOR);
    }

    fn the_refresh_cookie_of_a_login_is_http_only_secure_strict_and_scoped_to_auth(backend) {
        let app = TestApp::spawn(backend);
        let res = login(&app, ADMIN, DEMO_PASSWORD);
        assert_eq!(res.status(), 200);
        let (value, attributes) = refresh_cookie(&res);
        let body: Value = res.json().unwrap();
        assert_eq!(value, text(&body, "refresh_token"));
        for expected in ["httponly", "secure", "samesite=strict", "path=/api/v1/auth"] {
            assert!(
                attributes.iter().any(|a| a == expected),
                "{expected} in {attributes:?}"
            );
        }
        assert!(
            attributes.iter().any(|a| a == "max-age=43200"),
            "12 hours in {attributes:?}"
        );
    }

    fn the_email_of_a_login_is_case_insensitive_and_trimmed(backend) {
        let app = TestApp::spawn(backend);
        let body = app.login_body("Admin@Demo.MADAR.ma", DEMO_PASSWORD);
        assert_eq!(body["user"]["email"], ADMIN);
        let body = app.login_body(&format!("  {}  ", ADMIN.to_uppercase()), DEMO_PASSWORD);
        assert_eq!(body["user"]["email"], ADMIN);
    }

    fn a_wrong_password_and_an_unknown_email_get_the_same_401(backend) {
        let app = TestApp::spawn(backend);
        let wrong = assert_unauthorized(
            login(&app, ADMIN, "not-the-demo-password"),
            "invalid_credentials",
        );
        let unknown = assert_unauthorized(
            login(&app, "nobody@demo.madar.ma", DEMO_PASSWORD),
            "invalid_credentials",
        );
        assert_eq!(without_request_id(wrong), without_request_id(unknown));
        let res = login(&app, ADMIN, "not-the-demo-password");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "no cookie on a refusal"
        );
    }

    fn a_login_body_with_an_empty_email_or_password_is_refused_with_422_naming_the_field(backend) {
        let app = TestApp::spawn(backend);
        let body = assert_problem(login(&app, "", DEMO_PASSWORD), 422, "validation_failed");
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["field"].as_str())
            .collect();
        assert_eq!(fields, ["email"], "{body}");
        assert!(body["errors"][0]["code"].is_string() && body["errors"][0]["message"].is_string());

        let body = assert_problem(login(&app, ADMIN, ""), 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "password", "{body}");

        let res = app.post(LOGIN, None, &json!({"email": ADMIN}));
        let body = assert_problem(res, 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "password", "{body}");
    }

    fn an_unknown_field_in_a_login_body_is_refused_with_422_naming_that_field(backend) {
        let app = TestApp::spawn(backend);
        let res = app.post(
            LOGIN,
            None,
            &json!({"email": ADMIN, "password": DEMO_PASSWORD, "remember": true}),
        );
        let body = assert_problem(res, 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "remember", "{body}");
        assert_eq!(body["errors"][0]["code"], "unknown_field", "{body}");
    }

    // ----- lockout -----

    fn five_failed_logins_lock_the_email_even_against_the_right_password(backend) {
        let app = TestApp::spawn(backend);
        for attempt in 1..=5 {
            let res = login(&app, CASE_WORKER, &format!("wrong-password-{attempt}"));
            assert_unauthorized(res, "invalid_credentials");
        }
        let res = login(&app, CASE_WORKER, DEMO_PASSWORD);
        let wait = retry_after(&res);
        assert!((1..=900).contains(&wait), "Retry-After {wait}");
        assert_problem(res, 423, "account_locked");
        // The lock is on the email, whatever its case.
        let res = login(&app, &CASE_WORKER.to_uppercase(), DEMO_PASSWORD);
        assert_problem(res, 423, "account_locked");
        // Other emails are not affected.
        app.login_body(COORDINATOR, DEMO_PASSWORD);
    }

    fn an_email_without_an_account_locks_the_same_way_so_423_reveals_nothing(backend) {
        let app = TestApp::spawn(backend);
        let ghost = "ghost@demo.madar.ma";
        for attempt in 1..=5 {
            assert_unauthorized(
                login(&app, ghost, &format!("guess-{attempt}")),
                "invalid_credentials",
            );
            assert_unauthorized(
                login(&app, HOTLINE, &format!("guess-{attempt}")),
                "invalid_credentials",
            );
        }
        let ghost_res = login(&app, ghost, DEMO_PASSWORD);
        let real_res = login(&app, HOTLINE, DEMO_PASSWORD);
        let (ghost_wait, real_wait) = (retry_after(&ghost_res), retry_after(&real_res));
        assert!(
            ghost_wait.abs_diff(real_wait) <= 2,
            "{ghost_wait} vs {real_wait}"
        );
        let ghost_body = assert_problem(ghost_res, 423, "account_locked");
        let real_body = assert_problem(real_res, 423, "account_locked");
        assert_eq!(
            without_request_id(ghost_body),
            without_request_id(real_body)
        );
    }

    fn a_locked_email_logs_in_again_after_fifteen_minutes_with_a_fresh_count(backend) {
        let app = TestApp::spawn(backend);
        for attempt in 1..=5 {
            assert_unauthorized(
                login(&app, ANALYST, &format!("nope-{attempt}")),
                "invalid_credentials",
            );
        }
        assert_problem(login(&app, ANALYST, DEMO_PASSWORD), 423, "account_locked");
        app.advance_clock(FIFTEEN_MINUTES - 60);
        assert_problem(login(&app, ANALYST, DEMO_PASSWORD), 423, "account_locked");
        app.advance_clock(61);
        let body = app.login_body(ANALYST, DEMO_PASSWORD);
        assert_eq!(body["user"]["email"], ANALYST);
        // A success clears the count: one more failure is a 401, not a new lock.
        assert_unauthorized(login(&app, ANALYST, "nope-again"), "invalid_credentials");
        app.login_body(ANALYST, DEMO_PASSWORD);
    }

    fn failures_spread_over_more_than_fifteen_minutes_do_not_lock(backend) {
        let app = TestApp::spawn(backend);
        for attempt in 1..=4 {
            assert_unauthorized(
                login(&app, AUDITOR, &format!("nope-{attempt}")),
                "invalid_credentials",
            );
        }
        app.advance_clock(FIFTEEN_MINUTES + 1);
        assert_unauthorized(login(&app, AUDITOR, "nope-5"), "invalid_credentials");
        app.login_body(AUDITOR, DEMO_PASSWORD);
    }

    fn failed_logins_sent_all_at_once_get_no_more_than_five_guesses(backend) {
        let app = TestApp::builder(backend)
            .env("MADAR_LOGIN_RATE", "1000/1m")
            .spawn();
        let statuses = at_once(12, || login(&app, PARTNER, "parallel-guess"));
        let guesses = statuses.iter().filter(|s| **s == 401).count();
        assert!(
            statuses.iter().all(|s| *s == 401 || *s == 423),
            "only 401 and 423: {statuses:?}"
        );
        assert!(guesses <= 5, "at most five passwords checked: {statuses:?}");
        assert_problem(login(&app, PARTNER, DEMO_PASSWORD), 423, "account_locked");
        // The same for an email nobody has, so 423 still reveals nothing.
        let statuses = at_once(12, || login(&app, "ghost@demo.madar.ma", "parallel-guess"));
        assert!(
            statuses.iter().all(|s| *s == 401 || *s == 423),
            "{statuses:?}"
        );
        assert!(
            statuses.iter().filter(|s| **s == 401).count() <= 5,
            "{statuses:?}"
        );
    }

    fn a_user_signing_in_from_several_tabs_at_once_gets_in_from_each(backend) {
        let app = TestApp::spawn(backend);
        let statuses = at_once(4, || login(&app, COORDINATOR, DEMO_PASSWORD));
        assert_eq!(statuses, [200, 200, 200, 200]);
        // Those attempts left no count behind: four failures still do not lock.
        for attempt in 1..=4 {
            assert_unauthorized(
                login(&app, COORDINATOR, &format!("nope-{attempt}")),
                "invalid_credentials",
            );
        }
        app.login_body(COORDINATOR, DEMO_PASSWORD);
    }

    // ----- rate limit -----

    fn logins_beyond_the_rate_of_one_address_get_429_with_retry_after(backend) {
        let app = TestApp::builder(backend)
            .env("MADAR_LOGIN_RATE", "3/1m")
            .spawn();
        app.login_body(ADMIN, DEMO_PASSWORD);
        app.login_body(COORDINATOR, DEMO_PASSWORD);
        assert_unauthorized(login(&app, HOTLINE, "wrong"), "invalid_credentials");
        let res = login(&app, ADMIN, DEMO_PASSWORD);
        let wait = retry_after(&res);
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert_problem(res, 429, "rate_limited");
        // The token endpoint shares the budget.
        let res = client_token(&app, "mdr_unknown", "whatever");
        assert!(retry_after(&res) >= 1);
        assert_problem(res, 429, "rate_limited");
    }

    fn behind_a_trusted_proxy_each_forwarded_address_has_its_own_login_rate(backend) {
        let app = TestApp::builder(backend)
            .env("MADAR_LOGIN_RATE", "2/1m")
            .env("MADAR_TRUSTED_PROXIES", "127.0.0.1")
            .spawn();
        let from = |address: &str| {
            app.client
                .post(app.url(LOGIN))
                .header("x-forwarded-for", address)
                .json(&json!({"email": ADMIN, "password": DEMO_PASSWORD}))
                .send()
                .unwrap()
        };
        assert_eq!(from("203.0.113.5").status(), 200);
        assert_eq!(from("203.0.113.5").status(), 200);
        assert_problem(from("203.0.113.5"), 429, "rate_limited");
        // A proxy chain: the client is the last address the trusted proxy did not add.
        assert_problem(from("198.51.100.9, 203.0.113.5"), 429, "rate_limited");
        assert_eq!(from("203.0.113.6").status(), 200);
    }

    fn a_forwarded_address_from_an_untrusted_peer_does_not_escape_the_login_rate(backend) {
        let app = TestApp::builder(backend)
            .env("MADAR_LOGIN_RATE", "2/1m")
            .spawn();
        let from = |address: &str| {
            app.client
                .post(app.url(LOGIN))
                .header("x-forwarded-for", address)
                .json(&json!({"email": ADMIN, "password": DEMO_PASSWORD}))
                .send()
                .unwrap()
        };
        assert_eq!(from("203.0.113.5").status(), 200);
        assert_eq!(from("203.0.113.6").status(), 200);
        assert_problem(from("203.0.113.7"), 429, "rate_limited");
    }

    // ----- refresh -----

    fn a_refresh_rotates_into_a_new_pair(backend) {
        let app = TestApp::spawn(backend);
        let first = app.login_body(COORDINATOR, DEMO_PASSWORD);
        let res = refresh(&app, &text(&first, "refresh_token"));
        assert_eq!(res.status(), 200);
        let (cookie, _) = refresh_cookie(&res);
        let second: Value = res.json().unwrap();
        assert_ne!(second["refresh_token"], first["refresh_token"]);
        assert_ne!(second["access_token"], first["access_token"]);
        assert_eq!(cookie, text(&second, "refresh_token"));
        assert_eq!(second["token_type"], "Bearer");
        assert_eq!(second["expires_in"], 900);
        assert_eq!(second["user"]["email"], COORDINATOR);
        assert_eq!(me(&app, &text(&second, "access_token")).status(), 200);
        // And the new refresh token rotates in turn.
        let res = refresh(&app, &text(&second, "refresh_token"));
        assert_eq!(res.status(), 200);
        let third: Value = res.json().unwrap();
        assert_ne!(third["refresh_token"], second["refresh_token"]);
    }

    fn a_rotated_token_reused_within_30_seconds_returns_the_same_new_pair(backend) {
        let app = TestApp::spawn(backend);
        let old = text(&app.login_body(ADMIN, DEMO_PASSWORD), "refresh_token");
        let res = refresh(&app, &old);
        assert_eq!(res.status(), 200);
        let first: Value = res.json().unwrap();
        app.advance_clock(25);
        let res = refresh(&app, &old);
        assert_eq!(res.status(), 200);
        let again: Value = res.json().unwrap();
        assert_eq!(again["refresh_token"], first["refresh_token"]);
        assert_eq!(again["access_token"], first["access_token"]);
        // The pair handed out twice is still good.
        assert_eq!(me(&app, &text(&again, "access_token")).status(), 200);
        assert_eq!(refresh(&app, &text(&again, "refresh_token")).status(), 200);
    }

    fn two_tabs_refreshing_the_same_token_at_once_both_get_the_same_pair(backend) {
        let app = TestApp::spawn(backend);
        let old = text(&app.login_body(ADMIN, DEMO_PASSWORD), "refresh_token");
        let bodies: Vec<(u16, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        let res = refresh(&app, &old);
                        (res.status().as_u16(), res.text().unwrap_or_default())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(bodies.iter().all(|(s, _)| *s == 200), "{bodies:?}");
        let pairs: Vec<(Value, Value)> = bodies
            .iter()
            .map(|(_, b)| {
                let v: Value = serde_json::from_str(b).unwrap();
                (v["refresh_token"].clone(), v["access_token"].clone())
            })
            .collect();
        assert!(
            pairs.windows(2).all(|w| w[0] == w[1]),
            "one pair: {pairs:?}"
        );
    }

    fn a_rotated_token_reused_after_30_seconds_revokes_its_whole_family(backend) {
        let app = TestApp::spawn(backend);
        let old = text(&app.login_body(ADMIN, DEMO_PASSWORD), "refresh_token");
        let other_session = text(&app.login_body(ADMIN, DEMO_PASSWORD), "refresh_token");
        let res = refresh(&app, &old);
        assert_eq!(res.status(), 200);
        let newest = text(&res.json::<Value>().unwrap(), "refresh_token");
        app.advance_clock(31);
        assert_unauthorized(refresh(&app, &old), "refresh_token_reused");
        // The thief's copy and the owner's newest token are both dead now.
        assert_unauthorized(refresh(&app, &newest), "invalid_refresh_token");
        assert_unauthorized(refresh(&app, &old), "invalid_refresh_token");
        // Another login's family is not touched.
        assert_eq!(refresh(&app, &other_session).status(), 200);
    }

    fn a_refresh_token_in_the_cookie_alone_is_accepted(backend) {
        let app = TestApp::spawn(backend);
        let old = text(&app.login_body(HOTLINE, DEMO_PASSWORD), "refresh_token");
        let res = refresh_with_cookie(&app, &old);
        assert_eq!(res.status(), 200);
        let (cookie, attributes) = refresh_cookie(&res);
        let body: Value = res.json().unwrap();
        assert_ne!(text(&body, "refresh_token"), old);
        assert_eq!(cookie, text(&body, "refresh_token"));
        assert!(attributes.iter().any(|a| a == "httponly"), "{attributes:?}");
        assert_eq!(body["user"]["email"], HOTLINE);
        assert_eq!(refresh_with_cookie(&app, &cookie).status(), 200);
    }

    fn a_refresh_without_a_token_or_with_an_unknown_one_is_refused(backend) {
        let app = TestApp::spawn(backend);
        let res = app.client.post(app.url(REFRESH)).send().unwrap();
        assert_unauthorized(res, "invalid_refresh_token");
        assert_unauthorized(
            refresh(&app, "not-a-refresh-token"),
            "invalid_refresh_token",
        );
        let res = app.post(REFRESH, None, &json!({}));
        assert_unauthorized(res, "invalid_refresh_token");
    }

    fn an_expired_refresh_token_is_refused(backend) {
        let app = TestApp::spawn(backend);
        let token = text(&app.login_body(ADMIN, DEMO_PASSWORD), "refresh_token");
        let unused = text(&app.login_body(ADMIN, DEMO_PASSWORD), "refresh_token");
        app.advance_clock(11 * 3600);
        let res = refresh(&app, &token);
        assert_eq!(res.status(), 200, "still good after 11 hours");
        app.advance_clock(3600 + 1);
        assert_unauthorized(refresh(&app, &unused), "invalid_refresh_token");
    }

    // ----- logout -----

    fn logout_answers_204_clears_the_cookie_and_ends_the_refresh_token(backend) {
        let app = TestApp::spawn(backend);
        let body = app.login_body(COORDINATOR, DEMO_PASSWORD);
        let token = text(&body, "refresh_token");
        let res = app.post(LOGOUT, None, &json!({"refresh_token": token}));
        assert_eq!(res.status(), 204);
        let (value, attributes) = refresh_cookie(&res);
        assert_eq!(value, "", "the cookie is emptied");
        assert!(
            attributes.iter().any(|a| a == "max-age=0"),
            "{attributes:?}"
        );
        assert!(
            attributes.iter().any(|a| a == "path=/api/v1/auth"),
            "{attributes:?}"
        );
        assert_unauthorized(refresh(&app, &token), "invalid_refresh_token");
    }

    fn logout_with_the_cookie_alone_ends_the_whole_family(backend) {
        let app = TestApp::spawn(backend);
        let first = text(&app.login_body(COORDINATOR, DEMO_PASSWORD), "refresh_token");
        let res = refresh(&app, &first);
        let second = text(&res.json::<Value>().unwrap(), "refresh_token");
        let res = app
            .client
            .post(app.url(LOGOUT))
            .header("cookie", format!("madar_refresh={second}"))
            .send()
            .unwrap();
        assert_eq!(res.status(), 204);
        assert_unauthorized(refresh(&app, &second), "invalid_refresh_token");
        // Even inside the grace period, the rotated token gets nothing after a logout.
        assert_unauthorized(refresh(&app, &first), "invalid_refresh_token");
    }

    // ----- access tokens -----

    fn an_access_token_expires_after_fifteen_minutes(backend) {
        let app = TestApp::spawn(backend);
        let token = app.token(AUDITOR);
        app.advance_clock(FIFTEEN_MINUTES - 30);
        assert_eq!(me(&app, &token).status(), 200);
        app.advance_clock(31);
        assert_unauthorized(me(&app, &token), "token_expired");
    }

    fn a_request_without_a_token_gets_401_unauthorized_with_a_bearer_challenge(backend) {
        let app = TestApp::spawn(backend);
        assert_unauthorized(app.get("/api/v1/me", None), "unauthorized");
        assert_unauthorized(app.get("/api/v1/organizations", None), "unauthorized");
        let res = app
            .client
            .get(app.url("/api/v1/me"))
            .basic_auth(ADMIN, Some(DEMO_PASSWORD))
            .send()
            .unwrap();
        assert_unauthorized(res, "unauthorized");
        assert_unauthorized(me(&app, "not-a-jwt"), "invalid_token");
    }

    fn a_token_forged_with_the_server_secret_and_madar_claims_is_accepted(backend) {
        // The control for the refusals below: the forging itself is right.
        let (app, admin_id) = app_with_secret(backend);
        let token = forge_valid(&user_claims(&admin_id));
        let res = me(&app, &token);
        assert_eq!(res.status(), 200);
        assert_eq!(res.json::<Value>().unwrap()["email"], ADMIN);
    }

    fn a_token_with_a_tampered_signature_or_payload_is_refused(backend) {
        let (app, admin_id) = app_with_secret(backend);
        let token = forge_valid(&user_claims(&admin_id));
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[0] ^= 0x01;
        let tampered = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(&bytes));
        assert_unauthorized(me(&app, &tampered), "invalid_token");

        // Claims swapped for another user's, keeping the admin's signature.
        let coordinator = text(&app.login_body(COORDINATOR, DEMO_PASSWORD)["user"], "id");
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(user_claims(&coordinator).to_string());
        assert_unauthorized(me(&app, &parts.join(".")), "invalid_token");

        let other = forge(
            Algorithm::HS256,
            Some("at+jwt"),
            &user_claims(&admin_id),
            "another-secret-of-the-same-good-length-0000",
        );
        assert_unauthorized(me(&app, &other), "invalid_token");
    }

    fn a_token_with_another_algorithm_or_none_is_refused(backend) {
        let (app, admin_id) = app_with_secret(backend);
        let claims = user_claims(&admin_id);
        for alg in [Algorithm::HS384, Algorithm::HS512] {
            let token = forge(alg, Some("at+jwt"), &claims, SECRET);
            assert_unauthorized(me(&app, &token), "invalid_token");
        }
        for alg in ["none", "None", "NONE"] {
            let token = unsigned(&json!({"alg": alg, "typ": "at+jwt"}), &claims);
            assert_unauthorized(me(&app, &token), "invalid_token");
        }
        // A valid HS256 signature under an `alg: none` header is not accepted either.
        let valid = forge_valid(&claims);
        let signature = valid.rsplit('.').next().unwrap();
        let token = format!(
            "{}{signature}",
            unsigned(&json!({"alg": "none", "typ": "at+jwt"}), &claims)
        );
        assert_unauthorized(me(&app, &token), "invalid_token");
    }

    fn a_token_for_another_audience_or_issuer_is_refused(backend) {
        let (app, admin_id) = app_with_secret(backend);
        let cases = [
            ("aud", json!("another-api")),
            ("aud", json!(["another-api"])),
            ("iss", json!("not-madar")),
        ];
        for (claim, value) in cases {
            let mut claims = user_claims(&admin_id);
            claims[claim] = value.clone();
            let res = me(&app, &forge_valid(&claims));
            assert_eq!(res.status(), 401, "{claim} = {value}");
            assert_unauthorized(res, "invalid_token");
        }
        for claim in ["aud", "iss"] {
            let mut claims = user_claims(&admin_id);
            claims.as_object_mut().unwrap().remove(claim);
            assert_unauthorized(me(&app, &forge_valid(&claims)), "invalid_token");
        }
    }

    fn a_token_without_the_access_token_type_is_refused(backend) {
        let (app, admin_id) = app_with_secret(backend);
        let claims = user_claims(&admin_id);
        for typ in [Some("JWT"), Some("jwt"), Some("refresh+jwt"), None] {
            let token = forge(Algorithm::HS256, typ, &claims, SECRET);
            let res = me(&app, &token);
            assert_eq!(res.status(), 401, "typ {typ:?}");
            assert_unauthorized(res, "invalid_token");
        }
    }

    fn a_token_with_a_missing_or_impossible_claim_is_refused(backend) {
        let (app, admin_id) = app_with_secret(backend);
        let mut cases: Vec<(&str, Value)> = Vec::new();
        for claim in ["sub", "sub_kind", "iat", "exp", "jti"] {
            let mut claims = user_claims(&admin_id);
            claims.as_object_mut().unwrap().remove(claim);
            cases.push((claim, claims));
        }
        let mut claims = user_claims(&admin_id);
        claims["jti"] = json!("");
        cases.push(("empty jti", claims));
        let mut claims = user_claims(&admin_id);
        claims["iat"] = json!(now() + 3600);
        claims["exp"] = json!(now() + 3600 + 900);
        cases.push(("issued in the future", claims));
        let mut claims = user_claims(&admin_id);
        claims["sub"] = json!(uuid::Uuid::new_v4().to_string());
        cases.push(("unknown user", claims));
        let mut claims = user_claims(&admin_id);
        claims["sub_kind"] = json!("client");
        cases.push(("a user id as a client", claims));
        let mut claims = user_claims(&admin_id);
        claims["sub_kind"] = json!("admin");
        cases.push(("an unknown subject kind", claims));
        for (case, claims) in cases {
            let res = me(&app, &forge_valid(&claims));
            assert_eq!(res.status(), 401, "{case}");
            assert_unauthorized(res, "invalid_token");
        }
        let mut claims = user_claims(&admin_id);
        claims["iat"] = json!(now() - 1000);
        claims["exp"] = json!(now() - 100);
        assert_unauthorized(me(&app, &forge_valid(&claims)), "token_expired");
    }

    // ----- deactivated users -----

    fn a_user_deactivated_by_patch_is_refused_at_once_and_cannot_log_in_or_refresh(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let session = app.login_body(CASE_WORKER, DEMO_PASSWORD);
        let access = text(&session, "access_token");
        assert_eq!(me(&app, &access).status(), 200);
        deactivate_by_patch(&app, &admin, &text(&session["user"], "id"));

        assert_unauthorized(me(&app, &access), "invalid_token");
        assert_unauthorized(
            app.get("/api/v1/organizations", Some(&access)),
            "invalid_token",
        );
        assert_unauthorized(
            login(&app, CASE_WORKER, DEMO_PASSWORD),
            "invalid_credentials",
        );
        assert_eq!(
            refresh(&app, &text(&session, "refresh_token")).status(),
            401
        );
    }

    fn a_user_deleted_by_an_admin_is_refused_at_once_and_cannot_log_in_or_refresh(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let session = app.login_body(PARTNER, DEMO_PASSWORD);
        let access = text(&session, "access_token");
        let id = user_id(&app, &admin, PARTNER);
        assert_eq!(id, text(&session["user"], "id"));
        assert_eq!(
            app.delete(&format!("/api/v1/users/{id}"), Some(&admin))
                .status(),
            204
        );

        assert_unauthorized(me(&app, &access), "invalid_token");
        assert_unauthorized(login(&app, PARTNER, DEMO_PASSWORD), "invalid_credentials");
        assert_unauthorized(
            refresh(&app, &text(&session, "refresh_token")),
            "invalid_refresh_token",
        );
    }

    fn a_deactivated_user_cannot_refresh_even_within_the_grace_period(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let session = app.login_body(HOTLINE, DEMO_PASSWORD);
        let old = text(&session, "refresh_token");
        assert_eq!(refresh(&app, &old).status(), 200);
        deactivate_by_patch(&app, &admin, &text(&session["user"], "id"));
        assert_eq!(refresh(&app, &old).status(), 401);
    }

    fn a_new_password_set_by_an_admin_ends_the_old_sessions_and_the_old_password(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let session = app.login_body(ANALYST, DEMO_PASSWORD);
        let path = format!("/api/v1/users/{}", text(&session["user"], "id"));
        let etag = header(&app.get(&path, Some(&admin)), "etag");
        let new_password = "a-fresh-analyst-password-2026";
        let res = app.patch(
            &path,
            Some(&admin),
            &etag,
            &json!({"password": new_password}),
        );
        assert_eq!(res.status(), 200);
        assert_unauthorized(
            refresh(&app, &text(&session, "refresh_token")),
            "invalid_refresh_token",
        );
        assert_unauthorized(login(&app, ANALYST, DEMO_PASSWORD), "invalid_credentials");
        assert_eq!(
            app.login_body(ANALYST, new_password)["user"]["email"],
            ANALYST
        );
    }

    // ----- API clients -----

    fn an_admin_creates_an_api_client_whose_secret_is_shown_once(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let res = app.post(
            "/api/v1/clients",
            Some(&admin),
            &hotline_client(),
        );
        assert_eq!(res.status(), 201);
        let location = header(&res, "location");
        let body: Value = res.json().unwrap();
        let secret = text(&body, "client_secret");
        assert!(secret.len() >= 32, "a strong secret");
        assert!(text(&body, "client_id").starts_with("mdr_"));
        assert_eq!(body["organization"], "hotline-2511");
        assert_eq!(body["role"], "hotline");
        assert_eq!(body["active"], true);
        assert_eq!(location, format!("/api/v1/clients/{}", text(&body, "id")));

        let res = app.get(&location, Some(&admin));
        assert_eq!(res.status(), 200);
        let read = res.text().unwrap();
        assert!(
            !read.contains(&secret),
            "the secret is never shown again: {read}"
        );
        let read: Value = serde_json::from_str(&read).unwrap();
        assert!(read.get("client_secret").is_none());
        assert_eq!(read["client_id"], body["client_id"]);
        let list = app.get("/api/v1/clients", Some(&admin)).text().unwrap();
        assert!(!list.contains(&secret), "nor in the list");
    }

    fn a_client_gets_a_token_with_form_encoded_credentials_and_uses_it(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, secret) = create_client(&app, &app.token(ADMIN));
        let res = client_token(&app, &id, &secret);
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "cache-control"), "no-store");
        let body: Value = res.json().unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 900);
        assert!(
            body.get("refresh_token").is_none(),
            "no refresh token for a client"
        );
        let token = text(&body, "access_token");
        let res = app.get("/api/v1/organizations", Some(&token));
        assert_eq!(res.status(), 200);
        assert!(res.json::<Value>().unwrap()["items"].is_array());
    }

    fn a_client_gets_a_token_with_a_json_body(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, secret) = create_client(&app, &app.token(ADMIN));
        let res = app.post(
            TOKEN,
            None,
            &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
        );
        assert_eq!(res.status(), 200);
        let token = text(&res.json::<Value>().unwrap(), "access_token");
        assert_eq!(app.get("/api/v1/organizations", Some(&token)).status(), 200);
    }

    fn a_client_gets_a_token_with_http_basic_credentials(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, secret) = create_client(&app, &app.token(ADMIN));
        let res = app
            .client
            .post(app.url(TOKEN))
            .basic_auth(&id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
        let token = text(&res.json::<Value>().unwrap(), "access_token");
        assert_eq!(app.get("/api/v1/organizations", Some(&token)).status(), 200);
    }

    fn http_basic_credentials_are_form_decoded_as_rfc_6749_says(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, secret) = create_client(&app, &app.token(ADMIN));
        // Every character percent-encoded: the server must decode before comparing.
        let encode = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
        let res = app
            .client
            .post(app.url(TOKEN))
            .basic_auth(encode(&id), Some(encode(&secret)))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap();
        assert_eq!(res.status(), 200);
    }

    fn a_wrong_client_secret_or_unknown_client_is_refused_as_invalid_client(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, secret) = create_client(&app, &app.token(ADMIN));
        let wrong = assert_oauth_error(
            client_token(&app, &id, "not-the-secret"),
            401,
            "invalid_client",
        );
        let unknown = assert_oauth_error(
            client_token(&app, "mdr_000000000000000000000000", &secret),
            401,
            "invalid_client",
        );
        assert_eq!(without_request_id(wrong), without_request_id(unknown));
        let res = app
            .client
            .post(app.url(TOKEN))
            .basic_auth(&id, Some("not-the-secret"))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .unwrap();
        assert!(
            !header(&res, "www-authenticate").is_empty(),
            "a challenge on 401"
        );
        assert_oauth_error(res, 401, "invalid_client");
    }

    fn an_unsupported_grant_type_is_refused_with_400(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, secret) = create_client(&app, &app.token(ADMIN));
        for grant in ["password", "authorization_code", "refresh_token"] {
            let res = token_form(
                &app,
                &[
                    ("grant_type", grant),
                    ("client_id", &id),
                    ("client_secret", &secret),
                ],
            );
            assert_oauth_error(res, 400, "unsupported_grant_type");
        }
    }

    fn a_token_request_without_client_credentials_is_refused_as_invalid_client(backend) {
        let app = TestApp::spawn(backend);
        let (_, id, _) = create_client(&app, &app.token(ADMIN));
        assert_oauth_error(
            token_form(&app, &[("grant_type", "client_credentials")]),
            401,
            "invalid_client",
        );
        let res = token_form(
            &app,
            &[("grant_type", "client_credentials"), ("client_id", &id)],
        );
        assert_oauth_error(res, 401, "invalid_client");
        let res = app.post(TOKEN, None, &json!({"grant_type": "client_credentials"}));
        assert_oauth_error(res, 401, "invalid_client");
    }

    fn a_deactivated_client_is_refused_with_its_old_token_and_gets_no_new_one(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (record, id, secret) = create_client(&app, &admin);
        let res = client_token(&app, &id, &secret);
        let token = text(&res.json::<Value>().unwrap(), "access_token");
        assert_eq!(app.get("/api/v1/organizations", Some(&token)).status(), 200);

        let res = app.delete(&format!("/api/v1/clients/{record}"), Some(&admin));
        assert_eq!(res.status(), 204);
        assert_unauthorized(
            app.get("/api/v1/organizations", Some(&token)),
            "invalid_token",
        );
        assert_oauth_error(client_token(&app, &id, &secret), 401, "invalid_client");
    }

    fn a_rotated_client_secret_ends_the_old_secret_and_its_tokens_at_once(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (record, id, old_secret) = create_client(&app, &admin);
        let old_token = text(&client_token(&app, &id, &old_secret).json::<Value>().unwrap(), "access_token");
        assert_eq!(app.get("/api/v1/organizations", Some(&old_token)).status(), 200);
        let path = format!("/api/v1/clients/{record}");
        let etag_before = header(&app.get(&path, Some(&admin)), "etag");
        // The old token is a second older than the rotation (tokens carry whole seconds).
        app.advance_clock(2);

        let res = app.post(&format!("{path}/secret-rotation"), Some(&admin), &json!({}));
        assert_eq!(res.status(), 200);
        let etag_after = header(&res, "etag");
        assert_ne!(etag_after, etag_before, "the record's version moves");
        let rotated: Value = res.json().expect("the client with its new secret");
        let new_secret = text(&rotated, "client_secret");
        assert_ne!(new_secret, old_secret);
        assert_eq!(rotated["client_id"], id, "the same client");
        assert_eq!(rotated["active"], true);
        // Shown once: never in a read.
        assert!(app.get(&path, Some(&admin)).json::<Value>().unwrap().get("client_secret").is_none());

        // The old secret and the tokens it gave are refused at once; the new one works.
        assert_unauthorized(app.get("/api/v1/organizations", Some(&old_token)), "invalid_token");
        assert_oauth_error(client_token(&app, &id, &old_secret), 401, "invalid_client");
        let res = client_token(&app, &id, &new_secret);
        assert_eq!(res.status(), 200);
        let new_token = text(&res.json::<Value>().unwrap(), "access_token");
        assert_eq!(app.get("/api/v1/organizations", Some(&new_token)).status(), 200);
        // Audited; an unknown client is a 404.
        assert_eq!(
            app.db.strings(&format!(
                "SELECT action FROM audit_events WHERE action = 'client.secret_rotate' AND resource_id = '{record}'"
            )).len(),
            1
        );
        let unknown = format!("/api/v1/clients/{}/secret-rotation", uuid::Uuid::new_v4());
        assert_eq!(app.post(&unknown, Some(&admin), &json!({})).status(), 404);
    }

    fn a_client_deactivated_by_patch_is_refused_at_once(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (record, id, secret) = create_client(&app, &admin);
        let token = text(
            &client_token(&app, &id, &secret).json::<Value>().unwrap(),
            "access_token",
        );
        let path = format!("/api/v1/clients/{record}");
        let etag = header(&app.get(&path, Some(&admin)), "etag");
        let res = app.patch(&path, Some(&admin), &etag, &json!({"active": false}));
        assert_eq!(res.status(), 200);
        assert_unauthorized(
            app.get("/api/v1/organizations", Some(&token)),
            "invalid_token",
        );
        assert_oauth_error(client_token(&app, &id, &secret), 401, "invalid_client");
    }

    // ----- logs -----

    fn no_password_secret_or_token_ever_appears_in_the_server_logs(backend) {
        let app = TestApp::builder(backend)
            .env("MADAR_JWT_SECRET", SECRET)
            .spawn();
        let wrong_password = "a-wrong-password-to-look-for";
        let mut secrets = vec![
            DEMO_PASSWORD.to_string(),
            wrong_password.to_string(),
            SECRET.to_string(),
        ];
        assert_unauthorized(login(&app, ADMIN, wrong_password), "invalid_credentials");
        let session = app.login_body(ADMIN, DEMO_PASSWORD);
        let admin = text(&session, "access_token");
        secrets.push(admin.clone());
        secrets.push(text(&session, "refresh_token"));
        let res = refresh(&app, &text(&session, "refresh_token"));
        let rotated: Value = res.json().unwrap();
        secrets.push(text(&rotated, "access_token"));
        secrets.push(text(&rotated, "refresh_token"));
        assert_eq!(me(&app, &admin).status(), 200);
        let (_, id, client_secret) = create_client(&app, &admin);
        let token = text(
            &client_token(&app, &id, &client_secret)
                .json::<Value>()
                .unwrap(),
            "access_token",
        );
        assert_eq!(app.get("/api/v1/organizations", Some(&token)).status(), 200);
        assert_eq!(client_token(&app, &id, wrong_password).status(), 401);
        secrets.push(client_secret);
        secrets.push(token);
        let res = app.post(
            "/api/v1/users",
            Some(&admin),
            &json!({
                "email": "new.worker@demo.madar.ma",
                "display_name": "New worker",
                "role": "hotline",
                "organization": "hotline-2511",
                "password": "a-brand-new-password-2026",
            }),
        );
        assert_eq!(res.status(), 201, "{}", res.text().unwrap_or_default());
        secrets.push("a-brand-new-password-2026".into());
        // Tokens that fail are not logged either.
        assert_eq!(
            me(
                &app,
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.bogus-token-value"
            )
            .status(),
            401
        );
        secrets.push("bogus-token-value".into());

        // Wait for the log line of a last, marked request, so every earlier line has been read.
        let marker = format!("auth-tests-{}", uuid::Uuid::new_v4().simple());
        app.client
            .get(app.url("/healthz"))
            .header("x-request-id", &marker)
            .send()
            .unwrap();
        let started = Instant::now();
        while !app.logs().contains(&marker) && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let logs = app.logs();
        assert!(logs.contains(&marker), "the request log: {logs}");
        for secret in &secrets {
            assert!(
                !logs.contains(secret.as_str()),
                "{secret} in the logs:\n{logs}"
            );
        }
    }
}
