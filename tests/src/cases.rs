//! Fixtures for the case pathway's tests: a case opened the way users open one (a report
//! filed, then screened), staff users of any organization, and small response helpers.
use chrono::{Datelike, Utc};
use reqwest::blocking::Response;
use serde_json::{json, Value};

use crate::{TestApp, ADMIN};

/// The body of a response with the expected status (the body is shown when it differs).
pub fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The body and `ETag` of a response with the expected status.
pub fn json_and_etag(res: Response, status: u16) -> (Value, String) {
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (json_of(res, status), etag)
}

pub fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("id").to_string()
}

/// A user created by the admin, logged in: (user id, access token).
pub fn staff(
    app: &TestApp,
    email: &str,
    role: &str,
    organization: &str,
    territory: &str,
) -> (String, String) {
    let password = "a long password for the tests";
    let body = json!({
        "email": email, "display_name": format!("User {email}"), "password": password,
        "role": role, "organization": organization, "territory": territory
    });
    let user = json_of(
        app.post("/api/v1/users", Some(&app.token(ADMIN)), &body),
        201,
    );
    let token = app.login_body(email, password)["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    (id_of(&user), token)
}

/// A case-owning organization created by the admin (`support_centre`, `protection_unit`,
/// `mobile_unit`) serving `territory`; returns its code.
pub fn centre(app: &TestApp, code: &str, org_type: &str, territory: &str) -> String {
    let body = json!({
        "code": code, "name": format!("Centre {code}"), "type": org_type,
        "territories": [territory]
    });
    json_of(
        app.post("/api/v1/organizations", Some(&app.token(ADMIN)), &body),
        201,
    );
    code.to_string()
}

/// A report of one child (a ten-year-old boy) in `territory`.
pub fn report_body(given: &str, family: &str, territory: &str, immediate_danger: bool) -> Value {
    json!({
        "source": "hotline_2511",
        "received_at": (Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
        "reporter": {"type": "neighbour", "name": "Khadija", "phone": "+212 6 61 23 45 67"},
        "children": [{
            "given_name_latin": given, "family_name_latin": family, "sex": "male",
            "estimated_birth_year": Utc::now().year() - 10, "territory": territory,
            "situation": ["out_of_school"]
        }],
        "concerns": ["neglect"],
        "immediate_danger": immediate_danger,
        "narrative": "L'enfant dort dehors."
    })
}

/// A case as screening opened it.
#[derive(Debug, Clone)]
pub struct OpenedCase {
    pub id: String,
    pub child_id: String,
    pub report_id: String,
    /// `/api/v1/cases/{id}`.
    pub path: String,
}

/// Files `report` and screens it (a new child, confirmed), as `token` (a coordinator or case
/// worker who sees the report whole); returns the case opened.
pub fn open_case_from(app: &TestApp, token: &str, report: &Value) -> OpenedCase {
    let report_id = id_of(&json_of(
        app.post("/api/v1/reports", Some(token), report),
        201,
    ));
    let screening = json!({
        "decision": "accept",
        "children": [{"index": 0, "create": true, "confirm_new": true}]
    });
    let screened = json_of(
        app.post(
            &format!("/api/v1/reports/{report_id}/screening"),
            Some(token),
            &screening,
        ),
        200,
    );
    let outcome = &screened["children"][0];
    let id = outcome["case_id"].as_str().expect("case_id").to_string();
    OpenedCase {
        path: format!("/api/v1/cases/{id}"),
        child_id: outcome["child_id"].as_str().expect("child_id").to_string(),
        id,
        report_id,
    }
}

/// A case about a boy named `given` El Idrissi in Rabat (421), opened by `token`.
pub fn open_case(app: &TestApp, token: &str, given: &str) -> OpenedCase {
    open_case_from(app, token, &report_body(given, "El Idrissi", "421", false))
}

impl TestApp {
    /// POST with `If-Match` (and an optional Idempotency-Key).
    pub fn post_if_match(
        &self,
        path: &str,
        token: &str,
        etag: &str,
        key: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut req = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("if-match", etag)
            .json(body);
        if let Some(k) = key {
            req = req.header("idempotency-key", k);
        }
        req.send().expect("request")
    }

    /// POST with an Idempotency-Key.
    pub fn post_with_key(&self, path: &str, token: &str, key: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .expect("request")
    }

    /// The current ETag of a record.
    pub fn etag(&self, path: &str, token: &str) -> String {
        json_and_etag(self.get(path, Some(token)), 200).1
    }
}
