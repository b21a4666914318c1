//! Children: the records of the children Madar follows, and the matching that keeps each
//! child one record across reports, scripts and spellings.
pub mod matching;
