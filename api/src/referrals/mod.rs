//! Referrals: a case's centre sends a child to the organization that provides a service,
//! with the child's consent and only the data that service needs, and follows the answer
//! (`sent → accepted | declined`, `accepted → in_progress → completed`, cancelled by the
//! sender, expired when unanswered by its deadline).
//!
//! - `handlers`: sending, inboxes and one referral; `moves`: the status changes, all made
//!   by `change`;
//! - `domain`: the lifecycle, the answer deadline, consent or override (pure, unit-tested);
//! - `prepare`: the checks and gathering before a send; `snapshot`: the child's data sent;
//! - `store`: the reads, scope applied inside them; `writes`: the writes; `rows`: responses;
//! - `expiry`: the background and on-read expiry of unanswered referrals.
pub mod change;
pub mod domain;
pub mod expiry;
pub mod handlers;
pub mod moves;
pub mod prepare;
pub mod rows;
pub mod snapshot;
pub mod store;
pub mod writes;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on referrals.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::send_referral)
        .service(handlers::list_case_referrals)
        .service(handlers::list_referrals)
        .service(handlers::get_referral)
        .service(moves::accept_referral)
        .service(moves::decline_referral)
        .service(moves::start_referral)
        .service(moves::complete_referral)
        .service(moves::cancel_referral);
}
