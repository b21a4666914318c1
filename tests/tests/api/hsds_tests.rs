//! The HSDS 3.1 publication: every endpoint's responses validate against the Open Referral
//! JSON Schemas (copied into `tests/data/hsds-3.1/`: the compiled, self-contained ones for services
//! and organizations, the OpenAPI document's `Page` and `/` schemas); HSDS paging; the Madar
//! profile's Arabic and French names; confidential locations redacted.
use madar_tests::cases::*;
use madar_tests::*;

fn hsds_dir() -> std::path::PathBuf {
    workspace().join("tests/data/hsds-3.1")
}

fn load(path: &str) -> Value {
    let text = std::fs::read_to_string(hsds_dir().join(path)).expect("HSDS schema file");
    serde_json::from_str(&text).expect("HSDS schema JSON")
}

/// Asserts that `instance` validates against `schema` (formats checked too).
fn validates(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(schema)
        .expect("a valid JSON Schema");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{instance}");
}

/// Validates an HSDS page: the paging fields against the OpenAPI `Page` schema, each item
/// against the compiled `item_schema`.
fn validates_page(page: &Value, item_schema: &str, what: &str) {
    let openapi = load("openapi.json");
    validates(&openapi["components"]["schemas"]["Page"], page, what);
    let item = load(&format!("compiled/{item_schema}"));
    for content in page["contents"].as_array().expect("contents") {
        validates(&item, content, what);
    }
}

fn location(address: &str) -> Value {
    json!({"name": "Accueil", "address": address, "city": "Rabat", "territory": "421",
           "phone": "+212 5 37 00 00 00", "opening_hours": "Lun–Ven 8h30–16h30",
           "latitude": 34.02, "longitude": -6.83})
}

