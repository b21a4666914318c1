//! The services an open `service_referral` action proposes: the active services of its
//! service type serving the child's territory and admitting the child, as the directory's
//! eligibility search finds them (`services::eligibility`, `services::store::search`). A child
//! outside the caller's child scope is matched on the case's territory alone.
use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use madar_openapi::pathway::ServiceType;
use madar_openapi::protocols::ProtocolActionStatus;

use super::store::ActionRow;
use crate::auth::policy::ChildScope;
use crate::codes::from_code;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::schema::{cases, territories};
use crate::services::domain::lineage;
use crate::services::{eligibility, store as services};

/// How many services an action proposes at most.
pub const MAX_PROPOSED: i64 = 20;

/// The services each open `service_referral` action of `rows` (on a case) proposes, by action
/// id, at `today`.
pub fn of(
    conn: &mut DbConn,
    rows: &[ActionRow],
    scope: &ChildScope,
    today: NaiveDate,
) -> Result<HashMap<String, Vec<uuid::Uuid>>, ApiError> {
    let mut out = HashMap::new();
    let now = today.and_time(chrono::NaiveTime::MIN);
    for row in rows {
        let open = matches!(
            row.status_at(now)?,
            ProtocolActionStatus::Pending | ProtocolActionStatus::Overdue
        );
        let (Some(case_id), Some(kind), true) = (&row.case_id, &row.service_type, open) else {
            continue;
        };
        if row.action != "service_referral" {
            continue;
        }
        let service_type: ServiceType = from_code(kind)?;
        let (child_id, path): (String, String) = cases::table
            .inner_join(territories::table)
            .filter(cases::id.eq(case_id))
            .select((cases::child_id, territories::path))
            .first(conn)?;
        let child = match eligibility::facts(conn, scope, &child_id, today) {
            Ok(facts) => Some(facts),
            Err(ApiError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let search = services::Search {
            territories: child.is_none().then(|| lineage(&path)),
            service_type: Some(service_type),
            active: Some(true),
            child,
            limit: MAX_PROPOSED,
            ..Default::default()
        };
        let found = services::search(conn, &search)?;
        let ids = found
            .iter()
            .map(|s| uuid::Uuid::parse_str(&s.row.id).map_err(|e| ApiError::Internal(e.into())))
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(row.id.clone(), ids);
    }
    Ok(out)
}
