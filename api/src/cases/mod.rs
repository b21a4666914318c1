//! Cases: a child's protection case, from its opening at screening to its closure and the
//! follow-up of care leavers (domain.md, second half). One module per part of a case, each
//! with its handlers, its pure rules and its queries:
//!
//! - `handlers`, `store`, `rows`, `domain`: the case itself and its changes;
//! - `worklist`, `export`: work lists, as JSON pages or CSV;
//! - `open`: screening opens a case for each child or attaches the report to its open case;
//! - `events`: the timeline, one row per event written in the event's own transaction.
pub mod assessment;
pub mod attachment_files;
pub mod attachments;
pub mod attachments_store;
pub mod domain;
pub mod events;
pub mod export;
pub mod handlers;
pub mod judicial;
pub mod judicial_store;
pub mod legal_hold;
pub mod notes;
pub mod notes_store;
pub mod open;
pub mod plan;
pub mod plan_store;
pub mod rows;
pub mod services;
pub mod services_store;
pub mod stages;
pub mod store;
pub mod transitions;
pub mod transitions_store;
pub mod worklist;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on cases and their parts (each part registers its own).
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(worklist::list_cases)
        .service(worklist::list_child_cases)
        .service(handlers::get_case)
        .service(handlers::update_case)
        .service(handlers::get_case_timeline)
        .service(transitions::transition_case);
    crate::approvals::routes(cfg);
    services::routes(cfg);
    assessment::routes(cfg);
    plan::routes(cfg);
    judicial::routes(cfg);
    legal_hold::routes(cfg);
    notes::routes(cfg);
    attachments::routes(cfg);
    crate::transfers::routes(cfg);
}
