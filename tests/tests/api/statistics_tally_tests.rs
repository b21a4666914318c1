//! The statistics' tallies (`statistic_tallies`): after reports in several months and
//! territories, cases opened, given new concerns, moved through stages, closed, reopened and
//! transferred, every statistic the tallies answer is the same as a second process that counts
//! the records (`MADAR_STATISTICS_TALLIES=off`) says, before and after the worker folds the
//! deltas; damaged tallies show in the answers (so they are what is read) until
//! `madar rebuild-derived` recomputes them; rebuilt while reports keep arriving, they still
//! count each report once.
use chrono::{Datelike, Utc};
use madar_tests::cases::*;
use madar_tests::*;

fn report(territory: &str, day: &str, concerns: &[&str], i: usize) -> Value {
    let source = ["hotline_2511", "police", "school"][i % 3];
    let sex = ["female", "male"][i % 2];
    json!({
        "source": source,
        "received_at": format!("{day}T10:00:00Z"),
        "reporter": {"type": "neighbour"},
        "children": [{
            "given_name_latin": format!("Tally{i}"), "family_name_latin": "Compte",
            "sex": sex, "estimated_birth_year": 2014, "territory": territory,
            "situation": []
        }],
        "concerns": concerns,
        "immediate_danger": i.is_multiple_of(4),
        "narrative": "Un récit."
    })
}

fn step(app: &TestApp, case: &OpenedCase, token: &str, body: Value) {
    let etag = app.etag(&case.path, token);
    let path = format!("{}/transitions", case.path);
    json_of(app.post_if_match(&path, token, &etag, None, &body), 200);
}

/// What the dashboards and statistics answer, in one list (each body whole).
fn answers(app: &TestApp, analyst: &str, coordinator: &str) -> Vec<(String, Value)> {
    let year = Utc::now().year();
    let mut queries: Vec<(String, &str)> = Vec::new();
    for y in [year - 1, year] {
        queries.push((
            format!("/api/v1/statistics/dashboard?territory=MA&year={y}"),
            analyst,
        ));
        queries.push((
            format!("/api/v1/statistics/dashboard?year={y}"),
            coordinator,
        ));
        queries.push((
            format!("/api/v1/statistics/territories/421/report?year={y}"),
            coordinator,
        ));
    }
    let from = format!("from={}-01-01&to={year}-12-31", year - 1);
    for (measure, group_by) in [
        ("reports", ""),
        ("reports", "&group_by=period,concern_family"),
        ("reports", "&group_by=territory&territory_level=region"),
        ("reports", "&group_by=territory,period&period=quarter"),
        ("cases_opened", "&group_by=stage"),
        ("cases_opened", "&group_by=concern_family,territory"),
        ("cases_opened", ""),
        ("cases_closed", "&group_by=closure_reason,period"),
        ("cases_closed", ""),
    ] {
        let q = format!("/api/v1/statistics?measure={measure}{group_by}&{from}");
        queries.push((q.clone(), analyst));
        queries.push((q, coordinator));
    }
    queries
        .into_iter()
        .map(|(q, token)| {
            let body = json_of(app.get(&q, Some(token)), 200);
            (q, body)
        })
        .collect()
}

fn same(a: &[(String, Value)], b: &[(String, Value)], when: &str) {
    for ((q, x), (_, y)) in a.iter().zip(b) {
        assert_eq!(
            x, y,
            "{when}: {q} differs between the tallies and the records"
        );
    }
}

