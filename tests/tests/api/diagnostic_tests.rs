//! The provincial diagnostic of structures and services (issue 8): Marrakech (351), where the
//! demo has no service, gets three services of its own, one of Salé and one national; children
//! are reported there with four concerns. The diagnostic counts the services serving it by
//! domain and type with their capacity, each concern's children against the services answering
//! it (a gap where none does), the cases opened by concern, and the needs its committee records.
use chrono::Datelike;
use madar_tests::cases::*;
use madar_tests::*;

const SERVICES: &str = "/api/v1/services";

fn path(code: &str) -> String {
    format!("/api/v1/statistics/territories/{code}/diagnostic")
}

fn service(
    name: &str,
    type_: &str,
    territories: &[&str],
    concerns: &[&str],
    capacity: Option<i64>,
) -> Value {
    let mut body = json!({"type": type_, "provider": "ngo-rabat", "name": name,
        "territories": territories, "concerns": concerns});
    if let Some(c) = capacity {
        body["capacity"] = json!(c);
    }
    body
}

fn report(concern: &str, i: usize) -> Value {
    let mut body = report_body(&format!("Diag{i}"), "Marrakchi", "351", false);
    body["concerns"] = json!([concern]);
    body
}

fn need_of<'a>(d: &'a Value, concern: &str) -> &'a Value {
    d["needs"]
        .as_array()
        .expect("needs")
        .iter()
        .find(|n| n["concern"] == concern)
        .unwrap_or_else(|| panic!("no need {concern}: {d}"))
}

fn type_of<'a>(d: &'a Value, domain: &str, type_: &str) -> &'a Value {
    d["inventory"]
        .as_array()
        .expect("inventory")
        .iter()
        .find(|x| x["domain"] == domain)
        .and_then(|x| x["service_types"].as_array())
        .and_then(|t| t.iter().find(|x| x["service_type"] == type_))
        .unwrap_or_else(|| panic!("no {domain}/{type_}: {d}"))
}

