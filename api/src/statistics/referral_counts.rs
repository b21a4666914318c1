//! `GET /api/v1/statistics/referrals`: counts of referrals sent in a period, by service type and
//! current status. What partners may read of the statistics (issue 8): the referrals addressed
//! to their organization, masked under k like every count an analyst or a partner reads;
//! coordinators count those of their subtree's cases exactly, analysts and admins every
//! referral, masked.
use std::collections::BTreeMap;

use actix_web::{get, web, HttpResponse};
use chrono::{Datelike, NaiveDate, NaiveTime};
use diesel::prelude::*;
use madar_openapi::referrals::ReferralStatus;
use madar_openapi::statistics::{ReferralCountCell, ReferralCountsQuery, ReferralCountsResponse};

use super::disclosure;
use super::handlers::private_json;
use crate::auth::policy::{authorize, referral_count_scope, Action, ReferralCountScope};
use crate::auth::Actor;
use crate::codes::from_code;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::http::ProblemResponse;
use crate::schema::{cases, referrals as r, territories};
use crate::state::AppState;

/// (service type, status) → referrals sent in `[from, to]` within `scope`.
fn counts(
    conn: &mut DbConn,
    scope: &ReferralCountScope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<(String, String), i64>, ApiError> {
    let (start, end) = (
        from.and_time(NaiveTime::MIN),
        (to + chrono::Days::new(1)).and_time(NaiveTime::MIN),
    );
    let mut q = r::table
        .filter(r::sent_at.ge(start).and(r::sent_at.lt(end)))
        .select((r::service_type, r::status))
        .into_boxed();
    q = match scope {
        ReferralCountScope::AddressedTo(org) => q.filter(r::to_org.eq(org.clone())),
        ReferralCountScope::Subtree(path) => q.filter(
            r::case_id.eq_any(
                cases::table
                    .inner_join(territories::table)
                    .filter(territories::path.like(format!("{path}%")))
                    .select(cases::id),
            ),
        ),
        ReferralCountScope::National => q,
        ReferralCountScope::None => q.filter(r::id.eq("")),
    };
    let rows: Vec<(String, String)> = q.load(conn)?;
    let mut out = BTreeMap::new();
    for key in rows {
        *out.entry(key).or_insert(0) += 1;
    }
    Ok(out)
}

/// Counts of referrals sent from `from` to `to` (default: this year so far), by service type
/// and current status: partners those addressed to their organization, coordinators those of
/// their subtree's cases (exact), analysts and admins every referral. Partners, analysts and
/// admins read counts from 1 to k−1 as suppressed (with secondary suppression over the table).
/// Other roles: 403.
#[utoipa::path(
    tag = "statistics",
    params(ReferralCountsQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "The counts", body = ReferralCountsResponse), ProblemResponse)
)]
#[get("/statistics/referrals")]
pub async fn get_referral_counts(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<ReferralCountsQuery>,
) -> Result<HttpResponse, ApiError> {
    authorize(&actor, Action::ReadReferralCounts)?;
    let today = state.clock.now().date_naive();
    let from = query
        .from
        .or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1))
        .unwrap_or(today);
    let to = query.to.unwrap_or(today);
    if to < from {
        return Err(ApiError::validation(
            "to",
            "before_from",
            "comes before `from`",
        ));
    }
    let scope = referral_count_scope(&actor);
    let k = match scope {
        ReferralCountScope::Subtree(_) => None,
        _ => Some(i64::from(state.settings.statistics_k)),
    };
    let table = db::run(&state.pool, move |c| counts(c, &scope, from, to)).await?;
    let keys: Vec<Vec<String>> = table
        .keys()
        .map(|(t, s)| vec![t.clone(), s.clone()])
        .collect();
    let values: Vec<i64> = table.values().copied().collect();
    let hidden = match k {
        Some(k) => disclosure::suppress(&keys, &values, k),
        None => vec![false; values.len()],
    };
    let cells = table
        .into_iter()
        .zip(hidden)
        .map(|(((service_type, status), n), suppressed)| {
            Ok(ReferralCountCell {
                service_type,
                status: from_code::<ReferralStatus>(&status)?,
                count: (!suppressed).then_some(n),
                suppressed,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(private_json(&ReferralCountsResponse { from, to, k, cells }))
}