backend_tests! {
    fn tallies_rebuilt_while_reports_arrive_count_each_report_once(backend) {
        // The rebuild counts the records of one snapshot and deletes only the deltas it sees
        // (PostgreSQL), or waits its turn as a writer (SQLite): a report committed meanwhile
        // is counted by its delta, never twice, never not at all.
        let app = TestApp::builder(backend).env("MADAR_STATISTICS_K", "1").spawn();
        app.advance_clock(1);
        let records = app.another_process_with(&[("MADAR_STATISTICS_TALLIES", "off")]);
        let (analyst, coordinator) = (app.token(ANALYST), app.token(COORDINATOR));
        let hotline = app.token(HOTLINE);
        let year = Utc::now().year();
        let done = std::sync::atomic::AtomicBool::new(false);
        let mut moved = 1;
        let rebuilds = std::thread::scope(|scope| {
            scope.spawn(|| {
                for i in 0..100 {
                    let territory = ["421", "441", "351", "141-01"][i % 4];
                    let day = format!("{}-{:02}-{:02}", year - (i % 2) as i32, 1 + i % 6, 1 + i % 27);
                    let body = report(territory, &day, &["neglect", "sexual_violence"][i % 2..=i % 2], i);
                    json_of(app.post("/api/v1/reports", Some(&hotline), &body), 201);
                }
                done.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            let mut rebuilds = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                // Stale, then a worker pass: the server rebuilds the tallies.
                app.db.execute("UPDATE derived_state SET stale = TRUE WHERE name = 'statistic_tallies'");
                app.advance_clock(1);
                moved += 1;
                rebuilds += 1;
            }
            rebuilds
        });
        assert!(rebuilds >= 2, "the rebuilds ran beside the writes: {rebuilds}");
        let fresh = app.db.strings("SELECT CAST(stale AS TEXT) FROM derived_state WHERE name = 'statistic_tallies'");
        assert!(matches!(fresh[0].as_str(), "false" | "0"), "the last rebuild finished: {fresh:?}");
        records.advance_clock(moved);
        let counted = answers(&records, &analyst, &coordinator);
        assert!(
            counted[0].1["reports_by_family"]["cells"].as_array().is_some_and(|c| !c.is_empty()),
            "the reports show in the dashboard: {}", counted[0].1
        );
        same(&answers(&app, &analyst, &coordinator), &counted, "rebuilt while writing");
        // And once the worker has folded what the writes added meanwhile.
        app.advance_clock(60);
        records.advance_clock(60);
        same(&answers(&app, &analyst, &coordinator), &counted, "folded");
        drop(records);
    }

    fn tallies_answer_as_the_records_do_through_every_change(backend) {
        // k = 1: every count exact, so that no difference hides behind a suppressed cell.
        let app = TestApp::builder(backend).env("MADAR_STATISTICS_K", "1").spawn();
        app.advance_clock(1); // a worker pass: the tallies are rebuilt, fresh.
        // Started now: its worker's first pass (at start) must not fold the deltas to come; the
        // next is a minute away.
        let records = app.another_process_with(&[("MADAR_STATISTICS_TALLIES", "off")]);
        let (analyst, coordinator) = (app.token(ANALYST), app.token(COORDINATOR));
        let hotline = app.token(HOTLINE);
        let year = Utc::now().year();
        let concerns: [&[&str]; 4] = [
            &["sexual_violence", "physical_violence"],
            &["neglect", "out_of_school"],
            &["economic_exploitation"],
            &["begging_exploitation", "neglect"],
        ];
        for i in 0..16 {
            let territory = ["421", "441", "351", "141-01"][i % 4];
            let day = format!("{}-{:02}-{:02}", year - (i % 2) as i32, 1 + i % 6, 1 + i % 27);
            json_of(app.post("/api/v1/reports", Some(&hotline), &report(territory, &day, concerns[i % 4], i)), 201);
        }
        // Cases in Rabat: one given more concerns, one closed, one closed then reopened, one
        // transferred to Salé.
        let cases: Vec<OpenedCase> = (0..4)
            .map(|i| open_case_from(&app, &coordinator, &report("421", &format!("{year}-01-0{}", i + 1), concerns[i], 20 + i)))
            .collect();
        let etag = app.etag(&cases[0].path, &coordinator);
        json_of(app.patch(&cases[0].path, Some(&coordinator), &etag, &json!({"concerns": ["trafficking", "neglect"]})), 200);
        for case in &cases[1..3] {
            step(&app, case, &coordinator, json!({"to": "assessment", "reason": "On évalue."}));
            step(&app, case, &coordinator, json!({
                "to": "closed", "reason": "Fin.", "closure_reason": "reintegrated_family",
                "outcome_note": "Suivi terminé."
            }));
        }
        step(&app, &cases[2], &coordinator, json!({"to": "assessment", "reason": "Rouvert."}));
        let (_, sale) = staff(&app, "coordinator@cape-sale.ma", "coordinator", "cape-sale", "441");
        let ask = json!({"to_organization": "cape-sale", "reason": "La famille a déménagé à Salé."});
        let transfer = json_of(app.post(&format!("{}/transfers", cases[3].path), Some(&coordinator), &ask), 201);
        let decision = format!("/api/v1/transfers/{}/decision", transfer["id"].as_str().expect("id"));
        json_of(app.post(&decision, Some(&sale), &json!({"decision": "accept", "comment": "Bienvenue."})), 200);

        let pending = app.db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM statistic_tallies WHERE NOT folded");
        assert_ne!(pending, ["0"], "the writes added deltas");
        let counted = answers(&records, &analyst, &coordinator);
        let due = &counted[4].1["protocol_compliance"]["actions"]["due"]; // Rabat, this year
        assert!(due.as_i64().is_some_and(|n| n > 0), "actions fell due: {due}");
        assert!(
            counted[0].1["reports_by_family"]["cells"].as_array().is_some_and(|c| !c.is_empty()),
            "the dataset shows in the dashboard: {}", counted[0].1
        );
        same(&answers(&app, &analyst, &coordinator), &counted, "with deltas");

        // Three hours on (both processes): the worker marks the urgent screenings (due in 2 h)
        // overdue, then folds the deltas.
        app.advance_clock(3 * 3600);
        records.advance_clock(3 * 3600);
        let overdue = app.db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM protocol_actions WHERE status = 'overdue'");
        assert_ne!(overdue, ["0"], "actions fell overdue");
        let (analyst, coordinator) = (app.token(ANALYST), app.token(COORDINATOR));
        let counted = answers(&records, &analyst, &coordinator);
        let pending = app.db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM statistic_tallies WHERE NOT folded");
        assert_eq!(pending, ["0"]);
        same(&answers(&app, &analyst, &coordinator), &counted, "folded");

        // Damaged tallies are what the server reads; rebuilt, they are right again.
        app.db.execute("UPDATE statistic_tallies SET n = n + 7 WHERE measure = 'reports'");
        let damaged = answers(&app, &analyst, &coordinator);
        assert_ne!(damaged[0].1, counted[0].1, "the tallies are read");
        let (ok, out, err) = madar(
            &["rebuild-derived"],
            &[("DATABASE_URL", app.db.url.clone()), ("MADAR_DATA_DIR", app.db.data_dir().display().to_string())],
            None,
        );
        assert!(ok, "rebuild-derived failed: {out}{err}");
        assert!(out.contains("tally rows rebuilt"), "{out}");
        same(&answers(&app, &analyst, &coordinator), &counted, "rebuilt");
        drop(records);
    }
}
