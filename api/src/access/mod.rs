//! Break-the-glass (design.md, coordinators; issue 10): a coordinator opens a case outside
//! their territory, with its child, for a limited time and a written reason.
//!
//! - `store`: grants in the database (the reason sealed);
//! - `handlers`: `/access-grants` (thin).
//!
//! A grant in force widens the coordinator's case and child scopes (`auth::actor` loads the
//! grants, `auth::policy::case_scope`/`child_scope` carry them), so every read and write of
//! the case answers as if it lay in their territory, while work queues (approvals, alerts)
//! and merges stay territorial. Each read of a case or child under a grant is audited as
//! `access_grant.use`, beside the read itself; auditors list the grants with their reasons.
pub mod handlers;
pub mod store;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on break-the-glass grants.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_access_grant)
        .service(handlers::list_access_grants)
        .service(handlers::get_access_grant)
        .service(handlers::end_access_grant);
}
