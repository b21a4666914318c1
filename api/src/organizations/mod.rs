//! Organizations and the territories they serve.
pub mod domain;
pub mod handlers;
pub mod store;
