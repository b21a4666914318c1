//! What partners read of the statistics (issue 8): counts of the referrals addressed to their
//! organization, by service type and status, masked under k with secondary suppression;
//! coordinators count their subtree's exactly, analysts every referral masked.
use madar_tests::cases::*;
use madar_tests::*;

use crate::webhook_tests::send_referral;

const COUNTS: &str = "/api/v1/statistics/referrals";

/// The count of (service type, status), or `None` when absent; panics on a hidden one.
fn count(body: &Value, service_type: &str, status: &str) -> Option<i64> {
    body["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["service_type"] == service_type && c["status"] == status)
        .map(|c| c["count"].as_i64().unwrap_or(-1))
}

backend_tests! {
    fn partners_count_the_referrals_addressed_to_them_masked_under_k(backend) {
        let app = TestApp::spawn(backend);
        let (worker, partner) = (app.token(CASE_WORKER), app.token(PARTNER));
        let ours: Vec<String> = (0..6).map(|i| send_referral(&app, &worker, &format!("Compte{i}"))).collect();
        // One to another organization.
        let other = open_case(&app, &worker, "Ailleurs");
        let consent = json!({
            "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
            "recipients": ["health-rabat"], "field_groups": ["identity"], "purpose": "Orientation."
        });
        json_of(app.post(&format!("/api/v1/children/{}/consents", other.child_id), Some(&worker), &consent), 201);
        let body = crate::referral_tests::referral_body("health-rabat", &["identity"]);
        json_of(app.post(&format!("{}/referrals", other.path), Some(&worker), &body), 201);

        // The partner: its six, shown (6 ≥ k); not the other organization's.
        let mine = json_of(app.get(COUNTS, Some(&partner)), 200);
        assert_eq!(mine["k"], 5);
        assert_eq!(mine["cells"].as_array().expect("cells").len(), 1, "{mine}");
        assert_eq!(count(&mine, "psychological_support", "sent"), Some(6));
        // The coordinator of Rabat: all seven, exact.
        let coordinator = json_of(app.get(COUNTS, Some(&app.token(COORDINATOR))), 200);
        assert!(coordinator["k"].is_null());
        assert_eq!(count(&coordinator, "psychological_support", "sent"), Some(7));

        // One accepted: 5 sent and 1 accepted; the 1 is hidden, and so is the 5 beside it (else
        // the total of the line would give the 1 away).
        let path = format!("/api/v1/referrals/{}", ours[0]);
        let etag = app.etag(&path, &partner);
        json_of(app.post_if_match(&format!("{path}/accept"), &partner, &etag, Some("count-accept"), &json!(null)), 200);
        let mine = json_of(app.get(COUNTS, Some(&partner)), 200);
        for cell in mine["cells"].as_array().expect("cells") {
            assert!(cell["count"].is_null() && cell["suppressed"] == true, "{cell}");
        }
        assert_eq!(mine["cells"].as_array().expect("cells").len(), 2);
        let coordinator = json_of(app.get(COUNTS, Some(&app.token(COORDINATOR))), 200);
        assert_eq!(count(&coordinator, "psychological_support", "sent"), Some(6));
        assert_eq!(count(&coordinator, "psychological_support", "accepted"), Some(1));
        // The analyst: every referral, masked the same way (the 6 beside the hidden 1 too).
        let analyst = json_of(app.get(COUNTS, Some(&app.token(ANALYST))), 200);
        assert_eq!(count(&analyst, "psychological_support", "accepted"), Some(-1), "hidden");
        assert_eq!(count(&analyst, "psychological_support", "sent"), Some(-1), "hidden beside it");

        // A period without them; bad periods; other roles.
        let empty = json_of(app.get(&format!("{COUNTS}?from=2020-01-01&to=2020-12-31"), Some(&partner)), 200);
        assert_eq!(empty["cells"], json!([]));
        assert_eq!(app.get(&format!("{COUNTS}?from=2026-05-01&to=2026-04-01"), Some(&partner)).status(), 422);
        assert_eq!(app.get(&format!("{COUNTS}?from=yesterday"), Some(&partner)).status(), 422);
        assert_eq!(app.get(&format!("{COUNTS}?territory=421"), Some(&partner)).status(), 422);
        for who in [CASE_WORKER, HOTLINE, AUDITOR] {
            assert_eq!(app.get(COUNTS, Some(&app.token(who))).status(), 403, "{who}");
        }
        // Partners still read no other statistic.
        assert_eq!(app.get("/api/v1/statistics?measure=reports", Some(&partner)).status(), 403);
    }
}
