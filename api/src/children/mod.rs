//! Children: the records of the children Madar follows, and the matching that keeps each
//! child one record across reports, scripts and spellings.
pub mod domain;
pub mod handlers;
pub mod key_store;
pub mod matches;
pub mod matching;
pub mod rows;
pub mod store;
