//! `madar generate` and `madar rebuild-derived`: a small national dataset on a fresh database
//! serves through the API as the server's own records do (cases in a coordinator's scope, a
//! case read, a child found by a misspelled name), its audit chain verifies, and a seed gives
//! the same dataset twice.
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

    fn a_seed_gives_the_same_dataset(backend) {
        let first = TestDb::new(backend, Fixture::Demo);
        let second = TestDb::new(backend, Fixture::Demo);
        assert_eq!(generate(&first, 120, 7), generate(&second, 120, 7));
    }
}
