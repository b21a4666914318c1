//! Reports of children at risk: intake from every source, routing to the centres that serve the
//! child's territory, the inbox, and the sender's view of its reports.
pub mod domain;
pub mod handlers;
pub mod store;
