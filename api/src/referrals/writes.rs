//! The writes of referrals, each inside the caller's transaction: sending one (the snapshot and
//! every free text sealed on the way in), a status change (compare-and-set on the version,
//! the effect's first statement), and marking the plan action a completed referral carried out.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::PlanActionStatus;
use madar_openapi::consents::FieldGroup;
use madar_openapi::referrals::{ReferralOutcome, ReferralSnapshot, ReferralStatus};

use super::domain::Move;
use crate::cases::rows::seal;
use crate::children::rows::json;
use crate::codes::{from_code, to_code};
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_plans, plan_actions, referrals as r};

/// What sending writes.
#[derive(Debug, Clone)]
pub struct NewReferral {
    pub case_id: String,
    pub child_id: String,
    pub from_org: String,
    pub to_org: String,
    pub service_id: Option<String>,
    pub service_type: String,
    pub domain: String,
    pub urgency: String,
    pub reason: String,
    pub due_by: NaiveDateTime,
    pub respond_by: NaiveDateTime,
    pub consent_id: Option<String>,
    pub field_groups: Vec<FieldGroup>,
    pub snapshot: ReferralSnapshot,
    pub plan_action_id: Option<String>,
    /// The protocol action the sending completes (in the same transaction).
    pub protocol_action_id: Option<String>,
    pub override_reason: Option<String>,
    pub sent_by: String,
}

fn sealed(
    keys: &Keyring,
    column: &str,
    id: &str,
    text: Option<&str>,
) -> Result<Option<String>, ApiError> {
    seal(keys, ("referrals", column, id), text)
}

/// Writes a sent referral (the effect's first statement); returns its id.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    n: &NewReferral,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let snapshot = json(&n.snapshot)?;
    let missing = || ApiError::Internal(anyhow::anyhow!("sealing gave nothing"));
    diesel::insert_into(r::table)
        .values((
            r::id.eq(&id),
            r::case_id.eq(&n.case_id),
            r::child_id.eq(&n.child_id),
            r::from_org.eq(&n.from_org),
            r::to_org.eq(&n.to_org),
            r::service_id.eq(&n.service_id),
            r::service_type.eq(&n.service_type),
            r::domain.eq(&n.domain),
            r::status.eq(to_code(&ReferralStatus::Sent)),
            r::urgency.eq(&n.urgency),
            r::reason_sealed.eq(sealed(keys, "reason", &id, Some(&n.reason))?.ok_or_else(missing)?),
            r::due_by.eq(n.due_by),
            r::respond_by.eq(n.respond_by),
            r::consent_id.eq(&n.consent_id),
            r::field_groups.eq(json(&n.field_groups)?),
            r::snapshot_sealed
                .eq(sealed(keys, "snapshot", &id, Some(&snapshot))?.ok_or_else(missing)?),
            r::plan_action_id.eq(&n.plan_action_id),
            r::override_reason_sealed.eq(sealed(
                keys,
                "override_reason",
                &id,
                n.override_reason.as_deref(),
            )?),
            r::sent_by_id.eq(&n.sent_by),
            r::sent_at.eq(now),
            r::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Bumps a referral's version if it is still `version` (412 otherwise): the first statement
/// of a status change.
pub fn touch(
    conn: &mut DbConn,
    id: &str,
    version: i32,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let updated = diesel::update(r::table.filter(r::id.eq(id).and(r::version.eq(version))))
        .set((
            r::version.eq(r::version + 1),
            r::updated_at.eq(now),
            r::updated_by_id.eq(by),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    Ok(())
}

/// A referral's current status.
pub fn status(conn: &mut DbConn, id: &str) -> Result<ReferralStatus, ApiError> {
    let code: String = r::table.find(id).select(r::status).first(conn)?;
    from_code(&code)
}

/// What a status change records beside the status.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// The decline or cancel reason.
    pub reason: Option<String>,
    pub outcome: Option<ReferralOutcome>,
    pub feedback: Option<String>,
}

/// Records a status change already checked (`domain::next`) and touched.
pub fn apply(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    to: (Move, ReferralStatus),
    change: &Change,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let (moved, status) = to;
    let target = r::table.filter(r::id.eq(id));
    let reason = change.reason.as_deref();
    let status = r::status.eq(to_code(&status));
    match moved {
        Move::Accept => diesel::update(target)
            .set((status, r::answered_at.eq(now)))
            .execute(conn)?,
        Move::Decline => diesel::update(target)
            .set((
                status,
                r::answered_at.eq(now),
                r::closed_at.eq(now),
                r::decline_reason_sealed.eq(sealed(keys, "decline_reason", id, reason)?),
            ))
            .execute(conn)?,
        Move::Start => diesel::update(target)
            .set((status, r::started_at.eq(now)))
            .execute(conn)?,
        Move::Complete => diesel::update(target)
            .set((
                status,
                r::closed_at.eq(now),
                r::outcome.eq(change.outcome.map(|o| to_code(&o))),
                r::feedback_sealed.eq(sealed(keys, "feedback", id, change.feedback.as_deref())?),
            ))
            .execute(conn)?,
        Move::Cancel => diesel::update(target)
            .set((
                status,
                r::closed_at.eq(now),
                r::cancel_reason_sealed.eq(sealed(keys, "cancel_reason", id, reason)?),
            ))
            .execute(conn)?,
        Move::Expire => diesel::update(target)
            .set((status, r::closed_at.eq(now)))
            .execute(conn)?,
    };
    Ok(())
}

/// Expires a referral still `sent` whose deadline passed by `now` (compare-and-set on the
/// status, the first statement of its transaction); whether this call expired it.
pub fn expire(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    let sent = to_code(&ReferralStatus::Sent);
    let updated = diesel::update(
        r::table.filter(
            r::id
                .eq(id)
                .and(r::status.eq(sent))
                .and(r::respond_by.le(now)),
        ),
    )
    .set((
        r::status.eq(to_code(&ReferralStatus::Expired)),
        r::closed_at.eq(now),
        r::version.eq(r::version + 1),
        r::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Marks a plan action of the case `done` (and bumps the plan's version, so its ETag moves);
/// whether the action still existed (a replaced plan renews its actions).
pub fn mark_action_done(
    conn: &mut DbConn,
    case_id: &str,
    action_id: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let updated = diesel::update(
        plan_actions::table.filter(
            plan_actions::id
                .eq(action_id)
                .and(plan_actions::case_id.eq(case_id)),
        ),
    )
    .set(plan_actions::status.eq(to_code(&PlanActionStatus::Done)))
    .execute(conn)?;
    if updated == 1 {
        diesel::update(case_plans::table.find(case_id))
            .set((
                case_plans::version.eq(case_plans::version + 1),
                case_plans::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(updated == 1)
}

/// Whether `action_id` is an action of the case's plan.
pub fn is_plan_action(conn: &mut DbConn, case_id: &str, action_id: &str) -> Result<bool, ApiError> {
    let found: i64 = plan_actions::table
        .filter(
            plan_actions::id
                .eq(action_id)
                .and(plan_actions::case_id.eq(case_id)),
        )
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}
