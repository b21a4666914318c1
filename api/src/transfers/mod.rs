//! Transfers: when a child moves, the case moves to a centre of the new territory. The side
//! that follows the case asks (`POST /cases/{id}/transfers`), a coordinator of the receiving
//! territory decides (`POST /transfers/{id}/decision`); on acceptance the case and its child
//! change owner and territory in the decision's transaction.
//!
//! - `handlers`: HTTP in and out;
//! - `domain`: which organization may receive a case, which territory it moves to;
//! - `store`: the reads, scope applied inside them; `writes`: requests, decisions, moves.
pub mod domain;
pub mod handlers;
pub mod store;
pub mod writes;

use utoipa_actix_web::service_config::ServiceConfig;

/// The operations on transfers.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(handlers::create_transfer)
        .service(handlers::list_transfers)
        .service(handlers::get_transfer)
        .service(handlers::decide_transfer);
}
