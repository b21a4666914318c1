//! The authorization matrix (issue 10): `tests/data/authz-matrix.tsv` gives, for every operation
//! of the served OpenAPI document, the expected answer of each actor and scope;
//! `tests/data/authz-matrix.requests.tsv` gives the query and body of the operations that need
//! one. [`World::build`] seeds one server with the records every column points at, once;
//! [`run`] plays every cell against it.
//!
//! Columns and the records they target (paths get their ids from the column's record set):
//! - `admin`: the admin, on set A.
//! - `coord_own`: the Rabat (421) coordinator, on set B (a case of another centre in 421).
//! - `coord_other_prov`: the same coordinator, on set C (a case in Salé, 441).
//! - `cw_own`: the demo case worker (cape-rabat), on set A (opened by them, so assigned).
//! - `cw_peer`: the same case worker, on set A2 (cape-rabat's case assigned to a colleague).
//! - `cw_other_centre`: the same case worker, on set B (owned by cape-rabat-2, also in 421).
//! - `cw_other_prov`: the same case worker, on set C (owned by cape-sale, 441).
//! - `partner_ref`: the demo partner (ngo-rabat), on set A, whose referral is addressed to it.
//! - `partner_noref`: the same partner, on set A2, whose referral goes to health-rabat.
//! - `hotline_own`: the demo hotline, on set A but the report it filed itself.
//! - `hotline_other`: the same hotline, on the report of another hotline organization.
//! - `analyst`, `auditor`: the demo users, on set A.
//! - `deactivated`: a case worker of cape-rabat deactivated after logging in, on set A.
//! - `expired`: the demo case worker's token once the clock moved past its expiry, on set A
//!   (played last, after the clock moved).
//! - `anonymous`: no token, on set A.
//!
//! Each record set holds a case and its child, report, note, judicial measure, service
//! record, assessment, attachment, plan, consent, guardian, sibling link, placement, referral,
//! merge, approval, transfer and protocol action (when the protocol made one).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::cases::{id_of, json_and_etag, json_of, open_case_from, report_body, staff};
use crate::{
    workspace, Method, TestApp, ADMIN, ANALYST, AUDITOR, CASE_WORKER, COORDINATOR, HOTLINE, PARTNER,
};

pub type Vars = HashMap<String, String>;

/// The id of a fixture that could not be made (its operation is not served).
const NONE: &str = "00000000-0000-7000-8000-000000000000";

/// An expected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Any status but 401, 403, 404 and 5xx.
    Allow,
    /// 200, naming none of the column's foreign records.
    Empty,
    Status(u16),
    /// Authentication endpoints: any status but 5xx.
    Any,
}

impl Expect {
    fn parse(cell: &str) -> Expect {
        match cell {
            "allow" => Expect::Allow,
            "empty" => Expect::Empty,
            "any" => Expect::Any,
            "401" | "403" | "404" => Expect::Status(cell.parse().unwrap_or(0)),
            other => panic!("unknown matrix cell {other:?}"),
        }
    }

    fn denies(self) -> bool {
        matches!(self, Expect::Status(_) | Expect::Empty)
    }
}

pub struct Matrix {
    pub columns: Vec<String>,
    /// (operation `METHOD /path`, one expectation per column).
    pub rows: Vec<(String, Vec<Expect>)>,
}

