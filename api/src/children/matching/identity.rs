//! The identity of a child as matching sees it, valid on construction.

use chrono::{Datelike, NaiveDate};

use std::sync::Arc;

use super::name::NameForm;
use super::normalize::Part;
use super::territory::Territory;

/// Why an identity could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// No given or family name in either script holds a letter.
    #[error("at least one name is required")]
    NoName,
    /// An estimated birth year outside 1900..=2100.
    #[error("birth year out of range")]
    InvalidBirthYear,
    /// A territory code or path that is not well formed.
    #[error("invalid territory")]
    InvalidTerritory,
}

impl IdentityError {
    /// Stable snake_case code for API problems.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoName => "name_required",
            Self::InvalidBirthYear => "invalid_birth_year",
            Self::InvalidTerritory => "invalid_territory",
        }
    }
}

/// A child's sex as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl Sex {
    /// Reads `f`/`female`/`m`/`male` (any case); anything else is unknown.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "f" | "female" => Some(Self::Female),
            "m" | "male" => Some(Self::Male),
            _ => None,
        }
    }
}

/// A date of birth, or an estimated year of birth when the date is unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Birth {
    date: Option<NaiveDate>,
    year: i32,
}

impl Birth {
    /// A known date of birth.
    pub fn date(date: NaiveDate) -> Self {
        Self {
            date: Some(date),
            year: date.year(),
        }
    }

    /// An estimated birth year, between 1900 and 2100.
    pub fn estimated_year(year: i32) -> Result<Self, IdentityError> {
        if (1900..=2100).contains(&year) {
            Ok(Self { date: None, year })
        } else {
            Err(IdentityError::InvalidBirthYear)
        }
    }

    /// The year of birth, known or estimated.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The date of birth, when known.
    pub fn known_date(&self) -> Option<NaiveDate> {
        self.date
    }
}

/// A child identity: names in Arabic and/or Latin script, sex, birth, territory.
///
/// Build it with [`Identity::builder`]; it holds at least one usable name. Names are
/// normalised once here, so scoring many candidates does not repeat the work.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub(crate) given: Vec<Arc<NameForm>>,
    pub(crate) family: Vec<Arc<NameForm>>,
    pub(crate) sex: Option<Sex>,
    pub(crate) birth: Option<Birth>,
    pub(crate) territory: Option<Territory>,
}

/// Collects the parts of an [`Identity`]; every part is optional but one name is required.
#[derive(Clone, Debug, Default)]
pub struct IdentityBuilder {
    names: Vec<(String, Part)>,
    sex: Option<Sex>,
    birth: Option<Birth>,
    territory: Option<Territory>,
}

impl Identity {
    /// Starts an identity.
    pub fn builder() -> IdentityBuilder {
        IdentityBuilder::default()
    }

    /// The territory, when known.
    pub fn territory(&self) -> Option<&Territory> {
        self.territory.as_ref()
    }
}

impl IdentityBuilder {
    fn name(mut self, raw: &str, part: Part) -> Self {
        self.names.push((raw.to_owned(), part));
        self
    }

    /// Given name(s) in Arabic script.
    pub fn given_name_ar(self, raw: &str) -> Self {
        self.name(raw, Part::Given)
    }

    /// Family name in Arabic script.
    pub fn family_name_ar(self, raw: &str) -> Self {
        self.name(raw, Part::Family)
    }

    /// Given name(s) in Latin script.
    pub fn given_name_latin(self, raw: &str) -> Self {
        self.name(raw, Part::Given)
    }

    /// Family name in Latin script.
    pub fn family_name_latin(self, raw: &str) -> Self {
        self.name(raw, Part::Family)
    }

    /// The recorded sex.
    pub fn sex(mut self, sex: Option<Sex>) -> Self {
        self.sex = sex;
        self
    }

    /// The date or estimated year of birth.
    pub fn birth(mut self, birth: Option<Birth>) -> Self {
        self.birth = birth;
        self
    }

    /// The territory the child was reported in or lives in.
    pub fn territory(mut self, territory: Option<Territory>) -> Self {
        self.territory = territory;
        self
    }

    /// Normalises the names; fails when none of them holds a letter.
    ///
    /// The script of each name is read from its letters, not from the field it came in, so
    /// a Latin name typed in an Arabic field is still understood.
    pub fn build(self) -> Result<Identity, IdentityError> {
        let mut given = Vec::new();
        let mut family = Vec::new();
        for (raw, part) in &self.names {
            if let Some(form) = NameForm::new(raw, *part) {
                match part {
                    Part::Given => given.push(form),
                    Part::Family => family.push(form),
                }
            }
        }
        if given.is_empty() && family.is_empty() {
            return Err(IdentityError::NoName);
        }
        Ok(Identity {
            given,
            family,
            sex: self.sex,
            birth: self.birth,
            territory: self.territory,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_needs_a_name() {
        let err = Identity::builder().given_name_latin(" - ").build();
        assert_eq!(err, Err(IdentityError::NoName));
        assert!(Identity::builder().family_name_ar("العلوي").build().is_ok());
    }

    #[test]
    fn birth_years_are_bounded() {
        assert!(Birth::estimated_year(2012).is_ok());
        assert_eq!(
            Birth::estimated_year(12),
            Err(IdentityError::InvalidBirthYear)
        );
    }

    #[test]
    fn sex_is_parsed_leniently() {
        assert_eq!(Sex::parse("F"), Some(Sex::Female));
        assert_eq!(Sex::parse("male"), Some(Sex::Male));
        assert_eq!(Sex::parse("?"), None);
    }
}
