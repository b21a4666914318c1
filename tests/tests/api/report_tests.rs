//! Reports of children at risk: who may file and read them, their numbering, their routing to
//! the centres that serve the child's territory, what each role sees, the inbox, validation,
//! idempotency and encryption at rest.
use std::collections::HashSet;

use chrono::{Datelike, Duration, Utc};
use madar_tests::*;

const REPORTS: &str = "/api/v1/reports";
const NARRATIVE: &str = "La voisine entend des cris chaque nuit; l'enfant ne va plus à l'école.";
const REPORTER_NAME: &str = "Khadija Bennani";
const REPORTER_PHONE: &str = "+212 6 61 23 45 67";
const ADDRESS: &str = "Derb Sidi Fateh, maison 12";
/// The keys of the view a sender (the hotline, a partner) has of its report.
const STATUS_KEYS: [&str; 6] = [
    "created_at",
    "id",
    "received_at",
    "reference",
    "status",
    "updated_at",
];

fn year() -> i32 {
    Utc::now().year()
}

fn an_hour_ago() -> String {
    (Utc::now() - Duration::hours(1)).to_rfc3339()
}

fn child(territory: &str) -> Value {
    json!({
        "given_name_latin": "Mohamed", "family_name_latin": "El Idrissi", "given_name_ar": "محمد",
        "sex": "male", "estimated_birth_year": year() - 10, "territory": territory,
        "address_text": ADDRESS, "situation": ["out_of_school"]
    })
}

/// A report of one child in `territory`.
fn report(territory: &str) -> Value {
    report_of(vec![child(territory)])
}

fn report_of(children: Vec<Value>) -> Value {
    json!({
        "source": "hotline_2511",
        "received_at": an_hour_ago(),
        "external_ref": "CALL-2026-0042",
        "reporter": {"type": "neighbour", "name": REPORTER_NAME, "phone": REPORTER_PHONE},
        "children": children,
        "concerns": ["physical_violence", "neglect"],
        "immediate_danger": false,
        "narrative": NARRATIVE
    })
}

fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}

fn post_report(app: &TestApp, token: &str, body: &Value) -> Response {
    app.post(REPORTS, Some(token), body)
}

fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> Response {
    app.client
        .post(app.url(REPORTS))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .expect("request")
}

fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Files a report and returns the 201 body.
fn file(app: &TestApp, token: &str, body: &Value) -> Value {
    json_of(post_report(app, token, body), 201)
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_string()
}

fn get_report(app: &TestApp, token: &str, id: &str) -> Response {
    app.get(&format!("{REPORTS}/{id}"), Some(token))
}

/// The report as `token` sees it (200 expected).
fn read(app: &TestApp, token: &str, id: &str) -> Value {
    json_of(get_report(app, token, id), 200)
}

fn assert_not_found(app: &TestApp, token: &str, id: &str) {
    assert_problem(get_report(app, token, id), 404, "not_found");
}

/// Asserts the status-only view of a sender.
fn assert_status_view(view: &Value) {
    let mut keys: Vec<&str> = view
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys, STATUS_KEYS,
        "a sender sees reference, status and dates only: {view}"
    );
}

/// Asserts the whole view, with the plaintext of the sealed fields.
fn assert_whole_view(view: &Value) {
    assert_eq!(view["narrative"], NARRATIVE, "{view}");
    assert_eq!(view["reporter"]["name"], REPORTER_NAME);
    assert_eq!(view["reporter"]["phone"], REPORTER_PHONE);
    assert!(view["children"].as_array().is_some_and(|c| !c.is_empty()));
    assert!(view["routed_to"].is_array());
}

fn routed_to(view: &Value) -> Vec<String> {
    view["routed_to"]
        .as_array()
        .expect("routed_to")
        .iter()
        .map(|v| v.as_str().expect("code").to_string())
        .collect()
}

