//! The platform as a user and an operator see it: reference data, problems, request ids,
//! security headers, metrics, the OpenAPI contract, migrations, the command line, configuration,
//! shutdown and a lost database.
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use madar_tests::*;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Every node of the territory tree, depth first, with its parent's code.
fn flatten<'a>(
    nodes: &'a [Value],
    parent: Option<&'a str>,
    out: &mut Vec<(&'a Value, Option<&'a str>)>,
) {
    for node in nodes {
        out.push((node, parent));
        if let Some(children) = node["children"].as_array() {
            flatten(children, node["code"].as_str(), out);
        }
    }
}

fn territory_tree(app: &TestApp) -> Vec<Value> {
    let res = app.get("/api/v1/territories", None);
    assert_eq!(res.status(), 200);
    res.json::<Vec<Value>>().expect("territory tree")
}

fn find_node<'a>(tree: &'a [Value], code: &str) -> &'a Value {
    let mut all = Vec::new();
    flatten(tree, None, &mut all);
    all.into_iter()
        .map(|(n, _)| n)
        .find(|n| n["code"] == code)
        .unwrap_or_else(|| panic!("territory {code} is in the tree"))
}

fn assert_labels(labels: &Value, what: &str) {
    for lang in ["ar", "fr", "en"] {
        let text = labels[lang].as_str().unwrap_or("");
        assert!(
            !text.trim().is_empty(),
            "{what} has a {lang} label: {labels}"
        );
    }
}

/// A problem body never carries a stack trace, SQL or a driver's message.
fn assert_no_internals(body: &Value) {
    let text = body.to_string().to_lowercase();
    for leak in [
        "select ",
        "insert ",
        "update ",
        "diesel",
        "sqlite",
        "postgres",
        "panicked",
        "backtrace",
        "src/",
        ".rs:",
        "stack",
        "r2d2",
        "serde",
    ] {
        assert!(!text.contains(leak), "problem leaks {leak:?}: {body}");
    }
}

/// PATCH with any content type and raw body (for the error cases of request bodies).
fn patch_raw(
    app: &TestApp,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(token)
        .header("if-match", "\"1\"")
        .header("content-type", content_type)
        .body(body)
        .send()
        .expect("request")
}

/// Waits (briefly) for a log line of the server's JSON log that satisfies `pred`.
fn log_line(app: &TestApp, pred: impl Fn(&Value) -> bool) -> Option<Value> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        let found = app
            .logs()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| pred(v));
        if found.is_some() {
            return found;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn db_env(db: &TestDb) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", db.url.clone()),
        ("MADAR_DATA_DIR", db.data_dir().display().to_string()),
    ]
}

/// Runs `madar` and kills it if it is still running after `limit`: (exit code, stderr).
fn madar_within(args: &[&str], env: &[(&str, String)], limit: Duration) -> (Option<i32>, String) {
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MADAR_LOG", "warn")
        .env("MADAR_BIND", "127.0.0.1:0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn madar");
    let started = Instant::now();
    let code = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("madar {args:?} was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        use std::io::Read;
        let _ = stderr.read_to_string(&mut err);
    }
    (code, err)
}

