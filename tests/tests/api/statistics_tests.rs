//! Statistics over HTTP: each statistic against a brute-force count of the data the test
//! filed (reports of known children, territories, concerns and dates; cases opened by
//! screening, closed with reasons), period comparisons, the indicators, suppression per role
//! (analysts primary and secondary, coordinators exact in their subtree), access, and bad
//! parameters.
use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Utc};
use madar_tests::cases::*;
use madar_tests::*;

const STATS: &str = "/api/v1/statistics";

/// One report the test files: one child.
#[derive(Debug, Clone)]
struct Spec {
    day: NaiveDate,
    territory: &'static str,
    region: &'static str,
    sex: &'static str,
    born: NaiveDate,
    concerns: Vec<&'static str>,
    source: &'static str,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn family(concern: &str) -> &'static str {
    match concern {
        "sexual_violence" | "physical_violence" => "violence",
        "economic_exploitation" => "exploitation",
        "neglect" => "neglect",
        _ => "vulnerability",
    }
}

fn age(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

fn band(age: i32) -> &'static str {
    match age {
        a if a < 6 => "0_5",
        a if a < 12 => "6_11",
        a if a < 15 => "12_14",
        a if a < 18 => "15_17",
        _ => "18_plus",
    }
}

/// 24 reports over the first half of 2025 and 2026, in four territories of three regions.
fn dataset() -> Vec<Spec> {
    (0..24usize)
        .map(|i| {
            let year = if i % 3 == 0 { 2025 } else { 2026 };
            let (territory, region) = [
                ("421", "MA-04"),
                ("441", "MA-04"),
                ("351", "MA-07"),
                ("141-01", "MA-06"),
            ][i % 4];
            Spec {
                day: date(year, 1 + (i % 6) as u32, 1 + (i * 5 % 27) as u32),
                territory,
                region,
                sex: ["female", "male", "female", "unknown", "male"][i % 5],
                born: date(2009 + (i * 7 % 14) as i32, 1 + (i % 12) as u32, 10),
                concerns: match i % 4 {
                    0 => vec!["sexual_violence"],
                    1 => vec!["neglect", "out_of_school"],
                    2 => vec!["economic_exploitation"],
                    _ => vec!["sexual_violence", "physical_violence"],
                },
                source: ["hotline_2511", "police", "school"][i % 3],
            }
        })
        .collect()
}

fn body_of(spec: &Spec, i: usize) -> Value {
    json!({
        "source": spec.source,
        "received_at": format!("{}T10:00:00Z", spec.day),
        "reporter": {"type": "neighbour", "name": "Khadija", "phone": "+212 6 61 23 45 67"},
        "children": [{
            "given_name_latin": format!("Enfant{i}"), "family_name_latin": "Statistique",
            "sex": spec.sex, "date_of_birth": spec.born.to_string(), "territory": spec.territory,
            "situation": []
        }],
        "concerns": spec.concerns,
        "immediate_danger": false,
        "narrative": "Un récit."
    })
}

fn file_all(app: &TestApp, specs: &[Spec]) {
    let hotline = app.token(HOTLINE);
    for (i, spec) in specs.iter().enumerate() {
        json_of(
            app.post("/api/v1/reports", Some(&hotline), &body_of(spec, i)),
            201,
        );
    }
}

/// The brute-force count: each report counted once in each of its cells.
fn tally(
    specs: &[Spec],
    keep: impl Fn(&Spec) -> bool,
    keys: impl Fn(&Spec) -> Vec<Vec<String>>,
) -> BTreeMap<Vec<String>, i64> {
    let mut out = BTreeMap::new();
    for spec in specs.iter().filter(|s| keep(s)) {
        let cells: BTreeSet<Vec<String>> = keys(spec).into_iter().collect();
        for key in cells {
            *out.entry(key).or_insert(0) += 1;
        }
    }
    out
}

/// The non-zero counts of a response's cells (`field`: count, previous or previous_year).
fn counts(body: &Value, field: &str) -> BTreeMap<Vec<String>, i64> {
    let mut out = BTreeMap::new();
    for cell in body["cells"].as_array().expect("cells") {
        let key: Vec<String> = cell["key"]
            .as_array()
            .expect("key")
            .iter()
            .map(|k| k.as_str().expect("code").to_string())
            .collect();
        let n = cell[field]
            .as_i64()
            .unwrap_or_else(|| panic!("{field} shown in {cell}"));
        if n != 0 {
            out.insert(key, n);
        }
    }
    out
}

fn get(app: &TestApp, token: &str, query: &str) -> Value {
    json_of(app.get(&format!("{STATS}?{query}"), Some(token)), 200)
}

fn in_span(spec: &Spec, from: NaiveDate, to: NaiveDate) -> bool {
    spec.day >= from && spec.day <= to
}

fn one(v: &str) -> Vec<Vec<String>> {
    vec![vec![v.to_string()]]
}

/// A 422 naming `field`.
fn names(res: Response, field: &str) {
    let problem = assert_problem(res, 422, "validation_failed");
    let errors = problem["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["field"] == field),
        "{field} in {problem}"
    );
}

/// A report of a child of `sex` born on `born` in Rabat, received an hour ago.
fn rabat_report(given: &str, sex: &str, born: NaiveDate) -> Value {
    let mut body = report_body(given, "Bennani", "421", false);
    body["children"][0]["sex"] = json!(sex);
    body["children"][0]["date_of_birth"] = json!(born.to_string());
    body["children"][0]
        .as_object_mut()
        .expect("child")
        .remove("estimated_birth_year");
    body
}

fn close(app: &TestApp, case: &OpenedCase, token: &str, reason: &str) {
    let etag = app.etag(&case.path, token);
    let step = json!({"to": "assessment", "reason": "On évalue."});
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
    let etag = app.etag(&case.path, token);
    let closing = json!({
        "to": "closed", "reason": "Fin de prise en charge.",
        "closure_reason": reason, "outcome_note": "Suivi terminé."
    });
    json_of(
        app.post_if_match(
            &format!("{}/transitions", case.path),
            token,
            &etag,
            None,
            &closing,
        ),
        200,
    );
}

/// A referral of the case's child to ngo-rabat for `service_type`, sent by `token` with the
/// child's consent, then accepted, started and completed by the partner.
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

backend_tests! {
    fn statistics_reports_and_children_match_a_brute_force_count(backend) {
        let app = TestApp::builder(backend).env("MADAR_STATISTICS_K", "1").spawn();
        let specs = dataset();
        file_all(&app, &specs);
        let analyst = app.token(ANALYST);
        let (from, to) = (date(2025, 1, 1), date(2026, 12, 31));
        let span = "from=2025-01-01&to=2026-12-31";

        let body = get(&app, &analyst, &format!("measure=reports&group_by=territory&territory_level=region&{span}"));
        assert_eq!(body["k"], 1, "k=1: nothing suppressed");
        assert_eq!(counts(&body, "count"), tally(&specs, |s| in_span(s, from, to), |s| one(s.region)));
        let text = body.to_string();
        assert!(!text.contains("Enfant") && !text.contains("Statistique") && !text.contains("RPT-"));

        let body = get(&app, &analyst, &format!("measure=reports&group_by=territory&{span}"));
        let province = |s: &Spec| one(if s.territory == "141-01" { "141" } else { s.territory });
        assert_eq!(counts(&body, "count"), tally(&specs, |s| in_span(s, from, to), province));

        let body = get(&app, &analyst, &format!("measure=reports&group_by=concern_family,sex&{span}"));
        let expected = tally(&specs, |s| in_span(s, from, to), |s| {
            s.concerns.iter().map(|c| vec![family(c).to_string(), s.sex.to_string()]).collect()
        });
        assert_eq!(counts(&body, "count"), expected);

        let body = get(&app, &analyst, &format!("measure=reports&group_by=concern&concern_family=violence&{span}"));
        let expected = tally(&specs, |s| in_span(s, from, to), |s| {
            s.concerns.iter().filter(|c| family(c) == "violence").map(|c| vec![c.to_string()]).collect()
        });
        assert_eq!(counts(&body, "count"), expected);

        let body = get(&app, &analyst, &format!("measure=children&group_by=age_band&sex=female&{span}"));
        let expected = tally(&specs, |s| in_span(s, from, to) && s.sex == "female", |s| one(band(age(s.born, s.day))));
        assert_eq!(counts(&body, "count"), expected);

        let body = get(&app, &analyst, &format!("measure=reports&group_by=source,age_band&territory=MA-04&{span}"));
        let expected = tally(&specs, |s| in_span(s, from, to) && s.region == "MA-04", |s| {
            vec![vec![s.source.to_string(), band(age(s.born, s.day)).to_string()]]
        });
        assert_eq!(counts(&body, "count"), expected);
        assert_eq!(body["territory"], "MA-04");

        // Sexual violence, girls 12–14 and 15–17, Marrakech-Safi, by quarter.
        let body = get(&app, &analyst, &format!(
            "measure=reports&group_by=period&period=quarter&concern=sexual_violence&sex=female&age_band=12_14,15_17&territory=MA-07&{span}"
        ));
        let expected = tally(&specs, |s| {
            in_span(s, from, to) && s.concerns.contains(&"sexual_violence") && s.sex == "female"
                && ["12_14", "15_17"].contains(&band(age(s.born, s.day))) && s.region == "MA-07"
        }, |s| one(&format!("{}-Q{}", s.day.year(), s.day.month().div_ceil(3))));
        assert_eq!(counts(&body, "count"), expected);
    }

    fn statistics_compare_with_the_previous_period_and_the_previous_year(backend) {
        let app = TestApp::builder(backend).env("MADAR_STATISTICS_K", "1").spawn();
        let specs = dataset();
        file_all(&app, &specs);
        let analyst = app.token(ANALYST);
        let month = |s: &Spec| one(&format!("{}-{:02}", s.day.year(), s.day.month()));

        let body = get(&app, &analyst, "measure=reports&group_by=period&period=month&from=2026-01-10&to=2026-06-05");
        assert_eq!(body["from"], "2026-01-01", "widened to whole months");
        assert_eq!(body["to"], "2026-06-30");
        let all = tally(&specs, |_| true, month);
        let now = counts(&body, "count");
        let mut expected = BTreeMap::new();
        let mut previous = BTreeMap::new();
        let mut year = BTreeMap::new();
        for m in 1..=6u32 {
            let key = vec![format!("2026-{m:02}")];
            let before = if m == 1 { "2025-12".to_string() } else { format!("2026-{:02}", m - 1) };
            for (map, source) in [(&mut expected, key[0].clone()), (&mut previous, before), (&mut year, format!("2025-{m:02}"))] {
                if let Some(n) = all.get(&vec![source]) {
                    map.insert(key.clone(), *n);
                }
            }
        }
        assert_eq!(now, expected);
        assert_eq!(counts(&body, "previous"), previous);
        assert_eq!(counts(&body, "previous_year"), year);

        // Without a period dimension: the window, the quarter before, the same window in 2025.
        let body = get(&app, &analyst, "measure=reports&from=2026-01-01&to=2026-03-31");
        assert_eq!(body["previous_from"], "2025-10-01");
        assert_eq!(body["previous_to"], "2025-12-31");
        assert_eq!(body["previous_year_from"], "2025-01-01");
        let cell = &body["cells"][0];
        let count = |from: NaiveDate, to: NaiveDate| specs.iter().filter(|s| in_span(s, from, to)).count() as i64;
        assert_eq!(cell["count"], count(date(2026, 1, 1), date(2026, 3, 31)));
        assert_eq!(cell["previous"], count(date(2025, 10, 1), date(2025, 12, 31)));
        assert_eq!(cell["previous_year"], count(date(2025, 1, 1), date(2025, 3, 31)));
        assert_eq!(body["cells"].as_array().map(Vec::len), Some(1));

        // By year, grouped by territory too.
        let body = get(&app, &analyst, "measure=reports&group_by=territory,period&territory_level=region&period=year&from=2026-01-01&to=2026-12-31");
        for cell in body["cells"].as_array().expect("cells") {
            let region = cell["key"][0].as_str().expect("region");
            assert_eq!(cell["key"][1], "2026");
            let n = |y: i32| specs.iter().filter(|s| s.region == region && s.day.year() == y).count() as i64;
            assert_eq!(cell["count"], n(2026), "{cell}");
            assert_eq!(cell["previous"], n(2025), "{cell}");
            assert_eq!(cell["previous_year"], n(2025), "{cell}");
        }
        assert_eq!(body["cells"].as_array().map(Vec::len), Some(3));
    }

    fn statistics_of_cases_and_indicators_match_what_was_done(backend) {
        let app = TestApp::builder(backend).env("MADAR_STATISTICS_K", "1").spawn();
        let coordinator = app.token(COORDINATOR);
        let today = Utc::now().date_naive();
        let children = [
            ("female", date(2012, 3, 4)), ("male", date(2015, 7, 1)), ("female", date(2010, 1, 20)),
            ("female", date(2019, 11, 30)), ("male", date(2009, 2, 2)), ("unknown", date(2013, 6, 15)),
        ];
        let cases: Vec<OpenedCase> = children.iter().enumerate()
            .map(|(i, (sex, born))| open_case_from(&app, &coordinator, &rabat_report(&format!("Enfant{i}"), sex, *born)))
            .collect();
        let reasons = [Some("reintegrated_family"), Some("reintegrated_school"), Some("vocational_training"), None, None, Some("unreachable")];
        for (case, reason) in cases.iter().zip(reasons) {
            if let Some(reason) = reason {
                close(&app, case, &coordinator, reason);
            }
        }
        let service = json!({
            "service_type": "social_emergency", "delivered_at": Utc::now().to_rfc3339(),
            "by_organization": "cape-rabat"
        });
        json_of(app.post(&format!("{}/services", cases[3].path), Some(&coordinator), &service), 201);
        // Completed referrals count too: social emergency for one more child, back to school for
        // a child whose case is still open.
        completed_referral(&app, &coordinator, &cases[4], "social_emergency");
        completed_referral(&app, &coordinator, &cases[3], "school_reintegration");
        // A referral not completed does not count.
        let pending = json!({
            "organization": "ngo-rabat", "service_type": "vocational_training",
            "reason": "Orientation.", "urgency": "low",
            "due_by": (Utc::now() + chrono::Duration::days(20)).to_rfc3339(),
            "field_groups": ["identity"]
        });
        json_of(app.post(&format!("{}/referrals", cases[4].path), Some(&coordinator), &pending), 201);

        let span = format!("from={}-01-01&to={today}", today.year());
        for token in [app.token(ANALYST), coordinator.clone()] {
            let body = get(&app, &token, &format!("measure=cases_opened&group_by=sex&{span}"));
            let mut expected = BTreeMap::new();
            for (sex, _) in children {
                *expected.entry(vec![sex.to_string()]).or_insert(0) += 1;
            }
            assert_eq!(counts(&body, "count"), expected);

            let body = get(&app, &token, &format!("measure=cases_opened&group_by=age_band&{span}"));
            let mut expected = BTreeMap::new();
            for (_, born) in children {
                *expected.entry(vec![band(age(born, today)).to_string()]).or_insert(0) += 1;
            }
            assert_eq!(counts(&body, "count"), expected);

            let body = get(&app, &token, &format!("measure=cases_closed&group_by=closure_reason&{span}"));
            let expected: BTreeMap<Vec<String>, i64> = reasons.iter().flatten().map(|r| (vec![r.to_string()], 1)).collect();
            assert_eq!(counts(&body, "count"), expected);

            let body = get(&app, &token, &format!("measure=cases_opened&group_by=stage,risk_level&{span}"));
            let expected = BTreeMap::from([
                (vec!["closed".to_string(), "unassessed".to_string()], 4),
                (vec!["identification".to_string(), "unassessed".to_string()], 2),
            ]);
            assert_eq!(counts(&body, "count"), expected);

            let body = get(&app, &token, &format!("measure=cases_opened&group_by=concern_family&stage=closed&{span}"));
            assert_eq!(counts(&body, "count"), BTreeMap::from([(vec!["neglect".to_string()], 4)]));

            // Each reported child was linked to a child record: still six distinct children.
            let body = get(&app, &token, &format!("measure=children&{span}"));
            assert_eq!(body["cells"][0]["count"], 6);

            for (code, n) in [("children_integrated", 3), ("social_emergency", 2), ("vocational_training", 1), ("back_to_school", 2)] {
                let body = json_of(app.get(&format!("{STATS}/indicators/{code}?{span}"), Some(&token)), 200);
                assert_eq!(body["code"], code);
                assert_eq!(body["value"], n, "{code}");
                assert_eq!(body["previous_year"], 0, "{code}");
                let elsewhere = json_of(app.get(&format!("{STATS}/indicators/{code}?{span}&territory=421"), Some(&token)), 200);
                assert_eq!(elsewhere["value"], n, "{code} in Rabat");
            }
        }
        let analyst = app.token(ANALYST);
        let body = json_of(app.get(&format!("{STATS}/indicators/children_integrated?{span}&territory=MA-07"), Some(&analyst)), 200);
        assert_eq!(body["value"], 0);
    }

    fn statistics_suppress_small_counts_for_analysts_and_not_for_coordinators(backend) {
        let app = TestApp::spawn(backend);
        let year = Utc::now().year() - 1;
        let mut specs = Vec::new();
        for (n, territory, region, sex) in [(3, "421", "MA-04", "female"), (7, "421", "MA-04", "male"), (6, "351", "MA-07", "male")] {
            for i in 0..n {
                specs.push(Spec {
                    day: date(year, 3, 1 + i), territory, region, sex,
                    born: date(2014, 5, 5), concerns: vec!["neglect"], source: "hotline_2511",
                });
            }
        }
        file_all(&app, &specs);
        let span = format!("from={year}-01-01&to={year}-12-31");
        let analyst = app.token(ANALYST);

        // Primary: girls (3) hidden; secondary: boys (7) hidden with them in Rabat.
        let body = get(&app, &analyst, &format!("measure=reports&group_by=sex&territory=421&{span}"));
        assert_eq!(body["k"], 5);
        for cell in body["cells"].as_array().expect("cells") {
            if cell["key"][0] == "female" || cell["key"][0] == "male" {
                assert_eq!(cell["count"], Value::Null, "{cell}");
                assert_eq!(cell["suppressed"], true, "{cell}");
            }
        }
        // Nationally, by territory and sex: no row or column with a single hidden cell.
        let body = get(&app, &analyst, &format!("measure=reports&group_by=territory,sex&{span}"));
        let cells = body["cells"].as_array().expect("cells");
        for cell in cells {
            if let Some(n) = cell["count"].as_i64() {
                assert!(n == 0 || n >= 5, "small count shown: {cell}");
            }
        }
        for d in 0..2 {
            let mut lines: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for cell in cells {
                let line = lines.entry(cell["key"][1 - d].to_string()).or_default();
                line.0 += 1;
                line.1 += usize::from(cell["suppressed"] == true);
            }
            for (line, (size, hidden)) in lines {
                assert!(size == 1 || hidden != 1, "line {line} has one hidden cell: {body}");
            }
        }
        assert!(cells.iter().any(|c| c["key"] == json!(["351", "male"]) && c["suppressed"] == true));
        // The total (16) is shown.
        let total = get(&app, &analyst, &format!("measure=reports&{span}"));
        assert_eq!(total["cells"][0]["count"], 16);

        // The Rabat coordinator reads exact counts, in Rabat only.
        let coordinator = app.token(COORDINATOR);
        let body = get(&app, &coordinator, &format!("measure=reports&group_by=sex&{span}"));
        assert_eq!(body["k"], Value::Null);
        assert_eq!(body["territory"], "421");
        assert_eq!(counts(&body, "count"), BTreeMap::from([
            (vec!["female".to_string()], 3), (vec!["male".to_string()], 7),
        ]));
        for other in ["351", "MA-04", "MA"] {
            assert_problem(app.get(&format!("{STATS}?measure=reports&territory={other}"), Some(&coordinator)), 404, "not_found");
        }
        assert_problem(app.get(&format!("{STATS}/indicators/back_to_school?territory=351"), Some(&coordinator)), 404, "not_found");
    }

    fn statistics_are_refused_to_other_roles_and_bad_parameters_are_named(backend) {
        let app = TestApp::spawn(backend);
        for user in [CASE_WORKER, HOTLINE, PARTNER, AUDITOR] {
            let token = app.token(user);
            assert_problem(app.get(&format!("{STATS}?measure=reports"), Some(&token)), 403, "forbidden");
            assert_problem(app.get(&format!("{STATS}/indicators/children_integrated"), Some(&token)), 403, "forbidden");
        }
        assert_eq!(app.get(&format!("{STATS}?measure=reports"), None).status(), 401);
        let analyst = app.token(ANALYST);
        let admin = app.token(ADMIN);
        assert_eq!(get(&app, &admin, "measure=reports")["k"], 5);
        let bad = |q: &str| app.get(&format!("{STATS}?{q}"), Some(&analyst));
        names(bad("group_by=sex"), "measure");
        names(bad("measure=everything"), "measure");
        names(bad("measure=reports&group_by=stage"), "group_by");
        names(bad("measure=reports&group_by=sex,age_band,concern,period"), "group_by");
        names(bad("measure=reports&from=2026-02-30"), "from");
        names(bad("measure=reports&from=2026-03-01&to=2026-02-01"), "from");
        names(bad("measure=reports&territory=ZZ-99"), "territory");
        names(bad("measure=reports&sex=girl"), "sex");
        names(bad("measure=cases_opened&source=police"), "source");
        names(bad("measure=reports&colour=red"), "colour");
        names(bad("measure=reports&period=week"), "period");
        assert_problem(app.get(&format!("{STATS}/indicators/happiness"), Some(&analyst)), 404, "not_found");
        names(app.get(&format!("{STATS}/indicators/back_to_school?to=tomorrow"), Some(&analyst)), "to");
    }
}
