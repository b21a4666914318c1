//! The service directory: search by territory (a service serving a region serves its
//! provinces), type, domain, concern, provider, name; eligibility for a child (age, sex,
//! concerns, territory); confidential locations; capacity by the provider only; edits by
//! admins and by coordinators within their territory; CSV export equal to the JSON search.
use chrono::{Datelike, Utc};
use madar_tests::cases::*;
use madar_tests::*;

const SERVICES: &str = "/api/v1/services";

fn body(name: &str, type_: &str, provider: &str, territories: &[&str]) -> Value {
    json!({"type": type_, "provider": provider, "name": name, "territories": territories})
}

fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    json_of(app.post(SERVICES, Some(token), body), 201)
}

/// The names found by a search, sorted.
fn names(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let page = json_of(
        app.get(&format!("{SERVICES}?limit=200&{query}"), Some(token)),
        200,
    );
    let mut out: Vec<String> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_string())
        .collect();
    out.sort();
    out
}

fn field_error(res: Response, field: &str, code: &str) {
    let problem = assert_problem(res, 422, "validation_failed");
    let errors = problem["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors
            .iter()
            .any(|e| e["field"] == field && e["code"] == code),
        "{field}/{code} in {problem}"
    );
}

fn put_capacity(app: &TestApp, token: &str, id: &str, etag: Option<&str>, places: i64) -> Response {
    let mut req = app
        .client
        .put(app.url(&format!("{SERVICES}/{id}/capacity")))
        .bearer_auth(token)
        .json(&json!({"places_available": places}));
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    req.send().expect("request")
}

fn location(address: &str) -> Value {
    json!({"name": "Accueil", "address": address, "city": "Rabat", "territory": "421",
           "phone": "+212 5 37 00 00 00", "opening_hours": "Lun–Ven 8h30–16h30",
           "latitude": 34.02, "longitude": -6.83})
}

