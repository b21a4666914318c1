//! Queries of the audit log: recording, listing for the auditor, and what the sealer and
//! `madar audit verify` read and write. The sealer's lock is the one part that differs by backend.
use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::audit::{ActorKind, AuditEventResponse, AuditFilter};

use super::{AuditEvent, Resource};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::audit_events;

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct NewEvent<'a> {
    occurred_at: NaiveDateTime,
    actor_kind: &'static str,
    actor_id: Option<&'a str>,
    action: &'static str,
    resource_type: Option<&'static str>,
    resource_id: Option<&'a str>,
    request_id: Option<&'a str>,
}

impl<'a> From<&'a AuditEvent> for NewEvent<'a> {
    fn from(e: &'a AuditEvent) -> NewEvent<'a> {
        NewEvent {
            occurred_at: e.occurred_at,
            actor_kind: e.actor_kind.code(),
            actor_id: e.actor_id.as_deref(),
            action: e.action.code(),
            resource_type: e.resource_type.map(Resource::code),
            resource_id: e.resource_id.as_deref(),
            request_id: e.request_id.as_deref(),
        }
    }
}

/// Records one event. Call it inside the transaction of the write it describes.
pub fn record(conn: &mut DbConn, event: &AuditEvent) -> Result<(), ApiError> {
    diesel::insert_into(audit_events::table)
        .values(NewEvent::from(event))
        .execute(conn)?;
    Ok(())
}

/// Rows per multi-row INSERT of the read buffer's flush. An event binds 7 parameters: SQLite
/// allows 999 bound parameters per statement in its oldest supported builds (32,766 since
/// 3.32), PostgreSQL 65,535.
const SQLITE_INSERT_ROWS: usize = 999 / 7;
const POSTGRES_INSERT_ROWS: usize = 5_000;

/// Records several events (the read buffer's flush; call it inside one transaction): one
/// multi-row INSERT per batch of rows, in the events' order, so ids follow that order.
pub fn record_all(conn: &mut DbConn, events: &[AuditEvent]) -> Result<(), ApiError> {
    use audit_events::dsl as a;
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            (
                a::occurred_at.eq(e.occurred_at),
                a::actor_kind.eq(e.actor_kind.code()),
                a::actor_id.eq(e.actor_id.as_deref()),
                a::action.eq(e.action.code()),
                a::resource_type.eq(e.resource_type.map(Resource::code)),
                a::resource_id.eq(e.resource_id.as_deref()),
                a::request_id.eq(e.request_id.as_deref()),
            )
        })
        .collect();
    match conn {
        DbConn::Postgres(pg) => {
            for chunk in rows.chunks(POSTGRES_INSERT_ROWS) {
                diesel::insert_into(audit_events::table)
                    .values(chunk.to_vec())
                    .execute(pg)?;
            }
        }
        DbConn::Sqlite(sqlite) => {
            for chunk in rows.chunks(SQLITE_INSERT_ROWS) {
                diesel::insert_into(audit_events::table)
                    .values(chunk.to_vec())
                    .execute(sqlite)?;
            }
        }
    }
    Ok(())
}

/// An event as stored, chain columns included.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub request_id: Option<String>,
    pub seq: Option<i64>,
    pub prev_hmac: Option<String>,
    pub hmac: Option<String>,
}

impl AuditRow {
    pub fn response(&self) -> Result<AuditEventResponse, ApiError> {
        let actor_kind = ActorKind::parse(&self.actor_kind).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("stored actor kind {:?}", self.actor_kind))
        })?;
        Ok(AuditEventResponse {
            id: self.id,
            occurred_at: self.occurred_at.and_utc(),
            actor_kind,
            actor_id: self.actor_id.clone(),
            action: self.action.clone(),
            resource_type: self.resource_type.clone(),
            resource_id: self.resource_id.clone(),
            request_id: self.request_id.clone(),
            seq: self.seq,
        })
    }
}

/// A page of events matching `filter`, newest first, below id `before` when given.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditRow>, ApiError> {
    let mut query = audit_events::table
        .select(AuditRow::as_select())
        .order(audit_events::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(audit_events::id.lt(before));
    }
    if let Some(v) = &filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(v.clone()));
    }
    if let Some(v) = &filter.action {
        query = query.filter(audit_events::action.eq(v.clone()));
    }
    if let Some(v) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(v.clone()));
    }
    if let Some(v) = &filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(v.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from.naive_utc()));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to.naive_utc()));
    }
    Ok(query.load(conn)?)
}

