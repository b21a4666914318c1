//! The services serving a territory, and the needs its committee records.
use chrono::{NaiveDate, NaiveDateTime, SubsecRound};
use diesel::prelude::*;
use madar_openapi::diagnostics::{CommitteeNeed, TerritoryDiagnostic};
use madar_openapi::pathway::PathwayDomain;
use madar_openapi::reports::ConcernType;
use madar_openapi::statistics::{Dimension, Measure, PeriodUnit, TerritoryLevel};

use super::domain::{self, Counted, ServiceFacts};
use crate::auth::policy::StatisticsScope;
use crate::codes::from_code;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{service_territories as st, services as s, territories, territory_needs as tn};
use crate::statistics::compute::{self, resolve_territory};
use crate::statistics::params::{Filters, Request};
use crate::statistics::store as stats_store;

fn internal<E: Into<anyhow::Error>>(e: E) -> ApiError {
    ApiError::Internal(e.into())
}

/// A service's type, domain, capacity, free places and concerns (JSON), as stored.
type ServiceRow = (String, String, Option<i32>, Option<i32>, String);

/// The active services serving the territory at `path` (`MA/MA-04/421/`): those of its
/// subtree and those of the territories above it (national ones included).
pub fn serving(conn: &mut DbConn, path: &str) -> Result<Vec<ServiceFacts>, ApiError> {
    let above: Vec<String> = path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let within = territories::table
        .filter(territories::path.like(format!("{path}%")))
        .select(territories::code);
    let ids = st::table
        .filter(
            st::territory_code
                .eq_any(above)
                .or(st::territory_code.eq_any(within)),
        )
        .select(st::service_id);
    let rows: Vec<ServiceRow> = s::table
        .filter(s::active.and(s::id.eq_any(ids)))
        .select((
            s::service_type,
            s::domain,
            s::capacity,
            s::places_available,
            s::concerns,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(service_type, domain, capacity, places, concerns)| {
            let codes: Vec<String> = serde_json::from_str(&concerns).map_err(internal)?;
            Ok(ServiceFacts {
                service_type,
                domain: from_code::<PathwayDomain>(&domain)?,
                capacity: capacity.map(i64::from),
                places_available: places.map(i64::from),
                concerns: codes
                    .iter()
                    .map(|c| from_code::<ConcernType>(c))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

/// A committee's needs as stored.
pub struct Needs {
    pub needs: Vec<CommitteeNeed>,
    pub updated_at: Option<NaiveDateTime>,
    pub version: i32,
}

/// The needs recorded for a territory (none, at version 0, before the first).
pub fn needs(conn: &mut DbConn, code: &str) -> Result<Needs, ApiError> {
    let row: Option<(String, NaiveDateTime, i32)> = tn::table
        .filter(tn::territory_code.eq(code))
        .select((tn::needs, tn::updated_at, tn::version))
        .first(conn)
        .optional()?;
    match row {
        None => Ok(Needs {
            needs: Vec::new(),
            updated_at: None,
            version: 0,
        }),
        Some((text, at, version)) => Ok(Needs {
            needs: serde_json::from_str(&text).map_err(internal)?,
            updated_at: Some(at),
            version,
        }),
    }
}

/// Replaces a territory's needs if they are still at `version` (412 otherwise).
pub fn replace(
    conn: &mut DbConn,
    code: &str,
    version: i32,
    needs: &[CommitteeNeed],
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let text = serde_json::to_string(needs).map_err(internal)?;
    let now = now.trunc_subsecs(6);
    let exists: i64 = tn::table
        .filter(tn::territory_code.eq(code))
        .count()
        .get_result(conn)?;
    let changed = if version == 0 && exists == 0 {
        diesel::insert_into(tn::table)
            .values((
                tn::territory_code.eq(code),
                tn::needs.eq(&text),
                tn::updated_by_id.eq(by),
                tn::updated_at.eq(now),
                tn::version.eq(1),
            ))
            .execute(conn)?
    } else {
        diesel::update(tn::table.filter(tn::territory_code.eq(code).and(tn::version.eq(version))))
            .set((
                tn::needs.eq(&text),
                tn::updated_by_id.eq(by),
                tn::updated_at.eq(now),
                tn::version.eq(version + 1),
            ))
            .execute(conn)?
    };
    if changed == 1 {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

/// The diagnostic of territory `code` for `year`, masked for `scope` (`threshold`: k), or
/// under k whatever the role when `disclose` (the printable page). A territory unknown, or
/// outside a coordinator's subtree: 404.
pub fn diagnostic(
    conn: &mut DbConn,
    scope: &StatisticsScope,
    code: String,
    year: i32,
    threshold: i64,
    disclose: bool,
) -> Result<TerritoryDiagnostic, ApiError> {
    let (name_ar, name_fr) =
        stats_store::territory_names(conn, &code)?.ok_or(ApiError::NotFound)?;
    let Some(path) = resolve_territory(conn, scope, Some(code.clone()))?.1 else {
        return Err(ApiError::NotFound);
    };
    let suppressed = StatisticsScope::Suppressed;
    let masked_for = if disclose { &suppressed } else { scope };
    let k = match masked_for {
        StatisticsScope::Exact { .. } => None,
        StatisticsScope::Suppressed => Some(threshold),
    };
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or(ApiError::NotFound)?,
        NaiveDate::from_ymd_opt(year, 12, 31).ok_or(ApiError::NotFound)?,
    );
    let by_concern = |conn: &mut DbConn, measure| {
        let request = Request {
            measure,
            group_by: vec![Dimension::Concern],
            period: PeriodUnit::Year,
            territory_level: TerritoryLevel::Province,
            from,
            to,
            territory: Some(code.clone()),
            filters: Filters::default(),
        };
        compute::statistics(conn, masked_for, request, threshold)
    };
    let children = by_concern(conn, Measure::Children)?;
    let risks = by_concern(conn, Measure::CasesOpened)?;
    let counted = children
        .cells
        .iter()
        .map(|cell| {
            let code = cell.key.first().map(String::as_str).unwrap_or("");
            Ok(Counted {
                concern: from_code::<ConcernType>(code)?,
                children: cell.count,
                suppressed: cell.suppressed,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let services = serving(conn, &path)?;
    let recorded = needs(conn, &code)?;
    Ok(TerritoryDiagnostic {
        inventory: domain::inventory(&services),
        needs: domain::needs(&counted, &services),
        risks,
        committee_needs: recorded.needs,
        committee_updated_at: recorded.updated_at.map(|t| t.and_utc()),
        version: recorded.version,
        territory: code,
        name_ar,
        name_fr,
        year,
        k,
    })
}
