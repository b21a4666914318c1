//! The national dashboard and the provincial report over HTTP: figures against brute-force
//! counts of what the test filed, suppression per role (analysts primary and secondary,
//! coordinators exact in JSON but masked in the CSV and the printable page), the CSV and
//! HTML forms (parsed), content negotiation, languages and access.
use std::collections::BTreeMap;

use base64::Engine;
use chrono::{Datelike, Utc};
use madar_tests::cases::*;
use madar_tests::*;
use sha2::{Digest, Sha256};

const DASHBOARD: &str = "/api/v1/statistics/dashboard";

fn report_path(code: &str) -> String {
    format!("/api/v1/statistics/territories/{code}/report")
}

/// A report of one child in `territory` received on `day` (`YYYY-MM-DD`) about `concern`.
fn filed(territory: &str, day: &str, concern: &str, i: usize) -> Value {
    json!({
        "source": "hotline_2511",
        "received_at": format!("{day}T10:00:00Z"),
        "reporter": {"type": "neighbour", "name": "Khadija", "phone": "+212 6 61 23 45 67"},
        "children": [{
            "given_name_latin": format!("Enfant{i}"), "family_name_latin": "Rapport",
            "sex": "female", "date_of_birth": "2014-05-05", "territory": territory,
            "situation": []
        }],
        "concerns": [concern],
        "immediate_danger": false,
        "narrative": "Un récit."
    })
}

fn family(concern: &str) -> &'static str {
    match concern {
        "sexual_violence" | "physical_violence" => "violence",
        "economic_exploitation" => "exploitation",
        "neglect" => "neglect",
        _ => "vulnerability",
    }
}

/// Last year's reports: (territory, month, concern, how many).
const LAST_YEAR: [(&str, u32, &str, usize); 6] = [
    ("421", 3, "sexual_violence", 3),
    ("421", 3, "neglect", 4),
    ("421", 7, "economic_exploitation", 6),
    ("351", 3, "neglect", 3),
    ("141-01", 5, "out_of_school", 6),
    ("441", 2, "neglect", 2),
];

fn file_last_year(app: &TestApp, year: i32) {
    let hotline = app.token(HOTLINE);
    let mut i = 0;
    for (territory, month, concern, n) in LAST_YEAR {
        for d in 0..n {
            let day = format!("{year}-{month:02}-{:02}", 1 + d);
            json_of(
                app.post(
                    "/api/v1/reports",
                    Some(&hotline),
                    &filed(territory, &day, concern, i),
                ),
                201,
            );
            i += 1;
        }
    }
}

/// The brute-force monthly counts by family in the subtree of `within`.
fn monthly(year: i32, within: &[&str]) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for (territory, month, concern, n) in LAST_YEAR {
        if within.contains(&territory) {
            *out.entry((format!("{year}-{month:02}"), family(concern).to_string()))
                .or_insert(0) += n as i64;
        }
    }
    out
}

/// A statistic's non-zero shown counts, keyed by the cells' codes joined with `|`.
fn cells(stat: &Value) -> BTreeMap<String, i64> {
    stat["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .filter_map(|c| {
            let key: Vec<&str> = c["key"]
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .collect();
            c["count"]
                .as_i64()
                .filter(|n| *n != 0)
                .map(|n| (key.join("|"), n))
        })
        .collect()
}

fn cell<'a>(stat: &'a Value, key: &[&str]) -> &'a Value {
    stat["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["key"] == json!(key))
        .unwrap_or_else(|| panic!("cell {key:?} in {stat}"))
}

fn get_with(app: &TestApp, path: &str, token: &str, accept: &str) -> Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .header("accept", accept)
        .send()
        .expect("request")
}

fn close(app: &TestApp, case: &OpenedCase, token: &str, reason: &str) {
    for step in [
        json!({"to": "assessment", "reason": "On évalue."}),
        json!({"to": "closed", "reason": "Fin.", "closure_reason": reason, "outcome_note": "Suivi terminé."}),
    ] {
        let etag = app.etag(&case.path, token);
        json_of(
            app.post_if_match(
                &format!("{}/transitions", case.path),
                token,
                &etag,
                None,
                &step,
            ),
            200,
        );
    }
}

