//! Reports of children at risk: intake from every source, routing to the centres that serve the
//! child's territory, the inbox, the sender's view of its reports, and screening.
pub mod domain;
pub mod handlers;
pub mod screening;
pub mod screening_store;
pub mod store;