/// Takes the sealer's lock for the current transaction: `false` when another process holds
/// it. On SQLite one process owns the file and seals alone, so there is nothing to take.
pub fn try_lock_sealer(conn: &mut DbConn) -> Result<bool, ApiError> {
    diesel::define_sql_function!(fn pg_try_advisory_xact_lock(key: diesel::sql_types::BigInt) -> diesel::sql_types::Bool);
    /// "madar-au" as an integer: the advisory-lock key of the audit sealer.
    const SEALER_LOCK: i64 = 0x6d61_6461_722d_6175;
    match conn {
        DbConn::Postgres(pg) => {
            Ok(diesel::select(pg_try_advisory_xact_lock(SEALER_LOCK)).get_result::<bool>(pg)?)
        }
        DbConn::Sqlite(sqlite) => {
            // A write first, so the transaction takes the write lock now (waiting up to the
            // busy timeout) rather than failing to upgrade a read snapshot later.
            diesel::sql_query("UPDATE audit_events SET id = id WHERE 0").execute(sqlite)?;
            Ok(true)
        }
    }
}

/// The last sealed event's position and HMAC.
pub fn head(conn: &mut DbConn) -> Result<Option<(i64, String)>, ApiError> {
    let last: Option<(Option<i64>, Option<String>)> = audit_events::table
        .filter(audit_events::seq.is_not_null())
        .order(audit_events::seq.desc())
        .select((audit_events::seq, audit_events::hmac))
        .first(conn)
        .optional()?;
    Ok(last.map(|(seq, hmac)| (seq.unwrap_or(0), hmac.unwrap_or_default())))
}

/// Committed events the sealer has not chained yet, in id order.
pub fn unsealed(conn: &mut DbConn, limit: i64) -> Result<Vec<AuditRow>, ApiError> {
    Ok(audit_events::table
        .filter(audit_events::seq.is_null())
        .order(audit_events::id)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// An event's place in the chain, as the sealer computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: i64,
    pub seq: i64,
    pub prev_hmac: String,
    pub hmac: String,
}

/// Writes the places of a batch of events in the chain (call it inside the sealer's
/// transaction). Only events still unsealed are written: on PostgreSQL one
/// `UPDATE ... FROM unnest(...)` for the whole batch (four array parameters, whatever its
/// size), on SQLite (in-process, no round trip) one prepared statement run per event.
pub fn seal_all(conn: &mut DbConn, links: &[Link]) -> Result<(), ApiError> {
    match conn {
        DbConn::Postgres(pg) => {
            use diesel::sql_types::{Array, BigInt, Text};
            if links.is_empty() {
                return Ok(());
            }
            let ids: Vec<i64> = links.iter().map(|l| l.id).collect();
            let seqs: Vec<i64> = links.iter().map(|l| l.seq).collect();
            let prevs: Vec<&str> = links.iter().map(|l| l.prev_hmac.as_str()).collect();
            let hmacs: Vec<&str> = links.iter().map(|l| l.hmac.as_str()).collect();
            diesel::sql_query(
                "UPDATE audit_events AS a SET seq = v.seq, prev_hmac = v.prev_hmac, \
                 hmac = v.hmac FROM unnest($1, $2, $3, $4) AS v(id, seq, prev_hmac, hmac) \
                 WHERE a.id = v.id AND a.seq IS NULL",
            )
            .bind::<Array<BigInt>, _>(ids)
            .bind::<Array<BigInt>, _>(seqs)
            .bind::<Array<Text>, _>(prevs)
            .bind::<Array<Text>, _>(hmacs)
            .execute(pg)?;
        }
        DbConn::Sqlite(sqlite) => {
            for link in links {
                diesel::update(
                    audit_events::table
                        .find(link.id)
                        .filter(audit_events::seq.is_null()),
                )
                .set((
                    audit_events::seq.eq(link.seq),
                    audit_events::prev_hmac.eq(&link.prev_hmac),
                    audit_events::hmac.eq(&link.hmac),
                ))
                .execute(sqlite)?;
            }
        }
    }
    Ok(())
}

/// Sealed events in chain order, after position `after`.
pub fn sealed_after(conn: &mut DbConn, after: i64, limit: i64) -> Result<Vec<AuditRow>, ApiError> {
    Ok(audit_events::table
        .filter(audit_events::seq.gt(after))
        .order(audit_events::seq)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// How many events wait for the sealer.
pub fn count_unsealed(conn: &mut DbConn) -> Result<i64, ApiError> {
    Ok(audit_events::table
        .filter(audit_events::seq.is_null())
        .count()
        .get_result(conn)?)
}
