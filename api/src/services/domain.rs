//! Rules of the service directory that hold whatever the storage: age ranges, territory
//! ancestry, what a child brings to an eligibility search, name search patterns.
use chrono::NaiveDate;
use madar_openapi::reports::{ConcernType, Sex};

use crate::cases::domain::{age_on, birth_date};
use crate::error::ApiError;

/// An age range is empty when its youngest age is above its oldest.
pub fn check_ages(min: Option<i32>, max: Option<i32>) -> Result<(), ApiError> {
    match (min, max) {
        (Some(min), Some(max)) if min > max => Err(ApiError::validation(
            "max_age",
            "age_range",
            "is below min_age",
        )),
        _ => Ok(()),
    }
}

/// The territory codes from the root down to the territory at `path` (`MA/MA-04/421/` →
/// `MA`, `MA-04`, `421`): a service serving any of them serves that territory.
pub fn lineage(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// What an eligibility search knows of a child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildFacts {
    /// Age today in whole years (an estimated year counts from 1 January); unknown: no age
    /// filter.
    pub age: Option<i32>,
    pub sex: Sex,
    /// The child's situation and the concerns of their open cases, without duplicates.
    pub concerns: Vec<ConcernType>,
    /// The codes of the child's territory and its ancestors.
    pub territories: Vec<String>,
}

impl ChildFacts {
    pub fn new(
        date_of_birth: Option<NaiveDate>,
        estimated_year: Option<i32>,
        today: NaiveDate,
        sex: Sex,
        mut concerns: Vec<ConcernType>,
        territory_path: &str,
    ) -> ChildFacts {
        concerns.sort();
        concerns.dedup();
        ChildFacts {
            age: birth_date(date_of_birth, estimated_year)
                .0
                .map(|b| age_on(b, today)),
            sex,
            concerns,
            territories: lineage(territory_path),
        }
    }
}

/// Whether a service's eligibility admits the child; the SQL search applies the same rule.
pub fn admits(
    min_age: Option<i32>,
    max_age: Option<i32>,
    sexes: &[Sex],
    concerns: &[ConcernType],
    child: &ChildFacts,
) -> bool {
    let age_ok = child
        .age
        .is_none_or(|age| min_age.is_none_or(|m| age >= m) && max_age.is_none_or(|m| age <= m));
    let sex_ok = sexes.is_empty() || sexes.contains(&child.sex);
    let concern_ok = concerns.is_empty() || concerns.iter().any(|c| child.concerns.contains(c));
    age_ok && sex_ok && concern_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn ages_ranges_and_lineage() {
        assert!(check_ages(Some(12), Some(18)).is_ok());
        assert!(check_ages(Some(12), None).is_ok());
        assert!(check_ages(Some(18), Some(12)).is_err());
        assert_eq!(lineage("MA/MA-04/421/"), ["MA", "MA-04", "421"]);
    }

    #[test]
    fn an_estimated_year_counts_from_the_first_of_january() {
        let facts = ChildFacts::new(
            None,
            Some(2014),
            date(2026, 11, 30),
            Sex::Male,
            vec![],
            "MA/",
        );
        assert_eq!(facts.age, Some(12));
        let exact = ChildFacts::new(
            Some(date(2014, 12, 1)),
            None,
            date(2026, 11, 30),
            Sex::Male,
            vec![],
            "MA/",
        );
        assert_eq!(exact.age, Some(11));
    }

    #[test]
    fn eligibility_by_age_sex_and_concern() {
        let child = ChildFacts {
            age: Some(15),
            sex: Sex::Female,
            concerns: vec![ConcernType::SexualViolence],
            territories: vec!["MA".into()],
        };
        assert!(admits(None, None, &[], &[], &child));
        assert!(admits(Some(12), Some(18), &[Sex::Female], &[], &child));
        assert!(!admits(Some(16), None, &[], &[], &child));
        assert!(!admits(None, Some(14), &[], &[], &child));
        assert!(!admits(None, None, &[Sex::Male], &[], &child));
        assert!(admits(
            None,
            None,
            &[],
            &[ConcernType::SexualViolence],
            &child
        ));
        assert!(!admits(None, None, &[], &[ConcernType::Neglect], &child));
        let ageless = ChildFacts { age: None, ..child };
        assert!(admits(Some(16), Some(17), &[], &[], &ageless));
    }
}
