//! Hostile input (issue 10): bodies at and over the size limit, deep nesting, huge arrays,
//! invalid UTF-8, NUL bytes, numbers out of range, unknown fields and wrong types each get a
//! clean 4xx problem and store nothing: 400 when the body is not JSON at all (or nests deeper
//! than the parser goes), 413 over the limit, and 422 naming the field for JSON of the wrong
//! shape; SQL- and script-like strings are data, stored and read
//! back exactly. The bidi controls have their own table (data_protection_tests) and the SPA's
//! rendering its own browser test (tests/e2e/hostile.test.mjs).
use madar_tests::cases::*;
use madar_tests::*;

const REPORTS: &str = "/api/v1/reports";
/// The request body limit (README: 1 MiB).
const LIMIT: usize = 1024 * 1024;

fn valid() -> Value {
    report_body("Salma", "Hostile", "421", false)
}

/// `valid()` with one change at a JSON pointer's parent key.
fn with(path: &[&str], value: Value) -> Value {
    let mut body = valid();
    let mut at = &mut body;
    for key in &path[..path.len() - 1] {
        at = match key.parse::<usize>() {
            Ok(i) => &mut at[i],
            Err(_) => &mut at[*key],
        };
    }
    at[path[path.len() - 1]] = value;
    body
}

fn text(v: &Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// Each hostile body, and the status it must get.
fn table() -> Vec<(&'static str, Vec<u8>, u16)> {
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let mut deep = String::from("{\"narrative\":");
    deep.push_str(&"{\"a\":".repeat(5_000));
    deep.push('1');
    deep.push_str(&"}".repeat(5_001));
    let mut invalid_utf8 = text(&with(&["narrative"], json!("ABCD")));
    let at = invalid_utf8
        .windows(4)
        .position(|w| w == b"ABCD")
        .expect("marker");
    invalid_utf8[at..at + 4].copy_from_slice(&[0xff, 0xfe, 0xc0, 0x80]);
    // At the limit: the body fits but the narrative is over its own bound (422, not 413).
    let mut at_limit = with(&["narrative"], json!(""));
    let room = LIMIT - text(&at_limit).len();
    at_limit["narrative"] = json!("x".repeat(room));
    vec![
        ("empty body", Vec::new(), 400),
        ("null", b"null".to_vec(), 422),
        ("an array", b"[]".to_vec(), 422),
        ("truncated", br#"{"source": "walk_in", "children": [{"#.to_vec(), 400),
        ("10,000 nested arrays", nested.into_bytes(), 400),
        ("5,000 nested objects", deep.into_bytes(), 422),
        ("invalid UTF-8 in a string", invalid_utf8, 400),
        ("a NUL byte in a name", text(&with(&["children", "0", "given_name_latin"], json!("Sal\u{0}ma"))), 422),
        ("a NUL byte in the narrative", text(&with(&["narrative"], json!("a\u{0}b"))), 422),
        ("a year out of range", text(&with(&["children", "0", "estimated_birth_year"], json!(99_999_999_999_i64))), 422),
        ("a year far past", text(&with(&["children", "0", "estimated_birth_year"], json!(1200))), 422),
        ("a number beyond 64 bits", br#"{"source":"walk_in","children":[{"estimated_birth_year":123456789012345678901234567890}]}"#.to_vec(), 422),
        ("a float for a year", text(&with(&["children", "0", "estimated_birth_year"], json!(2015.5))), 422),
        ("a string for a boolean", text(&with(&["immediate_danger"], json!("yes"))), 422),
        ("an unknown field", text(&with(&["smuggled"], json!(true))), 422),
        ("an unknown field in a child", text(&with(&["children", "0", "is_admin"], json!(true))), 422),
        ("100,000 concerns", text(&with(&["concerns"], json!(vec!["neglect"; 100_000]))), 422),
        ("2,000 children", text(&with(&["children"], json!(vec![valid()["children"][0].clone(); 2_000]))), 422),
        ("a name of 100,000 characters", text(&with(&["children", "0", "given_name_latin"], json!("a".repeat(100_000)))), 422),
        ("a body at the limit, its narrative too long", text(&at_limit), 422),
        ("a body one byte over the limit", vec![b' '; LIMIT + 1], 413),
    ]
}

fn count(app: &TestApp, token: &str) -> usize {
    let mut n = 0;
    let mut path = format!("{REPORTS}?limit=200");
    loop {
        let page = json_of(app.get(&path, Some(token)), 200);
        n += page["items"].as_array().expect("items").len();
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("{REPORTS}?limit=200&cursor={c}"),
            None => return n,
        }
    }
}

backend_tests! {
    fn hostile_bodies_get_clean_problems_and_store_nothing(backend) {
        let app = TestApp::spawn(backend);
        let (worker, coordinator) = (app.token(CASE_WORKER), app.token(COORDINATOR));
        let before = count(&app, &coordinator);
        let mut wrong = Vec::new();
        for (name, body, want) in table() {
            let res = app
                .client
                .post(app.url(REPORTS))
                .bearer_auth(&worker)
                .header("content-type", "application/json")
                .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                .body(body)
                .send()
                .expect("an answer");
            let status = res.status().as_u16();
            let kind = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let problem: Value = res.json().unwrap_or(Value::Null);
            let names_a_field = problem["errors"].as_array().is_some_and(|e| !e.is_empty());
            if status != want
                || kind != "application/problem+json"
                || problem["status"] != want
                || (want == 422 && !names_a_field)
            {
                wrong.push(format!("{name}: {status} {kind} {problem}"));
            }
        }
        assert!(wrong.is_empty(), "answers not as expected:\n{}", wrong.join("\n"));
        assert_eq!(count(&app, &coordinator), before, "nothing stored");
        assert_eq!(app.get("/readyz", None).status(), 200, "the server is fine");
    }

    fn sql_and_script_like_strings_are_data_stored_and_read_back_exactly(backend) {
        let app = TestApp::spawn(backend);
        let worker = app.token(CASE_WORKER);
        let strings = [
            "Robert'); DROP TABLE children;--",
            "' OR '1'='1",
            "1; DELETE FROM reports WHERE 1=1",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "{{7*7}} ${7*7} %s %n",
            "\\\\\" \\u0000 \\n",
            "سارة'; --",
        ];
        for s in strings {
            let mut body = with(&["children", "0", "family_name_latin"], json!(s));
            body["narrative"] = json!(s);
            body["reporter"]["name"] = json!(s);
            let created = json_of(app.post(REPORTS, Some(&worker), &body), 201);
            let read = json_of(app.get(&format!("{REPORTS}/{}", id_of(&created)), Some(&worker)), 200);
            assert_eq!(read["narrative"], s, "{s}");
            assert_eq!(read["reporter"]["name"], s, "{s}");
            assert_eq!(read["children"][0]["family_name_latin"], s, "{s}");
        }
        // The tables are all there.
        assert!(json_of(app.get("/api/v1/children?limit=1", Some(&worker)), 200)["items"].is_array());
    }
}
