//! Reads of referrals, the caller's scope applied inside every query (`policy::ReferralScope`),
//! and what their responses name: the organizations' codes, the case's reference and the
//! path of its territory (who is on the sending side).
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::referrals::{ReferralDirection, ReferralStatus};

use crate::auth::policy::ReferralScope;
use crate::codes::to_code;
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{cases, organizations, referrals as r, territories};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = r)]
pub struct ReferralRow {
    pub id: String,
    pub case_id: String,
    pub child_id: String,
    pub from_org: String,
    pub to_org: String,
    pub service_id: Option<String>,
    pub service_type: String,
    pub domain: String,
    pub status: String,
    pub urgency: String,
    pub reason_sealed: String,
    pub due_by: NaiveDateTime,
    pub respond_by: NaiveDateTime,
    pub consent_id: Option<String>,
    pub field_groups: String,
    pub snapshot_sealed: String,
    pub plan_action_id: Option<String>,
    pub override_reason_sealed: Option<String>,
    pub decline_reason_sealed: Option<String>,
    pub outcome: Option<String>,
    pub feedback_sealed: Option<String>,
    pub cancel_reason_sealed: Option<String>,
    pub sent_by_id: String,
    pub sent_at: NaiveDateTime,
    pub answered_at: Option<NaiveDateTime>,
    pub started_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

/// A referral with what its response names.
#[derive(Debug, Clone)]
pub struct Referral {
    pub row: ReferralRow,
    pub from_code: String,
    pub to_code: String,
    pub case_reference: String,
    /// The materialized path of the case's territory.
    pub case_path: String,
}

type Boxed = r::BoxedQuery<'static, MultiBackend>;

/// The ids of the cases whose territory lies in the subtree at `path` (a subquery).
macro_rules! cases_under {
    ($path:expr) => {
        cases::table
            .filter(
                cases::territory_code.eq_any(
                    territories::table
                        .filter(territories::path.like(format!("{}%", $path)))
                        .select(territories::code),
                ),
            )
            .select(cases::id)
    };
}

fn scoped(scope: &ReferralScope, direction: Option<ReferralDirection>) -> Boxed {
    use ReferralDirection as D;
    use ReferralScope as S;
    let query = r::table.into_boxed();
    let none = r::id.eq("");
    match (scope, direction) {
        (S::Subtree { organization, .. }, Some(D::Incoming))
        | (S::Organization(organization), Some(D::Incoming))
        | (S::AddressedTo(organization), Some(D::Incoming) | None) => {
            query.filter(r::to_org.eq(organization.clone()))
        }
        (S::Subtree { path, .. }, Some(D::Outgoing)) => {
            query.filter(r::case_id.eq_any(cases_under!(path)))
        }
        (S::Subtree { path, organization }, None) => query.filter(
            r::to_org
                .eq(organization.clone())
                .or(r::case_id.eq_any(cases_under!(path))),
        ),
        (S::Organization(o), Some(D::Outgoing)) => query.filter(r::from_org.eq(o.clone())),
        (S::Organization(o), None) => {
            query.filter(r::to_org.eq(o.clone()).or(r::from_org.eq(o.clone())))
        }
        (S::AddressedTo(_), Some(D::Outgoing)) | (S::None, _) => query.filter(none),
    }
}

fn load(conn: &mut DbConn, query: Boxed) -> Result<Vec<Referral>, ApiError> {
    let rows: Vec<ReferralRow> = query.select(ReferralRow::as_select()).load(conn)?;
    let case_ids: Vec<&String> = rows.iter().map(|r| &r.case_id).collect();
    let cases: HashMap<String, (String, String)> = cases::table
        .inner_join(territories::table)
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, cases::reference, territories::path))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, reference, path)| (id, (reference, path)))
        .collect();
    let org_ids: Vec<&String> = rows.iter().flat_map(|r| [&r.from_org, &r.to_org]).collect();
    let codes: HashMap<String, String> = organizations::table
        .filter(organizations::id.eq_any(org_ids))
        .select((organizations::id, organizations::code))
        .load(conn)?
        .into_iter()
        .collect();
    let missing = |what: &str| ApiError::Internal(anyhow::anyhow!("a referral without its {what}"));
    rows.into_iter()
        .map(|row| {
            let (case_reference, case_path) = cases
                .get(&row.case_id)
                .cloned()
                .ok_or_else(|| missing("case"))?;
            Ok(Referral {
                from_code: codes
                    .get(&row.from_org)
                    .cloned()
                    .ok_or_else(|| missing("sender"))?,
                to_code: codes
                    .get(&row.to_org)
                    .cloned()
                    .ok_or_else(|| missing("receiver"))?,
                case_reference,
                case_path,
                row,
            })
        })
        .collect()
}

/// One referral within the caller's scope (404 otherwise).
pub fn find(conn: &mut DbConn, scope: &ReferralScope, id: &str) -> Result<Referral, ApiError> {
    load(conn, scoped(scope, None).filter(r::id.eq(id.to_string())))?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub direction: Option<ReferralDirection>,
    pub status: Option<ReferralStatus>,
    pub case_id: Option<String>,
}

/// A page of referrals within the caller's scope, newest first.
pub fn list(
    conn: &mut DbConn,
    scope: &ReferralScope,
    filter: Filter,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<Referral>, ApiError> {
    let mut query = scoped(scope, filter.direction)
        .order(r::id.desc())
        .limit(limit);
    if let Some(status) = filter.status {
        query = query.filter(r::status.eq(to_code(&status)));
    }
    if let Some(case_id) = filter.case_id {
        query = query.filter(r::case_id.eq(case_id));
    }
    if let Some(after) = after {
        query = query.filter(r::id.lt(after));
    }
    load(conn, query)
}

/// The receiving organization a referral names: (id, code, type, active).
pub type Organization = (String, String, String, bool);

/// The organization with this code.
pub fn organization(conn: &mut DbConn, code: &str) -> Result<Option<Organization>, ApiError> {
    Ok(organizations::table
        .filter(organizations::code.eq(code))
        .select((
            organizations::id,
            organizations::code,
            organizations::org_type,
            organizations::active,
        ))
        .first(conn)
        .optional()?)
}

/// The organization with this id.
pub fn organization_by_id(conn: &mut DbConn, id: &str) -> Result<Option<Organization>, ApiError> {
    Ok(organizations::table
        .find(id)
        .select((
            organizations::id,
            organizations::code,
            organizations::org_type,
            organizations::active,
        ))
        .first(conn)
        .optional()?)
}
