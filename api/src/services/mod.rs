//! The service directory (`/api/v1/services`) and its Open Referral HSDS 3.1 publication
//! (`/api/v1/hsds`): what each organization provides, where and for whom.
pub mod demo;
pub mod domain;
pub mod eligibility;
pub mod export;
pub mod handlers;
pub mod hsds;
pub mod hsds_map;
pub mod hsds_store;
pub mod search;
pub mod store;
pub mod write_store;

use madar_openapi::reports::Sex;
use utoipa_actix_web::service_config::ServiceConfig;

/// The routes of the directory and of HSDS.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(search::search_services)
        .service(handlers::create_service)
        .service(handlers::get_service)
        .service(handlers::update_service)
        .service(handlers::replace_service_capacity)
        .service(hsds::get_hsds)
        .service(hsds::list_hsds_services)
        .service(hsds::get_hsds_service)
        .service(hsds::list_hsds_organizations)
        .service(hsds::get_hsds_organization);
}

/// A list sorted, without duplicates.
pub fn normalised<T: Ord + Clone>(list: &[T]) -> Vec<T> {
    let mut out = list.to_vec();
    out.sort();
    out.dedup();
    out
}

/// Sexes without duplicates, in the vocabulary's order.
pub fn sexes(list: &[Sex]) -> Vec<Sex> {
    [Sex::Female, Sex::Male, Sex::Unknown]
        .into_iter()
        .filter(|s| list.contains(s))
        .collect()
}