/// The lines `key=value` of a command's output.
fn key_values(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Where two JSON documents differ, as JSON pointers (at most 20), for a readable failure.
fn differences(served: &Value, committed: &Value) -> Vec<String> {
    fn walk(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
        if out.len() >= 20 || a == b {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    match (x.get(k), y.get(k)) {
                        (Some(v), Some(w)) => walk(v, w, here, out),
                        (Some(_), None) => out.push(format!("{here}: only in the served document")),
                        (None, Some(_)) => {
                            out.push(format!("{here}: only in openapi/openapi.json"))
                        }
                        (None, None) => {}
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    walk(v, w, format!("{at}/{i}"), out);
                }
            }
            _ => {
                let short = |v: &Value| v.to_string().chars().take(160).collect::<String>();
                out.push(format!(
                    "{at}: served {} / committed {}",
                    short(a),
                    short(b)
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(served, committed, String::new(), &mut out);
    out
}

fn committed_openapi() -> Value {
    let path = workspace().join("openapi/openapi.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run `make openapi` and commit it",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

fn served_openapi(app: &TestApp) -> Value {
    let res = app.get("/api/v1/openapi.json", None);
    assert_eq!(res.status(), 200);
    res.json().expect("OpenAPI document")
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// A plausible value for each path parameter.
fn concrete(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if part.starts_with('{') {
            let collection = if i > 0 { parts[i - 1] } else { "" };
            out.push(match (collection, *part) {
                ("territories", _) => "421".to_string(),
                ("reference", _) => "sexes".to_string(),
                ("organizations", _) => "ministry".to_string(),
                (_, "{id}") => "0190a5b2-7c1e-7000-8000-000000000001".to_string(),
                _ => "x1".to_string(),
            });
        } else {
            out.push(part.to_string());
        }
    }
    out.join("/")
}

/// The French names of Casablanca's prefectures of arrondissements, in the order of
/// `shared/data/casablanca_prefectures_arrondissements.tsv`.
const CASABLANCA_PREFECTURES: [&str; 8] = [
    "Casablanca-Anfa",
    "Al Fida-Mers Sultan",
    "Aïn Sebaâ-Hay Mohammadi",
    "Hay Hassani",
    "Aïn Chock",
    "Sidi Bernoussi",
    "Ben M'Sick",
    "Moulay Rachid",
];

/// (list, item count, parent list) for every list of the vocabulary.
const REFERENCE_LISTS: [(&str, usize, Option<&str>); 17] = [
    ("concern_families", 4, None),
    ("concern_types", 23, Some("concern_families")),
    ("pathway_domains", 10, None),
    ("report_sources", 15, None),
    ("report_statuses", 4, None),
    ("report_closure_reasons", 5, None),
    ("reporter_types", 7, None),
    ("sexes", 3, None),
    ("age_bands", 5, None),
    ("civil_status_registrations", 3, None),
    ("case_stages", 6, None),
    ("risk_levels", 4, None),
    ("closure_reasons", 11, None),
    ("organization_types", 8, None),
    ("public_service_sectors", 11, None),
    ("service_types", 23, Some("pathway_domains")),
    ("referral_statuses", 7, None),
];

fn codes(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["code"].as_str().expect("code").to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tests on both backends
// ---------------------------------------------------------------------------------------------

backend_tests! {
    fn territories_are_one_nation_of_twelve_regions_and_seventy_five_prefectures_and_provinces(backend) {
        let app = TestApp::spawn(backend);
        let tree = territory_tree(&app);
        assert_eq!(tree.len(), 1, "one root");
        let nation = &tree[0];
        assert_eq!(nation["code"], "MA");
        assert_eq!(nation["level"], "nation");
        let regions: Vec<&str> = nation["children"]
            .as_array()
            .expect("regions")
            .iter()
            .map(|r| r["code"].as_str().expect("region code"))
            .collect();
        let expected: Vec<String> = (1..=12).map(|n| format!("MA-{n:02}")).collect();
        assert_eq!(regions, expected, "the 12 regions in order");

        let mut all = Vec::new();
        flatten(&tree, None, &mut all);
        let count = |level: &str| all.iter().filter(|(n, _)| n["level"] == level).count();
        assert_eq!(count("region"), 12);
        assert_eq!(count("prefecture"), 13);
        assert_eq!(count("province"), 62);
        assert_eq!(count("prefecture") + count("province"), 75);
        assert_eq!(count("prefecture_of_arrondissements"), 8);
        assert_eq!(all.len(), 1 + 12 + 75 + 8);

        let mut seen = BTreeSet::new();
        for (node, parent) in &all {
            let code = node["code"].as_str().expect("code is a string");
            assert!(seen.insert(code.to_string()), "code {code} is unique");
            assert_labels(&node["labels"], code);
            match node["level"].as_str() {
                Some("region") => assert_eq!(*parent, Some("MA")),
                Some("prefecture") | Some("province") => {
                    assert!(parent.is_some_and(|p| p.starts_with("MA-")), "{code} lies in a region");
                    assert_eq!(code.len(), 3, "{code} is a 3-digit code");
                    assert!(code.chars().all(|c| c.is_ascii_digit()), "{code} is digits");
                }
                Some("prefecture_of_arrondissements") => assert_eq!(*parent, Some("141")),
                _ => {}
            }
        }
        // Codes are strings and keep their leading zeros.
        for code in ["001", "051", "061", "041"] {
            assert!(seen.contains(code), "{code} keeps its leading zero");
        }
        assert_eq!(find_node(&tree, "001")["labels"]["fr"].as_str().map(|s| s.starts_with("Agadir")), Some(true));
        let rabat_region = find_node(&tree, "MA-04");
        assert!(rabat_region["children"].as_array().expect("children").iter().any(|c| c["code"] == "421"));
    }

    fn casablanca_has_its_eight_prefectures_of_arrondissements_in_file_order(backend) {
        let app = TestApp::spawn(backend);
        let tree = territory_tree(&app);
        let casablanca = find_node(&tree, "141");
        let children = casablanca["children"].as_array().expect("children");
        let codes: Vec<&str> = children.iter().map(|c| c["code"].as_str().expect("code")).collect();
        let expected: Vec<String> = (1..=8).map(|n| format!("141-{n:02}")).collect();
        assert_eq!(codes, expected);
        let names: Vec<&str> = children.iter().map(|c| c["labels"]["fr"].as_str().expect("fr")).collect();
        assert_eq!(names, CASABLANCA_PREFECTURES);
        for child in children {
            assert_eq!(child["level"], "prefecture_of_arrondissements");
            assert_eq!(child["children"], json!([]));
        }
    }

    fn every_reference_list_is_served_with_its_codes_and_three_labels(backend) {
        let app = TestApp::spawn(backend);
        let res = app.get("/api/v1/reference", None);
        assert_eq!(res.status(), 200);
        let names: Value = res.json().expect("lists");
        let names: BTreeSet<&str> = names["lists"]
            .as_array()
            .expect("lists")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut lists = BTreeMap::new();
        for (list, count, parent) in REFERENCE_LISTS {
            assert!(names.contains(list), "GET /api/v1/reference names {list}");
            let res = app.get(&format!("/api/v1/reference/{list}"), None);
            assert_eq!(res.status(), 200, "{list}");
            let body: Value = res.json().expect("list");
            assert_eq!(body["list"], list);
            let items = body["items"].as_array().expect("items");
            assert_eq!(items.len(), count, "{list} has {count} items");
            let unique: BTreeSet<&str> = items.iter().filter_map(|i| i["code"].as_str()).collect();
            assert_eq!(unique.len(), count, "{list} codes are unique");
            for item in items {
                let code = item["code"].as_str().expect("code");
                assert!(
                    code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                    "{list}: {code} is snake_case ASCII"
                );
                assert_labels(&item["labels"], code);
                match parent {
                    Some(p) => assert_eq!(item["parent"]["list"], p, "{list}: {code} has its parent list"),
                    None => assert!(item.get("parent").is_none_or(Value::is_null), "{list}: {code} has no parent"),
                }
            }
            lists.insert(list, body);
        }
        // Parents name items that exist.
        for (list, parent_list) in [("concern_types", "concern_families"), ("service_types", "pathway_domains")] {
            let parents = codes(&lists[parent_list]);
            for item in lists[list]["items"].as_array().expect("items") {
                let parent = item["parent"]["code"].as_str().expect("parent code");
                assert!(parents.iter().any(|p| p == parent), "{list}: parent {parent} exists");
            }
        }
        let parent_of = |list: &str, code: &str| {
            lists[list]["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["code"] == code)
                .map(|i| i["parent"]["code"].clone())
        };
        assert_eq!(parent_of("concern_types", "physical_violence"), Some(json!("violence")));
        assert_eq!(parent_of("concern_types", "street_situation"), Some(json!("vulnerability")));
        assert_eq!(parent_of("service_types", "social_emergency"), Some(json!("social_care")));
        assert_eq!(parent_of("service_types", "legal_aid"), Some(json!("judicial_support")));
        // Lists keep the vocabulary's order.
        assert_eq!(
            codes(&lists["case_stages"]),
            ["identification", "assessment", "planning", "implementation", "follow_up", "closed"]
        );
        assert_eq!(codes(&lists["risk_levels"]), ["low", "medium", "high", "immediate_danger"]);
        assert_eq!(codes(&lists["sexes"]), ["female", "male", "unknown"]);
        assert_eq!(codes(&lists["report_statuses"]), ["received", "under_review", "case_opened", "closed"]);
        assert_eq!(
            codes(&lists["referral_statuses"]),
            ["sent", "accepted", "declined", "in_progress", "completed", "cancelled", "expired"]
        );
    }

    fn an_unknown_reference_list_is_a_not_found_problem(backend) {
        let app = TestApp::spawn(backend);
        let body = assert_problem(app.get("/api/v1/reference/colours", None), 404, "not_found");
        assert_no_internals(&body);
        assert_problem(app.get("/api/v1/territories/999", None), 404, "not_found");
    }

    fn reference_data_is_public_cacheable_and_revalidated_by_etag(backend) {
        let app = TestApp::spawn(backend);
        for path in ["/api/v1/territories", "/api/v1/reference", "/api/v1/reference/concern_types"] {
            let res = app.get(path, None);
            assert_eq!(res.status(), 200, "{path} needs no token");
            let cache = header(&res, "cache-control").unwrap_or_default();
            assert!(cache.starts_with("public"), "{path}: Cache-Control {cache:?}");
            assert!(cache.contains("max-age="), "{path}: Cache-Control {cache:?}");
            let etag = header(&res, "etag").unwrap_or_else(|| panic!("{path} has an ETag"));
            let again = app.get(path, None);
            assert_eq!(header(&again, "etag").as_deref(), Some(etag.as_str()), "{path}: stable ETag");

            let res = app
                .client
                .get(app.url(path))
                .header("if-none-match", &etag)
                .send()
                .expect("request");
            assert_eq!(res.status(), 304, "{path} with If-None-Match");
            assert_eq!(header(&res, "etag").as_deref(), Some(etag.as_str()));
            assert!(res.bytes().expect("body").is_empty(), "a 304 has no body");

            let res = app
                .client
                .get(app.url(path))
                .header("if-none-match", "\"something-else\"")
                .send()
                .expect("request");
            assert_eq!(res.status(), 200, "{path} with another ETag");
        }
    }

    fn an_admin_corrects_a_territory_name_with_the_etag_of_the_last_read(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let tree_etag = header(&app.get("/api/v1/territories", None), "etag").expect("tree etag");

        let res = app.get("/api/v1/territories/421", None);
        assert_eq!(res.status(), 200);
        let etag = header(&res, "etag").expect("territory etag");
        let before: Value = res.json().expect("territory");
        assert_eq!(before["code"], "421");
        assert_eq!(before["parent_code"], "MA-04");
        assert_eq!(before["level"], "prefecture");

        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"fr": "Rabat (corrigé)"}}));
        assert_eq!(res.status(), 200);
        let new_etag = header(&res, "etag").expect("new etag");
        assert_ne!(new_etag, etag, "the ETag changes with the record");
        let after: Value = res.json().expect("territory");
        assert_eq!(after["labels"]["fr"], "Rabat (corrigé)");
        assert_eq!(after["labels"]["ar"], before["labels"]["ar"], "other labels are kept");
        assert_eq!(after["labels"]["en"], before["labels"]["en"]);

        // Everyone sees the correction, and a cached tree is no longer fresh.
        let res = app.get("/api/v1/territories/421", None);
        assert_eq!(header(&res, "etag").as_deref(), Some(new_etag.as_str()));
        let res = app
            .client
            .get(app.url("/api/v1/territories"))
            .header("if-none-match", &tree_etag)
            .send()
            .expect("request");
        assert_eq!(res.status(), 200, "the tree's ETag changed");
        let tree: Vec<Value> = res.json().expect("tree");
        assert_eq!(find_node(&tree, "421")["labels"]["fr"], "Rabat (corrigé)");

        // A second writer with the old ETag is refused, and nothing changes.
        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"fr": "Rabat (écrasé)"}}));
        assert_problem(res, 412, "precondition_failed");
        let res = app.get("/api/v1/territories/421", None);
        assert_eq!(res.json::<Value>().expect("territory")["labels"]["fr"], "Rabat (corrigé)");
    }

    fn only_an_admin_corrects_territories(backend) {
        let app = TestApp::spawn(backend);
        let etag = header(&app.get("/api/v1/territories/421", None), "etag").expect("etag");
        let body = json!({"labels": {"fr": "Rabat"}});
        for email in [COORDINATOR, CASE_WORKER, PARTNER, HOTLINE, ANALYST, AUDITOR] {
            let token = app.token(email);
            let res = app.patch("/api/v1/territories/421", Some(&token), &etag, &body);
            assert_problem(res, 403, "forbidden");
        }
        // The role is refused before the request itself is looked at.
        let coordinator = app.token(COORDINATOR);
        let res = app
            .client
            .patch(app.url("/api/v1/territories/421"))
            .bearer_auth(&coordinator)
            .json(&json!({"nonsense": true}))
            .send()
            .expect("request");
        assert_problem(res, 403, "forbidden");
        let res = app.patch("/api/v1/territories/421", None, &etag, &body);
        assert_eq!(header(&res, "www-authenticate").map(|v| v.starts_with("Bearer")), Some(true));
        assert_problem(res, 401, "unauthorized");

        let admin = app.token(ADMIN);
        let res = app
            .client
            .patch(app.url("/api/v1/territories/421"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .expect("request");
        assert_problem(res, 428, "precondition_required");
        let res = app.patch("/api/v1/territories/999", Some(&admin), "\"1\"", &body);
        assert_problem(res, 404, "not_found");
    }

    fn an_unknown_route_is_a_not_found_problem(backend) {
        let app = TestApp::spawn(backend);
        for path in ["/api/v1/nothing-here", "/api/v2/territories", "/api/v1/territories/421/children"] {
            let body = assert_problem(app.get(path, None), 404, "not_found");
            assert_no_internals(&body);
        }
        let res = app.post("/api/v1/nothing-here", None, &json!({}));
        assert_problem(res, 404, "not_found");
        // Files that are not there, under the docs or the web client, are problems too.
        assert_problem(app.get("/docs/no-such-file.js", None), 404, "not_found");
        assert_problem(app.get("/no-such-file.js", None), 404, "not_found");
    }

    fn a_wrong_method_on_a_known_path_is_405_with_allow(backend) {
        let app = TestApp::spawn(backend);
        let cases = [
            (Method::DELETE, "/api/v1/territories", vec!["GET"]),
            (Method::PUT, "/api/v1/territories/421", vec!["GET", "PATCH"]),
            (Method::GET, "/api/v1/auth/login", vec!["POST"]),
            (Method::POST, "/api/v1/reference/sexes", vec!["GET"]),
            (Method::PUT, "/api/v1/users/0190a5b2-7c1e-7000-8000-000000000001", vec!["GET", "PATCH", "DELETE"]),
        ];
        for (method, path, allowed) in cases {
            let res = app.send(method.clone(), path, None, None);
            let allow = header(&res, "allow").unwrap_or_else(|| panic!("{method} {path} has Allow"));
            let listed: BTreeSet<&str> = allow.split(',').map(str::trim).collect();
            for m in &allowed {
                assert!(listed.contains(m), "{method} {path}: Allow {allow:?} lists {m}");
            }
            assert!(!listed.contains(method.as_str()), "{method} {path}: Allow {allow:?}");
            assert_problem(res, 405, "method_not_allowed");
        }
    }

    fn malformed_json_is_a_bad_request_problem(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        for body in [&b"{\"labels\": {\"fr\": "[..], b"not json", b"{\"labels\":{}} trailing"] {
            let res = patch_raw(&app, "/api/v1/territories/421", &admin, "application/json", body.to_vec());
            let problem = assert_problem(res, 400, "malformed_json");
            assert_no_internals(&problem);
        }
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body("{\"email\":")
            .send()
            .expect("request");
        assert_problem(res, 400, "malformed_json");
    }

    fn a_body_of_another_media_type_is_refused_with_415(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let body = br#"{"labels":{"fr":"Rabat"}}"#.to_vec();
        for ct in ["text/plain", "application/xml", "application/x-www-form-urlencoded"] {
            let res = patch_raw(&app, "/api/v1/territories/421", &admin, ct, body.clone());
            assert_problem(res, 415, "unsupported_media_type");
        }
        let res = app
            .client
            .patch(app.url("/api/v1/territories/421"))
            .bearer_auth(&admin)
            .header("if-match", "\"1\"")
            .body(body)
            .send()
            .expect("request");
        assert_problem(res, 415, "unsupported_media_type");
        // The charset parameter is fine.
        let res = patch_raw(&app, "/api/v1/territories/421", &admin, "application/json; charset=utf-8", br#"{"labels":{"fr":"Rabat"}}"#.to_vec());
        assert_eq!(res.status(), 200);
    }

    fn a_body_over_one_mebibyte_is_refused_with_413(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let big = format!("{{\"labels\":{{\"fr\":\"{}\"}}}}", "x".repeat(1024 * 1024 + 16));
        let res = patch_raw(&app, "/api/v1/territories/421", &admin, "application/json", big.into_bytes());
        assert_problem(res, 413, "payload_too_large");
        let big = format!("{{\"email\":\"{}\",\"password\":\"x\"}}", "x".repeat(1024 * 1024 + 16));
        let res = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .expect("request");
        assert_problem(res, 413, "payload_too_large");
        // The server is still fine afterwards.
        assert_eq!(app.get("/healthz", None).status(), 200);
    }

    fn a_body_that_breaks_a_rule_is_a_422_naming_each_field(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let etag = header(&app.get("/api/v1/territories/421", None), "etag").expect("etag");

        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"fr": "", "en": "x".repeat(201)}}));
        let body = assert_problem(res, 422, "validation_failed");
        let errors = body["errors"].as_array().expect("errors");
        let fields: BTreeSet<&str> = errors.iter().filter_map(|e| e["field"].as_str()).collect();
        assert_eq!(fields, BTreeSet::from(["labels.en", "labels.fr"]), "{body}");
        for e in errors {
            assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{e}");
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        }
        assert_no_internals(&body);

        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"fr": "Rabat"}, "colour": "red"}));
        let body = assert_problem(res, 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "colour");
        assert_eq!(body["errors"][0]["code"], "unknown_field");

        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"fr": 12}}));
        let body = assert_problem(res, 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "labels.fr");

        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({}));
        let body = assert_problem(res, 422, "validation_failed");
        assert_eq!(body["errors"][0]["field"], "labels");
        assert_eq!(body["errors"][0]["code"], "required");

        // Direction overrides are refused; the limit of 200 characters is inclusive.
        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"fr": "Rabat\u{202E}"}}));
        assert_problem(res, 422, "validation_failed");
        let res = app.patch("/api/v1/territories/421", Some(&admin), &etag, &json!({"labels": {"en": "R".repeat(200)}}));
        assert_eq!(res.status(), 200, "200 characters are allowed");
    }

    fn an_incoming_request_id_is_echoed_and_carried_by_the_problem(backend) {
        let app = TestApp::spawn(backend);
        let res = app
            .client
            .get(app.url("/api/v1/nothing-here"))
            .header("x-request-id", "trace-4242-abc")
            .send()
            .expect("request");
        assert_eq!(header(&res, "x-request-id").as_deref(), Some("trace-4242-abc"));
        let body = assert_problem(res, 404, "not_found");
        assert_eq!(body["request_id"], "trace-4242-abc");

        let res = app
            .client
            .get(app.url("/api/v1/territories"))
            .header("x-request-id", "trace-4243")
            .send()
            .expect("request");
        assert_eq!(header(&res, "x-request-id").as_deref(), Some("trace-4243"));
    }

    fn a_request_without_an_id_gets_a_fresh_one(backend) {
        let app = TestApp::spawn(backend);
        let first = header(&app.get("/healthz", None), "x-request-id").expect("a request id");
        let second = header(&app.get("/healthz", None), "x-request-id").expect("a request id");
        assert!(!first.is_empty());
        assert_ne!(first, second, "each request has its own id");
        assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first} is a UUID");
        // An id that is not plain text is replaced.
        let res = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "x".repeat(500))
            .send()
            .expect("request");
        let id = header(&res, "x-request-id").expect("id");
        assert!(id.len() <= 128, "an overlong id is replaced");
    }

    fn each_request_is_logged_with_method_route_status_latency_and_actor_but_no_secret(backend) {
        let app = TestApp::spawn(backend);
        let login = app.login_body(ADMIN, DEMO_PASSWORD);
        let access = login["access_token"].as_str().expect("access token").to_string();
        let refresh = login["refresh_token"].as_str().expect("refresh token").to_string();
        let user_id = login["user"]["id"].as_str().expect("user id").to_string();
        let res = app
            .client
            .get(app.url("/api/v1/territories/421"))
            .bearer_auth(&access)
            .header("x-request-id", "log-probe-1")
            .send()
            .expect("request");
        assert_eq!(res.status(), 200);
        let res = app
            .client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&access)
            .header("x-request-id", "log-probe-2")
            .send()
            .expect("request");
        assert_eq!(res.status(), 200);

        let line = log_line(&app, |v| v["fields"]["request_id"] == "log-probe-1")
            .unwrap_or_else(|| panic!("a log line for the request:\n{}", app.logs()));
        let f = &line["fields"];
        assert_eq!(f["method"], "GET");
        assert_eq!(f["route"], "/api/v1/territories/{code}", "the route, not the raw path");
        assert_eq!(f["status"], 200);
        assert!(f["latency_ms"].as_f64().is_some(), "latency in {line}");

        let line = log_line(&app, |v| v["fields"]["request_id"] == "log-probe-2").expect("log line");
        assert_eq!(line["fields"]["route"], "/api/v1/me");
        assert!(line["fields"]["actor"].as_str().is_some_and(|a| a.contains(&user_id)), "actor in {line}");

        let logs = app.logs();
        assert!(!logs.contains(DEMO_PASSWORD), "the password is never logged");
        assert!(!logs.contains(&access), "the access token is never logged");
        assert!(!logs.contains(&refresh), "the refresh token is never logged");
        let signature = access.rsplit('.').next().unwrap_or_default();
        assert!(!logs.contains(signature), "no part of the token is logged");
    }

    fn every_response_says_nosniff_and_no_referrer(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let tree_etag = header(&app.get("/api/v1/territories", None), "etag").expect("etag");
        let responses = vec![
            ("territories", app.get("/api/v1/territories", None)),
            ("304", app.client.get(app.url("/api/v1/territories")).header("if-none-match", tree_etag).send().expect("request")),
            ("me", app.get("/api/v1/me", Some(&admin))),
            ("404", app.get("/api/v1/nothing-here", None)),
            ("405", app.delete("/api/v1/territories", None)),
            ("401", app.get("/api/v1/me", None)),
            ("healthz", app.get("/healthz", None)),
            ("metrics", app.get("/metrics", None)),
            ("openapi", app.get("/api/v1/openapi.json", None)),
            ("docs", app.get("/docs/", None)),
            ("docs redirect", app.get("/docs", None)),
        ];
        for (what, res) in responses {
            assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"), "{what}");
            assert_eq!(header(&res, "referrer-policy").as_deref(), Some("no-referrer"), "{what}");
        }
        let me = app.get("/api/v1/me", Some(&admin));
        assert_eq!(header(&me, "cache-control").as_deref(), Some("no-store"), "authenticated responses are not cached");
    }

    fn html_pages_carry_a_strict_content_security_policy(backend) {
        let app = TestApp::spawn(backend);
        let res = app.get("/docs/", None);
        assert_eq!(res.status(), 200);
        let csp = header(&res, "content-security-policy").expect("the docs have a CSP");
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap_or_default();
        assert!(!script_src.contains("unsafe"), "no inline or eval'd script on the docs: {csp}");
        assert!(!csp.contains("http:") && !csp.contains("https:") && !csp.contains('*'), "no remote sources: {csp}");

        // JSON is not a page.
        assert!(header(&app.get("/api/v1/territories", None), "content-security-policy").is_none());

        if workspace().join("client/dist/index.html").exists() {
            for path in ["/", "/cases/123", "/fr/reports/RPT-421-2026-000123"] {
                let res = app.get(path, None);
                assert_eq!(res.status(), 200, "{path} serves the web client");
                assert!(header(&res, "content-type").is_some_and(|c| c.starts_with("text/html")), "{path}");
                let csp = header(&res, "content-security-policy").unwrap_or_else(|| panic!("{path} has a CSP"));
                assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
                assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
                assert!(csp.contains("default-src 'self'") && csp.contains("object-src 'none'"), "{csp}");
                assert!(!csp.contains("http:") && !csp.contains("https:") && !csp.contains('*'), "{csp}");
            }
            // An unknown API path stays a problem, even with the client served.
            assert_problem(app.get("/api/v1/cases-that-do-not-exist", None), 404, "not_found");
        }
    }

    fn cross_origin_requests_are_closed_by_default(backend) {
        let app = TestApp::spawn(backend);
        let res = app
            .client
            .get(app.url("/api/v1/territories"))
            .header("origin", "https://app.example")
            .send()
            .expect("request");
        assert_eq!(res.status(), 200);
        assert!(header(&res, "access-control-allow-origin").is_none());
        let res = app
            .client
            .request(Method::OPTIONS, app.url("/api/v1/me"))
            .header("origin", "https://app.example")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
            .expect("request");
        assert!(header(&res, "access-control-allow-origin").is_none(), "preflight refused");
    }

    fn a_configured_origin_passes_the_preflight_and_another_does_not(backend) {
        let app = TestApp::builder(backend).env("MADAR_CORS_ORIGINS", "https://app.example").spawn();
        let preflight = |origin: &str| {
            app.client
                .request(Method::OPTIONS, app.url("/api/v1/me"))
                .header("origin", origin)
                .header("access-control-request-method", "PATCH")
                .header("access-control-request-headers", "authorization, content-type, if-match")
                .send()
                .expect("request")
        };
        let res = preflight("https://app.example");
        assert!(res.status().is_success(), "allowed preflight: {}", res.status());
        assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("https://app.example"));
        let methods = header(&res, "access-control-allow-methods").unwrap_or_default();
        assert!(methods.contains("PATCH"), "{methods}");

        let res = preflight("https://evil.example");
        assert!(header(&res, "access-control-allow-origin").is_none());
        assert_problem(res, 400, "cors_rejected");

        let res = app
            .client
            .get(app.url("/api/v1/territories"))
            .header("origin", "https://app.example")
            .send()
            .expect("request");
        assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("https://app.example"));
        let exposed = header(&res, "access-control-expose-headers").unwrap_or_default().to_lowercase();
        assert!(exposed.contains("etag") && exposed.contains("x-request-id"), "{exposed}");
        let res = app
            .client
            .get(app.url("/api/v1/territories"))
            .header("origin", "https://evil.example")
            .send()
            .expect("request");
        assert!(header(&res, "access-control-allow-origin").is_none());
    }

    fn metrics_count_requests_by_route_and_status_with_latency_and_pool_use(backend) {
        let app = TestApp::spawn(backend);
        for _ in 0..3 {
            assert_eq!(app.get("/api/v1/territories/421", None).status(), 200);
        }
        assert_eq!(app.get("/api/v1/territories/001", None).status(), 200);
        assert_eq!(app.get("/api/v1/reference/colours", None).status(), 404);
        assert_eq!(app.get("/api/v1/nothing/here", None).status(), 404);
        let res = app.get("/metrics", None);
        assert_eq!(res.status(), 200);
        let ct = header(&res, "content-type").unwrap_or_default();
        assert!(ct.starts_with("text/plain"), "Prometheus text, not {ct}");
        let text = res.text().expect("metrics");
        let requests: Vec<&str> = text.lines().filter(|l| l.starts_with("madar_http_requests_total{")).collect();
        let line_for = |route: &str, status: &str| {
            requests
                .iter()
                .find(|l| l.contains(&format!("endpoint=\"{route}\"")) && l.contains(&format!("status=\"{status}\"")))
                .copied()
        };
        let rabat = line_for("/api/v1/territories/{code}", "200")
            .unwrap_or_else(|| panic!("requests by route template and status:\n{text}"));
        let count: f64 = rabat.rsplit(' ').next().and_then(|n| n.parse().ok()).expect("a count");
        assert!(count >= 4.0, "{rabat}");
        assert!(line_for("/api/v1/reference/{list}", "404").is_some(), "404s are counted by route:\n{text}");
        assert!(
            !text.contains("/api/v1/territories/421") && !text.contains("/api/v1/nothing/here"),
            "raw paths are not labels (unbounded cardinality)"
        );
        assert!(text.contains("madar_http_requests_duration_seconds_bucket{"), "a latency histogram");
        assert!(text.contains("# TYPE madar_http_requests_duration_seconds histogram"));
        let pool = text
            .lines()
            .find(|l| l.starts_with("madar_db_pool_connections_in_use"))
            .unwrap_or_else(|| panic!("the pool gauge:\n{text}"));
        let in_use: f64 = pool.rsplit(' ').next().and_then(|n| n.parse().ok()).expect("a number");
        assert!((0.0..=4.0).contains(&in_use), "{pool}");
    }

    fn head_answers_like_get_without_a_body(backend) {
        let app = TestApp::spawn(backend);
        for path in ["/healthz", "/readyz", "/api/v1/territories", "/api/v1/reference/sexes", "/api/v1/openapi.json"] {
            let get = app.get(path, None);
            assert_eq!(get.status(), 200, "GET {path}");
            let etag = header(&get, "etag");
            let head = app.send(Method::HEAD, path, None, None);
            assert_eq!(head.status(), 200, "HEAD {path}");
            assert_eq!(header(&head, "etag"), etag, "HEAD {path} has GET's ETag");
            assert_eq!(header(&head, "x-content-type-options").as_deref(), Some("nosniff"));
            assert!(head.bytes().expect("body").is_empty(), "HEAD {path} has no body");
        }
        let res = app.send(Method::HEAD, "/api/v1/auth/login", None, None);
        assert_eq!(res.status(), 405);
        assert_eq!(header(&res, "allow").as_deref(), Some("POST"));
    }

    fn a_development_server_lets_a_test_move_its_clock_forward(backend) {
        let app = TestApp::spawn(backend);
        let res = app.post("/api/v1/dev/clock", None, &json!({"seconds": 0}));
        assert_eq!(res.status(), 200);
        let before: Value = res.json().expect("now");
        let res = app.post("/api/v1/dev/clock", None, &json!({"seconds": 3600}));
        assert_eq!(res.status(), 200);
        let after: Value = res.json().expect("now");
        let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v["now"].as_str().expect("now")).expect("RFC 3339");
        assert!(at(&after) - at(&before) >= chrono::TimeDelta::seconds(3600), "{before} then {after}");
        let res = app.post("/api/v1/dev/clock", None, &json!({"seconds": -60}));
        assert_problem(res, 422, "validation_failed");
        // It is not part of the contract.
        let doc = served_openapi(&app);
        assert!(doc["paths"].get("/api/v1/dev/clock").is_none());
    }

    fn liveness_and_readiness_answer_ok(backend) {
        let app = TestApp::spawn(backend);
        for path in ["/healthz", "/readyz"] {
            let res = app.get(path, None);
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"));
            assert_eq!(res.json::<Value>().expect("json")["status"], "ok");
        }
    }

    fn every_documented_operation_answers_with_its_method(backend) {
        let app = TestApp::spawn(backend);
        let doc = served_openapi(&app);
        for (method, path, _) in operations(&doc) {
            let url = concrete(&path);
            let method = Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = app.client.request(method.clone(), app.url(&url));
            if method == Method::POST || method == Method::PATCH {
                req = req.header("if-match", "\"1\"").json(&json!({}));
            }
            let res = req.send().expect("request");
            let status = res.status().as_u16();
            assert!(
                status != 404 && status != 405,
                "{method} {path} (as {url}) answers {status}: documented but not served"
            );
            let ct = header(&res, "content-type").unwrap_or_default();
            assert!(!ct.starts_with("text/html"), "{method} {url} is an API answer, not the web client");
            if status >= 400 {
                assert_eq!(ct, "application/problem+json", "{method} {url}: errors are problems");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI document (the same on both backends)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_served_openapi_document_equals_the_committed_one() {
    let app = TestApp::spawn(Backend::Sqlite);
    let served = served_openapi(&app);
    let committed = committed_openapi();
    let differences = differences(&served, &committed);
    assert!(
        differences.is_empty(),
        "openapi/openapi.json is out of date: run `make openapi` and commit the result.\n{}",
        differences.join("\n")
    );
}

#[test]
fn every_reference_of_the_openapi_document_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let app = TestApp::spawn(Backend::Sqlite);
    let doc = served_openapi(&app);
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    let mut dangling: Vec<&str> = found
        .into_iter()
        .filter(|target| {
            let pointer = target.strip_prefix('#').unwrap_or(target);
            doc.pointer(pointer).is_none()
        })
        .collect();
    dangling.sort_unstable();
    dangling.dedup();
    assert!(dangling.is_empty(), "unresolvable references: {dangling:?}");
}

#[test]
fn madar_openapi_prints_the_document_without_a_database() {
    // A database URL nothing answers at: the command must not try it.
    let env = [(
        "DATABASE_URL",
        "postgres://nobody@127.0.0.1:1/none".to_string(),
    )];
    let (ok, out, err) = madar(&["openapi"], &env, None);
    assert!(ok, "madar openapi failed: {err}");
    let printed: Value = serde_json::from_str(&out).expect("the document is JSON");
    let differences = differences(&printed, &committed_openapi());
    assert!(
        differences.is_empty(),
        "`madar openapi` differs from openapi/openapi.json: run `make openapi` and commit the result.\n{}",
        differences.join("\n")
    );
}

#[test]
fn the_openapi_document_is_3_1_with_verb_resource_ids_problem_defaults_and_no_host() {
    let app = TestApp::spawn(Backend::Sqlite);
    let doc = served_openapi(&app);
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1, not {}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string());

    let verbs = [
        "get",
        "list",
        "create",
        "update",
        "delete",
        "refresh",
        "replace",
        "search",
        "verify",
        "export",
        "import",
        "approve",
        "reject",
        "close",
        "reopen",
        "transfer",
        "assign",
        "screen",
        "accept",
        "decline",
        "cancel",
        "complete",
        "record",
        "send",
        "match",
        "merge",
        "advance",
        "transition",
        "acknowledge",
        "rotate",
        "revoke",
        "download",
        "upload",
        "submit",
        "withdraw",
        "undo",
        "decide",
        "start",
        "publish",
        "waive",
        "end",
        "place",
        "lift",
    ];
    let mut ids = BTreeSet::new();
    let ops = operations(&doc);
    assert!(ops.len() >= 20, "the document lists the operations");
    for (method, path, op) in ops {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has an operationId"));
        assert!(ids.insert(id.to_string()), "operationId {id} is unique");
        let words: Vec<&str> = id.split('_').collect();
        assert!(
            words.len() >= 2
                && words.iter().all(|w| !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "{method} {path}: operationId {id} is verb_resource in snake_case"
        );
        assert!(
            verbs.contains(&words[0]),
            "{method} {path}: {id} starts with a verb (add it here if it is one)"
        );
        let default = &op["responses"]["default"];
        assert!(
            default["content"]["application/problem+json"].is_object(),
            "{method} {path}: a default application/problem+json response"
        );
        assert!(
            op["responses"]
                .as_object()
                .is_some_and(|r| r.keys().any(|k| k.starts_with('2'))),
            "{method} {path}: a success response"
        );
        if let Some(schema) =
            op["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
        {
            let name = schema.rsplit('/').next().unwrap_or_default();
            assert_eq!(
                doc["components"]["schemas"][name]["additionalProperties"],
                json!(false),
                "{method} {path}: request body {name} rejects unknown fields"
            );
        }
    }
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "the bearer scheme"
    );

    let text = doc.to_string();
    assert!(!text.contains("127.0.0.1"), "no host in the document");
    assert!(!text.contains("localhost"), "no host in the document");
    assert!(!text.contains("0.0.0.0"), "no host in the document");
    assert!(!text.contains(":8080"), "no port in the document");
    if let Some(servers) = doc["servers"].as_array() {
        for server in servers {
            let url = server["url"].as_str().unwrap_or_default();
            assert!(
                url.starts_with('/'),
                "a server is a path, not a host: {url}"
            );
        }
    }
    // No URL with a port anywhere.
    for (i, _) in text.match_indices("://") {
        let rest: String = text[i + 3..]
            .chars()
            .take_while(|c| !matches!(c, '/' | '"' | ' ' | ')'))
            .collect();
        assert!(
            !rest.contains(':'),
            "a URL with a port in the document: {rest}"
        );
    }
}

#[test]
fn the_interactive_docs_work_without_the_internet() {
    let app = TestApp::spawn(Backend::Sqlite);
    let res = app.get("/docs", None);
    assert!(
        res.status().is_redirection(),
        "/docs redirects, not {}",
        res.status()
    );
    assert_eq!(header(&res, "location").as_deref(), Some("/docs/"));

    let res = app.get("/docs/", None);
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").is_some_and(|c| c.starts_with("text/html")));
    let html = res.text().expect("html");
    assert!(html.to_lowercase().contains("swagger"), "Swagger UI");
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (i, _) in html.match_indices(attr) {
            let value: String = html[i + attr.len()..]
                .chars()
                .take_while(|c| *c != '"')
                .collect();
            assert!(
                !value.starts_with("http://")
                    && !value.starts_with("https://")
                    && !value.starts_with("//"),
                "the docs load {value} from the internet"
            );
            assets.push(value);
        }
    }
    assert!(!assets.is_empty(), "the page loads its scripts and styles");
    for asset in assets {
        let url = if asset.starts_with('/') {
            asset.clone()
        } else {
            format!("/docs/{}", asset.trim_start_matches("./"))
        };
        let res = app.get(&url, None);
        assert_eq!(res.status(), 200, "{url} is served by madar itself");
        if url.ends_with(".js") {
            let js = res.text().expect("script");
            assert!(
                !js.contains("https://unpkg.com") && !js.contains("cdn.jsdelivr"),
                "{url} loads nothing remote"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Migrations and the command line
// ---------------------------------------------------------------------------------------------

mod command_line {
    use super::*;

    backend_tests! {
        fn migrations_revert_and_apply_again_and_the_server_then_serves_reference_data(backend) {
            let db = TestDb::new(backend, Fixture::Empty);
            let env = db_env(&db);
            let (ok, out, err) = madar(&["migrate", "--redo-all"], &env, None);
            assert!(ok, "migrate --redo-all failed: {err}");
            let numbers: Vec<usize> = out.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            assert_eq!(numbers.len(), 2, "reverted N and applied N: {out}");
            assert!(numbers[0] >= 2, "every migration was reverted: {out}");
            assert_eq!(numbers[0], numbers[1], "as many applied as reverted: {out}");
            let (ok, out, err) = madar(&["migrate"], &env, None);
            assert!(ok, "{err}");
            assert!(out.contains("up to date"), "{out}");

            let app = TestApp::start(db, &[]);
            let tree = territory_tree(&app);
            let mut all = Vec::new();
            flatten(&tree, None, &mut all);
            assert_eq!(all.len(), 96);
            let res = app.get("/api/v1/reference/service_types", None);
            assert_eq!(res.status(), 200);
            assert_eq!(res.json::<Value>().expect("list")["items"].as_array().map(Vec::len), Some(23));
        }

        fn the_first_admin_is_created_from_the_command_line_and_logs_in(backend) {
            let db = TestDb::new(backend, Fixture::Empty);
            let env = db_env(&db);
            let password = "correct horse battery staple";
            let (ok, out, err) = madar(
                &["user", "create", "--email", "Root@Example.ma", "--name", "Première admin", "--role", "admin",
                  "--organization", "moj", "--organization-name", "Ministère", "--password-stdin"],
                &env,
                Some(&format!("{password}\n")),
            );
            assert!(ok, "user create failed: {err}");
            assert!(out.contains("root@example.ma"), "{out}");
            assert!(!out.contains(password) && !err.contains(password), "the password is not echoed");

            let app = TestApp::start(db, &[]);
            let res = app.post("/api/v1/auth/login", None, &json!({"email": "root@example.ma", "password": format!("{password}\n")}));
            assert_eq!(res.status(), 401, "the newline is not part of the password");
            let body = app.login_body("root@example.ma", password);
            assert_eq!(body["user"]["role"], "admin");
            assert_eq!(body["user"]["organization"], "moj");
            let token = body["access_token"].as_str().expect("token");
            let res = app.get("/api/v1/organizations/moj", Some(token));
            assert_eq!(res.status(), 200);
            let org: Value = res.json().expect("organization");
            assert_eq!(org["type"], "ministry");
            assert_eq!(org["name"], "Ministère");
            assert_eq!(org["territories"], json!(["MA"]));
        }

        fn a_short_password_is_refused_by_the_command_line(backend) {
            let db = TestDb::new(backend, Fixture::Empty);
            let env = db_env(&db);
            let (ok, _, err) = madar(
                &["user", "create", "--email", "root@example.ma", "--name", "Root", "--role", "admin",
                  "--organization", "moj", "--organization-name", "Ministère", "--password-stdin"],
                &env,
                Some("short-pass\n"),
            );
            assert!(!ok, "an 10-character password is refused");
            assert!(err.to_lowercase().contains("password"), "the message names the password: {err}");
            // Nothing was created: the demo may still be loaded.
            let (ok, out, err) = madar(&["seed", "--demo"], &env, None);
            assert!(ok, "{err}");
            assert!(out.contains("loaded"), "{out}");
        }

        fn an_api_client_made_on_the_command_line_gets_a_token(backend) {
            let db = TestDb::new(backend, Fixture::Demo);
            let env = db_env(&db);
            let (ok, out, err) = madar(
                &["client", "create", "--name", "Hotline 2511 system", "--organization", "hotline-2511", "--role", "hotline"],
                &env,
                None,
            );
            assert!(ok, "client create failed: {err}");
            let kv = key_values(&out);
            let id = kv.get("client_id").unwrap_or_else(|| panic!("client_id in {out}")).clone();
            let secret = kv.get("client_secret").unwrap_or_else(|| panic!("client_secret in {out}")).clone();
            assert!(secret.len() >= 32, "a long secret");

            let app = TestApp::start(db, &[]);
            let res = app.post(
                "/api/v1/auth/token",
                None,
                &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret}),
            );
            assert_eq!(res.status(), 200);
            let body: Value = res.json().expect("token");
            assert!(body["access_token"].as_str().is_some_and(|t| !t.is_empty()));
            assert_eq!(body["token_type"], "Bearer");
            let res = app.post(
                "/api/v1/auth/token",
                None,
                &json!({"grant_type": "client_credentials", "client_id": id, "client_secret": "not-the-secret"}),
            );
            assert_eq!(res.status(), 401);
        }

        fn seeding_the_demo_twice_says_it_is_already_loaded(backend) {
            let db = TestDb::new(backend, Fixture::Demo);
            let (ok, out, err) = madar(&["seed", "--demo"], &db_env(&db), None);
            assert!(ok, "seed --demo on a demo database exits 0: {err}");
            assert!(out.contains("already loaded"), "{out}");
        }

        fn seeding_the_demo_is_refused_on_a_database_with_real_users(backend) {
            let db = TestDb::new(backend, Fixture::Empty);
            let env = db_env(&db);
            let (ok, _, err) = madar(
                &["user", "create", "--email", "root@example.ma", "--name", "Root", "--role", "admin",
                  "--organization", "moj", "--organization-name", "Ministère", "--password-stdin"],
                &env,
                Some("a-long-enough-password\n"),
            );
            assert!(ok, "{err}");
            let (ok, out, err) = madar(&["seed", "--demo"], &env, None);
            assert!(!ok, "seed --demo must refuse real data: {out}");
            assert!(err.contains("refusing"), "{err}");
            let app = TestApp::start(db, &[]);
            let res = app.post("/api/v1/auth/login", None, &json!({"email": ADMIN, "password": DEMO_PASSWORD}));
            assert_eq!(res.status(), 401, "no demo user was added");
        }

        fn sigterm_stops_the_server_cleanly(backend) {
            let mut app = TestApp::spawn(backend);
            assert_eq!(app.get("/readyz", None).status(), 200);
            assert_eq!(app.terminate(), Some(0), "exit code 0 after SIGTERM");
            assert!(log_line(&app, |v| v["fields"]["message"] == "madar stopped").is_some(), "{}", app.logs());
        }

        fn sigterm_lets_a_request_in_flight_finish_before_exiting(backend) {
            use std::io::{Read, Write};
            let mut app = TestApp::spawn(backend);
            let admin = app.token(ADMIN);
            let body = br#"{"labels":{"fr":"Rabat (pendant l'arret)"}}"#;
            let address = app.base.trim_start_matches("http://").to_string();
            let mut stream = std::net::TcpStream::connect(&address).expect("connect");
            stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
            let head = format!(
                "PATCH /api/v1/territories/421 HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {admin}\r\n\
                 If-Match: \"1\"\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).expect("headers");
            stream.write_all(&body[..10]).expect("first part of the body");
            std::thread::sleep(Duration::from_millis(300));
            // The rest of the body arrives after SIGTERM.
            let finisher = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(700));
                stream.write_all(&body[10..]).expect("rest of the body");
                let mut response = String::new();
                let _ = stream.read_to_string(&mut response);
                response
            });
            let code = app.terminate();
            let response = finisher.join().expect("the client thread");
            assert!(response.starts_with("HTTP/1.1 200"), "the request in flight is answered: {response:?}");
            assert!(response.contains("Rabat (pendant l'arret)"), "{response}");
            assert_eq!(code, Some(0), "then madar exits 0");
        }

        fn production_refuses_to_start_without_an_explicit_jwt_secret(backend) {
            let db = TestDb::new(backend, Fixture::Demo);
            let mut env = db_env(&db);
            env.push(("MADAR_ENV", "production".into()));
            let (code, err) = madar_within(&["serve"], &env, Duration::from_secs(20));
            assert_ne!(code, Some(0), "production without MADAR_JWT_SECRET must not run");
            assert!(code.is_some(), "it exits");
            assert!(err.contains("MADAR_JWT_SECRET"), "the message names MADAR_JWT_SECRET: {err}");

            // A secret too short to sign with, or an unknown environment, is refused too (the
            // other production keys given, so that only the JWT secret is wrong).
            let keys = [
                ("MADAR_AUDIT_KEY", "audit-key-of-at-least-32-characters-0001".to_string()),
                ("MADAR_DATA_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string()),
            ];
            let mut short = env.clone();
            short.extend(keys.iter().cloned());
            // Without the data key, sensitive text could not be sealed: refused.
            let mut no_data_key = env.clone();
            no_data_key.push(("MADAR_JWT_SECRET", "0123456789abcdef0123456789abcdef-prod".into()));
            no_data_key.push(keys[0].clone());
            let (code, err) = madar_within(&["serve"], &no_data_key, Duration::from_secs(20));
            assert!(code.is_some_and(|c| c != 0), "production without MADAR_DATA_KEY is refused");
            assert!(err.contains("MADAR_DATA_KEY"), "{err}");
            short.push(("MADAR_JWT_SECRET", "too-short".into()));
            let (code, err) = madar_within(&["serve"], &short, Duration::from_secs(20));
            assert!(code.is_some_and(|c| c != 0), "a short secret is refused");
            assert!(err.contains("MADAR_JWT_SECRET"), "{err}");
            let (code, err) = madar_within(
                &["serve"],
                &[("DATABASE_URL", db.url.clone()), ("MADAR_ENV", "prod".into())],
                Duration::from_secs(20),
            );
            assert!(code.is_some_and(|c| c != 0), "an unknown MADAR_ENV is refused");
            assert!(err.contains("MADAR_ENV"), "{err}");

            // With a secret it starts.
            let app = TestApp::start(
                db,
                &[
                    ("MADAR_ENV".into(), "production".into()),
                    ("MADAR_JWT_SECRET".into(), "0123456789abcdef0123456789abcdef-prod".into()),
                    (keys[0].0.into(), keys[0].1.clone()),
                    (keys[1].0.into(), keys[1].1.clone()),
                ],
            );
            assert_eq!(app.get("/readyz", None).status(), 200);
            assert!(!app.logs().contains("0123456789abcdef0123456789abcdef-prod"), "the secret is never logged");
            // Production exposes no development endpoint.
            let res = app.post("/api/v1/dev/clock", None, &json!({"seconds": 60}));
            assert_eq!(res.status(), 404);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Secrets and a lost database (one backend each)
// ---------------------------------------------------------------------------------------------

#[test]
fn on_sqlite_the_generated_secret_is_kept_private_in_the_data_folder_and_survives_a_restart() {
    let mut first = TestApp::spawn(Backend::Sqlite);
    let path = first.db.data_dir().join("jwt_secret");
    let meta =
        std::fs::metadata(&path).expect("the secret is stored at $MADAR_DATA_DIR/jwt_secret");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o600,
        "only the owner reads the secret"
    );
    let secret = std::fs::read_to_string(&path).expect("secret");
    assert!(secret.trim().len() >= 32, "a long secret");

    let token = first.token(ADMIN);
    assert!(
        !first.logs().contains(secret.trim()),
        "the secret is never logged"
    );
    assert_eq!(first.terminate(), Some(0));

    // Restart on the same database and data folder.
    let db = std::mem::replace(&mut first.db, TestDb::new(Backend::Sqlite, Fixture::Empty));
    let second = TestApp::start(db, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).expect("secret"),
        secret,
        "the secret is kept"
    );
    let res = second.get("/api/v1/me", Some(&token));
    assert_eq!(
        res.status(),
        200,
        "a token from before the restart is still valid"
    );
    assert_eq!(res.json::<Value>().expect("me")["email"], ADMIN);
}

#[test]
fn on_postgres_two_servers_share_the_generated_secret_through_the_database() {
    let mut first = TestApp::spawn(Backend::Postgres);
    // The second server runs at the same time, on the same database.
    let db = std::mem::replace(
        &mut first.db,
        TestDb::new(Backend::Postgres, Fixture::Empty),
    );
    let second = TestApp::start(db, &[]);
    assert!(
        !second.db.data_dir().join("jwt_secret").exists(),
        "on PostgreSQL the secret lives in the database, not in a file"
    );
    let from_first = first.token(ADMIN);
    let from_second = second.token(CASE_WORKER);
    let res = second.get("/api/v1/me", Some(&from_first));
    assert_eq!(
        res.status(),
        200,
        "a token of one server works on the other"
    );
    assert_eq!(res.json::<Value>().expect("me")["email"], ADMIN);
    let res = first.get("/api/v1/me", Some(&from_second));
    assert_eq!(res.status(), 200, "and the other way round");
    assert_eq!(res.json::<Value>().expect("me")["email"], CASE_WORKER);
}

#[test]
fn a_lost_postgres_database_makes_readiness_answer_503_quickly() {
    let app = TestApp::spawn(Backend::Postgres);
    assert_eq!(app.get("/readyz", None).status(), 200);
    assert_eq!(app.get("/api/v1/territories", None).status(), 200);
    let name = app
        .db
        .url
        .rsplit('/')
        .next()
        .expect("database name")
        .to_string();
    let mut admin = ::postgres::Client::connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres",
        ::postgres::NoTls,
    )
    .expect("PostgreSQL at 127.0.0.1:5432");
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .expect("drop the database under the server");

    let client = Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    for path in [
        "/readyz",
        "/readyz",
        "/api/v1/territories",
        "/api/v1/reference/sexes",
        "/readyz",
    ] {
        let started = Instant::now();
        let res = client
            .get(app.url(path))
            .send()
            .unwrap_or_else(|e| panic!("{path} answers: {e}"));
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(5),
            "{path} answered in {took:?}: no hang"
        );
        let status = res.status();
        assert!(
            header(&res, "retry-after").is_some(),
            "{path}: Retry-After on a {status} ({:?})\n{}",
            res.headers(),
            app.logs()
        );
        let body = assert_problem(res, 503, "service_unavailable");
        assert_no_internals(&body);
    }
    // The process itself is alive.
    assert_eq!(app.get("/healthz", None).status(), 200);
}

#[test]
fn an_exhausted_pool_and_a_stuck_statement_answer_503_instead_of_hanging() {
    let app = TestApp::builder(Backend::Postgres)
        .env("MADAR_DB_POOL_SIZE", "1")
        .env("MADAR_DB_CONNECT_TIMEOUT", "300ms")
        .env("MADAR_REQUEST_TIMEOUT", "2s")
        .spawn();
    let token = app.token(ADMIN);
    // Another session holds the users table, so the one pooled connection blocks on it.
    let mut locker = ::postgres::Client::connect(
        &format!(
            "host=127.0.0.1 port=5432 user=postgres dbname={}",
            app.db.url.rsplit('/').next().expect("name")
        ),
        ::postgres::NoTls,
    )
    .expect("PostgreSQL at 127.0.0.1:5432");
    let mut tx = locker.transaction().expect("transaction");
    tx.batch_execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        .expect("lock users");
    let url = app.url("/api/v1/me");
    let stuck = std::thread::spawn(move || {
        let started = Instant::now();
        let res = Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .expect("answer");
        (res, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    // The pool is empty: a second request waits for the connect timeout, then gets a 503.
    let started = Instant::now();
    let res = app.get("/readyz", None);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no hang on an empty pool"
    );
    assert!(header(&res, "retry-after").is_some());
    assert_problem(res, 503, "service_unavailable");
    // The stuck statement is cancelled by the statement timeout: 503 too, never a 500.
    let (res, took) = stuck.join().expect("stuck request");
    assert!(
        took < Duration::from_secs(5),
        "the stuck request ended in {took:?}"
    );
    assert_problem(res, 503, "service_unavailable");
    tx.rollback().expect("release the lock");
    // Once the lock is gone, the server serves again.
    assert_eq!(app.get("/readyz", None).status(), 200);
}
