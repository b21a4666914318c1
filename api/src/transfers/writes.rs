//! The writes of transfers: a request (one pending per case), a decision (once), and the
//! move of an accepted transfer's case and child, each inside the caller's transaction. The
//! reason and the comment are sealed on the way in.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{TransferDecision, TransferStatus};

use super::store::TransferRow;
use crate::cases::rows::seal;
use crate::codes::to_code;
use crate::crypto::Keyring;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{case_assignments, case_transfers as t, cases, children};
use crate::statistics::tally;

fn pending_conflict() -> ApiError {
    ApiError::conflict(
        "transfer_pending",
        "This case already has a pending transfer.",
    )
}

/// Fails with 409 `transfer_pending` when the case has a pending transfer.
pub fn check_none_pending(conn: &mut DbConn, case_id: &str) -> Result<(), ApiError> {
    let pending: i64 = t::table
        .filter(
            t::case_id
                .eq(case_id)
                .and(t::status.eq(to_code(&TransferStatus::Pending))),
        )
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(pending_conflict());
    }
    Ok(())
}

/// What a request writes.
#[derive(Debug, Clone)]
pub struct NewTransfer {
    pub case_id: String,
    pub from_org: String,
    pub to_org: String,
    pub from_territory: String,
    pub to_territory: String,
    pub reason: String,
    pub requested_by: String,
}

/// Writes a pending transfer (the effect's first statement); a second pending transfer of the
/// same case is refused by the database's unique index (409 `transfer_pending`).
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    n: &NewTransfer,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    use diesel::result::{DatabaseErrorKind, Error};
    let id = uuid::Uuid::now_v7().to_string();
    let inserted = diesel::insert_into(t::table)
        .values((
            t::id.eq(&id),
            t::case_id.eq(&n.case_id),
            t::from_org.eq(&n.from_org),
            t::to_org.eq(&n.to_org),
            t::from_territory_code.eq(&n.from_territory),
            t::to_territory_code.eq(&n.to_territory),
            t::status.eq(to_code(&TransferStatus::Pending)),
            t::reason_sealed.eq(seal(
                keys,
                ("case_transfers", "reason", &id),
                Some(&n.reason),
            )?),
            t::requested_by_id.eq(&n.requested_by),
            t::requested_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(id),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Err(pending_conflict()),
        Err(e) => Err(e.into()),
    }
}

/// Records the decision on a pending transfer (compare-and-set on its status, the effect's
/// first statement): 409 `transfer_already_decided` when it was decided first.
pub fn decide(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
    decision: TransferDecision,
    comment: Option<&str>,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let status = match decision {
        TransferDecision::Accept => TransferStatus::Accepted,
        TransferDecision::Reject => TransferStatus::Rejected,
    };
    let updated = diesel::update(
        t::table.filter(
            t::id
                .eq(id)
                .and(t::status.eq(to_code(&TransferStatus::Pending))),
        ),
    )
    .set((
        t::status.eq(to_code(&status)),
        t::decided_by_id.eq(by),
        t::decided_at.eq(now),
        t::comment_sealed.eq(seal(keys, ("case_transfers", "comment", id), comment)?),
        t::version.eq(t::version + 1),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::conflict(
            "transfer_already_decided",
            "This transfer was already decided.",
        ));
    }
    Ok(())
}

/// Moves an accepted transfer's case and its child to the receiving organization and the
/// target territory; the case's assignments end (the receiving team assigns its own).
pub fn move_case(conn: &mut DbConn, row: &TransferRow, now: NaiveDateTime) -> Result<(), ApiError> {
    let counted = tally::case_before(conn, &row.case_id)?;
    diesel::update(cases::table.find(&row.case_id))
        .set((
            cases::owner_org.eq(&row.to_org),
            cases::territory_code.eq(&row.to_territory_code),
        ))
        .execute(conn)?;
    tally::case_after(conn, &row.case_id, counted)?;
    crate::cases::store::touch(conn, &row.case_id, None, now)?;
    diesel::delete(case_assignments::table.filter(case_assignments::case_id.eq(&row.case_id)))
        .execute(conn)?;
    let child = cases::table.find(&row.case_id).select(cases::child_id);
    diesel::update(children::table.filter(children::id.eq_any(child)))
        .set((
            children::owner_org.eq(&row.to_org),
            children::territory_code.eq(&row.to_territory_code),
            children::version.eq(children::version + 1),
            children::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
