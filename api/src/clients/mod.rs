//! API clients of the hotline and partner systems.
pub mod handlers;
pub mod store;
