//! What a decision does, inside its transaction: approving a closure closes the case (409
//! `case_changed` when the case moved so that it can no longer close); approving an
//! assessment completes it and sets the case's risk level; approving a plan makes it active;
//! rejecting marks the assessment or plan `rejected` and leaves a case open. Every decision
//! appends `approval_decided` to the case's timeline.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::approvals::{ApprovalDecision, ApprovalKind, ApprovalStatus};
use madar_openapi::cases::{CaseEventKind, CaseStage, ClosureReason};
use serde_json::json;

use super::store::{self, ApprovalRow};
use crate::cases::events::{self, Event};
use crate::cases::rows::{open, seal};
use crate::cases::stages::{self, Given};
use crate::cases::store as case_store;
use crate::cases::transitions_store::{self as transitions, Applied};
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{approvals, case_assessments, case_plans, cases};

/// The status a decision gives.
pub fn status(decision: ApprovalDecision) -> ApprovalStatus {
    match decision {
        ApprovalDecision::Approve => ApprovalStatus::Approved,
        ApprovalDecision::Reject => ApprovalStatus::Rejected,
    }
}

/// Records the decision on a pending approval (409 `approval_already_decided` otherwise) and
/// applies it.
pub fn decide(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    decision: ApprovalDecision,
    comment: Option<&str>,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let sealed = seal(keys, ("approvals", "comment", id), comment)?;
    store::decide(conn, id, status(decision), actor_id, sealed, now)?;
    let row: ApprovalRow = approvals::table
        .find(id)
        .select(ApprovalRow::as_select())
        .first(conn)?;
    let kind: ApprovalKind = from_code(&row.kind)?;
    let approve = decision == ApprovalDecision::Approve;
    case_store::touch(conn, &row.case_id, None, now)?;
    match kind {
        ApprovalKind::Closure if approve => close(conn, keys, &row, actor_id, now)?,
        ApprovalKind::Closure => {}
        ApprovalKind::Assessment => {
            let subject = row.subject_id.clone().unwrap_or_default();
            let target = case_assessments::table.filter(
                case_assessments::id
                    .eq(&subject)
                    .and(case_assessments::case_id.eq(&row.case_id)),
            );
            let status = if approve { "completed" } else { "rejected" };
            diesel::update(target)
                .set(case_assessments::status.eq(status))
                .execute(conn)?;
            if approve {
                let level: Option<String> = case_assessments::table
                    .find(&subject)
                    .select(case_assessments::risk_level)
                    .first(conn)
                    .optional()?;
                if let Some(level) = level {
                    diesel::update(cases::table.find(&row.case_id))
                        .set(cases::risk_level.eq(level))
                        .execute(conn)?;
                    crate::protocols::triggers::risk_level_reached(conn, &row.case_id, now)?;
                }
            }
        }
        ApprovalKind::Plan => {
            let status = if approve { "active" } else { "rejected" };
            diesel::update(case_plans::table.find(&row.case_id))
                .set(case_plans::status.eq(status))
                .execute(conn)?;
        }
    }
    let detail = json!({"kind": to_code(&kind), "decision": to_code(&decision)});
    let event = Event::new(&row.case_id, CaseEventKind::ApprovalDecided, actor_id)
        .subject(id)
        .detail(detail)
        .note(comment);
    events::append(conn, keys, event, now)
}

/// Closes the case as the approved closure asked.
fn close(
    conn: &mut DbConn,
    keys: &Keyring,
    row: &ApprovalRow,
    actor_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let asked: serde_json::Value =
        serde_json::from_str(&row.request).map_err(|e| ApiError::Internal(e.into()))?;
    let closure_reason: Option<ClosureReason> = asked["closure_reason"]
        .as_str()
        .map(from_code)
        .transpose()?;
    let text = open(
        keys,
        ("approvals", "request", &row.id),
        row.request_sealed.as_deref(),
    )?;
    let text: serde_json::Value = text
        .map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| ApiError::Internal(e.into()))?
        .unwrap_or_default();
    let (reason, note) = (text["reason"].as_str(), text["outcome_note"].as_str());
    let from = transitions::stage(conn, &row.case_id)?;
    let facts = transitions::facts(conn, &row.case_id)?;
    let given = Given {
        closure_reason: closure_reason.is_some(),
        outcome_note: note.is_some(),
    };
    if stages::check(from, CaseStage::Closed, facts, given).is_err() {
        return Err(ApiError::conflict(
            "case_changed",
            "The case changed since the closure was asked and can no longer close.",
        ));
    }
    let applied = Applied {
        case_id: &row.case_id,
        from,
        to: CaseStage::Closed,
        closure_reason,
        outcome_note: note,
        reason: reason.unwrap_or_default(),
        actor_id,
        approval_id: Some(&row.id),
    };
    transitions::apply(conn, keys, applied, now)
}