/// Every item of the inbox, following `next_cursor` page after page.
fn inbox(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("{REPORTS}?limit={limit}{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = json_of(app.get(&path, Some(token)), 200);
        let got = page["items"].as_array().expect("items");
        assert!(got.len() <= limit);
        items.extend(got.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
    panic!("the inbox never ends");
}

fn ids(items: &[Value]) -> Vec<String> {
    items.iter().map(id_of).collect()
}

/// Creates a user with the admin's token and returns an access token for them.
fn user(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
    organization: &str,
    territory: Option<&str>,
) -> String {
    let mut body = json!({
        "email": email, "display_name": "Test user", "password": "a long password 2026",
        "role": role, "organization": organization
    });
    if let Some(t) = territory {
        body["territory"] = json!(t);
    }
    json_of(app.post("/api/v1/users", Some(admin), &body), 201);
    app.login_body(email, "a long password 2026")["access_token"]
        .as_str()
        .expect("token")
        .to_string()
}

fn national_coordinator(app: &TestApp) -> String {
    let admin = app.token(ADMIN);
    user(
        app,
        &admin,
        "national.coordinator@example.ma",
        "coordinator",
        "ministry",
        Some("MA"),
    )
}

/// An API client of the hotline and an access token for it.
fn hotline_client(app: &TestApp) -> String {
    let admin = app.token(ADMIN);
    let created = json_of(
        app.post(
            "/api/v1/clients",
            Some(&admin),
            &json!({"name": "2511 switchboard", "organization": "hotline-2511", "role": "hotline"}),
        ),
        201,
    );
    let form = [
        ("grant_type", "client_credentials"),
        (
            "client_id",
            created["client_id"].as_str().expect("client_id"),
        ),
        (
            "client_secret",
            created["client_secret"].as_str().expect("client_secret"),
        ),
    ];
    let res = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&form)
        .send()
        .expect("request");
    json_of(res, 200)["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

/// The field named by the first error of a 422.
fn invalid_field(res: Response) -> (String, String) {
    let body = assert_problem(res, 422, "validation_failed");
    let error = &body["errors"][0];
    (
        error["field"].as_str().unwrap_or("").to_string(),
        error["code"].as_str().unwrap_or("").to_string(),
    )
}

/// Every sealed column of the reports, as stored, and any text column holding `needle`.
fn raw_sealed_values(app: &TestApp) -> Vec<Option<String>> {
    let queries = [
        "SELECT reporter_name_sealed FROM reports",
        "SELECT reporter_phone_sealed FROM reports",
        "SELECT narrative_sealed FROM reports",
        "SELECT address_sealed FROM report_children",
    ];
    let mut values = Vec::new();
    match app.db.backend {
        Backend::Postgres => {
            let mut client = ::postgres::Client::connect(&app.db.url, ::postgres::NoTls)
                .expect("connect to the test database");
            for q in queries {
                for row in client.query(q, &[]).expect("query") {
                    values.push(row.get::<_, Option<String>>(0));
                }
            }
        }
        Backend::Sqlite => {
            let path = app.db.url.strip_prefix("sqlite://").expect("a sqlite URL");
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .expect("open");
            for q in queries {
                let mut statement = conn.prepare(q).expect("prepare");
                let rows = statement
                    .query_map([], |r| r.get::<_, Option<String>>(0))
                    .expect("query");
                values.extend(rows.map(|r| r.expect("row")));
            }
        }
    }
    values
}

/// The raw bytes of the SQLite database and its write-ahead log.
fn sqlite_bytes(app: &TestApp) -> Vec<u8> {
    let path = app
        .db
        .url
        .strip_prefix("sqlite://")
        .expect("a sqlite URL")
        .to_string();
    let mut bytes = std::fs::read(&path).expect("database file");
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

backend_tests! {
    fn the_pathway_roles_file_reports_and_the_others_are_refused(backend) {
        let app = TestApp::spawn(backend);
        for email in [COORDINATOR, CASE_WORKER, PARTNER, HOTLINE] {
            let created = file(&app, &app.token(email), &report("421"));
            assert_eq!(created["status"], "received", "{email}");
            assert!(created["reference"].as_str().is_some_and(|r| r.starts_with(&format!("RPT-421-{}-", year()))), "{created}");
        }
        let some_report = id_of(&file(&app, &app.token(HOTLINE), &report("421")));
        for email in [ADMIN, ANALYST, AUDITOR] {
            let token = app.token(email);
            assert_problem(post_report(&app, &token, &report("421")), 403, "forbidden");
            assert_problem(app.get(REPORTS, Some(&token)), 403, "forbidden");
            // 403, not 404: the role never reads reports, whatever the record.
            assert_problem(get_report(&app, &token, &some_report), 403, "forbidden");
            assert_problem(get_report(&app, &token, &uuid::Uuid::new_v4().to_string()), 403, "forbidden");
        }
        assert_problem(app.post(REPORTS, None, &report("421")), 401, "unauthorized");
        assert_problem(app.get(REPORTS, None), 401, "unauthorized");
        assert_problem(app.get(&format!("{REPORTS}/{some_report}"), None), 401, "unauthorized");
        // Nothing was filed by the refused calls: 5 reports in Rabat.
        let coordinator = app.token(COORDINATOR);
        assert_eq!(inbox(&app, &coordinator, "", 50).len(), 5);
    }

    fn an_api_client_must_send_an_idempotency_key(backend) {
        let app = TestApp::spawn(backend);
        let client = hotline_client(&app);
        assert_problem(post_report(&app, &client, &report("421")), 400, "idempotency_key_required");
        let created = json_of(post_with_key(&app, &client, "call-0042", &report("421")), 201);
        assert_status_view(&created);
        assert_eq!(created["reference"], format!("RPT-421-{}-000001", year()), "the refused call took no number");
        assert_status_view(&read(&app, &client, &id_of(&created)));
        // The hotline's people and its system belong to one organization: both follow it.
        assert_status_view(&read(&app, &app.token(HOTLINE), &id_of(&created)));
        let whole = read(&app, &app.token(COORDINATOR), &id_of(&created));
        assert_whole_view(&whole);
    }

    fn references_are_numbered_per_territory_and_year(backend) {
        let app = TestApp::spawn(backend);
        let hotline = app.token(HOTLINE);
        let y = year();
        assert_eq!(file(&app, &hotline, &report("421"))["reference"], format!("RPT-421-{y}-000001"));
        assert_eq!(file(&app, &hotline, &report("421"))["reference"], format!("RPT-421-{y}-000002"));
        assert_eq!(file(&app, &hotline, &report("441"))["reference"], format!("RPT-441-{y}-000001"));
        assert_eq!(file(&app, &hotline, &report("141-01"))["reference"], format!("RPT-141-01-{y}-000001"));
        // A refused report takes no number.
        let unknown = report_of(vec![child("421"), child("999")]);
        assert_eq!(post_report(&app, &hotline, &unknown).status(), 422);
        assert_eq!(file(&app, &hotline, &report("421"))["reference"], format!("RPT-421-{y}-000003"));
    }

    fn concurrent_reports_of_one_territory_get_distinct_numbers_without_gaps(backend) {
        let app = TestApp::spawn(backend);
        let hotline = app.token(HOTLINE);
        let results: Vec<(u16, Value)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..10)
                .map(|_| {
                    s.spawn(|| {
                        let res = post_report(&app, &hotline, &report("421"));
                        let status = res.status().as_u16();
                        (status, res.json::<Value>().unwrap_or(Value::Null))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        for (status, body) in &results {
            assert_eq!(*status, 201, "{body}");
        }
        let mut references: Vec<String> = results.iter().map(|(_, b)| b["reference"].as_str().expect("reference").to_string()).collect();
        references.sort();
        let expected: Vec<String> = (1..=10).map(|n| format!("RPT-421-{}-{n:06}", year())).collect();
        assert_eq!(references, expected);
    }

    fn a_report_goes_to_the_case_owning_organizations_serving_the_childs_territory(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, national) = (app.token(HOTLINE), national_coordinator(&app));
        for (territory, expected) in [
            ("421", vec!["cape-rabat"]),
            ("441", vec!["cape-sale", "upe-sale"]),
            ("141-01", vec!["cape-casablanca-anfa", "samu-casablanca"]),
        ] {
            let id = id_of(&file(&app, &hotline, &report(territory)));
            let whole = read(&app, &national, &id);
            assert_whole_view(&whole);
            assert_eq!(routed_to(&whole), expected, "{territory}");
        }
    }

    fn a_report_from_an_unserved_territory_goes_to_the_national_coordinators(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let (hotline, national) = (app.token(HOTLINE), national_coordinator(&app));
        // Al Hoceima (051) and Casablanca's 141-02 have no centre, and neither have their
        // ancestors (the Casablanca centre serves 141-01, a sibling).
        let hoceima = id_of(&file(&app, &hotline, &report("051")));
        let casa_02 = id_of(&file(&app, &hotline, &report("141-02")));
        for id in [&hoceima, &casa_02] {
            let whole = read(&app, &national, id);
            assert_whole_view(&whole);
            assert!(routed_to(&whole).is_empty(), "{whole}");
        }
        let national_inbox = ids(&inbox(&app, &national, "&status=received", 50));
        assert!(national_inbox.contains(&hoceima) && national_inbox.contains(&casa_02));
        // Coordinators of the subtree see it too; others do not.
        let region = user(&app, &admin, "coord.ma01@example.ma", "coordinator", "ministry", Some("MA-01"));
        assert_whole_view(&read(&app, &region, &hoceima));
        assert_not_found(&app, &region, &casa_02);
        let casablanca = user(&app, &admin, "coord.141@example.ma", "coordinator", "ministry", Some("141"));
        assert_whole_view(&read(&app, &casablanca, &casa_02));
        assert_not_found(&app, &casablanca, &hoceima);
        assert_not_found(&app, &app.token(COORDINATOR), &hoceima);
        // No centre was sent them: case workers do not see them.
        let anfa = user(&app, &admin, "cw.anfa@example.ma", "case_worker", "cape-casablanca-anfa", None);
        for token in [app.token(CASE_WORKER), anfa] {
            assert_not_found(&app, &token, &hoceima);
            assert_not_found(&app, &token, &casa_02);
        }
    }

    fn a_report_on_children_of_two_territories_goes_to_both_sets_of_centres(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let hotline = app.token(HOTLINE);
        let both = id_of(&file(&app, &hotline, &report_of(vec![child("421"), child("441")])));
        let sale_only = id_of(&file(&app, &hotline, &report("441")));
        let sale_worker = user(&app, &admin, "cw.sale@example.ma", "case_worker", "cape-sale", None);
        let upe_worker = user(&app, &admin, "cw.upe@example.ma", "case_worker", "upe-sale", None);
        let sale_coordinator = user(&app, &admin, "coord.sale@example.ma", "coordinator", "cape-sale", Some("441"));
        for token in [app.token(CASE_WORKER), sale_worker.clone(), upe_worker.clone(), app.token(COORDINATOR), sale_coordinator.clone()] {
            let whole = read(&app, &token, &both);
            assert_whole_view(&whole);
            assert_eq!(routed_to(&whole), ["cape-rabat", "cape-sale", "upe-sale"]);
            assert_eq!(whole["children"].as_array().map(Vec::len), Some(2));
        }
        // The Salé report goes to Salé's centres only.
        for token in [&sale_worker, &upe_worker, &sale_coordinator] {
            assert_whole_view(&read(&app, token, &sale_only));
        }
        assert_not_found(&app, &app.token(CASE_WORKER), &sale_only);
        assert_not_found(&app, &app.token(COORDINATOR), &sale_only);
        let anfa = user(&app, &admin, "cw.anfa@example.ma", "case_worker", "cape-casablanca-anfa", None);
        assert_not_found(&app, &anfa, &both);
    }

    fn the_hotline_follows_its_own_reports_by_status_only(backend) {
        let app = TestApp::spawn(backend);
        let hotline = app.token(HOTLINE);
        let created = file(&app, &hotline, &report("421"));
        assert_status_view(&created);
        let id = id_of(&created);
        let view = read(&app, &hotline, &id);
        assert_status_view(&view);
        assert_eq!(view["reference"], created["reference"]);
        assert_eq!(view["status"], "received");
        let text = get_report(&app, &hotline, &id).text().expect("body");
        for secret in [NARRATIVE, REPORTER_NAME, REPORTER_PHONE, ADDRESS, "Mohamed"] {
            assert!(!text.contains(secret), "{secret} leaked to the sender: {text}");
        }
        // Another organization's report does not exist for the hotline.
        let partners = id_of(&file(&app, &app.token(PARTNER), &report("421")));
        let workers = id_of(&file(&app, &app.token(CASE_WORKER), &report("421")));
        assert_not_found(&app, &hotline, &partners);
        assert_not_found(&app, &hotline, &workers);
        assert_not_found(&app, &hotline, &uuid::Uuid::new_v4().to_string());
        let listed = inbox(&app, &hotline, "", 50);
        assert_eq!(ids(&listed), vec![id.clone()]);
        listed.iter().for_each(assert_status_view);
    }

    fn the_territorys_coordinator_sees_its_reports_whole_and_no_others(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, coordinator) = (app.token(HOTLINE), app.token(COORDINATOR));
        let rabat = id_of(&file(&app, &hotline, &report("421")));
        let sale = id_of(&file(&app, &hotline, &report("441")));
        let whole = read(&app, &coordinator, &rabat);
        assert_whole_view(&whole);
        assert_eq!(whole["children"][0]["address_text"], ADDRESS);
        assert_eq!(whole["children"][0]["given_name_ar"], "محمد");
        // Without duplicates, in the vocabulary's order.
        assert_eq!(whole["concerns"], json!(["physical_violence", "neglect"]));
        assert_eq!(whole["source"], "hotline_2511");
        assert_eq!(whole["external_ref"], "CALL-2026-0042");
        assert_not_found(&app, &coordinator, &sale);
        assert_eq!(ids(&inbox(&app, &coordinator, "", 50)), vec![rabat]);
        // A report the coordinator files for a child elsewhere: they follow it as its sender.
        let filed = file(&app, &coordinator, &report("441"));
        assert_status_view(&filed);
        assert_status_view(&read(&app, &coordinator, &id_of(&filed)));
    }

    fn a_case_worker_sees_reports_routed_to_the_centre_whole_and_its_own_elsewhere_as_status(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, worker) = (app.token(HOTLINE), app.token(CASE_WORKER));
        let routed = id_of(&file(&app, &hotline, &report("421")));
        assert_whole_view(&read(&app, &worker, &routed));
        let own_rabat = file(&app, &worker, &report("421"));
        assert_whole_view(&own_rabat);
        let own_sale = file(&app, &worker, &report("441"));
        assert_status_view(&own_sale);
        assert_status_view(&read(&app, &worker, &id_of(&own_sale)));
        let not_ours = id_of(&file(&app, &hotline, &report("441")));
        assert_not_found(&app, &worker, &not_ours);
        let listed = inbox(&app, &worker, "", 50);
        assert_eq!(ids(&listed), vec![routed, id_of(&own_rabat), id_of(&own_sale)]);
        assert_status_view(&listed[2]);
    }

    fn a_partner_follows_its_own_reports_by_status(backend) {
        let app = TestApp::spawn(backend);
        let partner = app.token(PARTNER);
        let created = file(&app, &partner, &with(report("421"), "source", json!("ngo")));
        assert_status_view(&created);
        assert_status_view(&read(&app, &partner, &id_of(&created)));
        let hotlines = id_of(&file(&app, &app.token(HOTLINE), &report("421")));
        assert_not_found(&app, &partner, &hotlines);
        assert_eq!(ids(&inbox(&app, &partner, "", 50)), vec![id_of(&created)]);
    }

    fn the_inbox_puts_immediate_danger_first_then_the_oldest_and_pages_without_duplicates(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, coordinator) = (app.token(HOTLINE), app.token(COORDINATOR));
        let danger = |on: bool| with(report("421"), "immediate_danger", json!(on));
        let filed: Vec<String> = [false, true, false, true, false].iter().map(|d| id_of(&file(&app, &hotline, &danger(*d)))).collect();
        let expected = vec![filed[1].clone(), filed[3].clone(), filed[0].clone(), filed[2].clone(), filed[4].clone()];
        assert_eq!(ids(&inbox(&app, &coordinator, "", 50)), expected);
        let paged = ids(&inbox(&app, &coordinator, "", 2));
        assert_eq!(paged, expected, "pages of 2 follow the same order");
        assert_eq!(paged.iter().collect::<HashSet<_>>().len(), 5, "no duplicates");
        assert_eq!(ids(&inbox(&app, &coordinator, "&status=received", 2)), expected);
        assert!(inbox(&app, &coordinator, "&status=closed", 50).is_empty());
        let bogus = assert_problem(app.get(&format!("{REPORTS}?status=bogus"), Some(&coordinator)), 422, "validation_failed");
        // The app-wide query extractor names the query string, and the variant in its message.
        assert!(bogus["errors"][0]["message"].as_str().is_some_and(|m| m.contains("bogus")), "{bogus}");
        let (field, code) = invalid_field(app.get(&format!("{REPORTS}?cursor=bm90LWEtY3Vyc29y"), Some(&coordinator)));
        assert_eq!((field.as_str(), code.as_str()), ("cursor", "invalid_cursor"));
        assert_problem(app.get(&format!("{REPORTS}?cursor=%25%25"), Some(&coordinator)), 422, "validation_failed");
        assert_problem(app.get(&format!("{REPORTS}?limit=0"), Some(&coordinator)), 422, "validation_failed");
    }

    fn invalid_reports_are_refused_naming_the_field(backend) {
        let app = TestApp::spawn(backend);
        let hotline = app.token(HOTLINE);
        let send = |body: Value| invalid_field(post_report(&app, &hotline, &body));
        let nameless = json!({"sex": "female", "territory": "421"});
        assert_eq!(send(report_of(vec![nameless])), ("children[0]".into(), "name_required".into()));
        let mut second_nameless = child("441");
        for key in ["given_name_latin", "family_name_latin", "given_name_ar"] {
            second_nameless.as_object_mut().expect("child").remove(key);
        }
        assert_eq!(send(report_of(vec![child("421"), second_nameless])).0, "children[1]");
        assert_eq!(send(with(report("421"), "concerns", json!(["bad_luck"]))).0, "concerns[0]");
        assert_eq!(send(report("999")), ("children[0].territory".into(), "unknown_territory".into()));
        let tomorrow = (Utc::now() + Duration::days(1)).date_naive().to_string();
        let mut unborn = child("421");
        unborn["date_of_birth"] = json!(tomorrow);
        unborn.as_object_mut().expect("child").remove("estimated_birth_year");
        assert_eq!(send(report_of(vec![unborn])), ("children[0].date_of_birth".into(), "in_future".into()));
        let later = (Utc::now() + Duration::hours(2)).to_rfc3339();
        assert_eq!(send(with(report("421"), "received_at", json!(later))), ("received_at".into(), "in_future".into()));
        for bad_year in [1900, year() + 1, 2200] {
            let mut c = child("421");
            c["estimated_birth_year"] = json!(bad_year);
            assert_eq!(send(report_of(vec![c])).0, "children[0].estimated_birth_year", "{bad_year}");
        }
        assert_eq!(send(with(report("421"), "narrative", json!("normal \u{202E}txet"))), ("narrative".into(), "forbidden_character".into()));
        assert_eq!(send(with(report("421"), "children", json!([]))).0, "children");
        assert_eq!(send(with(report("421"), "concerns", json!([]))).0, "concerns");
        assert_eq!(send(with(report("421"), "priority", json!(1))), ("priority".into(), "unknown_field".into()));
        let mut extra = child("421");
        extra["nickname"] = json!("x");
        assert_eq!(send(report_of(vec![extra])), ("children[0].nickname".into(), "unknown_field".into()));
        assert_eq!(send(with(report("421"), "source", json!("pigeon"))).0, "source");
        let mut bad_phone = report("421");
        bad_phone["reporter"]["phone"] = json!("call me");
        assert_eq!(send(bad_phone).0, "reporter.phone");
        // Nothing was filed: the next report is the first of Rabat's series.
        assert_eq!(file(&app, &hotline, &report("421"))["reference"], format!("RPT-421-{}-000001", year()));
    }

    fn a_retried_report_is_filed_once(backend) {
        let app = TestApp::spawn(backend);
        let (hotline, coordinator) = (app.token(HOTLINE), app.token(COORDINATOR));
        let body = report("421");
        let first = post_with_key(&app, &hotline, "call-7", &body);
        assert_eq!(first.status(), 201);
        let location = first.headers()["location"].clone();
        let first = first.bytes().expect("body");
        let again = post_with_key(&app, &hotline, "call-7", &body);
        assert_eq!(again.status(), 201);
        assert_eq!(again.headers()["location"], location);
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        assert_eq!(again.bytes().expect("body"), first);
        assert_eq!(inbox(&app, &coordinator, "", 50).len(), 1);
        assert_problem(post_with_key(&app, &hotline, "call-7", &report("441")), 422, "idempotency_key_reused");
        // Concurrent retries of another call: exactly one report.
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6).map(|_| s.spawn(|| post_with_key(&app, &hotline, "call-8", &body).status().as_u16())).collect();
            handles.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
        assert_eq!(inbox(&app, &coordinator, "", 50).len(), 2);
        // The replays took no number.
        assert_eq!(file(&app, &hotline, &body)["reference"], format!("RPT-421-{}-000003", year()));
    }

    fn sensitive_text_is_encrypted_at_rest(backend) {
        let app = TestApp::spawn(backend);
        let hotline = app.token(HOTLINE);
        let id = id_of(&file(&app, &hotline, &report_of(vec![child("421"), child("441")])));
        let values = raw_sealed_values(&app);
        assert_eq!(values.len(), 5, "name, phone, narrative and two addresses");
        for value in &values {
            let stored = value.as_deref().expect("a sealed value");
            assert!(stored.starts_with("v1:"), "{stored}");
            for secret in [NARRATIVE, REPORTER_NAME, REPORTER_PHONE, ADDRESS, "Bennani", "Sidi Fateh"] {
                assert!(!stored.contains(secret));
            }
        }
        if backend == Backend::Sqlite {
            let bytes = sqlite_bytes(&app);
            for secret in ["Bennani", "Sidi Fateh", "61 23 45", "cris chaque nuit"] {
                assert!(!contains(&bytes, secret), "{secret} is readable in the database file");
            }
        }
        // The API still gives the plaintext to those who handle the report.
        let whole = read(&app, &app.token(COORDINATOR), &id);
        assert_whole_view(&whole);
        assert_eq!(whole["children"][1]["address_text"], ADDRESS);
    }
}
