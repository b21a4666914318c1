//! Placements: a child's stays in social care institutions (the children "in institutions"),
//! and the start of the accompaniment of care leavers past 18. They hang off the child, not a
//! case (a child may be placed before or outside any case), and show on the timeline of the
//! case they were decided in, if any.
//!
//! - `handlers`: `/api/v1/children/{id}/placements`;
//! - `domain`: dates, the one-placement-at-a-time rule, coming of age;
//! - `store`: queries.
pub mod domain;
pub mod handlers;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on placements.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::list_placements)
        .service(handlers::create_placement)
        .service(handlers::get_placement)
        .service(handlers::update_placement);
}
