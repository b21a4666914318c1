//! `madar generate` and `madar rebuild-derived`: a small national dataset on a fresh database
//! serves through the API as the server's own records do (cases in a coordinator's scope, a
//! case read, a child found by a misspelled name, a case's referrals and protocol actions), its
//! audit chain verifies, its referrals and protocol actions hold together as the server's
//! rules make them, and a seed gives the same dataset twice.
use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use madar_tests::cases::*;
use madar_tests::*;

/// Fès: a province whose centre, coordinator and case workers are all generated.
const FES_COORDINATOR: &str = "coordinator.231@gen.madar.ma";

fn env(db: &TestDb) -> [(&'static str, String); 2] {
    [
        ("DATABASE_URL", db.url.clone()),
        ("MADAR_DATA_DIR", db.data_dir().display().to_string()),
    ]
}

/// Generates `children` with `seed`; returns the per-table counts line.
fn generate(db: &TestDb, children: u32, seed: u32) -> String {
    let (ok, out, err) = madar(
        &[
            "generate",
            "--children",
            &children.to_string(),
            "--seed",
            &seed.to_string(),
            "--batch",
            "100",
        ],
        &env(db),
        None,
    );
    assert!(ok, "generate failed: {out}{err}");
    out.lines()
        .find(|l| l.starts_with("children "))
        .unwrap_or_else(|| panic!("no counts in {out}"))
        .to_string()
}

/// The same name with one letter doubled: how a hurried hand misspells it.
fn misspelled(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    let i = chars.len() / 2;
    chars.insert(i, chars[i]);
    chars.into_iter().collect()
}

/// A stored timestamp, as either backend gives it as text.
fn at(text: &str) -> NaiveDateTime {
    let text = text.replace('T', " ");
    NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Rows of `|`-separated text columns.
fn rows(db: &TestDb, query: &str) -> Vec<Vec<String>> {
    db.strings(query)
        .into_iter()
        .map(|r| r.split('|').map(str::to_string).collect())
        .collect()
}

fn count(db: &TestDb, query: &str) -> usize {
    db.strings(&format!("SELECT CAST(COUNT(*) AS TEXT) FROM {query}"))[0]
        .parse()
        .expect("a count")
}

/// A timestamp column as text, empty when NULL.
fn ts(column: &str) -> String {
    format!("COALESCE(CAST({column} AS TEXT), '')")
}

/// The referrals: each from its case's owner to its service's provider, about the case's child,
/// sent while the case was open, its times in order and its status one the lifecycle reaches.
fn check_referrals(db: &TestDb) {
    assert!(count(db, "referrals") > 0, "no referrals generated");
    let wrong = db.strings(
        "SELECT r.id FROM referrals r JOIN cases c ON c.id = r.case_id \
         JOIN services s ON s.id = r.service_id \
         WHERE r.from_org <> c.owner_org OR r.to_org <> s.provider_org OR r.child_id <> c.child_id \
         OR r.service_type <> s.service_type OR r.domain <> s.domain OR r.to_org = r.from_org",
    );
    assert!(
        wrong.is_empty(),
        "referrals not matching their case or service: {wrong:?}"
    );
    assert_eq!(
        count(db, "referrals WHERE service_id IS NULL"),
        0,
        "every generated referral names a directory service"
    );
    let query = format!(
        "SELECT r.id || '|' || r.status || '|' || r.urgency || '|' || {} || '|' || {} || '|' || \
         {} || '|' || {} || '|' || {} || '|' || {} || '|' || {} || '|' || {} || '|' || \
         COALESCE(r.outcome, '') || '|' || COALESCE(r.consent_id, '') || '|' || \
         CASE WHEN r.override_reason_sealed IS NULL THEN '' ELSE 'o' END || '|' || \
         CASE WHEN r.decline_reason_sealed IS NULL THEN '' ELSE 'd' END \
         FROM referrals r JOIN cases c ON c.id = r.case_id",
        ts("r.sent_at"),
        ts("r.respond_by"),
        ts("r.due_by"),
        ts("r.answered_at"),
        ts("r.started_at"),
        ts("r.closed_at"),
        ts("c.opened_at"),
        ts("c.closed_at"),
    );
    let mut statuses: HashMap<String, usize> = HashMap::new();
    for r in rows(db, &query) {
        let [id, status, urgency, sent, respond_by, due_by, answered, started, closed, opened, case_closed, outcome, consent, overridden, declined] =
            r.as_slice()
        else {
            panic!("{r:?}");
        };
        *statuses.entry(status.clone()).or_default() += 1;
        let opt = |t: &str| (!t.is_empty()).then(|| at(t));
        let (sent, respond_by, due_by) = (at(sent), at(respond_by), at(due_by));
        let (answered, started, closed) = (opt(answered), opt(started), opt(closed));
        // The server's rule: the urgency's window, never after due_by.
        let window = match urgency.as_str() {
            "immediate_danger" => 1,
            "high" => 3,
            "medium" => 7,
            "low" => 14,
            other => panic!("{id}: urgency {other}"),
        };
        assert_eq!(
            respond_by,
            (sent + TimeDelta::days(window)).min(due_by),
            "{id}"
        );
        assert!(due_by > sent, "{id}");
        assert!(sent >= at(opened), "{id}: sent before the case opened");
        if let Some(c) = opt(case_closed) {
            assert!(sent < c, "{id}: sent after the case closed");
            assert!(
                closed.is_some_and(|t| t <= c),
                "{id}: still open after its case closed"
            );
        }
        let times: Vec<NaiveDateTime> = [Some(sent), answered, started, closed]
            .into_iter()
            .flatten()
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] <= w[1]),
            "{id}: times out of order {times:?}"
        );
        let has = |t: &Option<NaiveDateTime>| t.is_some();
        let shape = (has(&answered), has(&started), has(&closed));
        match status.as_str() {
            "sent" => assert_eq!(shape, (false, false, false), "{id}"),
            "accepted" => assert_eq!(shape, (true, false, false), "{id}"),
            "in_progress" => assert_eq!(shape, (true, true, false), "{id}"),
            "completed" => {
                assert_eq!(shape, (true, true, true), "{id}");
                assert!(!outcome.is_empty(), "{id}: completed without an outcome");
            }
            "declined" => {
                assert_eq!(shape, (true, false, true), "{id}");
                assert_eq!(declined, "d", "{id}: declined without a reason");
            }
            "expired" => {
                assert_eq!((shape.0, shape.1), (false, false), "{id}");
                assert!(
                    closed.is_some_and(|c| c >= respond_by),
                    "{id}: expired before its deadline"
                );
            }
            "cancelled" => assert!(shape.2, "{id}"),
            other => panic!("{id}: status {other}"),
        }
        if status != "completed" {
            assert!(outcome.is_empty(), "{id}: an outcome while {status}");
        }
        // Shared on a consent, or on a coordinator's written override.
        assert!(
            consent.is_empty() != overridden.is_empty(),
            "{id}: consent {consent:?} override {overridden:?}"
        );
    }
    assert!(statuses.len() >= 4, "too few statuses: {statuses:?}");
    let uncovered = db.strings(
        "SELECT r.id FROM referrals r JOIN child_consents k ON k.id = r.consent_id \
         WHERE k.child_id <> r.child_id OR k.given_at > r.sent_at \
         OR (k.expires_at IS NOT NULL AND k.expires_at <= r.sent_at)",
    );
    assert!(
        uncovered.is_empty(),
        "consents not covering their referrals: {uncovered:?}"
    );
    // Each on the case's timeline and in the audit.
    assert_eq!(
        count(
            db,
            "referrals r WHERE NOT EXISTS (SELECT 1 FROM case_events e WHERE \
             e.case_id = r.case_id AND e.kind = 'referral_sent' AND e.subject_id = r.id)"
        ),
        0
    );
    assert_eq!(
        count(
            db,
            "referrals r WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE \
             a.action = 'referral.send' AND a.resource_id = r.id)"
        ),
        0
    );
}

