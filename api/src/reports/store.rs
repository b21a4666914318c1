//! Queries on reports. Sensitive text is sealed on the way in and opened on the way out; every
//! read applies the caller's scope inside the query.
use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use madar_openapi::organizations::OrganizationType;
use madar_openapi::reports::{
    ConcernType, CreateReport, ReportResponse, ReportStatus, ReportStatusResponse, ReportedChild,
    ReportedChildResponse, Reporter,
};

use super::domain;
use crate::auth::policy::ReportScope;
use crate::auth::Actor;
use crate::codes::{from_code, to_code};
use crate::crypto::{Keyring, Place};
use crate::db::{DbConn, MultiBackend};
use crate::error::ApiError;
use crate::schema::{
    case_reports, organization_territories, organizations, report_children, report_concerns,
    report_routes, reports, territories,
};
use crate::sequences::{self, Series};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct ReportRow {
    pub id: String,
    pub reference: String,
    pub source: String,
    pub received_at: NaiveDateTime,
    pub external_ref: Option<String>,
    pub reporter_type: String,
    pub reporter_name_sealed: Option<String>,
    pub reporter_phone_sealed: Option<String>,
    pub immediate_danger: bool,
    pub priority: i32,
    pub narrative_sealed: Option<String>,
    pub status: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = report_children)]
struct ChildRow {
    given_name_ar: Option<String>,
    family_name_ar: Option<String>,
    given_name_latin: Option<String>,
    family_name_latin: Option<String>,
    sex: String,
    date_of_birth: Option<chrono::NaiveDate>,
    estimated_birth_year: Option<i32>,
    territory_code: String,
    address_sealed: Option<String>,
    situation: String,
}

fn place<'a>(table: &'a str, column: &'a str, row_id: &'a str) -> Place<'a> {
    Place {
        table,
        column,
        row_id,
    }
}

fn seal(
    keys: &Keyring,
    table: &str,
    column: &str,
    row_id: &str,
    text: &Option<String>,
) -> Result<Option<String>, ApiError> {
    text.as_deref()
        .map(|t| keys.seal(place(table, column, row_id), t))
        .transpose()
}

fn open(
    keys: &Keyring,
    table: &str,
    column: &str,
    row_id: &str,
    stored: &Option<String>,
) -> Result<Option<String>, ApiError> {
    stored
        .as_deref()
        .map(|s| keys.open(place(table, column, row_id), s))
        .transpose()
}

/// The case-owning active organizations with the paths of the territories they serve.
fn case_owners(conn: &mut DbConn) -> Result<Vec<(String, String)>, ApiError> {
    let owners = [
        OrganizationType::SupportCentre,
        OrganizationType::ProtectionUnit,
        OrganizationType::MobileUnit,
    ]
    .map(|t| to_code(&t));
    Ok(organization_territories::table
        .inner_join(organizations::table)
        .inner_join(territories::table)
        .filter(organizations::active.and(organizations::org_type.eq_any(owners)))
        .select((organizations::id, territories::path))
        .load(conn)?)
}

/// The materialized paths of the children's territories, in the children's order; 422 naming
/// the first child whose territory is unknown. Read before the report's transaction, so that on
/// SQLite the transaction's first statement is a write (a deferred transaction that has read
/// cannot take the write lock once another writer has committed: it fails with SQLITE_BUSY).
pub fn territory_paths(conn: &mut DbConn, new: &CreateReport) -> Result<Vec<String>, ApiError> {
    let mut paths = Vec::with_capacity(new.children.len());
    for (i, child) in new.children.iter().enumerate() {
        let path: Option<String> = territories::table
            .find(&child.territory)
            .select(territories::path)
            .first(conn)
            .optional()?;
        let path = path.ok_or_else(|| {
            ApiError::validation(
                &format!("children[{i}].territory"),
                "unknown_territory",
                "names no territory",
            )
        })?;
        paths.push(path);
    }
    Ok(paths)
}

