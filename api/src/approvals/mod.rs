//! Approvals: what a coordinator decides before it takes effect — a closure asked by a case
//! worker, and assessments and plans where the coordinators of a territory turned approval on
//! (`approval_rules`, for their territory's subtree).
pub mod decide;
pub mod handlers;
pub mod rules;
pub mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::approvals::{ApprovalKind, ApprovalStatus};

use crate::cases::rows::seal;
use crate::codes::to_code;
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{approval_rules, approvals, cases, territories};
use utoipa_actix_web::service_config::ServiceConfig;

/// The approvals' operations: the inbox, one approval, decisions, and the rules.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_approvals)
        .service(handlers::get_approval)
        .service(handlers::decide_approval)
        .service(rules::list_approval_rules)
        .service(rules::replace_approval_rule);
}

/// Whether `kind` needs a coordinator's approval for the case `case_id`: a rule on the case's
/// territory or on one of its ancestors.
pub fn required(conn: &mut DbConn, case_id: &str, kind: ApprovalKind) -> Result<bool, ApiError> {
    let path: String = cases::table
        .inner_join(territories::table)
        .filter(cases::id.eq(case_id))
        .select(territories::path)
        .first(conn)?;
    // The path lists the territory and its ancestors: `MA/MA-04/421/`.
    let codes: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let rules: i64 = approval_rules::table
        .filter(approval_rules::kind.eq(to_code(&kind)))
        .filter(approval_rules::territory_code.eq_any(codes))
        .count()
        .get_result(conn)?;
    Ok(rules > 0)
}

/// What an approval asks for.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub case_id: &'a str,
    pub kind: ApprovalKind,
    /// The row to approve (an assessment), if it is a row of its own.
    pub subject_id: Option<&'a str>,
    /// Codes only (a JSON object).
    pub request: serde_json::Value,
    /// The free text of the request (a JSON document), sealed.
    pub sealed: Option<&'a str>,
    pub requested_by: &'a str,
}

/// Records a pending approval (inside the asking write's transaction); returns its id.
pub fn request(
    conn: &mut DbConn,
    keys: &Keyring,
    asked: Request<'_>,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(approvals::table)
        .values((
            approvals::id.eq(&id),
            approvals::case_id.eq(asked.case_id),
            approvals::kind.eq(to_code(&asked.kind)),
            approvals::status.eq(to_code(&ApprovalStatus::Pending)),
            approvals::subject_id.eq(asked.subject_id),
            approvals::request.eq(asked.request.to_string()),
            approvals::request_sealed.eq(seal(keys, ("approvals", "request", &id), asked.sealed)?),
            approvals::requested_by_id.eq(asked.requested_by),
            approvals::requested_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}
