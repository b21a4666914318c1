//! Statistics: what the committees and the ministry read (issue 8, first slice).
//!
//! - `handlers`: `GET /api/v1/statistics` and `/statistics/indicators/{code}` (thin);
//! - `params`: the query string, checked against the vocabulary (pure, unit-tested);
//! - `query`: the aggregate SQL, per measure and dimension (pure, unit-tested);
//! - `periods`: buckets and comparison windows (pure, unit-tested);
//! - `disclosure`: primary and secondary suppression (pure, unit-tested);
//! - `compute`: windows, aggregates and masking put together; `store`: running the SQL;
//! - `outcomes`: referral delays and protocol compliance (SQL, percentiles, masking);
//! - `report`: the dashboard and the provincial report put together; `report_handlers`
//!   (`/statistics/dashboard`, `/statistics/territories/{code}/report`), `report_csv`,
//!   `report_html` (the printable page), `report_svg` (its charts) and `report_text` (its words, ar/fr).
//!
//! Access is decided in `auth::policy` (`Action::ReadStatistics`, `statistics_scope`).
pub mod compute;
pub mod disclosure;
pub mod handlers;
pub mod outcomes;
pub mod params;
pub mod periods;
pub mod query;
pub mod referral_counts;
pub mod report;
pub mod report_csv;
pub mod report_handlers;
pub mod report_html;
pub mod report_svg;
pub mod report_text;
pub mod store;
pub mod tally;

use utoipa_actix_web::service_config::ServiceConfig;

/// The statistics' routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_statistics)
        .service(handlers::get_indicator)
        .service(report_handlers::get_dashboard)
        .service(report_handlers::get_territory_report)
        .service(referral_counts::get_referral_counts);
}
