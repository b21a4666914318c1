//! The alerts that are not overdue protocol actions, each read within the caller's scope:
//! outgoing referrals unanswered past their `respond_by`, children of the caller's cases
//! turning 18 within six months while placed in a social-care institution, and open cases
//! with no timeline event for the configured number of days.
use chrono::{NaiveDateTime, TimeDelta};
use diesel::dsl::{exists, max, not};
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::triggers::{self, UNANSWERED};
use crate::auth::policy::{CaseScope, ReferralScope};
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{case_events, cases, referrals as r, territories};

type CasePredicate = Box<dyn BoxableExpression<cases::table, MultiBackend, SqlType = Bool>>;

/// The cases of the caller's scope, as a predicate on `cases`.
fn cases_in(scope: &CaseScope) -> CasePredicate {
    match scope {
        CaseScope::Subtree { path, .. } => Box::new(
            cases::territory_code.eq_any(
                territories::table
                    .filter(territories::path.like(format!("{path}%")))
                    .select(territories::code),
            ),
        ),
        CaseScope::OwnedBy(org) => Box::new(cases::owner_org.eq(org.clone())),
        CaseScope::None => Box::new(cases::id.eq("")),
    }
}

/// One referral unanswered: its id, case and answer deadline.
pub type Unanswered = (String, String, NaiveDateTime);

/// The outgoing referrals of the caller's scope (a coordinator: of the cases of their subtree;
/// a case worker: sent by their organization) still unanswered past their `respond_by`,
/// oldest deadline first.
pub fn unanswered_referrals(
    conn: &mut DbConn,
    scope: &ReferralScope,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<Unanswered>, ApiError> {
    let q = r::table
        .filter(r::status.eq_any(UNANSWERED))
        .filter(r::answered_at.is_null())
        .filter(r::respond_by.le(now))
        .order((r::respond_by, r::id))
        .select((r::id, r::case_id, r::respond_by))
        .limit(limit)
        .into_boxed();
    let q = match scope {
        ReferralScope::Subtree { path, .. } => q.filter(
            r::case_id.eq_any(
                cases::table
                    .filter(
                        cases::territory_code.eq_any(
                            territories::table
                                .filter(territories::path.like(format!("{path}%")))
                                .select(territories::code),
                        ),
                    )
                    .select(cases::id),
            ),
        ),
        ReferralScope::Organization(org) => q.filter(r::from_org.eq(org.clone())),
        ReferralScope::AddressedTo(_) | ReferralScope::None => return Ok(vec![]),
    };
    Ok(q.load(conn)?)
}

/// The children of the caller's cases placed in a social-care institution whose 18th
/// birthday is within six months: (child, case, birthday at midnight).
pub fn turning_18(
    conn: &mut DbConn,
    scope: &CaseScope,
    now: NaiveDateTime,
) -> Result<Vec<(String, String, NaiveDateTime)>, ApiError> {
    let placed = triggers::turning_18_placed(conn, now.date())?;
    if placed.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<String> = placed.iter().map(|(_, c, _)| c.clone()).collect();
    let seen: Vec<String> = cases::table
        .filter(cases::id.eq_any(ids))
        .filter(cases_in(scope))
        .select(cases::id)
        .load(conn)?;
    Ok(placed
        .into_iter()
        .filter(|(_, c, _)| seen.contains(c))
        .map(|(child, case, day)| (child, case, day.and_time(chrono::NaiveTime::MIN)))
        .collect())
}

/// The open cases of the caller's scope with no timeline event for `days` days, with when
/// follow-up fell due (their last event plus `days`), oldest first.
pub fn no_follow_up(
    conn: &mut DbConn,
    scope: &CaseScope,
    days: u32,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(String, NaiveDateTime)>, ApiError> {
    let period = TimeDelta::days(i64::from(days));
    let cutoff = now - period;
    let ids: Vec<(String, NaiveDateTime)> = cases::table
        .filter(cases_in(scope))
        .filter(cases::stage.ne("closed"))
        .filter(cases::opened_at.le(cutoff))
        .filter(not(exists(
            case_events::table
                .filter(case_events::case_id.eq(cases::id))
                .filter(case_events::at.gt(cutoff)),
        )))
        .order((cases::opened_at, cases::id))
        .select((cases::id, cases::opened_at))
        .limit(limit)
        .load(conn)?;
    let mut out = Vec::with_capacity(ids.len());
    for (id, opened) in ids {
        let last: Option<NaiveDateTime> = case_events::table
            .filter(case_events::case_id.eq(&id))
            .select(max(case_events::at))
            .first(conn)?;
        out.push((id, last.unwrap_or(opened).max(opened) + period));
    }
    out.sort_by_key(|(_, due)| *due);
    Ok(out)
}