/// A referral to ngo-rabat of `service_type`, accepted, started and completed by the partner.
fn completed_referral(app: &TestApp, token: &str, case: &OpenedCase, service_type: &str) {
    let consent = json!({
        "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
        "recipients": ["ngo-rabat"], "field_groups": ["identity"], "purpose": "Orientation."
    });
    json_of(
        app.post(
            &format!("/api/v1/children/{}/consents", case.child_id),
            Some(token),
            &consent,
        ),
        201,
    );
    let body = json!({
        "organization": "ngo-rabat", "service_type": service_type,
        "reason": "Orientation vers le partenaire.", "urgency": "high",
        "due_by": (Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
        "field_groups": ["identity"]
    });
    let (sent, mut etag) = json_and_etag(
        app.post(&format!("{}/referrals", case.path), Some(token), &body),
        201,
    );
    let id = id_of(&sent);
    let partner = app.token(PARTNER);
    for verb in ["accept", "start", "complete"] {
        let mut req = app
            .client
            .post(app.url(&format!("/api/v1/referrals/{id}/{verb}")))
            .bearer_auth(&partner)
            .header("if-match", &etag);
        if verb == "complete" {
            req = req.json(&json!({"outcome": "achieved", "feedback": "Fait."}));
        }
        etag = json_and_etag(req.send().expect("request"), 200).1;
    }
}

/// A minimal HTML reader: checks that every element is closed in order (void elements aside,
/// `<style>` read as raw text) and returns the start tags with their attribute text.
fn parse_html(html: &str) -> Vec<(String, String)> {
    const VOID: [&str; 4] = ["meta", "br", "img", "hr"];
    let mut tags = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let inner = &rest[..end];
        rest = &rest[end + 1..];
        if inner.starts_with('!') {
            continue;
        }
        if let Some(name) = inner.strip_prefix('/') {
            assert_eq!(open.pop().as_deref(), Some(name.trim()), "closing {name}");
            continue;
        }
        let name: String = inner
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attrs = inner[name.len()..].to_string();
        let self_closed = inner.ends_with('/');
        tags.push((name.clone(), attrs));
        if name == "style" {
            let close = rest.find("</style>").expect("style closed");
            assert!(!rest[..close].contains('<'), "markup in the style");
            rest = &rest[close + "</style>".len()..];
            continue;
        }
        if !self_closed && !VOID.contains(&name.as_str()) {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed elements: {open:?}");
    tags
}

backend_tests! {
    fn statistics_dashboard_matches_a_brute_force_count(backend) {
        let app = TestApp::spawn(backend);
        let year = Utc::now().year();
        file_last_year(&app, year - 1);
        let coordinator = app.token(COORDINATOR);

        // This year: six cases in Rabat, four closed, services and a completed referral.
        let cases: Vec<OpenedCase> = (0..6)
            .map(|i| open_case(&app, &coordinator, &format!("Dossier{i}")))
            .collect();
        let reasons = ["reintegrated_family", "reintegrated_school", "vocational_training", "unreachable"];
        for (case, reason) in cases.iter().zip(reasons) {
            close(&app, case, &coordinator, reason);
        }
        let service = json!({
            "service_type": "social_emergency", "delivered_at": Utc::now().to_rfc3339(),
            "by_organization": "cape-rabat"
        });
        json_of(app.post(&format!("{}/services", cases[4].path), Some(&coordinator), &service), 201);
        completed_referral(&app, &coordinator, &cases[5], "school_reintegration");
        // A report of a child in immediate danger, screened at once: its screening is on time.
        open_case_from(&app, &coordinator, &report_body("Danger", "Urgent", "421", true));

        // The coordinator's dashboard: Rabat, exact.
        let body = json_of(app.get(&format!("{DASHBOARD}?year={year}"), Some(&coordinator)), 200);
        assert_eq!(body["territory"], "421");
        assert_eq!(body["k"], Value::Null);
        let indicators: BTreeMap<String, i64> = body["indicators"].as_array().expect("indicators")
            .iter().map(|i| (i["code"].as_str().unwrap_or("").to_string(), i["value"].as_i64().unwrap_or(-1))).collect();
        assert_eq!(indicators, BTreeMap::from([
            ("children_integrated".to_string(), 3), ("social_emergency".to_string(), 1),
            ("vocational_training".to_string(), 1), ("back_to_school".to_string(), 2),
        ]));
        assert_eq!(cells(&body["cases_by_stage"]), BTreeMap::from([
            ("closed".to_string(), 4), ("identification".to_string(), 3),
        ]));
        let month = format!("{year}-{:02}", Utc::now().month());
        assert_eq!(cells(&body["cases_by_family"]), BTreeMap::from([(format!("{month}|neglect"), 7)]));
        let delays = &body["referral_delays"]["rows"];
        assert_eq!(delays[0]["service_type"], "school_reintegration", "{delays}");
        assert_eq!((delays[0]["accepted"].as_i64(), delays[0]["completed"].as_i64()), (Some(1), Some(1)));
        assert!(delays[0]["hours_to_completion_median"].as_f64().is_some_and(|h| h >= 0.0));
        let screening = &body["protocol_compliance"]["immediate_danger_screening"];
        assert_eq!((screening["due"].as_i64(), screening["on_time"].as_i64()), (Some(1), Some(1)), "{screening}");
        assert_eq!(screening["share"], 1.0);
        let actions = &body["protocol_compliance"]["actions"];
        let due = actions["due"].as_i64().expect("due");
        assert_eq!(actions["on_time"].as_i64().expect("on time") + actions["late"].as_i64().expect("late"), due);

        // The analyst reads the same year masked: one referral is a hidden count, and its
        // delays are hidden with it.
        let analyst = app.token(ANALYST);
        let body = json_of(app.get(&format!("{DASHBOARD}?year={year}&territory=421"), Some(&analyst)), 200);
        let delay = &body["referral_delays"]["rows"][0];
        assert_eq!((delay["accepted"].is_null(), delay["accepted_suppressed"].as_bool()), (true, Some(true)), "{delay}");
        assert!(delay["hours_to_acceptance_median"].is_null() && delay["hours_to_completion_p90"].is_null());
        let screening = &body["protocol_compliance"]["immediate_danger_screening"];
        assert_eq!((screening["due_suppressed"].as_bool(), screening["share"].is_null()), (Some(true), true));
        assert_eq!(cell(&body["cases_by_stage"], &["closed"])["suppressed"], true, "4 closed cases");

        // Last year by month and family, in Rabat.
        let body = json_of(app.get(&format!("{DASHBOARD}?year={}", year - 1), Some(&coordinator)), 200);
        let expected: BTreeMap<String, i64> = monthly(year - 1, &["421"]).into_iter().map(|((m, f), n)| (format!("{m}|{f}"), n)).collect();
        assert_eq!(cells(&body["reports_by_family"]), expected);
        assert_eq!(cells(&body["reports_by_territory"]), BTreeMap::from([("421".to_string(), 13)]));
        // This year's report counts compared with last year.
        let this_year = json_of(app.get(&format!("{DASHBOARD}?year={year}"), Some(&coordinator)), 200);
        // Reports are received an hour before now (`report_body`): their month, near midnight
        // on the first of a month, is the previous one.
        let received = Utc::now() - chrono::Duration::hours(1);
        let report_month = format!("{}-{:02}", received.year(), received.month());
        let neglect_now = cell(&this_year["reports_by_family"], &[&report_month, "neglect"]);
        assert_eq!(neglect_now["count"], 7);
    }

    fn statistics_dashboard_counts_nationally_and_by_region(backend) {
        let app = TestApp::builder(backend).env("MADAR_STATISTICS_K", "1").spawn();
        let year = Utc::now().year() - 1;
        file_last_year(&app, year);
        let analyst = app.token(ANALYST);
        let body = json_of(app.get(&format!("{DASHBOARD}?year={year}"), Some(&analyst)), 200);
        assert_eq!(body["territory"], "MA");
        assert_eq!(body["k"], 1);
        let all = ["421", "351", "141-01", "441"];
        let expected: BTreeMap<String, i64> = monthly(year, &all).into_iter().map(|((m, f), n)| (format!("{m}|{f}"), n)).collect();
        assert_eq!(cells(&body["reports_by_family"]), expected);
        assert_eq!(cells(&body["reports_by_territory"]), BTreeMap::from([
            ("MA-04".to_string(), 15), ("MA-06".to_string(), 6), ("MA-07".to_string(), 3),
        ]));
        // Within a region: by province.
        let body = json_of(app.get(&format!("{DASHBOARD}?year={year}&territory=MA-04"), Some(&analyst)), 200);
        assert_eq!(cells(&body["reports_by_territory"]), BTreeMap::from([
            ("421".to_string(), 13), ("441".to_string(), 2),
        ]));
        // The same months a year later compare back to them.
        let later = json_of(app.get(&format!("{DASHBOARD}?year={}", year + 1), Some(&analyst)), 200);
        let march = cell(&later["reports_by_family"], &[&format!("{}-03", year + 1), "neglect"]);
        assert_eq!((march["count"].as_i64(), march["previous_year"].as_i64()), (Some(0), Some(7)));
    }

    fn statistics_dashboard_suppresses_for_analysts_and_not_for_coordinators(backend) {
        let app = TestApp::spawn(backend);
        let year = Utc::now().year() - 1;
        file_last_year(&app, year);
        let analyst = app.token(ANALYST);
        let body = json_of(app.get(&format!("{DASHBOARD}?year={year}"), Some(&analyst)), 200);
        assert_eq!(body["k"], 5);
        let regions = &body["reports_by_territory"];
        // Primary: Marrakech-Safi (3); secondary: Casablanca-Settat (6), the next smallest.
        for (region, hidden) in [("MA-07", true), ("MA-06", true), ("MA-04", false)] {
            let c = cell(regions, &[region]);
            assert_eq!(c["suppressed"], hidden, "{c}");
            assert_eq!(c["count"].is_null(), hidden, "{c}");
        }
        assert_eq!(cell(regions, &["MA-04"])["count"], 15);
        for c in body["reports_by_family"]["cells"].as_array().expect("cells") {
            if let Some(n) = c["count"].as_i64() {
                assert!(n == 0 || n >= 5, "small count shown: {c}");
            }
        }
        // The coordinator reads Rabat's small counts exactly, and nothing outside.
        let coordinator = app.token(COORDINATOR);
        let body = json_of(app.get(&format!("{DASHBOARD}?year={year}"), Some(&coordinator)), 200);
        assert_eq!(cell(&body["reports_by_family"], &[&format!("{year}-03"), "violence"])["count"], 3);
        for other in ["351", "MA-04", "MA"] {
            assert_problem(app.get(&format!("{DASHBOARD}?territory={other}"), Some(&coordinator)), 404, "not_found");
        }
        for user in [CASE_WORKER, PARTNER, HOTLINE] {
            let token = app.token(user);
            assert_problem(app.get(DASHBOARD, Some(&token)), 403, "forbidden");
            assert_problem(app.get(&report_path("421"), Some(&token)), 403, "forbidden");
        }
        assert_problem(app.get(&format!("{DASHBOARD}?year=20x6"), Some(&analyst)), 422, "validation_failed");
    }

    fn statistics_report_comes_as_json_csv_and_a_printable_page(backend) {
        let app = TestApp::spawn(backend);
        let year = Utc::now().year() - 1;
        file_last_year(&app, year);
        let coordinator = app.token(COORDINATOR);
        let path = format!("{}?year={year}", report_path("421"));

        // JSON follows the role: exact for Rabat's coordinator.
        let body = json_of(app.get(&path, Some(&coordinator)), 200);
        assert_eq!((body["territory"].as_str(), body["k"].is_null()), (Some("421"), true));
        assert_eq!(body["summary"]["reports"]["cells"][0]["count"], 13);
        assert_eq!(cell(&body["reports_by_concern"], &[&format!("{year}-03"), "violence"])["count"], 3);
        assert!(body["name_fr"].as_str().is_some_and(|n| n.contains("Rabat")));
        assert_eq!(body["outcomes"]["indicators"].as_array().map(Vec::len), Some(4));

        // CSV: masked under k even for the coordinator.
        let res = get_with(&app, &path, &coordinator, "text/csv");
        assert_eq!(res.status(), 200);
        let disposition = res.headers()["content-disposition"].to_str().unwrap_or("").to_string();
        assert_eq!(disposition, format!("attachment; filename=\"report-421-{year}.csv\""));
        let text = res.text().expect("csv");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().expect("header").iter().collect::<Vec<_>>(), ["section", "series", "period", "value", "suppressed"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        let find = |section: &str, series: &str, period: &str| {
            rows.iter().find(|r| &r[0] == section && &r[1] == series && &r[2] == period)
                .unwrap_or_else(|| panic!("{section} {series} {period} in {text}")).clone()
        };
        let summary = find("summary", "reports", &year.to_string());
        assert_eq!((&summary[3], &summary[4]), ("13", "false"));
        for family in ["violence", "neglect"] {
            let r = find("reports_by_concern", family, &format!("{year}-03"));
            assert_eq!((&r[3], &r[4]), ("", "true"), "{family}");
        }
        let r = find("reports_by_concern", "exploitation", &format!("{year}-07"));
        assert_eq!((&r[3], &r[4]), ("6", "false"));
        for r in &rows {
            assert_eq!(r.len(), 5);
            if &r[4] == "true" {
                assert_eq!(&r[3], "", "{r:?}");
            }
            if let Ok(n) = r[3].parse::<i64>() {
                assert!(n == 0 || n >= 5 || r[1].contains("hours"), "small count in {r:?}");
            }
        }

        // The printable page, in Arabic by default.
        let res = get_with(&app, &path, &coordinator, "text/html");
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/html"));
        let csp = res.headers()["content-security-policy"].to_str().unwrap_or("").to_string();
        let html = res.text().expect("html");
        let tags = parse_html(&html);
        let root = tags.iter().find(|(n, _)| n == "html").expect("html element");
        assert!(root.1.contains("lang=\"ar\"") && root.1.contains("dir=\"rtl\""), "{}", root.1);
        assert!(tags.iter().filter(|(n, _)| n == "svg").count() >= 6, "charts");
        assert!(tags.iter().filter(|(n, _)| n == "table").count() >= 6, "tables");
        assert!(tags.iter().filter(|(n, _)| n == "tr").count() >= 20, "table rows");
        assert!(tags.iter().all(|(n, _)| n != "script" && n != "link" && n != "img"));
        assert!(html.contains("@page { size: A4"));
        let style = html.split("<style>").nth(1).and_then(|s| s.split("</style>").next()).expect("style");
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(style.as_bytes()));
        assert!(csp.contains(&format!("'sha256-{hash}'")) && csp.starts_with("default-src 'none'"), "{csp}");
        assert!(html.contains("الرباط"), "the territory's Arabic name");

        // French.
        let res = get_with(&app, &format!("{path}&lang=fr"), &coordinator, "text/html");
        let html = res.text().expect("html");
        let tags = parse_html(&html);
        let root = tags.iter().find(|(n, _)| n == "html").expect("html element");
        assert!(root.1.contains("lang=\"fr\"") && root.1.contains("dir=\"ltr\""));
        assert!(html.contains("Rapport provincial"));

        // Names come from data: escaped.
        let admin = app.token(ADMIN);
        let etag = app.etag("/api/v1/territories/421", &admin);
        let renamed = json!({"labels": {"fr": "Rabat <script>alert(\"x\")</script> & co"}});
        json_of(app.patch("/api/v1/territories/421", Some(&admin), &etag, &renamed), 200);
        let html = get_with(&app, &format!("{path}&lang=fr"), &coordinator, "text/html").text().expect("html");
        parse_html(&html);
        assert!(!html.contains("<script") && html.contains("Rabat &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"));

        // Bad language, bad form, another territory.
        assert_problem(get_with(&app, &format!("{path}&lang=en"), &coordinator, "text/html"), 422, "validation_failed");
        assert_problem(get_with(&app, &path, &coordinator, "image/png"), 406, "not_acceptable");
        assert_problem(app.get(&report_path("351"), Some(&coordinator)), 404, "not_found");
        assert_problem(app.get(&report_path("ZZZ"), Some(&coordinator)), 404, "not_found");

        // An analyst reads any territory, masked.
        let analyst = app.token(ANALYST);
        let body = json_of(app.get(&format!("{}?year={year}", report_path("351")), Some(&analyst)), 200);
        assert_eq!(body["k"], 5);
        assert_eq!(body["summary"]["reports"]["cells"][0]["suppressed"], true);
    }
}
