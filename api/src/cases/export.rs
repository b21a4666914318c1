//! The CSV export of a work list (`Accept: text/csv` on `GET /api/v1/cases`): the same filters
//! as the JSON list, every page of it up to [`MAX_ROWS`], one audited export event per case.
use actix_web::HttpResponse;
use madar_openapi::cases::CaseResponse;

use super::handlers::{audit_reads, responses};
use super::store::{self, WorkList};
use crate::audit::AuditAction;
use crate::auth::policy::case_scope;
use crate::auth::Actor;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

/// Cases read per query while exporting.
pub const PAGE: i64 = 500;
/// The most cases one export holds.
pub const MAX_ROWS: usize = 10_000;

const HEADER: [&str; 16] = [
    "reference",
    "given_name_ar",
    "family_name_ar",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "age",
    "territory",
    "organization",
    "stage",
    "urgency",
    "risk_level",
    "concerns",
    "assigned_to",
    "opened_at",
    "closed_at",
];

fn row(case: &CaseResponse) -> [String; 16] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let codes = |v: Vec<String>| v.join(";");
    [
        case.reference.clone(),
        text(&case.child.given_name_ar),
        text(&case.child.family_name_ar),
        text(&case.child.given_name_latin),
        text(&case.child.family_name_latin),
        to_code(&case.child.sex),
        case.child.age.map(|a| a.to_string()).unwrap_or_default(),
        case.territory.clone(),
        case.organization.clone(),
        to_code(&case.stage),
        to_code(&case.urgency),
        case.risk_level.map(|r| to_code(&r)).unwrap_or_default(),
        codes(case.concerns.iter().map(to_code).collect()),
        codes(case.assigned_to.iter().map(|u| u.to_string()).collect()),
        case.opened_at.to_rfc3339(),
        case.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
    ]
}

/// Exports the whole list as CSV (UTF-8 with a byte-order mark, so spreadsheets read Arabic).
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    mut list: WorkList,
) -> Result<HttpResponse, ApiError> {
    let internal = |e: csv::Error| ApiError::Internal(e.into());
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(HEADER).map_err(internal)?;
    let mut written = 0;
    loop {
        let (scope, query) = (case_scope(actor), list.clone());
        let rows = db::run(&state.pool, move |c| store::list(c, &scope, &query)).await?;
        let ids: Vec<&str> = rows.iter().map(|c| c.row.id.as_str()).collect();
        audit_reads(state, actor, AuditAction::CaseExport, &ids)?;
        for case in responses(state, actor, &rows)? {
            out.write_record(row(&case)).map_err(internal)?;
        }
        written += rows.len();
        match rows.last() {
            Some(last) if rows.len() as i64 == list.limit && written < MAX_ROWS => {
                list.after = Some((last.row.priority, last.row.id.clone()));
            }
            _ => break,
        }
    }
    let body = out
        .into_inner()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("csv: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"cases.csv\"",
        ))
        .body(body))
}
