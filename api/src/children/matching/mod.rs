//! Matching a reported child against the children Madar already knows, across Arabic and
//! Latin scripts and their many spellings, so that a child stays one record.
//!
//! A pure library: no database. The pipeline is
//! 1. [`Identity::builder`] normalises each name once ([`normalize`] folds and tokenises:
//!    alef forms, diacritics, tatweel, the article ال/el-/et-/es-…, ben/bent/ould/ait,
//!    "Abdel X" compounds; [`phonetic`] codes both scripts into one alphabet);
//! 2. [`blocking_keys`] gives a few short keys per child to store in an indexed column at
//!    write time, so that candidate retrieval is an indexed lookup even at a million children;
//! 3. [`score`] compares a query with each retrieved candidate and says why, as stable
//!    snake_case [`ReasonCode`]s; [`rank`] sorts candidates for the top-k screen.
//!
//! The labelled corpus `tests/data/matching-corpus.tsv` measures precision and recall@5
//! (see the `corpus` tests).

mod distance;
mod identity;
mod keys;
mod name;
mod normalize;
mod phonetic;
mod score;
mod territory;

#[cfg(test)]
mod corpus;

pub use identity::{Birth, Identity, IdentityBuilder, IdentityError, Sex};
pub use keys::blocking_keys;
pub use normalize::Script;
pub use score::{rank, score, LIKELY_THRESHOLD, POSSIBLE_THRESHOLD};
pub use territory::{Proximity, Territory};

/// The identity searched for (from a report or the matches endpoint).
pub type NameQuery = Identity;
/// A stored child's identity, compared with a [`NameQuery`].
pub type Candidate = Identity;

/// How sure a match is, and why a candidate scored as it did: the contract's own types, so
/// the engine's answers are what the API sends.
pub use madar_openapi::children::{MatchDecision as Decision, MatchReason as ReasonCode};

/// The outcome of comparing a query with one candidate.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Match {
    /// Overall similarity in `0..=1`.
    pub score: f64,
    /// `None` below [`POSSIBLE_THRESHOLD`]: not worth showing.
    pub decision: Option<Decision>,
    /// What agreed and what did not.
    pub reasons: Vec<ReasonCode>,
}
