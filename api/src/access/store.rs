//! Break-the-glass grants in the database. The reason is sealed (`access_grants.reason`).
use chrono::{NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use madar_openapi::access::AccessGrantResponse;

use crate::auth::actor::Grant;
use crate::auth::policy::GrantScope;
use crate::cases::rows::uuid;
use crate::crypto::{Keyring, Place};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{access_grants as g, cases, territories};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = g)]
pub struct GrantRow {
    pub id: String,
    pub user_id: String,
    pub case_id: String,
    pub child_id: String,
    pub reason_sealed: String,
    pub granted_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

fn place(id: &str) -> Place<'_> {
    Place {
        table: "access_grants",
        column: "reason",
        row_id: id,
    }
}

impl GrantRow {
    pub fn active(&self, now: NaiveDateTime) -> bool {
        self.ended_at.is_none() && self.expires_at > now
    }

    pub fn response(
        &self,
        keys: &Keyring,
        now: NaiveDateTime,
    ) -> Result<AccessGrantResponse, ApiError> {
        Ok(AccessGrantResponse {
            id: uuid(&self.id)?,
            user_id: uuid(&self.user_id)?,
            case_id: uuid(&self.case_id)?,
            child_id: uuid(&self.child_id)?,
            reason: keys.open(place(&self.id), &self.reason_sealed)?,
            granted_at: self.granted_at.and_utc(),
            expires_at: self.expires_at.and_utc(),
            ended_at: self.ended_at.map(|t| t.and_utc()),
            active: self.active(now),
        })
    }
}

/// The cases (with their children) the grants of `user_id` in force at `now` open.
pub fn in_force(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> Result<Vec<Grant>, ApiError> {
    let rows: Vec<(String, String)> = g::table
        .filter(
            g::user_id
                .eq(user_id)
                .and(g::expires_at.gt(now))
                .and(g::ended_at.is_null()),
        )
        .select((g::case_id, g::child_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(case_id, child_id)| Grant { case_id, child_id })
        .collect())
}

/// A case's child and territory path, or None when there is no such case.
pub fn case_place(conn: &mut DbConn, case_id: &str) -> Result<Option<(String, String)>, ApiError> {
    Ok(cases::table
        .inner_join(territories::table)
        .filter(cases::id.eq(case_id))
        .select((cases::child_id, territories::path))
        .first(conn)
        .optional()?)
}

/// Whether `user_id` holds a grant on `case_id` in force at `now`.
pub fn holds(
    conn: &mut DbConn,
    user_id: &str,
    case_id: &str,
    now: NaiveDateTime,
) -> Result<bool, ApiError> {
    let n: i64 = g::table
        .filter(
            g::user_id
                .eq(user_id)
                .and(g::case_id.eq(case_id))
                .and(g::expires_at.gt(now))
                .and(g::ended_at.is_null()),
        )
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub struct NewGrant<'a> {
    pub user_id: &'a str,
    pub case_id: &'a str,
    pub child_id: &'a str,
    pub reason: &'a str,
    pub expires_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    n: &NewGrant,
    now: NaiveDateTime,
) -> Result<GrantRow, ApiError> {
    // Microseconds: what both backends store, so the answer matches later reads.
    let (now, expires_at) = (now.trunc_subsecs(6), n.expires_at.trunc_subsecs(6));
    let id = uuid::Uuid::now_v7().to_string();
    let row = GrantRow {
        reason_sealed: keys.seal(place(&id), n.reason)?,
        id,
        user_id: n.user_id.into(),
        case_id: n.case_id.into(),
        child_id: n.child_id.into(),
        granted_at: now,
        expires_at,
        ended_at: None,
    };
    diesel::insert_into(g::table)
        .values((
            g::id.eq(&row.id),
            g::user_id.eq(&row.user_id),
            g::case_id.eq(&row.case_id),
            g::child_id.eq(&row.child_id),
            g::reason_sealed.eq(&row.reason_sealed),
            g::granted_at.eq(row.granted_at),
            g::expires_at.eq(row.expires_at),
        ))
        .execute(conn)?;
    Ok(row)
}

fn scoped(scope: &GrantScope) -> g::BoxedQuery<'static, crate::db::MultiBackend> {
    // Every column, in `GrantRow`'s order.
    let q = g::table.into_boxed();
    match scope {
        GrantScope::All => q,
        GrantScope::HeldBy(user) => q.filter(g::user_id.eq(user.clone())),
        GrantScope::None => q.filter(g::id.eq("")),
    }
}

/// The grant `id` within `scope` (404 outside).
pub fn find(conn: &mut DbConn, scope: &GrantScope, id: &str) -> Result<GrantRow, ApiError> {
    scoped(scope)
        .filter(g::id.eq(id.to_string()))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)
}

pub struct Filter {
    pub user_id: Option<String>,
    pub case_id: Option<String>,
    /// Only those in force (`true`) or only those no longer (`false`) at `now`.
    pub active: Option<bool>,
    pub now: NaiveDateTime,
    pub after: Option<String>,
    pub limit: i64,
}

/// Grants within `scope`, newest first.
pub fn list(conn: &mut DbConn, scope: &GrantScope, f: &Filter) -> Result<Vec<GrantRow>, ApiError> {
    let mut q = scoped(scope).order(g::id.desc()).limit(f.limit);
    if let Some(user) = &f.user_id {
        q = q.filter(g::user_id.eq(user.clone()));
    }
    if let Some(case) = &f.case_id {
        q = q.filter(g::case_id.eq(case.clone()));
    }
    match f.active {
        Some(true) => q = q.filter(g::ended_at.is_null().and(g::expires_at.gt(f.now))),
        Some(false) => q = q.filter(g::ended_at.is_not_null().or(g::expires_at.le(f.now))),
        None => {}
    }
    if let Some(after) = &f.after {
        q = q.filter(g::id.lt(after.clone()));
    }
    Ok(q.load(conn)?)
}

/// Ends the grant `id` at `now` if it is still in force (an ended one is left as it is).
pub fn end(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    let n = diesel::update(
        g::table.filter(
            g::id
                .eq(id)
                .and(g::ended_at.is_null())
                .and(g::expires_at.gt(now)),
        ),
    )
    .set(g::ended_at.eq(now.trunc_subsecs(6)))
    .execute(conn)?;
    Ok(n == 1)
}
