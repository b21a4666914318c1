//! Madar's API contract: the request and response bodies of `/api/v1`, shared by the server
//! (`madar-api`) and the web client (`madar-client`). Nothing here depends on actix or diesel,
//! so the crate builds for `wasm32-unknown-unknown`.
//!
//! Request bodies reject unknown fields and validate with `validator`; the limits are repeated
//! in the `utoipa` schema attributes, and a test checks that both agree.

pub mod access;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod children;
pub mod children_export;
pub mod clients;
pub mod common;
pub mod consents;
pub mod diagnostics;
pub mod events;
pub mod family;
pub mod hsds;
pub mod organizations;
pub mod pathway;
pub mod plans;
pub mod problem;
pub mod programme;
pub mod protocols;
pub mod reference;
pub mod referrals;
pub mod reports;
pub mod services;
pub mod statistics;
pub mod statistics_report;
pub mod users;
pub mod validate;
pub mod webhooks;

pub use common::{Labels, Language, Page};
pub use problem::{FieldError, Problem};

#[cfg(test)]
mod limits_tests;
