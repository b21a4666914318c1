//! The CSV export of a directory search (`Accept: text/csv` on `GET /api/v1/services`): the
//! same filters as the JSON search, every page of it up to [`MAX_ROWS`].
use actix_web::HttpResponse;
use madar_openapi::services::ServiceResponse;

use super::search::response;
use super::store::{self, Search};
use crate::auth::Actor;
use crate::codes::to_code;
use crate::db;
use crate::error::ApiError;
use crate::state::AppState;

/// Services read per query while exporting.
pub const PAGE: i64 = 500;
/// The most services one export holds.
pub const MAX_ROWS: usize = 10_000;

const HEADER: [&str; 17] = [
    "id",
    "type",
    "domain",
    "provider",
    "name",
    "name_ar",
    "name_fr",
    "min_age",
    "max_age",
    "sexes",
    "concerns",
    "languages",
    "capacity",
    "places_available",
    "territories",
    "confidential",
    "active",
];

fn row(s: &ServiceResponse) -> [String; 17] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
    [
        s.id.to_string(),
        to_code(&s.type_),
        to_code(&s.domain),
        s.provider.clone(),
        s.name.clone(),
        text(&s.name_ar),
        text(&s.name_fr),
        number(s.min_age),
        number(s.max_age),
        s.sexes.iter().map(to_code).collect::<Vec<_>>().join(";"),
        s.concerns.iter().map(to_code).collect::<Vec<_>>().join(";"),
        s.languages.join(";"),
        number(s.capacity),
        number(s.places_available),
        s.territories.join(";"),
        s.confidential.to_string(),
        s.active.to_string(),
    ]
}

/// Exports the whole search as CSV (UTF-8 with a byte-order mark, so spreadsheets read Arabic).
pub async fn csv(
    state: &AppState,
    actor: &Actor,
    mut search: Search,
) -> Result<HttpResponse, ApiError> {
    let internal = |e: csv::Error| ApiError::Internal(e.into());
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(HEADER).map_err(internal)?;
    let mut written = 0;
    loop {
        let query = search.clone();
        let rows = db::run(&state.pool, move |c| store::search(c, &query)).await?;
        for service in rows.iter().take(MAX_ROWS - written) {
            out.write_record(row(&response(actor, service)?))
                .map_err(internal)?;
        }
        written += rows.len().min(MAX_ROWS - written);
        match rows.last() {
            Some(last) if rows.len() as i64 == search.limit && written < MAX_ROWS => {
                search.after = Some(last.row.id.clone());
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
            "attachment; filename=\"services.csv\"",
        ))
        .body(body))
}
