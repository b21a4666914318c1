//! Children: the records of the children Madar follows, and the matching that keeps each
//! child one record across reports, scripts and spellings.
pub mod access_log;
pub mod consent;
pub mod consent_handlers;
pub mod consent_store;
pub mod domain;
pub mod export;
pub mod family;
pub mod family_store;
pub mod handlers;
pub mod key_store;
pub mod matches;
pub mod matching;
pub mod merge;
pub mod merge_store;
pub mod rows;
pub mod store;
