//! The provincial diagnostic of structures and services (issue 8; contract
//! `madar_openapi::diagnostics`): the service directory's inventory of a territory, the children
//! in need by concern against the services answering each, the main risks, and the needs its
//! committee records.
//!
//! - `domain`: the inventory and the needs from the facts read (pure, unit-tested);
//! - `store`: the services serving a territory, the committee's needs;
//! - `html`: the printable page (Arabic or French);
//! - `handlers`: `/statistics/territories/{code}/diagnostic` (thin).
//!
//! Access: as the provincial report (`Action::ReadStatistics`, `statistics_scope`); the needs
//! are written by coordinators whose subtree holds the territory (`Action::ManagePlans`,
//! `manages_plan_of`).
pub mod domain;
pub mod handlers;
pub mod html;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on diagnostics.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_diagnostic)
        .service(handlers::record_needs);
}
