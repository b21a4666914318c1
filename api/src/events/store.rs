//! The queries of live updates: writing an event, issuing and redeeming tickets, reading the
//! events after a sequence.
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::domain::{self, Stored};
use super::NewEvent;
use crate::auth::tokens::Subject;
use crate::codes::to_code;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{event_tickets as t, live_events as e};

/// Writes one event (in the caller's transaction).
pub fn insert(conn: &mut DbConn, event: &NewEvent, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::insert_into(e::table)
        .values((
            e::kind.eq(event.kind.code()),
            e::resource_id.eq(&event.resource_id),
            e::organizations.eq(domain::encode_list(&event.organizations)),
            e::territories.eq(domain::encode_list(&event.territories)),
            e::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores a ticket by its hash, and purges the expired tickets and the old events.
pub fn issue_ticket(
    conn: &mut DbConn,
    hash: &str,
    subject: (Subject, &str),
    token_expires_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    crate::db::write_transaction(conn, |c| {
        diesel::delete(t::table.filter(t::expires_at.le(now))).execute(c)?;
        let old = now - TimeDelta::hours(domain::RETENTION_HOURS);
        diesel::delete(e::table.filter(e::created_at.lt(old))).execute(c)?;
        diesel::insert_into(t::table)
            .values((
                t::ticket_hash.eq(hash),
                t::subject_kind.eq(to_code(&subject.0)),
                t::subject_id.eq(subject.1),
                t::token_expires_at.eq(token_expires_at),
                t::expires_at.eq(expires_at),
                t::created_at.eq(now),
            ))
            .execute(c)?;
        Ok(())
    })
}

/// A redeemed ticket: whose it is, the expiry of the token it was issued for, and when it was
/// issued (after that token: a client secret rotated since ends the stream).
pub struct Redeemed {
    pub kind: Subject,
    pub id: String,
    pub token_expires_at: NaiveDateTime,
    pub issued_at: NaiveDateTime,
}

/// Uses a ticket, once; `None` when it is unknown, expired or already used.
pub fn redeem(
    conn: &mut DbConn,
    hash: &str,
    now: NaiveDateTime,
) -> Result<Option<Redeemed>, ApiError> {
    crate::db::write_transaction(conn, |c| {
        let used = diesel::update(
            t::table.filter(
                t::ticket_hash
                    .eq(hash)
                    .and(t::used_at.is_null())
                    .and(t::expires_at.gt(now)),
            ),
        )
        .set(t::used_at.eq(now))
        .execute(c)?;
        if used != 1 {
            return Ok(None);
        }
        let (kind, id, token_expires_at, issued_at) = t::table
            .find(hash)
            .select((
                t::subject_kind,
                t::subject_id,
                t::token_expires_at,
                t::created_at,
            ))
            .first::<(String, String, NaiveDateTime, NaiveDateTime)>(c)?;
        let kind = match kind.as_str() {
            "user" => Subject::User,
            "client" => Subject::Client,
            _ => return Ok(None),
        };
        Ok(Some(Redeemed {
            kind,
            id,
            token_expires_at,
            issued_at,
        }))
    })
}

/// The sequence of the newest event (0 when there is none).
pub fn latest(conn: &mut DbConn) -> Result<i64, ApiError> {
    let max: Option<i64> = e::table.select(diesel::dsl::max(e::id)).first(conn)?;
    Ok(max.unwrap_or(0))
}

/// The events after `last`, and those among `gaps`, oldest first.
pub fn after(conn: &mut DbConn, last: i64, gaps: &[i64]) -> Result<Vec<Stored>, ApiError> {
    let rows = e::table
        .filter(e::id.gt(last).or(e::id.eq_any(gaps)))
        .order(e::id.asc())
        .limit(domain::BATCH)
        .select((
            e::id,
            e::kind,
            e::resource_id,
            e::organizations,
            e::territories,
        ))
        .load::<(i64, String, String, String, String)>(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(seq, kind, resource_id, organizations, territories)| Stored {
                seq,
                kind,
                resource_id,
                organizations,
                territories,
            },
        )
        .collect())
}
