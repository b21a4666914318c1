//! Queries of screening: the compare-and-set that moves a report out of `received`, the
//! decision, and the links between reported children and child records.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::reports::{ClosingReason, ReportStatus};

use super::domain;
use crate::codes::to_code;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{report_child_links, report_screenings, reports};

/// Moves a report from `received` to `to` (compare-and-set: the screening transaction's first
/// statement, so a concurrent screening of the same report waits, then finds nothing to move).
/// 409 `report_already_screened` when the report is no longer `received`.
pub fn mark_screened(
    conn: &mut DbConn,
    id: &str,
    to: ReportStatus,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let moved = diesel::update(
        reports::table.filter(
            reports::id
                .eq(id)
                .and(reports::status.eq(to_code(&ReportStatus::Received))),
        ),
    )
    .set((
        reports::status.eq(to_code(&to)),
        reports::version.eq(reports::version + 1),
        reports::updated_at.eq(now),
    ))
    .execute(conn)?;
    if moved == 0 {
        return Err(domain::already_screened());
    }
    Ok(())
}

/// Records the decision: `accept`, or `close` with its reason.
pub fn record_decision(
    conn: &mut DbConn,
    id: &str,
    closing_reason: Option<ClosingReason>,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let decision = if closing_reason.is_some() {
        "close"
    } else {
        "accept"
    };
    diesel::insert_into(report_screenings::table)
        .values((
            report_screenings::report_id.eq(id),
            report_screenings::decision.eq(decision),
            report_screenings::closing_reason.eq(closing_reason.map(|r| to_code(&r))),
            report_screenings::decided_by.eq(by),
            report_screenings::decided_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Links the reported child at `position` to a child record.
pub fn link(conn: &mut DbConn, id: &str, position: usize, child_id: &str) -> Result<(), ApiError> {
    let position = i32::try_from(position).map_err(|e| ApiError::Internal(e.into()))?;
    diesel::insert_into(report_child_links::table)
        .values((
            report_child_links::report_id.eq(id),
            report_child_links::position.eq(position),
            report_child_links::child_id.eq(child_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The (position, child id) links of a report's children.
pub fn links(conn: &mut DbConn, id: &str) -> Result<Vec<(i32, String)>, ApiError> {
    Ok(report_child_links::table
        .filter(report_child_links::report_id.eq(id))
        .select((report_child_links::position, report_child_links::child_id))
        .order(report_child_links::position)
        .load(conn)?)
}
