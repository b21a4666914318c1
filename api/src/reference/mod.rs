//! Reference data: Morocco's territories and the vocabulary's code lists, public and cacheable.
pub mod handlers;
pub mod store;