backend_tests! {
    fn a_diagnostic_sets_the_services_against_the_children_in_need(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        // The demo's Marrakech centre.
        let (_, coordinator) = staff(&app, "coord@marrakech.ma", "coordinator", "cape-marrakech", "351");
        let (_, worker) = staff(&app, "worker@marrakech.ma", "case_worker", "cape-marrakech", "351");
        let before = json_of(app.get(&path("351"), Some(&coordinator)), 200);
        let national_before = before["inventory"]
            .as_array()
            .expect("inventory")
            .iter()
            .filter_map(|d| d["service_types"].as_array())
            .flatten()
            .find(|t| t["service_type"] == "legal_aid")
            .and_then(|t| t["services"].as_i64())
            .unwrap_or(0);

        for body in [
            service("Écoute Marrakech", "psychological_support", &["351"], &["sexual_violence"], Some(10)),
            service("Abri Marrakech", "emergency_shelter", &["351"], &["street_situation"], Some(20)),
            service("Abri Marrakech 2", "emergency_shelter", &["351"], &["street_situation"], None),
            service("Aide juridique nationale", "legal_aid", &["MA"], &["neglect"], None),
            service("Écoute Salé", "psychological_support", &["441"], &[], Some(99)),
        ] {
            json_of(app.post(SERVICES, Some(&admin), &body), 201);
        }
        for (i, concern) in ["sexual_violence", "sexual_violence", "trafficking", "neglect"].iter().enumerate() {
            json_of(app.post("/api/v1/reports", Some(&worker), &report(concern, i)), 201);
        }

        let d = json_of(app.get(&path("351"), Some(&coordinator)), 200);
        assert_eq!(d["territory"], "351");
        assert_eq!(d["name_fr"], "Marrakech");
        assert_eq!(d["year"], chrono::Utc::now().year());
        assert!(d["k"].is_null(), "the coordinator reads exact counts");
        // The inventory: every domain, the services serving Marrakech (not Salé's).
        assert_eq!(d["inventory"].as_array().expect("domains").len(), 10);
        let psy = type_of(&d, "psychological_care", "psychological_support");
        assert_eq!((psy["services"].as_i64(), psy["capacity"].as_i64()), (Some(1), Some(10)));
        let shelter = type_of(&d, "social_care", "emergency_shelter");
        assert_eq!((shelter["services"].as_i64(), shelter["capacity"].as_i64()), (Some(2), Some(20)));
        assert_eq!(type_of(&d, "judicial_support", "legal_aid")["services"].as_i64(), Some(national_before + 1));
        // Needs: children by concern against the services answering each.
        let sexual = need_of(&d, "sexual_violence");
        assert_eq!((sexual["children"].as_i64(), sexual["services"].as_i64(), sexual["gap"].as_bool()), (Some(2), Some(1), Some(false)));
        let trafficking = need_of(&d, "trafficking");
        assert_eq!((trafficking["children"].as_i64(), trafficking["services"].as_i64(), trafficking["gap"].as_bool()), (Some(1), Some(0), Some(true)));
        assert_eq!(need_of(&d, "neglect")["gap"], false);
        assert_eq!(d["needs"][0]["concern"], "sexual_violence", "most children first");
        // Risks: cases opened by concern (none yet: the reports are not screened).
        assert_eq!(d["risks"]["measure"], "cases_opened");
        assert_eq!(d["committee_needs"], json!([]));
        assert_eq!(d["version"], 0);

        // The analyst reads the same, with small counts hidden.
        let analyst = json_of(app.get(&path("351"), Some(&app.token(ANALYST))), 200);
        assert_eq!(analyst["k"], 5);
        let hidden = need_of(&analyst, "sexual_violence");
        assert!(hidden["children"].is_null() && hidden["suppressed"] == true, "{hidden}");
        assert_eq!(need_of(&analyst, "trafficking")["gap"], true);

        // The printable page, in French and in Arabic.
        let res = app.client.get(app.url(&format!("{}?lang=fr", path("351")))).bearer_auth(&coordinator).header("accept", "text/html").send().expect("page");
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-security-policy"].to_str().unwrap_or("").starts_with("default-src 'none'"));
        let page = res.text().expect("html");
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"fr\" dir=\"ltr\">"), "{page}");
        assert!(page.contains("Diagnostic des structures et services — Marrakech"), "{page}");
        assert!(page.contains("<tr class=\"gap\"><th scope=\"row\">Vente et traite"), "the gap is marked: {page}");
        assert!(!page.contains("<td class=\"n\">2</td><td class=\"n\">1</td>"), "masked under k on the page");
        let res = app.client.get(app.url(&path("351"))).bearer_auth(&coordinator).header("accept", "text/html").send().expect("page");
        let page = res.text().expect("html");
        assert!(page.starts_with("<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\">"));
        assert!(page.contains("تشخيص الهياكل والخدمات"));
        let res = app.client.get(app.url(&path("351"))).bearer_auth(&coordinator).header("accept", "text/csv").send().expect("csv");
        assert_eq!(res.status(), 406);
    }

    fn the_committee_records_its_needs_with_if_match(backend) {
        let app = TestApp::spawn(backend);
        let coordinator = app.token(COORDINATOR);
        let needs = path("421") + "/needs";
        let body = json!({"needs": [
            {"text": "Un centre d'accueil d'urgence pour filles à Rabat.", "priority": "high", "domain": "social_care"},
            {"text": "تكوين المهنيين في الاستماع للأطفال ضحايا العنف.", "priority": "medium"},
        ]});
        let put = |token: &str, etag: &str, body: &Value| {
            app.client.put(app.url(&needs)).bearer_auth(token).header("if-match", etag).json(body).send().expect("put")
        };
        assert_eq!(put(&coordinator, "\"3\"", &body).status(), 412, "a stale version");
        let res = put(&coordinator, "\"0\"", &body);
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["etag"], "\"1\"");
        let d: Value = res.json().expect("diagnostic");
        assert_eq!(d["version"], 1);
        assert_eq!(d["committee_needs"], body["needs"]);
        assert!(d["committee_updated_at"].is_string());
        let (read, etag) = json_and_etag(app.get(&path("421"), Some(&coordinator)), 200);
        assert_eq!(etag, "\"1\"");
        assert_eq!(read["committee_needs"], body["needs"]);
        // The printable page lists them.
        let page = app.client.get(app.url(&path("421"))).bearer_auth(&coordinator).header("accept", "text/html").send().expect("page").text().expect("html");
        assert!(page.contains("تكوين المهنيين في الاستماع للأطفال ضحايا العنف."), "{page}");
        // Replaced again with the new version; the old one is stale.
        let fewer = json!({"needs": [{"text": "Une équipe mobile de plus.", "priority": "low"}]});
        assert_eq!(put(&coordinator, "\"0\"", &fewer).status(), 412);
        assert_eq!(json_of(put(&coordinator, "\"1\"", &fewer), 200)["committee_needs"], fewer["needs"]);
        // Bad bodies, other roles and territories.
        let bad = json!({"needs": [{"text": "", "priority": "urgent"}]});
        assert_eq!(put(&coordinator, "\"2\"", &bad).status(), 422);
        for who in [CASE_WORKER, ANALYST, ADMIN] {
            assert_eq!(put(&app.token(who), "\"2\"", &fewer).status(), 403, "{who}");
        }
        let (_, sale) = staff(&app, "coord@sale-diag.ma", "coordinator", "cape-sale", "441");
        assert_eq!(put(&sale, "\"2\"", &fewer).status(), 404, "another province");
        assert_eq!(app.get(&path("421"), Some(&sale)).status(), 404);
        assert_eq!(put(&coordinator, "\"2\"", &fewer).status(), 200);
        let page = json_of(app.get(&path("441"), Some(&coordinator)), 404);
        assert_eq!(page["status"], 404);
        assert_eq!(app.get(&path("nowhere"), Some(&app.token(ANALYST))).status(), 404);
        let audit = json_of(app.get("/api/v1/audit?action=territory.needs_update", Some(&app.token(AUDITOR))), 200);
        assert_eq!(audit["items"].as_array().expect("items").len(), 3);
        assert_eq!(audit["items"][0]["resource_id"], "421");
    }
}
