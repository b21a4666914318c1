//! Provincial action plans (issue 8): objectives, measures, responsible organizations, budget,
//! duration, expected results and indicators, with progress recorded by coordinators and
//! indicators bound to statistics so their value is computed, not typed.
//!
//! - `domain`: what a plan's contents and a progress record must satisfy, measures' state
//!   (pure, unit-tested);
//! - `store`: plans and progress in the database, scoped inside the query;
//! - `values`: indicators' values now (bound ones through `statistics::compute`);
//! - `handlers`: `/plans` (thin).
//!
//! Access is decided in `auth::policy` (`Action::ReadPlans`, `Action::ManagePlans`,
//! `plan_scope`, `manages_plan_of`).
pub mod domain;
pub mod handlers;
pub mod store;
pub mod values;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on action plans.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_plan)
        .service(handlers::list_plans)
        .service(handlers::get_plan)
        .service(handlers::update_plan)
        .service(handlers::record_progress)
        .service(handlers::list_progress);
}
