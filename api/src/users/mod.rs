//! Users: the people who work in Madar, their roles and scopes; and `/me`.
pub mod domain;
pub mod handlers;
pub mod me;
pub mod store;
