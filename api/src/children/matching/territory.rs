//! Territory codes and how close two of them are, for the "same territory favoured" rule.
//!
//! A code is the lowest level's code (`421`, `141-01`, `MA-04`). The optional path
//! (`MA/MA-04/421/`, as the reference data stores it) gives the ancestors; without a path,
//! the only ancestry known is the code's own dash prefix (`141-01` sits under `141`).

use super::IdentityError;

/// A territory code with its known ancestors, valid on construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Territory {
    code: String,
    ancestors: Vec<String>,
}

/// How close two territories are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proximity {
    /// The same code.
    Same,
    /// One contains the other, or both share an ancestor below the nation.
    Nearby,
    /// Nothing in common below the nation.
    Far,
}

impl Territory {
    /// Parses a bare code such as `421` or `141-01`.
    pub fn parse(code: &str) -> Result<Self, IdentityError> {
        let code = code.trim();
        let valid = !code.is_empty()
            && code.len() <= 24
            && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            return Err(IdentityError::InvalidTerritory);
        }
        // `141-01` is under `141`; `MA-04` is under `MA`, which is the nation and says nothing.
        let ancestors = match code.rsplit_once('-') {
            Some((parent, _)) if parent != "MA" => vec![parent.to_owned()],
            _ => Vec::new(),
        };
        Ok(Self {
            code: code.to_owned(),
            ancestors,
        })
    }

    /// Parses a code with its materialised path (`MA/MA-04/421/`); the path must end with the code.
    pub fn with_path(code: &str, path: &str) -> Result<Self, IdentityError> {
        let mut territory = Self::parse(code)?;
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.split_last() {
            Some((last, parents)) if *last == territory.code => {
                for parent in parents {
                    if !territory.ancestors.iter().any(|a| a == parent) {
                        territory.ancestors.push((*parent).to_owned());
                    }
                }
                Ok(territory)
            }
            _ => Err(IdentityError::InvalidTerritory),
        }
    }

    /// The territory's own code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// How close `self` is to `other`; the nation (`MA`) never counts as a shared ancestor.
    pub fn proximity(&self, other: &Territory) -> Proximity {
        if self.code == other.code {
            return Proximity::Same;
        }
        let meaningful = |a: &&String| a.as_str() != "MA";
        let contains = self.ancestors.contains(&other.code) || other.ancestors.contains(&self.code);
        let shared = self
            .ancestors
            .iter()
            .filter(meaningful)
            .any(|a| other.ancestors.contains(a));
        if contains || shared {
            Proximity::Nearby
        } else {
            Proximity::Far
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(code: &str) -> Territory {
        Territory::parse(code).unwrap()
    }

    #[test]
    fn same_code_is_same_territory() {
        assert_eq!(t("421").proximity(&t("421")), Proximity::Same);
    }

    #[test]
    fn arrondissements_of_one_prefecture_are_nearby() {
        assert_eq!(t("141-01").proximity(&t("141-02")), Proximity::Nearby);
        assert_eq!(t("141").proximity(&t("141-02")), Proximity::Nearby);
        assert_eq!(t("141-01").proximity(&t("421")), Proximity::Far);
    }

    #[test]
    fn provinces_of_one_region_are_nearby_through_their_paths() {
        let rabat = Territory::with_path("421", "MA/MA-04/421/").unwrap();
        let sale = Territory::with_path("441", "MA/MA-04/441/").unwrap();
        let agadir = Territory::with_path("001", "MA/MA-09/001/").unwrap();
        assert_eq!(rabat.proximity(&sale), Proximity::Nearby);
        assert_eq!(rabat.proximity(&agadir), Proximity::Far);
        assert_eq!(rabat.proximity(&t("MA-04")), Proximity::Nearby);
    }

    #[test]
    fn bad_codes_and_paths_are_rejected() {
        assert!(Territory::parse("").is_err());
        assert!(Territory::parse("42 1").is_err());
        assert!(Territory::with_path("421", "MA/MA-04/441/").is_err());
    }
}
