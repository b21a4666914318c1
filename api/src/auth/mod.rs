//! Identity and access: who is calling (`Actor`), tokens, passwords, and the access policy.
pub mod actor;
pub mod handlers;
pub mod passwords;
pub mod policy;
pub mod store;
pub mod tokens;

pub use actor::Actor;
