//! Queries of stage transitions: what the rules look at (the stage, a completed assessment, an
//! active plan with objectives), and the change itself with its timeline event. Shared by a
//! transition applied at once and a closure applied when its approval is granted.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{CaseEventKind, CaseStage, ClosureReason};
use serde_json::json;

use super::events::{self, Event};
use super::rows::seal;
use super::stages::Facts;
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_assessments, case_plans, cases, plan_objectives};
use crate::statistics::tally;

/// The stage a case is at.
pub fn stage(conn: &mut DbConn, case_id: &str) -> Result<CaseStage, ApiError> {
    let code: String = cases::table
        .find(case_id)
        .select(cases::stage)
        .first(conn)?;
    from_code(&code)
}

/// What the stage rules look at.
pub fn facts(conn: &mut DbConn, case_id: &str) -> Result<Facts, ApiError> {
    let assessments: i64 = case_assessments::table
        .filter(case_assessments::case_id.eq(case_id))
        .filter(case_assessments::status.eq("completed"))
        .count()
        .get_result(conn)?;
    let plans: i64 = case_plans::table
        .filter(case_plans::case_id.eq(case_id))
        .filter(case_plans::status.eq("active"))
        .count()
        .get_result(conn)?;
    let objectives: i64 = plan_objectives::table
        .filter(plan_objectives::case_id.eq(case_id))
        .count()
        .get_result(conn)?;
    Ok(Facts {
        assessment_completed: assessments > 0,
        plan_active: plans > 0 && objectives > 0,
    })
}

/// A transition to apply.
#[derive(Debug, Clone)]
pub struct Applied<'a> {
    pub case_id: &'a str,
    pub from: CaseStage,
    pub to: CaseStage,
    pub closure_reason: Option<ClosureReason>,
    pub outcome_note: Option<&'a str>,
    pub reason: &'a str,
    pub actor_id: &'a str,
    /// The approval that granted it (a closure asked by a case worker).
    pub approval_id: Option<&'a str>,
}

/// Sets the stage (closing sets the closure reason, the sealed outcome note and the closing
/// time; any other move clears them, the timeline keeping the history) and appends the
/// `stage_changed` event. The caller has already bumped the case's version.
pub fn apply(
    conn: &mut DbConn,
    keys: &Keyring,
    t: Applied<'_>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let closing = t.to == CaseStage::Closed;
    let (reason, note, closed_at) = if closing {
        let note = seal(keys, ("cases", "outcome_note", t.case_id), t.outcome_note)?;
        (t.closure_reason.map(|r| to_code(&r)), note, Some(now))
    } else {
        (None, None, None)
    };
    let counted = tally::case_before(conn, t.case_id)?;
    diesel::update(cases::table.find(t.case_id))
        .set((
            cases::stage.eq(to_code(&t.to)),
            cases::closure_reason.eq(reason),
            cases::outcome_note_sealed.eq(note),
            cases::closed_at.eq(closed_at),
        ))
        .execute(conn)?;
    tally::case_after(conn, t.case_id, counted)?;
    let mut detail = json!({"from": to_code(&t.from), "to": to_code(&t.to)});
    if let (true, Some(r)) = (closing, t.closure_reason) {
        detail["closure_reason"] = json!(to_code(&r));
    }
    if let Some(id) = t.approval_id {
        detail["approval_id"] = json!(id);
    }
    let event = Event::new(t.case_id, CaseEventKind::StageChanged, t.actor_id)
        .detail(detail)
        .note(Some(t.reason));
    events::append(conn, keys, event, now)?;
    crate::protocols::triggers::stage_reached(conn, t.case_id, now).map(|_| ())
}