backend_tests! {
    fn every_hsds_endpoint_validates_against_the_hsds_schemas(backend) {
        let app = TestApp::spawn(backend);
        let admin = app.token(ADMIN);
        let full = json!({
            "type": "psychological_support", "provider": "ngo-rabat", "name": "Psychological support",
            "name_ar": "الدعم النفسي", "name_fr": "Soutien psychologique",
            "description": "Écoute et suivi.", "min_age": 6, "max_age": 18, "sexes": ["female", "male"],
            "concerns": ["sexual_violence"], "languages": ["ar", "fr", "zgh"], "capacity": 30,
            "places_available": 4, "territories": ["421", "441"], "locations": [location("12 rue de Fès")]
        });
        let service = json_of(app.post("/api/v1/services", Some(&admin), &full), 201);
        let shelter = json!({
            "type": "emergency_shelter", "provider": "ngo-rabat", "name": "Shelter",
            "territories": ["421"], "confidential": true, "locations": [location("Rue secrète 1")]
        });
        let shelter = json_of(app.post("/api/v1/services", Some(&admin), &shelter), 201);
        let openapi = load("openapi.json");
        // The validator does refuse what HSDS refuses: a service without a name or status.
        let strict = jsonschema::options().should_validate_formats(true).build(&load("compiled/service.json")).expect("schema");
        assert!(!strict.is_valid(&json!({"id": "0190a5b2-7c1e-7000-8000-000000000001"})));
        assert!(!strict.is_valid(&json!({"id": "not-a-uuid", "name": "x", "status": "active"})));
        // A partner's system reads HSDS as an API client would.
        let partner = app.token(PARTNER);

        let root = json_of(app.get("/api/v1/hsds/", Some(&partner)), 200);
        let root_schema = &openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        validates(root_schema, &root, "/");
        assert_eq!(root["version"], "3.1");
        assert!(root["profile"].as_str().is_some_and(|p| p.starts_with("https://")), "{root}");

        let services = json_of(app.get("/api/v1/hsds/services?per_page=200", Some(&partner)), 200);
        validates_page(&services, "service_list.json", "/services");
        let listed = services["contents"].as_array().expect("contents");
        assert!(listed.iter().any(|s| s["id"] == service["id"]));
        // The demo directory is there too, its shelter confidential; every service validates whole.
        let demo = listed.iter().find(|s| s["x_name_fr"] == "Hébergement d'urgence pour filles, Rabat").expect("demo shelter");
        assert_eq!(demo["x_confidential"], true);
        for s in listed {
            let whole = json_of(app.get(&format!("/api/v1/hsds/services/{}", s["id"].as_str().expect("id")), Some(&partner)), 200);
            validates(&load("compiled/service.json"), &whole, "a listed service");
        }

        let one = json_of(app.get(&format!("/api/v1/hsds/services/{}", id_of(&service)), Some(&partner)), 200);
        validates(&load("compiled/service.json"), &one, "/services/{id}");
        assert_eq!(one["x_name_ar"], "الدعم النفسي");
        assert_eq!(one["x_name_fr"], "Soutien psychologique");
        assert_eq!(one["status"], "active");
        assert_eq!(one["minimum_age"], 6);
        assert_eq!(one["capacities"][0]["available"], 4);
        assert_eq!(one["languages"].as_array().map(Vec::len), Some(3));
        assert_eq!(one["service_areas"].as_array().map(Vec::len), Some(2));
        let address = &one["service_at_locations"][0]["location"]["addresses"][0];
        assert_eq!(address["address_1"], "12 rue de Fès");
        assert_eq!(one["organization"]["x_code"], "ngo-rabat");

        // A confidential service is published without its locations, whoever reads.
        for token in [&partner, &app.token(COORDINATOR)] {
            let hidden = json_of(app.get(&format!("/api/v1/hsds/services/{}", id_of(&shelter)), Some(token)), 200);
            validates(&load("compiled/service.json"), &hidden, "confidential");
            assert_eq!(hidden["x_confidential"], true);
            assert_eq!(hidden["service_at_locations"], json!([]));
            assert!(!hidden.to_string().contains("secrète"));
        }

        let orgs = json_of(app.get("/api/v1/hsds/organizations?per_page=200", Some(&partner)), 200);
        validates_page(&orgs, "organization_list.json", "/organizations");
        let ngo = orgs["contents"].as_array().expect("contents").iter()
            .find(|o| o["x_code"] == "ngo-rabat").cloned().expect("ngo-rabat");
        assert_eq!(service["provider"], "ngo-rabat");
        let org = json_of(app.get(&format!("/api/v1/hsds/organizations/{}", id_of(&ngo)), Some(&partner)), 200);
        validates(&load("compiled/organization.json"), &org, "/organizations/{id}");
        assert!(org["x_name_ar"].is_string() && org["x_name_fr"].is_string(), "{org}");
        let names: Vec<&Value> = org["services"].as_array().expect("services").iter().map(|s| &s["name"]).collect();
        assert!(names.contains(&&json!("Psychological support")) && names.contains(&&json!("Shelter")), "{org}");

        // The services of one organization, HSDS-filtered; unknown ids are 404.
        let filtered = json_of(app.get(&format!("/api/v1/hsds/services?organization_id={}", id_of(&ngo)), Some(&partner)), 200);
        validates_page(&filtered, "service_list.json", "/services?organization_id");
        assert!(filtered["contents"].as_array().expect("contents").iter().all(|s| s["organization_id"] == ngo["id"]));
        assert_problem(app.get("/api/v1/hsds/services/nope", Some(&partner)), 404, "not_found");
        assert_problem(app.get("/api/v1/hsds/organizations/nope", Some(&partner)), 404, "not_found");
    }

    fn hsds_paging_counts_pages_and_needs_a_token(backend) {
        let app = TestApp::spawn(backend);
        let token = app.token(HOTLINE);
        let all = json_of(app.get("/api/v1/hsds/organizations?per_page=200", Some(&token)), 200);
        let total = all["total_items"].as_i64().expect("total_items");
        assert!(total >= 3);
        assert_eq!(all["size"], total);
        assert_eq!(all["total_pages"], 1);
        let pages = (total + 1) / 2;
        let first = json_of(app.get("/api/v1/hsds/organizations?per_page=2", Some(&token)), 200);
        assert_eq!(first["total_items"], total);
        assert_eq!(first["total_pages"], pages);
        assert_eq!(first["page_number"], 1);
        assert_eq!(first["size"], 2);
        assert_eq!(first["first_page"], true);
        assert_eq!(first["last_page"], false);
        assert_eq!(first["empty"], false);
        let last = json_of(app.get(&format!("/api/v1/hsds/organizations?per_page=2&page={pages}"), Some(&token)), 200);
        assert_eq!(last["last_page"], true);
        assert_eq!(last["first_page"], false);
        assert_eq!(last["size"], total - 2 * (pages - 1));
        let beyond = json_of(app.get(&format!("/api/v1/hsds/organizations?per_page=2&page={}", pages + 1), Some(&token)), 200);
        assert_eq!(beyond["empty"], true);
        assert_eq!(beyond["size"], 0);
        validates_page(&beyond, "organization_list.json", "beyond");
        let mut seen = Vec::new();
        for page in 1..=pages {
            let p = json_of(app.get(&format!("/api/v1/hsds/organizations?per_page=2&page={page}"), Some(&token)), 200);
            seen.extend(p["contents"].as_array().expect("contents").iter().map(|o| o["id"].clone()));
        }
        seen.dedup();
        assert_eq!(seen.len() as i64, total);
        let res = app.get("/api/v1/hsds/services?per_page=0", Some(&token));
        assert_problem(res, 422, "validation_failed");
        let res = app.get("/api/v1/hsds/services?page=0", Some(&token));
        assert_problem(res, 422, "validation_failed");
        // A page far beyond the last is refused, not an overflowing offset (found by fuzzing).
        for list in ["services", "organizations"] {
            let res = app.get(&format!("/api/v1/hsds/{list}?page=288230376151711744"), Some(&token));
            assert_problem(res, 422, "validation_failed");
        }
        let last = json_of(app.get("/api/v1/hsds/services?page=1000000", Some(&token)), 200);
        assert_eq!(last["contents"], serde_json::json!([]));
        for path in ["/api/v1/hsds/", "/api/v1/hsds/services", "/api/v1/hsds/organizations"] {
            assert_eq!(app.get(path, None).status(), 401, "{path}");
        }
    }
}
