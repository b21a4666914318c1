//! The national executive programme (issue 8): the policy's strategic objectives, their
//! sub-objectives and measures, and each objective's progress.
//!
//! - `domain`: what a replacement must keep and satisfy, progress (pure, unit-tested);
//! - `store`: the one programme document; `handlers`: `/programme` (thin).
//!
//! Access is decided in `auth::policy` (`Action::ReadPlans`, `Action::ManageProgramme`).
pub mod domain;
pub mod handlers;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on the programme.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::get_programme)
        .service(handlers::replace_programme)
        .service(handlers::get_objective);
}