/// The protocol actions: for reports and cases, each of a rule of a stored protocol, due at its
/// creation plus the rule's deadline, those done or waived with their completion time.
fn check_protocol_actions(db: &TestDb) {
    let protocols: HashMap<String, serde_json::Value> =
        rows(db, "SELECT id || '|' || rules FROM protocols")
            .into_iter()
            .map(|r| {
                let rules = r[1..].join("|");
                (r[0].clone(), serde_json::from_str(&rules).expect("rules"))
            })
            .collect();
    assert!(
        count(db, "protocol_actions WHERE report_id IS NOT NULL") > 0,
        "no report actions"
    );
    assert!(
        count(db, "protocol_actions WHERE case_id IS NOT NULL") > 0,
        "no case actions"
    );
    assert_eq!(
        count(
            db,
            "reports r WHERE NOT EXISTS (SELECT 1 FROM protocol_actions a WHERE \
             a.report_id = r.id AND a.action = 'screen_report')"
        ),
        0,
        "every report is to be screened"
    );
    assert_eq!(
        count(
            db,
            "cases c WHERE NOT EXISTS (SELECT 1 FROM protocol_actions a WHERE \
             a.case_id = c.id AND a.trigger_event = 'case_opened')"
        ),
        0,
        "every opened case fires case_opened"
    );
    let query = format!(
        "SELECT id || '|' || protocol_id || '|' || rule_key || '|' || action || '|' || status \
         || '|' || {} || '|' || {} || '|' || {} || '|' || COALESCE(completed_by_id, '') || '|' || \
         CASE WHEN waiver_reason_sealed IS NULL THEN '' ELSE 'w' END FROM protocol_actions",
        ts("created_at"),
        ts("due_at"),
        ts("completed_at"),
    );
    let mut statuses: HashMap<String, usize> = HashMap::new();
    for r in rows(db, &query) {
        let [id, protocol, key, action, status, created, due, completed, by, waiver] = r.as_slice()
        else {
            panic!("{r:?}");
        };
        *statuses.entry(status.clone()).or_default() += 1;
        let rules = protocols
            .get(protocol)
            .unwrap_or_else(|| panic!("{id}: no protocol {protocol}"));
        let rule = rules
            .as_array()
            .and_then(|list| list.iter().find(|x| x["key"] == key.as_str()))
            .unwrap_or_else(|| panic!("{id}: no rule {key} in {protocol}"));
        let hours: Vec<i64> = rule["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .filter(|a| a["action"] == action.as_str())
            .filter_map(|a| a["deadline_hours"].as_i64())
            .collect();
        let (created, due) = (at(created), at(due));
        assert!(
            hours.iter().any(|h| due == created + TimeDelta::hours(*h)),
            "{id}: due {due} is not {created} plus a deadline of {key}.{action} {hours:?}"
        );
        match status.as_str() {
            "done" | "waived" => {
                assert!(
                    !completed.is_empty() && !by.is_empty(),
                    "{id}: {status} without completion"
                );
                assert!(at(completed) >= created, "{id}: completed before created");
                assert_eq!(status == "waived", waiver == "w", "{id}: waiver reason");
            }
            "pending" | "overdue" => {
                assert!(
                    completed.is_empty() && waiver.is_empty(),
                    "{id}: {status} yet completed"
                );
            }
            other => panic!("{id}: status {other}"),
        }
    }
    assert!(statuses.contains_key("done"), "{statuses:?}");
}

backend_tests! {
    fn a_generated_dataset_serves_through_the_api_and_its_chain_verifies(backend) {
        let db = TestDb::new(backend, Fixture::Demo);
        let counts = generate(&db, 300, 1);
        assert!(counts.contains("children 300,"), "{counts}");
        let (ok, out, err) = madar(&["rebuild-derived"], &env(&db), None);
        assert!(ok, "{out}{err}");
        let (ok, out, err) = madar(&["audit", "verify"], &env(&db), None);
        assert!(ok && out.contains("audit chain OK"), "{out}{err}");
        let app = TestApp::start(db, &[]);
        let coordinator = app.token(FES_COORDINATOR);
        // The first cases of Fès include a child's two successive cases on one page.
        let list = json_of(app.get("/api/v1/cases?limit=50", Some(&coordinator)), 200);
        let cases = list["items"].as_array().cloned().unwrap_or_default();
        assert!(!cases.is_empty(), "{list}");
        assert!(cases.iter().all(|c| c["territory"] == "231"), "{list}");
        // A case with a child named in Latin script, read whole.
        let case = cases
            .iter()
            .find(|c| c["child"]["given_name_latin"].is_string() && c["child"]["family_name_latin"].is_string())
            .expect("a child named in Latin script");
        let id = case["id"].as_str().expect("id");
        let read = json_of(app.get(&format!("/api/v1/cases/{id}"), Some(&coordinator)), 200);
        assert!(read["reference"].as_str().is_some_and(|r| r.starts_with("CASE-231-")), "{read}");
        assert!(!read["reports"].as_array().expect("reports").is_empty());
        if read["stage"] == "closed" {
            assert!(read["closure_reason"].is_string() && read["outcome_note"].is_string(), "{read}");
        }
        let timeline = json_of(app.get(&format!("/api/v1/cases/{id}/timeline"), Some(&coordinator)), 200);
        assert!(timeline.to_string().contains("case_opened"), "{timeline}");
        // The child is found under a misspelled given name.
        let child = &read["child"];
        let query = format!(
            "given_name={}&family_name={}&territory=231",
            misspelled(child["given_name_latin"].as_str().expect("given")),
            child["family_name_latin"].as_str().expect("family")
        );
        let found = json_of(app.get(&format!("/api/v1/children/matches?{query}"), Some(&coordinator)), 200);
        let child_id = child["id"].as_str().expect("child id");
        assert!(found.to_string().contains(child_id), "{query}: {found}");
    }

    fn generated_referrals_and_protocol_actions_hold_together_and_serve(backend) {
        let db = TestDb::new(backend, Fixture::Demo);
        let counts = generate(&db, 400, 3);
        assert!(counts.contains("referrals ") && counts.contains("protocol_actions "), "{counts}");
        check_referrals(&db);
        check_protocol_actions(&db);
        // A case with referrals, in a province whose coordinator was generated, read through
        // the API: its referrals and its protocol actions.
        let found = rows(
            &db,
            "SELECT c.id || '|' || u.email || '|' || \
             CAST((SELECT COUNT(*) FROM referrals r WHERE r.case_id = c.id) AS TEXT) || '|' || \
             CAST((SELECT COUNT(*) FROM protocol_actions a WHERE a.case_id = c.id) AS TEXT) \
             FROM cases c JOIN users u ON u.email = 'coordinator.' || LOWER(c.territory_code) || '@gen.madar.ma' \
             WHERE EXISTS (SELECT 1 FROM referrals r WHERE r.case_id = c.id) ORDER BY c.id",
        );
        let first = found.first().expect("a case with referrals in a generated province");
        let (id, email) = (first[0].clone(), first[1].clone());
        let (referrals, actions): (usize, usize) = (first[2].parse().expect("n"), first[3].parse().expect("n"));
        let report: String = db.strings(&format!(
            "SELECT report_id FROM case_reports WHERE case_id = '{id}' ORDER BY report_id"
        ))[0].clone();
        let (ok, out, err) = madar(&["audit", "verify"], &env(&db), None);
        assert!(ok && out.contains("audit chain OK"), "{out}{err}");
        let app = TestApp::start(db, &[]);
        let coordinator = app.token(&email);
        let list = json_of(app.get(&format!("/api/v1/cases/{id}/referrals?limit=50"), Some(&coordinator)), 200);
        let items = list["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), referrals, "{list}");
        for r in &items {
            assert_eq!(r["case_id"], id.as_str(), "{r}");
            assert!(r["reason"].as_str().is_some_and(|t| !t.is_empty()), "{r}");
        }
        // One read whole, with the snapshot it carries.
        let rid = items[0]["id"].as_str().expect("referral id");
        let one = json_of(app.get(&format!("/api/v1/referrals/{rid}"), Some(&coordinator)), 200);
        assert!(one["snapshot"]["identity"]["sex"].is_string(), "{one}");
        assert!(one["snapshot"]["situation"]["concerns"].is_array(), "{one}");
        let timeline = json_of(app.get(&format!("/api/v1/cases/{id}/timeline"), Some(&coordinator)), 200);
        assert!(timeline.to_string().contains("referral_sent"), "{timeline}");
        let listed = json_of(app.get(&format!("/api/v1/cases/{id}/actions"), Some(&coordinator)), 200);
        let listed = listed["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(listed.len(), actions, "{listed:?}");
        assert!(listed.iter().any(|a| a["trigger"] == "case_opened"), "{listed:?}");
        let on_report = json_of(app.get(&format!("/api/v1/reports/{report}/actions"), Some(&coordinator)), 200);
        assert!(on_report.to_string().contains("screen_report"), "{on_report}");
    }

    fn a_seed_gives_the_same_dataset(backend) {
        let first = TestDb::new(backend, Fixture::Demo);
        let second = TestDb::new(backend, Fixture::Demo);
        assert_eq!(generate(&first, 120, 7), generate(&second, 120, 7));
    }
}
