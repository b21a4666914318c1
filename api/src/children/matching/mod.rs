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

/// How sure a match is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Probably the same child: a worker should link rather than create.
    Likely,
    /// Worth showing to the worker, not worth announcing.
    Possible,
}

/// Why a candidate scored as it did; serialised as snake_case codes the client translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Given names spelled the same once folded.
    GivenNameExact,
    /// Given names that sound the same (spelling variants, other script).
    GivenNamePhonetic,
    /// One given name is part of the other ("Mohamed Amine" ~ "Amine").
    GivenNamePartial,
    /// Family names spelled the same once folded.
    FamilyNameExact,
    /// Family names that sound the same.
    FamilyNamePhonetic,
    /// Family names equal once a particle or a word is left out ("Ben Ali" ~ "Ali").
    FamilyNamePartial,
    /// One side has no family name to compare.
    FamilyNameMissing,
    /// The best name comparison was between Arabic and Latin spellings.
    CrossScript,
    /// The names differ by a consonant: likely a typing error.
    Typo,
    /// Same date of birth.
    BirthDateExact,
    /// Birth years (or dates) within the tolerance for estimates.
    BirthYearClose,
    /// Birth years too far apart for one child.
    BirthYearFar,
    /// Recorded sexes differ.
    SexMismatch,
    /// Same territory code.
    SameTerritory,
    /// Territories that contain each other or share a province or region.
    NearbyTerritory,
}

impl ReasonCode {
    /// The snake_case code, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::GivenNameExact => "given_name_exact",
            Self::GivenNamePhonetic => "given_name_phonetic",
            Self::GivenNamePartial => "given_name_partial",
            Self::FamilyNameExact => "family_name_exact",
            Self::FamilyNamePhonetic => "family_name_phonetic",
            Self::FamilyNamePartial => "family_name_partial",
            Self::FamilyNameMissing => "family_name_missing",
            Self::CrossScript => "cross_script",
            Self::Typo => "typo",
            Self::BirthDateExact => "birth_date_exact",
            Self::BirthYearClose => "birth_year_close",
            Self::BirthYearFar => "birth_year_far",
            Self::SexMismatch => "sex_mismatch",
            Self::SameTerritory => "same_territory",
            Self::NearbyTerritory => "nearby_territory",
        }
    }
}

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
