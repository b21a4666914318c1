//! Protocols: the framework protocol as versioned data (national, and provincial variants
//! overriding it rule by rule), the actions its rules create when a report is received or a
//! case opened, and the alerts of overdue actions.
//!
//! - `domain`: validation before publication, merging a variant, which rules fire (pure);
//! - `store`: protocols and actions in the database; `shipped`: the national protocol Madar
//!   ships, published at start-up on a fresh install;
//! - `handlers`: `/protocols`; `actions`: the actions of cases and reports, completion,
//!   waiver, and `/alerts`;
//! - `proposals`: the services an open `service_referral` action proposes;
//! - `triggers`: called from the report and case writes, in their transaction;
//! - `alerts`: the alerts that are not overdue actions (unanswered referrals, children
//!   turning 18 in an institution, cases without follow-up);
//! - `worker`: marks overdue actions and fires the time-driven triggers in the background.
pub mod actions;
pub mod alerts;
pub mod domain;
pub mod handlers;
pub mod proposals;
pub mod shipped;
pub mod store;
pub mod triggers;
pub mod worker;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on protocols, protocol actions and alerts.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_protocol)
        .service(handlers::list_protocols)
        .service(handlers::get_protocol)
        .service(handlers::update_protocol)
        .service(handlers::publish_protocol)
        .service(actions::list_case_actions)
        .service(actions::list_report_actions)
        .service(actions::get_action)
        .service(actions::complete_action)
        .service(actions::waive_action)
        .service(actions::list_alerts);
}