backend_tests! {
    fn search_filters_by_territory_ancestors_type_domain_concern_provider_and_name(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        create(&app, &admin, &body("Zz regional legal aid", "legal_aid", "ngo-rabat", &["MA-04"]));
        let mut shelter = body("Zz casa shelter", "emergency_shelter", "samu-casablanca", &["141-01"]);
        shelter["concerns"] = json!(["street_situation"]);
        create(&app, &admin, &shelter);
        let mut trauma = body("Zz Rabat trauma", "trauma_care", "health-rabat", &["421"]);
        trauma["concerns"] = json!(["sexual_violence"]);
        create(&app, &admin, &trauma);
        let mut closed = body("Zz closed", "legal_aid", "ngo-rabat", &["421"]);
        closed["active"] = json!(false);
        create(&app, &admin, &closed);

        let hotline = app.token(HOTLINE);
        let found = |q: &str| names(&app, &hotline, &format!("q=zz&{q}"));
        assert_eq!(found("territory=421"), ["Zz Rabat trauma", "Zz regional legal aid"]);
        assert_eq!(found("territory=141-01"), ["Zz casa shelter"]);
        assert_eq!(found("territory=MA-04"), ["Zz regional legal aid"]);
        assert_eq!(found("type=trauma_care"), ["Zz Rabat trauma"]);
        assert_eq!(found("domain=judicial_support"), ["Zz regional legal aid"]);
        assert_eq!(found("concern=sexual_violence"), ["Zz Rabat trauma", "Zz regional legal aid"]);
        assert_eq!(found("concern=street_situation"), ["Zz casa shelter", "Zz regional legal aid"]);
        assert_eq!(found("provider=samu-casablanca"), ["Zz casa shelter"]);
        assert_eq!(found("active=false"), ["Zz closed"]);
        assert_eq!(names(&app, &hotline, "q=ZZ%20RABAT"), ["Zz Rabat trauma"]);
        field_error(app.get(&format!("{SERVICES}?territory=nowhere"), Some(&hotline)), "territory", "unknown_territory");
        field_error(app.get(&format!("{SERVICES}?provider=nobody"), Some(&hotline)), "provider", "unknown_organization");
        assert_eq!(app.get(SERVICES, None).status(), 401);

        // Cursor paging walks the same services.
        let mut seen = Vec::new();
        let mut path = format!("{SERVICES}?q=zz&limit=1");
        loop {
            let page = json_of(app.get(&path, Some(&hotline)), 200);
            for s in page["items"].as_array().expect("items") {
                seen.push(s["id"].as_str().expect("id").to_string());
            }
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("{SERVICES}?q=zz&limit=1&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 3);

        // The CSV export holds the JSON search, every page of it.
        let json_ids: Vec<String> = {
            let page = json_of(app.get(&format!("{SERVICES}?territory=421&limit=200"), Some(&hotline)), 200);
            page["items"].as_array().expect("items").iter().map(|s| s["id"].as_str().expect("id").to_string()).collect()
        };
        let res = app.client.get(app.url(&format!("{SERVICES}?territory=421"))).bearer_auth(&hotline)
            .header("accept", "text/csv").send().expect("request");
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
        let text = res.text().expect("csv");
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().expect("header").clone();
        assert_eq!(&headers[0], "id");
        let csv_ids: Vec<String> = reader.records().map(|r| r.expect("row")[0].to_string()).collect();
        assert_eq!(csv_ids, json_ids);
    }

    fn eligibility_for_a_child_by_age_sex_concerns_and_territory(backend) {
        let app = TestApp::spawn(backend);
        let (admin, coordinator) = (app.token(ADMIN), app.token(COORDINATOR));
        let mut girls = body("Yy girls 12-18", "psychological_support", "ngo-rabat", &["421"]);
        girls["sexes"] = json!(["female"]);
        girls["min_age"] = json!(12);
        girls["max_age"] = json!(18);
        create(&app, &admin, &girls);
        let mut boys = body("Yy boys neglect", "social_assistance", "ngo-rabat", &["MA"]);
        boys["sexes"] = json!(["male"]);
        boys["concerns"] = json!(["neglect"]);
        create(&app, &admin, &boys);
        let mut young = body("Yy under 11", "cultural_sports_activities", "ngo-rabat", &["421"]);
        young["max_age"] = json!(10);
        create(&app, &admin, &young);
        create(&app, &admin, &body("Yy casablanca", "legal_aid", "samu-casablanca", &["141-01"]));
        let mut violence = body("Yy violence", "trauma_care", "health-rabat", &["421"]);
        violence["concerns"] = json!(["sexual_violence"]);
        create(&app, &admin, &violence);
        let mut school = body("Yy school", "school_reintegration", "ngo-rabat", &["MA-04"]);
        school["concerns"] = json!(["out_of_school"]);
        create(&app, &admin, &school);

        // A girl of 14 (an estimated year counts from 1 January) who suffered sexual violence.
        let girl = json_of(app.post("/api/v1/children", Some(&coordinator), &json!({
            "given_name_latin": "Salma", "family_name_latin": "Bennani", "sex": "female",
            "estimated_birth_year": Utc::now().year() - 14, "civil_status": "registered",
            "territory": "421", "situation": ["sexual_violence"]
        })), 201);
        let eligible = |token: &str, child: &str| names(&app, token, &format!("q=yy&eligible_for_child={child}"));
        assert_eq!(eligible(&coordinator, &id_of(&girl)), ["Yy girls 12-18", "Yy violence"]);
        // A boy of 10, out of school (his situation), with an open case about neglect.
        let case = open_case(&app, &coordinator, "Karim");
        let worker = app.token(CASE_WORKER);
        assert_eq!(eligible(&worker, &case.child_id), ["Yy boys neglect", "Yy school", "Yy under 11"]);
        // Outside the caller's scope, or unknown: 404.
        let partner = app.token(PARTNER);
        let res = app.get(&format!("{SERVICES}?eligible_for_child={}", case.child_id), Some(&partner));
        assert_problem(res, 404, "not_found");
        let res = app.get(&format!("{SERVICES}?eligible_for_child=0190a5b2-7c1e-7000-8000-000000000001"), Some(&coordinator));
        assert_problem(res, 404, "not_found");
    }

    fn confidential_locations_are_shown_to_case_workers_and_coordinators_only(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let mut shelter = body("Xx shelter", "emergency_shelter", "ngo-rabat", &["421"]);
        shelter["confidential"] = json!(true);
        shelter["locations"] = json!([location("Rue secrète 1")]);
        let id = id_of(&create(&app, &admin, &shelter));
        let mut open = body("Xx day centre", "social_assistance", "ngo-rabat", &["421"]);
        open["locations"] = json!([location("Avenue Hassan II")]);
        let open_id = id_of(&create(&app, &admin, &open));
        for (who, sees) in [(CASE_WORKER, true), (COORDINATOR, true), (PARTNER, false), (HOTLINE, false), (ANALYST, false), (AUDITOR, false)] {
            let token = app.token(who);
            let service = json_of(app.get(&format!("{SERVICES}/{id}"), Some(&token)), 200);
            assert_eq!(service["confidential"], true);
            let shown = service["locations"].as_array().expect("locations");
            assert_eq!(!shown.is_empty(), sees, "{who}: {service}");
            if sees {
                assert_eq!(shown[0]["address"], "Rue secrète 1");
            }
            let page = json_of(app.get(&format!("{SERVICES}?q=xx%20shelter"), Some(&token)), 200);
            assert_eq!(!page["items"][0]["locations"].as_array().expect("locations").is_empty(), sees, "{who}");
            let other = json_of(app.get(&format!("{SERVICES}/{open_id}"), Some(&token)), 200);
            assert_eq!(other["locations"][0]["address"], "Avenue Hassan II", "{who}");
        }
    }

    fn capacity_is_updated_by_the_provider_only(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let mut shelter = body("Ww shelter", "emergency_shelter", "ngo-rabat", &["421"]);
        shelter["capacity"] = json!(20);
        let (service, etag) = json_and_etag(app.post(SERVICES, Some(&admin), &shelter), 201);
        let id = id_of(&service);
        let partner = app.token(PARTNER);
        let (updated, new_etag) = json_and_etag(put_capacity(&app, &partner, &id, Some(&etag), 7), 200);
        assert_eq!(updated["places_available"], 7);
        assert!(updated["capacity_updated_at"].is_string());
        assert_ne!(etag, new_etag);
        assert_problem(put_capacity(&app, &partner, &id, Some(&etag), 6), 412, "precondition_failed");
        assert_eq!(json_of(put_capacity(&app, &partner, &id, None, 5), 200)["places_available"], 5);
        field_error(put_capacity(&app, &partner, &id, None, -1), "places_available", "range");
        // Other organizations and roles may not.
        let (_, other) = staff(&app, "partner@health.ma", "partner", "health-rabat", "421");
        assert_problem(put_capacity(&app, &other, &id, None, 1), 403, "forbidden");
        for who in [COORDINATOR, CASE_WORKER, HOTLINE, ADMIN, ANALYST] {
            assert_problem(put_capacity(&app, &app.token(who), &id, None, 1), 403, "forbidden");
        }
        assert_problem(put_capacity(&app, &partner, "0190a5b2-7c1e-7000-8000-000000000001", None, 1), 404, "not_found");
        // The provider's case workers update their own service.
        let own = id_of(&create(&app, &admin, &body("Ww centre", "social_assistance", "cape-rabat", &["421"])));
        json_of(put_capacity(&app, &app.token(CASE_WORKER), &own, None, 3), 200);
        // Audited.
        let page = json_of(app.get("/api/v1/audit?action=service.capacity_update", Some(&app.token(AUDITOR))), 200);
        let hits = page["items"].as_array().expect("items").iter().filter(|e| e["resource_id"] == id.as_str()).count();
        assert_eq!(hits, 2, "{page}");
    }

    fn admins_and_coordinators_edit_within_their_territory(backend) {
        let app = TestApp::spawn(backend);
        let (admin, coordinator) = (app.token(ADMIN), app.token(COORDINATOR));
        // A coordinator of Rabat creates for Rabat, not beyond (nor for the whole region).
        let mine = body("Vv Rabat", "family_mediation", "cape-rabat", &["421"]);
        let first = json_of(app.post_with_key(SERVICES, &coordinator, "svc-1", &mine), 201);
        let again = json_of(app.post_with_key(SERVICES, &coordinator, "svc-1", &mine), 201);
        assert_eq!(first["id"], again["id"]);
        assert_eq!(first["domain"], "reintegration");
        field_error(app.post(SERVICES, Some(&coordinator), &body("Vv casa", "legal_aid", "cape-rabat", &["141-01"])), "territories", "territory_outside_scope");
        field_error(app.post(SERVICES, Some(&coordinator), &body("Vv region", "legal_aid", "cape-rabat", &["MA-04"])), "territories", "territory_outside_scope");
        for who in [PARTNER, CASE_WORKER, HOTLINE, ANALYST, AUDITOR] {
            assert_problem(app.post(SERVICES, Some(&app.token(who)), &mine), 403, "forbidden");
        }
        let mut ages = mine.clone();
        ages["min_age"] = json!(15);
        ages["max_age"] = json!(12);
        field_error(app.post(SERVICES, Some(&admin), &ages), "max_age", "age_range");
        field_error(app.post(SERVICES, Some(&admin), &body("Vv", "legal_aid", "nobody", &["421"])), "provider", "unknown_organization");
        field_error(app.post(SERVICES, Some(&admin), &body("Vv", "legal_aid", "ngo-rabat", &["nowhere"])), "territories", "unknown_territory");

        // Edits carry If-Match.
        let path = format!("{SERVICES}/{}", id_of(&first));
        let etag = app.etag(&path, &coordinator);
        let res = app.client.patch(app.url(&path)).bearer_auth(&coordinator).json(&json!({"name": "Vv"})).send().expect("request");
        assert_problem(res, 428, "precondition_required");
        let changed = json_of(app.patch(&path, Some(&coordinator), &etag, &json!({"name": "Vv Rabat médiation", "languages": ["ar", "fr"]})), 200);
        assert_eq!(changed["name"], "Vv Rabat médiation");
        assert_eq!(changed["languages"], json!(["ar", "fr"]));
        assert_problem(app.patch(&path, Some(&coordinator), &etag, &json!({"name": "Vv"})), 412, "precondition_failed");
        let etag = app.etag(&path, &coordinator);
        field_error(app.patch(&path, Some(&coordinator), &etag, &json!({"territories": ["141-01"]})), "territories", "territory_outside_scope");
        assert_problem(app.patch(&path, Some(&app.token(CASE_WORKER)), &etag, &json!({"name": "Vv"})), 403, "forbidden");
        // A service beyond the coordinator's territory: 403; the admin edits anything.
        let casa = id_of(&create(&app, &admin, &body("Vv casa", "legal_aid", "samu-casablanca", &["141-01"])));
        let casa_path = format!("{SERVICES}/{casa}");
        let etag = app.etag(&casa_path, &admin);
        assert_problem(app.patch(&casa_path, Some(&coordinator), &etag, &json!({"name": "Vv"})), 403, "forbidden");
        let changed = json_of(app.patch(&casa_path, Some(&admin), &etag, &json!({"type": "court_accompaniment", "active": false})), 200);
        assert_eq!(changed["domain"], "judicial_support");
        assert_eq!(changed["active"], false);
        let page = json_of(app.get("/api/v1/audit?action=service.update", Some(&app.token(AUDITOR))), 200);
        assert!(page["items"].as_array().expect("items").iter().any(|e| e["resource_id"] == casa.as_str()), "{page}");
    }
}