/// Files a new report: numbers it, routes it, seals its sensitive text. `paths` are the
/// children's territory paths (`territory_paths`). Numbering comes first: it is the write that
/// serializes concurrent reports of one territory, and it is numbered in the year it is filed.
pub fn create(
    conn: &mut DbConn,
    keys: &Keyring,
    new: &CreateReport,
    paths: &[String],
    by: &Actor,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    let territory = domain::numbering_territory(new)?.to_string();
    let year = now.year();
    let reference = domain::reference(
        &territory,
        year,
        sequences::next(conn, Series::Report, &territory, year)?,
    );
    let owners = case_owners(conn)?;
    let mut routes: Vec<String> = paths
        .iter()
        .flat_map(|p| domain::route(p, &owners))
        .collect();
    routes.sort();
    routes.dedup();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(reports::table)
        .values((
            reports::id.eq(&id),
            reports::reference.eq(&reference),
            reports::territory_code.eq(&territory),
            reports::source.eq(to_code(&new.source)),
            reports::received_at.eq(new.received_at.naive_utc()),
            reports::external_ref.eq(&new.external_ref),
            reports::reporter_type.eq(to_code(&new.reporter.type_)),
            reports::reporter_name_sealed.eq(seal(
                keys,
                "reports",
                "reporter_name",
                &id,
                &new.reporter.name,
            )?),
            reports::reporter_phone_sealed.eq(seal(
                keys,
                "reports",
                "reporter_phone",
                &id,
                &new.reporter.phone,
            )?),
            reports::immediate_danger.eq(new.immediate_danger),
            reports::priority.eq(if new.immediate_danger { 0 } else { 1 }),
            reports::narrative_sealed.eq(seal(keys, "reports", "narrative", &id, &new.narrative)?),
            reports::status.eq(to_code(&ReportStatus::Received)),
            reports::routed_national.eq(routes.is_empty()),
            reports::created_by_kind.eq(to_code(&by.kind)),
            reports::created_by_id.eq(&by.id),
            reports::created_by_org.eq(&by.organization_id),
            reports::created_at.eq(now),
            reports::updated_at.eq(now),
        ))
        .execute(conn)?;
    for (i, child) in new.children.iter().enumerate() {
        let row_id = format!("{id}/{i}");
        diesel::insert_into(report_children::table)
            .values((
                report_children::report_id.eq(&id),
                report_children::position.eq(i as i32),
                report_children::given_name_ar.eq(&child.given_name_ar),
                report_children::family_name_ar.eq(&child.family_name_ar),
                report_children::given_name_latin.eq(&child.given_name_latin),
                report_children::family_name_latin.eq(&child.family_name_latin),
                report_children::sex.eq(to_code(&child.sex)),
                report_children::date_of_birth.eq(child.date_of_birth),
                report_children::estimated_birth_year.eq(child.estimated_birth_year),
                report_children::territory_code.eq(&child.territory),
                report_children::address_sealed.eq(seal(
                    keys,
                    "report_children",
                    "address",
                    &row_id,
                    &child.address_text,
                )?),
                report_children::situation.eq(serde_json::to_string(&child.situation)
                    .map_err(|e| ApiError::Internal(e.into()))?),
            ))
            .execute(conn)?;
    }
    let concerns: Vec<String> = domain::normalized_concerns(&new.concerns)
        .iter()
        .map(to_code)
        .collect();
    for concern in &concerns {
        diesel::insert_into(report_concerns::table)
            .values((
                report_concerns::report_id.eq(&id),
                report_concerns::concern_code.eq(concern),
            ))
            .execute(conn)?;
    }
    let received_at = new.received_at.naive_utc();
    crate::statistics::tally::report_received(conn, &territory, received_at, &concerns)?;
    for org in routes {
        diesel::insert_into(report_routes::table)
            .values((
                report_routes::report_id.eq(&id),
                report_routes::organization_id.eq(org),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

type Scoped = reports::BoxedQuery<'static, MultiBackend>;

fn scoped(scope: &ReportScope) -> Scoped {
    let query = reports::table.into_boxed();
    match scope {
        ReportScope::Subtree {
            path,
            organization,
            granted,
        } => {
            let territorial = reports::id
                .eq_any(
                    report_children::table
                        .inner_join(territories::table)
                        .filter(territories::path.like(format!("{path}%")))
                        .select(report_children::report_id),
                )
                .or(reports::created_by_org.eq(organization.clone()));
            if granted.is_empty() {
                query.filter(territorial)
            } else {
                let of_granted_cases = case_reports::table
                    .filter(case_reports::case_id.eq_any(granted.clone()))
                    .select(case_reports::report_id);
                query.filter(territorial.or(reports::id.eq_any(of_granted_cases)))
            }
        }
        ReportScope::RoutedOrCreated(org) => query.filter(
            reports::id
                .eq_any(
                    report_routes::table
                        .filter(report_routes::organization_id.eq(org.clone()))
                        .select(report_routes::report_id),
                )
                .or(reports::created_by_org.eq(org.clone())),
        ),
        ReportScope::CreatedBy(org) => query.filter(reports::created_by_org.eq(org.clone())),
        ReportScope::None => query.filter(reports::id.eq("")),
    }
}

/// One report within the caller's scope.
pub fn find(conn: &mut DbConn, scope: &ReportScope, id: &str) -> Result<ReportRow, ApiError> {
    Ok(scoped(scope)
        .filter(reports::id.eq(id.to_string()))
        .select(ReportRow::as_select())
        .first(conn)?)
}

pub struct ReportFilter {
    pub status: Option<ReportStatus>,
    /// `(priority, id)` of the last item of the previous page.
    pub after: Option<(i32, String)>,
    pub limit: i64,
}

/// The inbox: immediate danger first, then oldest first.
pub fn list(
    conn: &mut DbConn,
    scope: &ReportScope,
    filter: &ReportFilter,
) -> Result<Vec<ReportRow>, ApiError> {
    let mut query = scoped(scope)
        .select(ReportRow::as_select())
        .order((reports::priority, reports::id))
        .limit(filter.limit);
    if let Some(status) = filter.status {
        query = query.filter(reports::status.eq(to_code(&status)));
    }
    if let Some((priority, id)) = &filter.after {
        query = query.filter(
            reports::priority.gt(*priority).or(reports::priority
                .eq(*priority)
                .and(reports::id.gt(id.clone()))),
        );
    }
    Ok(query.load(conn)?)
}

/// Whether the report is attached to one of these cases.
pub fn attached_to_any(conn: &mut DbConn, id: &str, cases: &[String]) -> Result<bool, ApiError> {
    if cases.is_empty() {
        return Ok(false);
    }
    let found: i64 = case_reports::table
        .filter(case_reports::report_id.eq(id))
        .filter(case_reports::case_id.eq_any(cases.to_vec()))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Whether a child of the report lies in the territory subtree `path`.
pub fn has_child_in(conn: &mut DbConn, id: &str, path: &str) -> Result<bool, ApiError> {
    let found: i64 = report_children::table
        .inner_join(territories::table)
        .filter(report_children::report_id.eq(id))
        .filter(territories::path.like(format!("{path}%")))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// The codes of the organizations a report was routed to.
pub fn routes(conn: &mut DbConn, id: &str) -> Result<Vec<(String, String)>, ApiError> {
    Ok(report_routes::table
        .inner_join(organizations::table)
        .filter(report_routes::report_id.eq(id))
        .select((organizations::id, organizations::code))
        .order(organizations::code)
        .load(conn)?)
}

pub fn status_view(row: &ReportRow) -> Result<ReportStatusResponse, ApiError> {
    Ok(ReportStatusResponse {
        id: row
            .id
            .parse()
            .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?,
        reference: row.reference.clone(),
        status: from_code(&row.status)?,
        received_at: row.received_at.and_utc(),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

/// The children a report names, in its order, their sealed text opened.
pub fn reported_children(
    conn: &mut DbConn,
    keys: &Keyring,
    id: &str,
) -> Result<Vec<ReportedChild>, ApiError> {
    let children: Vec<ChildRow> = report_children::table
        .filter(report_children::report_id.eq(id))
        .order(report_children::position)
        .select(ChildRow::as_select())
        .load(conn)?;
    children
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(ReportedChild {
                given_name_ar: c.given_name_ar,
                family_name_ar: c.family_name_ar,
                given_name_latin: c.given_name_latin,
                family_name_latin: c.family_name_latin,
                sex: from_code(&c.sex)?,
                date_of_birth: c.date_of_birth,
                estimated_birth_year: c.estimated_birth_year,
                territory: c.territory_code,
                address_text: open(
                    keys,
                    "report_children",
                    "address",
                    &format!("{id}/{i}"),
                    &c.address_sealed,
                )?,
                situation: serde_json::from_str(&c.situation)
                    .map_err(|e| ApiError::Internal(e.into()))?,
            })
        })
        .collect()
}

/// The whole report, its sealed text opened, its children's links.
pub fn full_view(
    conn: &mut DbConn,
    keys: &Keyring,
    row: &ReportRow,
    routed_to: Vec<String>,
) -> Result<ReportResponse, ApiError> {
    let id = row.id.as_str();
    let links = super::screening_store::links(conn, id)?;
    let children = reported_children(conn, keys, id)?
        .into_iter()
        .enumerate()
        .map(|(i, child)| {
            let linked = links
                .iter()
                .find(|(position, _)| usize::try_from(*position).ok() == Some(i))
                .map(|(_, child_id)| child_id.parse())
                .transpose()
                .map_err(|e: uuid::Error| ApiError::Internal(e.into()))?;
            Ok(ReportedChildResponse::of(child, linked))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let concerns: Vec<String> = report_concerns::table
        .filter(report_concerns::report_id.eq(id))
        .select(report_concerns::concern_code)
        .load(conn)?;
    let concerns = concerns
        .iter()
        .map(|c| from_code(c))
        .collect::<Result<Vec<ConcernType>, _>>()?;
    let status = status_view(row)?;
    Ok(ReportResponse {
        id: status.id,
        reference: status.reference,
        status: status.status,
        source: from_code(&row.source)?,
        received_at: status.received_at,
        external_ref: row.external_ref.clone(),
        reporter: Reporter {
            type_: from_code(&row.reporter_type)?,
            name: open(
                keys,
                "reports",
                "reporter_name",
                id,
                &row.reporter_name_sealed,
            )?,
            phone: open(
                keys,
                "reports",
                "reporter_phone",
                id,
                &row.reporter_phone_sealed,
            )?,
        },
        children,
        concerns: domain::normalized_concerns(&concerns),
        immediate_danger: row.immediate_danger,
        narrative: open(keys, "reports", "narrative", id, &row.narrative_sealed)?,
        routed_to,
        created_at: status.created_at,
        updated_at: status.updated_at,
    })
}
