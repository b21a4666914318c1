//! Reads of transfers: the receiving organization, and transfers with what their responses
//! name. The caller's scope is applied inside every query that returns a transfer.
use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use madar_openapi::cases::{TransferDirection, TransferResponse, TransferStatus};

use super::domain::Target;
use crate::auth::policy::sees_transfer_reason;
use crate::auth::policy::TransferScope;
use crate::auth::Actor;
use crate::cases::rows::{open, uuid};
use crate::codes::from_code;
use crate::codes::to_code;
use crate::crypto::Keyring;
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{
    case_transfers as t, cases, organization_territories, organizations, territories,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = t)]
pub struct TransferRow {
    pub id: String,
    pub case_id: String,
    pub from_org: String,
    pub to_org: String,
    pub from_territory_code: String,
    pub to_territory_code: String,
    pub status: String,
    pub reason_sealed: Option<String>,
    pub requested_by_id: String,
    pub requested_at: NaiveDateTime,
    pub decided_by_id: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub comment_sealed: Option<String>,
    pub version: i32,
}

/// A transfer with what its response names: the case's reference, the organizations' codes,
/// the target territory's path (who decides).
#[derive(Debug, Clone)]
pub struct Transfer {
    pub row: TransferRow,
    pub case_reference: String,
    pub from_code: String,
    pub to_code: String,
    pub to_path: String,
}

/// The organization with this code, with the territories it serves.
pub fn target(conn: &mut DbConn, code: &str) -> Result<Option<Target>, ApiError> {
    let org: Option<(String, String, String, bool)> = organizations::table
        .filter(organizations::code.eq(code))
        .select((
            organizations::id,
            organizations::code,
            organizations::org_type,
            organizations::active,
        ))
        .first(conn)
        .optional()?;
    let Some((id, code, org_type, active)) = org else {
        return Ok(None);
    };
    let served = organization_territories::table
        .inner_join(territories::table)
        .filter(organization_territories::organization_id.eq(&id))
        .order(territories::code)
        .select((territories::code, territories::path))
        .load(conn)?;
    Ok(Some(Target {
        id,
        code,
        org_type,
        active,
        served,
    }))
}

/// A territory's path, if the code names one.
pub fn path_of(conn: &mut DbConn, code: &str) -> Result<Option<String>, ApiError> {
    Ok(territories::table
        .find(code)
        .select(territories::path)
        .first(conn)
        .optional()?)
}

type Boxed = t::BoxedQuery<'static, MultiBackend>;

fn codes_under(
    path: &str,
) -> diesel::dsl::Select<
    diesel::dsl::Filter<territories::table, diesel::dsl::Like<territories::path, String>>,
    territories::code,
> {
    territories::table
        .filter(territories::path.like(format!("{path}%")))
        .select(territories::code)
}

fn scoped(scope: &TransferScope, direction: Option<TransferDirection>) -> Boxed {
    use TransferDirection as D;
    let query = t::table.into_boxed();
    match (scope, direction) {
        (TransferScope::Subtree(p), Some(D::Incoming)) => {
            query.filter(t::to_territory_code.eq_any(codes_under(p)))
        }
        (TransferScope::Subtree(p), Some(D::Outgoing)) => {
            query.filter(t::from_territory_code.eq_any(codes_under(p)))
        }
        (TransferScope::Subtree(p), None) => query.filter(
            t::to_territory_code
                .eq_any(codes_under(p))
                .or(t::from_territory_code.eq_any(codes_under(p))),
        ),
        (TransferScope::Organization(o), Some(D::Incoming)) => {
            query.filter(t::to_org.eq(o.clone()))
        }
        (TransferScope::Organization(o), Some(D::Outgoing)) => {
            query.filter(t::from_org.eq(o.clone()))
        }
        (TransferScope::Organization(o), None) => {
            query.filter(t::to_org.eq(o.clone()).or(t::from_org.eq(o.clone())))
        }
        (TransferScope::None, _) => query.filter(t::id.eq("")),
    }
}

fn load(conn: &mut DbConn, query: Boxed) -> Result<Vec<Transfer>, ApiError> {
    let rows: Vec<TransferRow> = query.select(TransferRow::as_select()).load(conn)?;
    let case_ids: Vec<&String> = rows.iter().map(|r| &r.case_id).collect();
    let references: HashMap<String, String> = cases::table
        .filter(cases::id.eq_any(case_ids))
        .select((cases::id, cases::reference))
        .load(conn)?
        .into_iter()
        .collect();
    let org_ids: Vec<&String> = rows.iter().flat_map(|r| [&r.from_org, &r.to_org]).collect();
    let codes: HashMap<String, String> = organizations::table
        .filter(organizations::id.eq_any(org_ids))
        .select((organizations::id, organizations::code))
        .load(conn)?
        .into_iter()
        .collect();
    let targets: Vec<&String> = rows.iter().map(|r| &r.to_territory_code).collect();
    let paths: HashMap<String, String> = territories::table
        .filter(territories::code.eq_any(targets))
        .select((territories::code, territories::path))
        .load(conn)?
        .into_iter()
        .collect();
    let get = |map: &HashMap<String, String>, key: &str| {
        map.get(key)
            .cloned()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a transfer without its {key}")))
    };
    rows.into_iter()
        .map(|row| {
            Ok(Transfer {
                case_reference: get(&references, &row.case_id)?,
                from_code: get(&codes, &row.from_org)?,
                to_code: get(&codes, &row.to_org)?,
                to_path: get(&paths, &row.to_territory_code)?,
                row,
            })
        })
        .collect()
}

/// One transfer within the caller's scope (404 otherwise).
pub fn find(conn: &mut DbConn, scope: &TransferScope, id: &str) -> Result<Transfer, ApiError> {
    load(conn, scoped(scope, None).filter(t::id.eq(id.to_string())))?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// A page of transfers, newest first.
pub fn list(
    conn: &mut DbConn,
    scope: &TransferScope,
    direction: Option<TransferDirection>,
    status: Option<TransferStatus>,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<Transfer>, ApiError> {
    let mut query = scoped(scope, direction).order(t::id.desc()).limit(limit);
    if let Some(status) = status {
        query = query.filter(t::status.eq(to_code(&status)));
    }
    if let Some(after) = after {
        query = query.filter(t::id.lt(after));
    }
    load(conn, query)
}

impl Transfer {
    /// The transfer as `actor` sees it: the reason and comment only where
    /// `policy::sees_transfer_reason` allows.
    pub fn response(&self, keys: &Keyring, actor: &Actor) -> Result<TransferResponse, ApiError> {
        let (t, r) = (self, &self.row);
        let sees = sees_transfer_reason(actor, &r.requested_by_id);
        let text = |column: &str, stored: &Option<String>| match sees {
            true => open(keys, ("case_transfers", column, &r.id), stored.as_deref()),
            false => Ok(None),
        };
        Ok(TransferResponse {
            id: uuid(&r.id)?,
            case_id: uuid(&r.case_id)?,
            case_reference: t.case_reference.clone(),
            from_organization: t.from_code.clone(),
            to_organization: t.to_code.clone(),
            from_territory: r.from_territory_code.clone(),
            territory: r.to_territory_code.clone(),
            status: from_code(&r.status)?,
            reason: text("reason", &r.reason_sealed)?,
            requested_by: uuid(&r.requested_by_id)?,
            requested_at: r.requested_at.and_utc(),
            decided_by: r.decided_by_id.as_deref().map(uuid).transpose()?,
            decided_at: r.decided_at.map(|d| d.and_utc()),
            comment: text("comment", &r.comment_sealed)?,
        })
    }
}
