//! Cases: a child's protection case, from its opening at screening to its closure and the
//! follow-up of care leavers (domain.md, second half). One module per part of a case, each
//! with its handlers, its pure rules and its queries:
//!
//! - `handlers`, `store`, `rows`, `domain`: the case itself, work lists, changes;
//! - `open`: screening opens a case for each child or attaches the report to its open case;
//! - `events`: the timeline, one row per event written in the event's own transaction.
pub mod domain;
pub mod events;
pub mod export;
pub mod handlers;
pub mod open;
pub mod rows;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on cases and their parts (each part registers its own).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_cases)
        .service(handlers::list_child_cases)
        .service(handlers::get_case)
        .service(handlers::update_case)
        .service(handlers::get_case_timeline);
}
