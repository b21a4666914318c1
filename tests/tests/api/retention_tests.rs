//! `madar retention run` (law 09-08): each type of record (cases, reports, children,
//! idempotency keys) is erased after its own period, set by its own variable; what stays is
//! codes and dates, so statistics do not change; a legal hold keeps a case whole; every record
//! changed is audited. Time passes by moving the records' dates back in the database.
use madar_tests::cases::*;
use madar_tests::*;

use crate::audit_tests::{count, sql};
use crate::keys_tests::{adult_case, attach, close_case, env, note, notes_of};

const LONG_AGO: &str = "2012-03-01 10:00:00";

/// Moves a record's date back to `LONG_AGO`.
fn backdate(app: &TestApp, table: &str, column: &str, id: &str) {
    sql(
        &app.db,
        &format!("UPDATE {table} SET {column} = '{LONG_AGO}' WHERE id = '{id}'"),
    );
}

/// `madar retention run`, which must succeed; its output.
fn retention(app: &TestApp, vars: &[(&'static str, &str)], dry_run: bool) -> String {
    let mut args = vec!["retention", "run"];
    if dry_run {
        args.push("--dry-run");
    }
    let vars: Vec<(&'static str, String)> = vars.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let (ok, out, err) = madar(&args, &env(app, &vars), None);
    assert!(ok, "{out}{err}");
    out
}

const CASES: &str = "cases closed more than 10 years ago, the child of age";
const REPORTS: &str =
    "reports received more than 5 years ago, screened, every case of their children due";
const CHILDREN: &str = "children of age for more than 10 years, every case due";

/// A report screened and closed without a case; its id.
fn unfounded_report(app: &TestApp, token: &str) -> String {
    let id = id_of(&json_of(
        app.post(
            "/api/v1/reports",
            Some(token),
            &report_body("Sans", "Suite", "421", false),
        ),
        201,
    ));
    let close = json!({"decision": "close", "closing_reason": "referred_elsewhere"});
    json_of(
        app.post(
            &format!("/api/v1/reports/{id}/screening"),
            Some(token),
            &close,
        ),
        200,
    );
    id
}

backend_tests! {
    fn retention_erases_each_type_of_record_after_its_own_period(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let old = adult_case(&app, &coordinator, "Majeur");
        let young = open_case(&app, &coordinator, "Jeune");
        for case in [&old, &young] {
            json_of(app.post(&format!("{}/notes", case.path), Some(&coordinator), &note("Une note.")), 201);
        }
        let file = attach(&app, &coordinator, &old);
        close_case(&app, &coordinator, &old);
        let unfounded = unfounded_report(&app, &coordinator);

        // Closed and screened today: no period is over.
        let out = retention(&app, &[], true);
        assert!(out.contains(&format!("{CASES}: 0 due")), "{out}");
        assert!(out.contains(&format!("{REPORTS}: 0 due")), "{out}");
        assert!(out.contains(&format!("{CHILDREN}: 0 due")), "{out}");
        assert!(out.contains("total: 0 values would be erased"), "{out}");

        // Years later.
        backdate(&app, "cases", "closed_at", &old.id);
        for id in [&old.report_id, &unfounded] {
            backdate(&app, "reports", "received_at", id);
        }
        // The coordinator's figures (exact: small counts are suppressed for national roles only).
        let stats = |app: &TestApp| {
            ["measure=reports&group_by=age_band", "measure=children&group_by=sex", "measure=cases_closed&group_by=age_band"]
                .map(|q| json_of(app.get(&format!("/api/v1/statistics?{q}&from=2010-01-01"), Some(&coordinator)), 200))
        };
        let stats_before = stats(&app);
        assert!(stats_before[2].to_string().contains("18_plus"), "the old case is counted: {stats_before:?}");
        let narrative = |id: &str| app.db.strings(&format!("SELECT narrative_sealed FROM reports WHERE id = '{id}'"));
        let stored = narrative(&old.report_id);
        let out = retention(&app, &[], true);
        assert!(out.contains(&format!("{CASES}: 1 due, 1 to change")), "{out}");
        assert!(out.contains(&format!("{REPORTS}: 2 due, 2 to change")), "{out}");
        assert!(out.contains(&format!("{CHILDREN}: 1 due, 1 to change")), "{out}");
        for line in [
            "reports.narrative_sealed: 2 would be erased",
            "case_notes.text_sealed: 1 would be erased",
            "cases.outcome_note_sealed: 1 would be erased",
            "case_attachments.content_sealed: 1 would be erased",
            "children (names, aliases, birth date): 1 would be erased",
            "report_children (names, birth date): 2 would be erased",
        ] {
            assert!(out.contains(line), "{line}: {out}");
        }
        assert_eq!(narrative(&old.report_id), stored, "a dry run writes nothing");

        let out = retention(&app, &[], false);
        assert!(out.contains("reports.narrative_sealed: 2 erased"), "{out}");
        // The reports: no reporter, no narrative, the children as named without names.
        for id in [&old.report_id, &unfounded] {
            let report = json_of(app.get(&format!("/api/v1/reports/{id}"), Some(&coordinator)), 200);
            assert!(report["narrative"].is_null(), "{report}");
            assert!(report["reporter"]["name"].is_null(), "{report}");
            assert!(report["reporter"]["phone"].is_null(), "{report}");
            let named = &report["children"][0];
            assert!(named["given_name_latin"].is_null() && named["family_name_latin"].is_null(), "{report}");
            assert!(named["date_of_birth"].is_null(), "{report}");
            assert_eq!(report["concerns"], json!(["neglect"]), "codes are kept");
        }
        let report = json_of(app.get(&format!("/api/v1/reports/{}", old.report_id), Some(&coordinator)), 200);
        assert_eq!(report["children"][0]["estimated_birth_year"], 1990, "the year is kept");
        // The case: codes and dates, no free text, no attachment.
        let case = json_of(app.get(&old.path, Some(&coordinator)), 200);
        assert!(case["outcome_note"].is_null(), "{case}");
        assert_eq!(case["closure_reason"], "reintegrated_family");
        assert_eq!(case["stage"], "closed");
        assert_eq!(notes_of(&app, &old, &coordinator), vec!["[erased: retention period over]".to_string()]);
        let res = app.get(&format!("{}/attachments/{file}", old.path), Some(&coordinator));
        assert_eq!(res.status().as_u16(), 404, "the attachment is deleted");
        // The child: anonymised, and no longer found by name.
        let child = json_of(app.get(&format!("/api/v1/children/{}", old.child_id), Some(&coordinator)), 200);
        for field in ["given_name_latin", "family_name_latin", "given_name_ar", "family_name_ar", "date_of_birth"] {
            assert!(child[field].is_null(), "{field}: {child}");
        }
        assert_eq!(child["estimated_birth_year"], 1990);
        assert_eq!(child["sex"], "male");
        let found = json_of(
            app.get("/api/v1/children/matches?given_name=Ancien&family_name=Majeur&birth_year=1990", Some(&coordinator)),
            200,
        );
        assert!(
            found["items"].as_array().is_some_and(|items| items.iter().all(|m| m.to_string().find(&old.child_id).is_none())),
            "{found}"
        );
        assert_eq!(count(&app.db, &format!("SELECT count(*) FROM child_match_keys WHERE child_id = '{}'", old.child_id)), 0);
        // The young child's open case is untouched.
        let report = json_of(app.get(&format!("/api/v1/reports/{}", young.report_id), Some(&coordinator)), 200);
        assert_eq!(report["narrative"], "L'enfant dort dehors.");
        assert_eq!(report["children"][0]["given_name_latin"], "Jeune");
        assert_eq!(notes_of(&app, &young, &coordinator), vec!["Une note.".to_string()]);
        // Counts do not change; every record changed is audited, and the run.
        assert_eq!(stats(&app), stats_before);
        let erased = sql(&app.db, "SELECT resource_type, resource_id FROM audit_events WHERE action = 'retention.erase' ORDER BY resource_type, resource_id");
        let mut expected = vec![
            vec!["case".to_string(), old.id.clone()],
            vec!["child".to_string(), old.child_id.clone()],
            vec!["report".to_string(), old.report_id.clone()],
            vec!["report".to_string(), unfounded.clone()],
        ];
        expected.sort();
        assert_eq!(erased, expected);
        assert_eq!(count(&app.db, "SELECT count(*) FROM audit_events WHERE action = 'retention.run'"), 1);

        // Again: the same records are due, nothing is left to change.
        let out = retention(&app, &[], false);
        assert!(out.contains(&format!("{CASES}: 1 due, 0 changed")), "{out}");
        assert!(out.contains(&format!("{CHILDREN}: 1 due, 0 changed")), "{out}");
        assert!(out.contains("total: 0 values erased"), "{out}");
        assert_eq!(count(&app.db, "SELECT count(*) FROM audit_events WHERE action = 'retention.erase'"), 4);
    }

    fn retention_periods_are_set_per_type_of_record(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let old = adult_case(&app, &coordinator, "Periode");
        let notes = format!("{}/notes", old.path);
        json_of(app.post_with_key(&notes, &coordinator, "retention-note-1", &note("Une note.")), 201);
        close_case(&app, &coordinator, &old);
        backdate(&app, "cases", "closed_at", &old.id);

        // Closed in 2012: due after 10 years, not after 20; the report and the child wait for it.
        let out = retention(&app, &[("MADAR_RETENTION_CASE_YEARS", "20")], true);
        assert!(out.contains("cases closed more than 20 years ago, the child of age: 0 due"), "{out}");
        assert!(out.contains("children of age for more than 10 years, every case due: 0 due"), "{out}");
        let out = retention(&app, &[("MADAR_RETENTION_CHILD_YEARS", "40")], true);
        assert!(out.contains(&format!("{CASES}: 1 due")), "{out}");
        assert!(out.contains("children of age for more than 40 years, every case due: 0 due"), "{out}");
        assert!(out.contains(&format!("{REPORTS}: 0 due")), "received today: {out}");
        backdate(&app, "reports", "received_at", &old.report_id);
        let out = retention(&app, &[("MADAR_RETENTION_REPORT_YEARS", "20")], true);
        assert!(out.contains("reports received more than 20 years ago, screened, every case of their children due: 0 due"), "{out}");
        let out = retention(&app, &[], true);
        assert!(out.contains(&format!("{REPORTS}: 1 due")), "{out}");

        // Idempotency keys: 7 days unless set (never fewer).
        sql(&app.db, "UPDATE idempotency_keys SET created_at = '2026-01-01 00:00:00'");
        let out = retention(&app, &[], true);
        assert!(out.contains("idempotency keys older than 7 days: 1 would be purged"), "{out}");
        let out = retention(&app, &[("MADAR_RETENTION_IDEMPOTENCY_DAYS", "3650")], true);
        assert!(out.contains("idempotency keys older than 3650 days: 0 would be purged"), "{out}");

        // A bad period is named, and nothing is written.
        let stored = app.db.strings(&format!("SELECT narrative_sealed FROM reports WHERE id = '{}'", old.report_id));
        for (var, value, says) in [
            ("MADAR_RETENTION_CASE_YEARS", "0", "MADAR_RETENTION_CASE_YEARS must be a whole number of years from 1 to 100"),
            ("MADAR_RETENTION_REPORT_YEARS", "five", "MADAR_RETENTION_REPORT_YEARS must be a whole number"),
            ("MADAR_RETENTION_IDEMPOTENCY_DAYS", "3", "from 7"),
            ("MADAR_RETENTION_YEARS", "10", "MADAR_RETENTION_CASE_YEARS"),
        ] {
            let (ok, out, err) = madar(&["retention", "run"], &env(&app, &[(var, value.to_string())]), None);
            assert!(!ok, "{var}={value}: {out}");
            assert!(err.contains(says), "{var}={value}: {err}");
        }
        assert_eq!(app.db.strings(&format!("SELECT narrative_sealed FROM reports WHERE id = '{}'", old.report_id)), stored);
        assert_eq!(count(&app.db, "SELECT count(*) FROM audit_events WHERE action LIKE 'retention.%'"), 0);
    }

    fn retention_keeps_whole_a_case_on_legal_hold(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let old = adult_case(&app, &coordinator, "Retenu");
        close_case(&app, &coordinator, &old);
        backdate(&app, "cases", "closed_at", &old.id);
        backdate(&app, "reports", "received_at", &old.report_id);
        let hold = format!("{}/legal-hold", old.path);
        let reason = json!({"reason": "Appel en cours devant la cour."});
        json_of(app.send(Method::PUT, &hold, Some(&coordinator), Some(&reason)), 200);

        // Held: the case, its report and its child are all kept whole.
        let out = retention(&app, &[], true);
        assert!(out.contains(&format!("{CASES}: 0 due")), "{out}");
        assert!(out.contains("cases kept whole, on legal hold: 1"), "{out}");
        assert!(out.contains(&format!("{REPORTS}: 0 due")), "{out}");
        assert!(out.contains(&format!("{CHILDREN}: 0 due")), "{out}");
        let out = retention(&app, &[], false);
        assert!(out.contains("total: 0 values erased"), "{out}");
        let report = json_of(app.get(&format!("/api/v1/reports/{}", old.report_id), Some(&coordinator)), 200);
        assert_eq!(report["narrative"], "L'enfant dort dehors.", "held: kept whole");
        assert_eq!(json_of(app.get(&hold, Some(&coordinator)), 200)["reason"], reason["reason"]);
        let child = json_of(app.get(&format!("/api/v1/children/{}", old.child_id), Some(&coordinator)), 200);
        assert_eq!(child["family_name_latin"], "Retenu");

        // Lifted: the next run erases, as for any record due.
        assert_eq!(app.delete(&hold, Some(&coordinator)).status(), 204);
        let out = retention(&app, &[], false);
        assert!(out.contains("reports.narrative_sealed: 1 erased"), "{out}");
        assert!(out.contains("cases kept whole, on legal hold: 0"), "{out}");
        assert!(out.contains(&format!("{CHILDREN}: 1 due, 1 changed")), "{out}");
        let report = json_of(app.get(&format!("/api/v1/reports/{}", old.report_id), Some(&coordinator)), 200);
        assert!(report["narrative"].is_null(), "{report}");
    }
}