fn data_lines(name: &str) -> Vec<Vec<String>> {
    let path = workspace().join("tests/data").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

pub fn matrix() -> Matrix {
    let mut lines = data_lines("authz-matrix.tsv").into_iter();
    let header = lines.next().expect("matrix header");
    let columns: Vec<String> = header[1..].to_vec();
    let rows = lines
        .map(|cells| {
            assert_eq!(cells.len(), columns.len() + 1, "matrix row {cells:?}");
            let expects = cells[1..].iter().map(|c| Expect::parse(c.trim())).collect();
            (cells[0].clone(), expects)
        })
        .collect();
    Matrix { columns, rows }
}

/// Operation → (query, body).
pub fn requests() -> HashMap<String, (String, String)> {
    data_lines("authz-matrix.requests.tsv")
        .into_iter()
        .skip(1)
        .map(|c| {
            let get = |i: usize| c.get(i).cloned().unwrap_or_default();
            (get(0), (get(1), get(2)))
        })
        .collect()
}

/// Every operation of the served OpenAPI document, as `METHOD /path`.
pub fn served_operations(app: &TestApp) -> BTreeSet<String> {
    let doc: Value = json_of(app.get("/api/v1/openapi.json", None), 200);
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "patch", "delete"] {
            if item.get(method).is_some() {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    ops
}

/// One column: who calls, and the fixtures its paths and bodies take.
pub struct Column {
    pub token: Option<String>,
    pub vars: Vars,
    /// The ids of the column's target records: an `empty` list must name none of them.
    pub foreign: Vec<String>,
}

pub struct World {
    pub columns: HashMap<String, Column>,
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n(matrix)\nendobj\n%%EOF\n".to_vec()
}

fn days_ago(n: i64) -> String {
    (Utc::now().date_naive() - Duration::days(n)).to_string()
}

fn hours_ago(n: i64) -> String {
    (Utc::now() - Duration::hours(n)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Every item of the first instrument answered with its first option.
fn assessment_body(app: &TestApp, token: &str) -> Value {
    let list = json_of(app.get("/api/v1/assessment-instruments", Some(token)), 200);
    let instrument = &list["items"][0];
    let mut answers = serde_json::Map::new();
    for domain in instrument["domains"].as_array().expect("domains") {
        for item in domain["items"].as_array().expect("items") {
            let code = item["code"].as_str().expect("code").to_string();
            answers.insert(code, item["options"][0]["code"].clone());
        }
    }
    json!({"instrument": instrument["code"], "version": instrument["version"], "answers": answers})
}

/// A creation with an Idempotency-Key, retried (same key) while the server answers 503: a busy
/// SQLite file on a loaded machine is no concern of the matrix.
fn post_keyed(app: &TestApp, path: &str, token: &str, body: &Value) -> Value {
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..20 {
        let res = app.post_with_key(path, token, &key, body);
        if res.status() != 503 {
            return json_of(res, 201);
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    json_of(app.post_with_key(path, token, &key, body), 201)
}

/// An organization created by the admin serving `territory`.
fn organization(app: &TestApp, admin: &str, code: &str, org_type: &str, territory: &str) {
    let body = json!({
        "code": code, "name": format!("Organization {code}"), "type": org_type,
        "territories": [territory]
    });
    post_keyed(app, "/api/v1/organizations", admin, &body);
}

fn new_child(app: &TestApp, token: &str, given: &str, territory: &str) -> String {
    let body = json!({
        "given_name_latin": given, "family_name_latin": "Matrix", "sex": "female",
        "estimated_birth_year": 2015, "civil_status": "registered", "territory": territory
    });
    id_of(&post_keyed(app, "/api/v1/children", token, &body))
}

/// A case opened by `worker` of `owner` in `territory`, and one of everything recorded on it.
fn record_set(
    app: &TestApp,
    (worker, coordinator): (&str, &str),
    (owner, territory, given): (&str, &str, &str),
    (referral_to, transfer_to): (&str, &str),
) -> Vars {
    let case = open_case_from(app, worker, &report_body(given, "Matrix", territory, false));
    let body = json_of(app.get(&case.path, Some(worker)), 200);
    assert_eq!(body["organization"], owner, "owner of set {given}");
    let child = format!("/api/v1/children/{}", case.child_id);
    let mut v = Vars::new();
    let mut put = |k: &str, id: String| v.insert(k.to_string(), id);
    put("cases.id", case.id.clone());
    put("children.id", case.child_id.clone());
    put("reports.id", case.report_id.clone());
    put("owner", owner.to_string());
    let p = &case.path;
    let me = json_of(app.get("/api/v1/me", Some(worker)), 200);
    let etag = app.etag(p, coordinator);
    json_of(
        app.patch(
            p,
            Some(coordinator),
            &etag,
            &json!({"assigned_to": [me["id"]]}),
        ),
        200,
    );
    // A child the column's coordinator may merge into the case's child (merge cells).
    put(
        "duplicate",
        new_child(app, worker, &format!("{given}Double"), territory),
    );
    // And one to link as a sibling (sibling cells).
    put(
        "sibling",
        new_child(app, worker, &format!("{given}Cousin"), territory),
    );
    let note = json!({"note_type": "home_visit", "occurred_at": hours_ago(2), "sensitive": false, "text": "Matrice."});
    put(
        "notes.note_id",
        id_of(&post_keyed(app, &format!("{p}/notes"), worker, &note)),
    );
    let measure = json!({"measure_type": "hearing", "authority": "Tribunal", "date": days_ago(3)});
    put(
        "judicial-measures.measure_id",
        id_of(&post_keyed(
            app,
            &format!("{p}/judicial-measures"),
            worker,
            &measure,
        )),
    );
    let service = json!({"service_type": "social_emergency", "delivered_at": hours_ago(24), "by_organization": owner});
    put(
        "services.service_id",
        id_of(&post_keyed(app, &format!("{p}/services"), worker, &service)),
    );
    let assessment = assessment_body(app, worker);
    put(
        "assessments.assessment_id",
        id_of(&post_keyed(
            app,
            &format!("{p}/assessments"),
            worker,
            &assessment,
        )),
    );
    let upload = app
        .client
        .post(app.url(&format!("{p}/attachments")))
        .query(&[("kind", "medical_certificate"), ("file_name", "matrix.pdf")])
        .bearer_auth(worker)
        .header("content-type", "application/pdf")
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .body(pdf())
        .send()
        .expect("upload");
    put("attachments.attachment_id", id_of(&json_of(upload, 201)));
    let plan = json!({"objectives": [{"domain": "reintegration", "description": "Return home.", "actions": [{"description": "Home visit."}]}]});
    json_of(
        app.send(Method::PUT, &format!("{p}/plan"), Some(worker), Some(&plan)),
        201,
    );
    // A legal hold (its reads answer 200 where the case is in scope).
    let hold = json!({"reason": "Procédure en cours devant le tribunal."});
    json_of(
        app.send(
            Method::PUT,
            &format!("{p}/legal-hold"),
            Some(coordinator),
            Some(&hold),
        ),
        200,
    );
    let consent = json!({
        "given_by": "La mère", "relationship": "parent", "given_at": "2026-01-05T10:00:00Z",
        "recipients": [referral_to], "field_groups": ["identity", "contact", "situation"], "purpose": "Orientation."
    });
    put(
        "consents.consent_id",
        id_of(&post_keyed(
            app,
            &format!("{child}/consents"),
            worker,
            &consent,
        )),
    );
    let guardian = json!({"relationship": "mother", "name": "Fatima Matrix"});
    put(
        "guardians.guardian_id",
        id_of(&post_keyed(
            app,
            &format!("{child}/guardians"),
            worker,
            &guardian,
        )),
    );
    let sister = new_child(app, worker, &format!("{given}Sister"), territory);
    let link = json!({"child_id": sister, "relation": "full_sibling"});
    put(
        "siblings.link_id",
        id_of(&post_keyed(
            app,
            &format!("{child}/siblings"),
            worker,
            &link,
        )),
    );
    let placement = json!({"institution": "eps-rabat", "from": days_ago(10)});
    put(
        "placements.placement_id",
        id_of(&post_keyed(
            app,
            &format!("{child}/placements"),
            worker,
            &placement,
        )),
    );
    let referral = json!({
        "organization": referral_to, "service_type": "psychological_support",
        "reason": "Suivi psychologique.", "urgency": "high",
        "due_by": (Utc::now() + Duration::days(20)).to_rfc3339(), "field_groups": ["identity"]
    });
    put(
        "referrals.id",
        id_of(&post_keyed(
            app,
            &format!("{p}/referrals"),
            worker,
            &referral,
        )),
    );
    let duplicate = new_child(app, worker, &format!("{given}Twin"), territory);
    let merge = json!({"duplicate_id": duplicate});
    let merged = json_of(
        app.post_with_key(
            &format!("{child}/merge"),
            coordinator,
            &uuid::Uuid::new_v4().to_string(),
            &merge,
        ),
        200,
    );
    put("merges.merge_id", id_of(&merged));
    // A closure the worker asks for waits for a coordinator: an approval.
    let step = json!({"to": "assessment", "reason": "Matrix."});
    let etag = app.etag(p, worker);
    let key = uuid::Uuid::new_v4().to_string();
    json_of(
        app.post_if_match(
            &format!("{p}/transitions"),
            worker,
            &etag,
            Some(&key),
            &step,
        ),
        200,
    );
    let closing = json!({
        "to": "closed", "reason": "The child is back with his family.",
        "closure_reason": "reintegrated_family", "outcome_note": "Back home."
    });
    let etag = app.etag(p, worker);
    let key = uuid::Uuid::new_v4().to_string();
    let approval = json_of(
        app.post_if_match(
            &format!("{p}/transitions"),
            worker,
            &etag,
            Some(&key),
            &closing,
        ),
        202,
    );
    put("approvals.id", id_of(&approval));
    let transfer = json!({"to_organization": transfer_to, "reason": "La famille a déménagé."});
    put(
        "transfers.id",
        id_of(&post_keyed(
            app,
            &format!("{p}/transfers"),
            worker,
            &transfer,
        )),
    );
    // The protocol's first action on the case (none while protocols are not served).
    let actions = app.get(&format!("{p}/actions"), Some(worker));
    let actions: Value = if actions.status() == 200 {
        actions.json().unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let first = actions["items"].get(0).or_else(|| actions.get(0)).cloned();
    let action = first.and_then(|a| a["id"].as_str().map(str::to_string));
    put("protocol-actions.id", action.unwrap_or_else(|| NONE.into()));
    v
}

impl World {
    pub fn build(app: &TestApp) -> World {
        let admin = app.token(ADMIN);
        organization(app, &admin, "eps-rabat", "social_care_institution", "421");
        organization(app, &admin, "cape-rabat-2", "protection_unit", "421");
        organization(app, &admin, "hotline-b", "hotline", "MA");
        let coordinator = app.token(COORDINATOR);
        let worker = app.token(CASE_WORKER);
        let (_, peer) = staff(app, "peer@matrix.ma", "case_worker", "cape-rabat", "421");
        let (_, worker_b) = staff(
            app,
            "worker-b@matrix.ma",
            "case_worker",
            "cape-rabat-2",
            "421",
        );
        let (sale_worker_id, worker_c) =
            staff(app, "worker-c@matrix.ma", "case_worker", "cape-sale", "441");
        let (_, coordinator_c) = staff(
            app,
            "coordinator-c@matrix.ma",
            "coordinator",
            "cape-sale",
            "441",
        );
        let (_, hotline_b) = staff(app, "hotline-b@matrix.ma", "hotline", "hotline-b", "MA");
        let (victim, _) = staff(app, "victim@matrix.ma", "case_worker", "cape-rabat", "421");
        let (doomed, _) = staff(app, "doomed@matrix.ma", "case_worker", "cape-rabat", "421");
        let (gone, deactivated) = staff(app, "gone@matrix.ma", "case_worker", "cape-rabat", "421");
        let a = record_set(
            app,
            (&worker, &coordinator),
            ("cape-rabat", "421", "Adam"),
            ("ngo-rabat", "cape-sale"),
        );
        let a2 = record_set(
            app,
            (&peer, &coordinator),
            ("cape-rabat", "421", "Anas"),
            ("health-rabat", "cape-sale"),
        );
        let b = record_set(
            app,
            (&worker_b, &coordinator),
            ("cape-rabat-2", "421", "Badr"),
            ("health-rabat", "cape-sale"),
        );
        let c = record_set(
            app,
            (&worker_c, &coordinator_c),
            ("cape-sale", "441", "Chakib"),
            ("health-rabat", "cape-casablanca-anfa"),
        );
        let hotline = app.token(HOTLINE);
        let h1 = id_of(&post_keyed(
            app,
            "/api/v1/reports",
            &hotline,
            &report_body("Hicham", "Matrix", "421", false),
        ));
        let h2 = id_of(&post_keyed(
            app,
            "/api/v1/reports",
            &hotline_b,
            &report_body("Hamza", "Matrix", "421", false),
        ));
        let service = |provider: &str, territory: &str| {
            let body = json!({"name": format!("Matrix {provider}"), "provider": provider,
                "type": "psychological_support", "territories": [territory]});
            id_of(&post_keyed(app, "/api/v1/services", &admin, &body))
        };
        let (s1, s2) = (service("ngo-rabat", "421"), service("health-rabat", "441"));
        let client =
            json!({"name": "Matrix victim", "organization": "ngo-rabat", "role": "partner"});
        let client = json_of(app.post("/api/v1/clients", Some(&admin), &client), 201);
        let client = id_of(client.get("client").unwrap_or(&client));
        // Webhooks of the partner's organization (ngo-rabat): one read and rotated, one deleted
        // per partner column. A documentation address: public, never a report's filer.
        let partner_hook = || {
            let body = json!({"url": "http://192.0.2.1/hook", "events": ["report.status_changed"]});
            id_of(&json_of(
                app.post("/api/v1/webhooks", Some(&app.token(PARTNER)), &body),
                201,
            ))
        };
        let (webhook, doomed_hook, doomed_hook_2) =
            (partner_hook(), partner_hook(), partner_hook());
        organization(app, &admin, "doomed-org", "ngo", "421");
        let lists = json_of(app.get("/api/v1/reference", None), 200);
        let list = lists["lists"][0]
            .as_str()
            .expect("a reference list")
            .to_string();
        let hsds = json_of(app.get("/api/v1/hsds/organizations", Some(&admin)), 200);
        let hsds_org = hsds["contents"][0]["id"]
            .as_str()
            .or(hsds["items"][0]["id"].as_str())
            .expect("an HSDS organization")
            .to_string();
        // The national protocol (admins), and a variant each in 421 and 441 (coordinators);
        // placeholders while protocols are not served (the coverage check names them).
        let protocols = app.get("/api/v1/protocols", Some(&admin));
        let served = protocols.status() == 200;
        let protocols: Value = protocols.json().unwrap_or(Value::Null);
        let national = protocols["items"][0]["id"]
            .as_str()
            .unwrap_or(NONE)
            .to_string();
        let variant = |token: &str, territory: &str| {
            if !served {
                return NONE.to_string();
            }
            let body = json!({"title": format!("Variant {territory}"), "territory": territory, "rules": []});
            id_of(&post_keyed(app, "/api/v1/protocols", token, &body))
        };
        let (variant_421, variant_441) =
            (variant(&coordinator, "421"), variant(&coordinator_c, "441"));
        // An action plan each in 421 and 441 (their coordinators).
        let plan = |token: &str, territory: &str| {
            let body = json!({"title": format!("Plan {territory}"), "territory": territory,
                "starts_on": "2026-01-01", "ends_on": "2026-12-31", "objectives": []});
            id_of(&post_keyed(app, "/api/v1/plans", token, &body))
        };
        let (plan_421, plan_441) = (plan(&coordinator, "421"), plan(&coordinator_c, "441"));
        // Break-the-glass grants: the Rabat coordinator's on a Salé case of its own (not set C's,
        // whose 404s a grant would turn into allows), and the Salé coordinator's on set A's case
        // (no column calls as the Salé coordinator).
        let grant = |token: &str, case: &str| {
            let body = json!({"case_id": case,
                "reason": "Matrix: an emergency outside the territory."});
            id_of(&post_keyed(app, "/api/v1/access-grants", token, &body))
        };
        let glass = open_case_from(
            app,
            &worker_c,
            &report_body("Ghali", "Matrix", "441", false),
        );
        let (grant_own, grant_other) = (
            grant(&coordinator, &glass.id),
            grant(&coordinator_c, &a["cases.id"]),
        );
        let probe = json_and_etag(app.get("/api/v1/me", Some(&deactivated)), 200);
        assert!(probe.0["id"].is_string());
        let res = app.delete(&format!("/api/v1/users/{gone}"), Some(&admin));
        assert_eq!(
            res.status(),
            204,
            "deactivate the `deactivated` column's user"
        );

        let global: Vars = [
            ("territories.code", "421".to_string()),
            ("reference.list", list),
            ("users.id", victim.clone()),
            ("DELETE users.id", doomed),
            ("organizations.code", "ngo-rabat".into()),
            ("DELETE organizations.code", "doomed-org".into()),
            ("organizations.id", hsds_org),
            ("clients.id", client),
            ("webhooks.id", webhook),
            ("DELETE webhooks.id", doomed_hook),
            ("services.id", s1),
            ("indicators.code", "social_emergency".into()),
            ("objectives.code", "so1".into()),
            ("approval-rules.kind", "closure".into()),
            ("protocols.id", national),
            ("plans.id", plan_421),
            ("access-grants.id", grant_own),
            ("territory", "421".into()),
            (
                "report",
                report_body("Rayan", "Matrix", "421", false).to_string(),
            ),
            ("assessment", assessment_body(app, &coordinator).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let tokens: [(&str, Option<String>); 16] = [
            ("admin", Some(admin.clone())),
            ("coord_own", Some(coordinator.clone())),
            ("coord_other_prov", Some(coordinator.clone())),
            ("cw_own", Some(worker.clone())),
            ("cw_peer", Some(worker.clone())),
            ("cw_other_centre", Some(worker.clone())),
            ("cw_other_prov", Some(worker.clone())),
            ("partner_ref", Some(app.token(PARTNER))),
            ("partner_noref", Some(app.token(PARTNER))),
            ("hotline_own", Some(hotline.clone())),
            ("hotline_other", Some(hotline)),
            ("analyst", Some(app.token(ANALYST))),
            ("auditor", Some(app.token(AUDITOR))),
            ("deactivated", Some(deactivated)),
            ("expired", Some(worker)),
            ("anonymous", None),
        ];
        let mut columns = HashMap::new();
        for (name, token) in tokens {
            let (set, mut extra): (&Vars, Vec<(&str, String)>) = match name {
                "admin" => (&a, vec![("territory", "MA".into())]),
                "coord_own" => (&b, vec![("protocols.id", variant_421.clone())]),
                "cw_other_centre" => (&b, vec![]),
                "coord_other_prov" => (
                    &c,
                    vec![
                        ("territory", "441".into()),
                        // The provincial report of Salé (the public territory reads stay 421).
                        ("GET territories.code", "441".into()),
                        ("PUT territories.code", "441".into()),
                        ("users.id", sale_worker_id.clone()),
                        ("services.id", s2.clone()),
                        ("protocols.id", variant_441.clone()),
                        ("plans.id", plan_441.clone()),
                        ("access-grants.id", grant_other.clone()),
                    ],
                ),
                "cw_other_prov" => (&c, vec![]),
                "cw_peer" => (&a2, vec![]),
                "partner_noref" => (
                    &a2,
                    vec![
                        ("services.id", s2.clone()),
                        ("DELETE webhooks.id", doomed_hook_2.clone()),
                    ],
                ),
                "hotline_own" => (&a, vec![("reports.id", h1.clone())]),
                "hotline_other" => (&a, vec![("reports.id", h2.clone())]),
                _ => (&a, vec![]),
            };
            let mut vars = global.clone();
            vars.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
            let mut foreign: Vec<String> = set
                .iter()
                .filter(|(k, v)| k.contains('.') && v.as_str() != NONE)
                .map(|(_, v)| v.clone())
                .collect();
            for (k, v) in extra.drain(..) {
                // A territory code names a place, not a record: listing it is no leak.
                if k.contains('.') && !k.ends_with(" territories.code") {
                    foreign.push(v.clone());
                }
                vars.insert(k.to_string(), v);
            }
            columns.insert(
                name.to_string(),
                Column {
                    token,
                    vars,
                    foreign,
                },
            );
        }
        World { columns }
    }
}

/// The path with its parameters replaced: `{param}` after the segment `seg` takes the
/// fixture `seg.param` (`METHOD seg.param` first).
fn resolve_path(template: &str, method: &str, vars: &Vars) -> Result<String, String> {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in template.split('/') {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let key = format!("{previous}.{param}");
            let value = vars
                .get(&format!("{method} {key}"))
                .or_else(|| vars.get(&key))
                .ok_or_else(|| format!("no fixture `{key}` for {method} {template}"))?;
            out.push(value.clone());
        } else {
            out.push(segment.to_string());
            previous = segment;
        }
    }
    Ok(out.join("/"))
}

fn substitute(value: &Value, vars: &Vars) -> Value {
    match value {
        Value::String(s) if s.starts_with('$') => Value::String(substitute_str(s, vars)),
        Value::Array(items) => Value::Array(items.iter().map(|i| substitute(i, vars)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn substitute_str(s: &str, vars: &Vars) -> String {
    let name = &s[1..];
    let number = |p: &str| name.strip_prefix(p).and_then(|n| n.parse::<i64>().ok());
    if let Some(n) = number("ago:") {
        days_ago(n)
    } else if let Some(n) = number("hours:") {
        hours_ago(n)
    } else if let Some(n) = number("days_ahead:") {
        (Utc::now() + Duration::days(n)).to_rfc3339()
    } else if name == "uuid" {
        uuid::Uuid::new_v4().to_string()
    } else if name == "unique_email" {
        format!(
            "m{}@matrix.ma",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        )
    } else if name == "unique_code" {
        format!("m-{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
    } else {
        vars.get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no fixture `{name}`"))
    }
}

/// The result of one cell that went wrong.
pub struct Failure {
    pub operation: String,
    pub column: String,
    pub expected: Expect,
    pub got: u16,
    pub kind: &'static str,
    pub detail: String,
}

/// Plays one cell; `None` when it went as the table says.
fn cell(
    app: &TestApp,
    operation: &str,
    (query, body): (&str, &str),
    column: &Column,
    expected: Expect,
    extra_vars: &Vars,
    seen: &mut BTreeMap<String, usize>,
) -> Result<(), (u16, &'static str, String)> {
    let (method, template) = operation.split_once(' ').expect("METHOD /path");
    let mut vars = column.vars.clone();
    vars.extend(extra_vars.iter().map(|(k, v)| (k.clone(), v.clone())));
    let path = resolve_path(template, method, &vars).map_err(|e| (0, "fixture", e))?;
    let method = Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = app.client.request(method.clone(), app.url(&path));
    if !query.is_empty() {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                let v = if v.starts_with('$') {
                    substitute_str(v, &vars)
                } else {
                    v.to_string()
                };
                (k.to_string(), v)
            })
            .collect();
        req = req.query(&pairs);
    }
    if let Some(t) = &column.token {
        req = req.bearer_auth(t);
    }
    if method != Method::GET {
        // A stale version: an allowed change answers 412 and leaves the record as it was.
        req = req
            .header("if-match", "\"999999\"")
            .header("idempotency-key", uuid::Uuid::new_v4().to_string());
    }
    if body == "@pdf" {
        req = req.header("content-type", "application/pdf").body(pdf());
    } else if let Some(name) = body.strip_prefix('$') {
        let text = vars
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no body fixture {name}"));
        req = req.header("content-type", "application/json").body(text);
    } else if !body.is_empty() {
        let parsed: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("body of {operation}: {e}"));
        req = req.json(&substitute(&parsed, &vars));
    }
    // A 503 (SQLite busy past its timeout while the cells run side by side) says "changed
    // nothing, try again" with Retry-After: the cell is tried again, as a client would.
    let mut tries = 0;
    let res = loop {
        let attempt = req.try_clone().ok_or((
            0,
            "transport",
            "a body that cannot be sent twice".to_string(),
        ))?;
        let res = attempt
            .send()
            .map_err(|e| (0, "transport", e.to_string()))?;
        tries += 1;
        if res.status().as_u16() != 503 || tries == 4 {
            break res;
        }
        std::thread::sleep(std::time::Duration::from_millis(250 * tries));
    };
    let got = res.status().as_u16();
    *seen.entry(format!("{expected:?} -> {got}")).or_default() += 1;
    if std::env::var_os("MADAR_AUTHZ_VERBOSE").is_some() {
        eprintln!("cell {operation} [{path}] {expected:?} -> {got}");
    }
    let text = res.text().unwrap_or_default();
    let short: String = text.chars().take(300).collect();
    let denied = matches!(got, 401 | 403 | 404);
    if got >= 500 {
        return Err((got, "server error", short));
    }
    match expected {
        Expect::Any => Ok(()),
        Expect::Allow if !denied => Ok(()),
        Expect::Allow => Err((got, "unexpected denial", short)),
        Expect::Empty if got == 200 => {
            match column.foreign.iter().find(|id| text.contains(id.as_str())) {
                None => Ok(()),
                Some(id) => Err((
                    got,
                    "UNEXPECTED ALLOW (foreign record listed)",
                    format!("lists {id}"),
                )),
            }
        }
        Expect::Empty if (200..300).contains(&got) => {
            Err((got, "list answered other than 200", short))
        }
        Expect::Empty => Err((got, "unexpected denial of a list", short)),
        Expect::Status(want) if got == want => Ok(()),
        Expect::Status(_) if (200..300).contains(&got) => Err((got, "UNEXPECTED ALLOW", short)),
        Expect::Status(_) if denied => Err((got, "wrong denial", short)),
        Expect::Status(_) => Err((
            got,
            "inconclusive (answered before the policy spoke)",
            short,
        )),
    }
}

/// What was played: cells, failures, and how many cells of each expectation got each status.
pub struct Outcome {
    pub cells: usize,
    pub failures: Vec<Failure>,
    pub statuses: BTreeMap<String, usize>,
}

/// Plays every cell of `matrix` on `app`, sequentially, but those of operations the server does
/// not serve (the coverage check names them).
pub fn run(app: &TestApp, world: &World, matrix: &Matrix, served: &BTreeSet<String>) -> Outcome {
    let requests = requests();
    let empty = (String::new(), String::new());
    // Deactivations and the authentication endpoints last, so they cannot disturb other cells.
    let mut order: Vec<&(String, Vec<Expect>)> = matrix
        .rows
        .iter()
        .filter(|(op, _)| served.contains(op))
        .collect();
    order.sort_by_key(|(op, _)| {
        (
            op.starts_with("POST /api/v1/auth/"),
            op.starts_with("DELETE "),
        )
    });
    let mut failures = Vec::new();
    let mut played = 0;
    let mut statuses = BTreeMap::new();
    let mut play = |op: &str, col: &str, expected: Expect, failures: &mut Vec<Failure>| {
        let (query, body) = requests.get(op).unwrap_or(&empty);
        let column = world
            .columns
            .get(col)
            .unwrap_or_else(|| panic!("no column {col}"));
        played += 1;
        if let Err((got, kind, detail)) = cell(
            app,
            op,
            (query, body),
            column,
            expected,
            &Vars::new(),
            &mut statuses,
        ) {
            failures.push(Failure {
                operation: op.to_string(),
                column: col.to_string(),
                expected,
                got,
                kind,
                detail,
            });
        }
    };
    for (op, expects) in &order {
        // Refusals first: an allowed change (a deletion, a merge undone) cannot hide them.
        let mut cells: Vec<(usize, Expect)> = expects.iter().copied().enumerate().collect();
        cells.sort_by_key(|(_, e)| !e.denies());
        for (i, expected) in cells {
            let col = &matrix.columns[i];
            if col != "expired" {
                play(op, col, expected, &mut failures);
            }
        }
    }
    // Past the access token's lifetime (15 minutes).
    app.advance_clock(16 * 60);
    if let Some(i) = matrix.columns.iter().position(|c| c == "expired") {
        for (op, expects) in &order {
            play(op, "expired", expects[i], &mut failures);
        }
    }
    Outcome {
        cells: played,
        failures,
        statuses,
    }
}

pub fn report(failures: &[Failure]) -> String {
    let mut out = String::new();
    for f in failures {
        out.push_str(&format!(
            "{:<60} {:<17} expected {:<10} got {:<4} {}: {}\n",
            f.operation,
            f.column,
            format!("{:?}", f.expected),
            f.got,
            f.kind,
            f.detail.replace('\n', " ")
        ));
    }
    out
}
