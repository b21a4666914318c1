//! Rules of cases that need no database: references, urgency order, the child's age as a case
//! shows it.
use chrono::{Datelike, NaiveDate};
use madar_openapi::cases::RiskLevel;
use madar_openapi::reports::ConcernType;

/// `CASE-<territory>-<year>-<sequence>`.
pub fn reference(territory: &str, year: i32, sequence: i32) -> String {
    format!("CASE-{territory}-{year}-{sequence:06}")
}

/// The first key of every work list: the most urgent first.
pub fn priority(urgency: RiskLevel) -> i32 {
    match urgency {
        RiskLevel::ImmediateDanger => 0,
        RiskLevel::High => 1,
        RiskLevel::Medium => 2,
        RiskLevel::Low => 3,
    }
}

/// The urgency of a case opened from a report: immediate danger when the report says so.
pub fn opening_urgency(immediate_danger: bool) -> RiskLevel {
    if immediate_danger {
        RiskLevel::ImmediateDanger
    } else {
        RiskLevel::Medium
    }
}

/// Concerns without duplicates, in the vocabulary's order.
pub fn concerns(mut list: Vec<ConcernType>) -> Vec<ConcernType> {
    list.sort();
    list.dedup();
    list
}

/// A child's birth date as a case counts with it: the date of birth, or when only an estimated
/// year is known, 1 January of that year, flagged as estimated.
pub fn birth_date(
    date: Option<NaiveDate>,
    estimated_year: Option<i32>,
) -> (Option<NaiveDate>, bool) {
    match (date, estimated_year) {
        (Some(d), _) => (Some(d), false),
        (None, Some(y)) => (NaiveDate::from_ymd_opt(y, 1, 1), true),
        (None, None) => (None, false),
    }
}

/// Age in whole years on `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    today.years_since(birth).map_or(0, |y| y as i32)
}

/// The day a child born on `birth` turns 18 (29 February births on 1 March of common years).
pub fn adult_on(birth: NaiveDate) -> Option<NaiveDate> {
    let year = birth.year() + 18;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn references_are_zero_padded() {
        assert_eq!(reference("141-01", 2026, 45), "CASE-141-01-2026-000045");
    }

    #[test]
    fn immediate_danger_comes_first() {
        let mut levels = [
            RiskLevel::Low,
            RiskLevel::ImmediateDanger,
            RiskLevel::Medium,
            RiskLevel::High,
        ];
        levels.sort_by_key(|l| priority(*l));
        assert_eq!(levels[0], RiskLevel::ImmediateDanger);
        assert_eq!(levels[3], RiskLevel::Low);
        assert_eq!(opening_urgency(true), RiskLevel::ImmediateDanger);
    }

    #[test]
    fn an_estimated_year_counts_from_the_first_of_january() {
        assert_eq!(birth_date(None, Some(2010)), (Some(date(2010, 1, 1)), true));
        assert_eq!(
            birth_date(Some(date(2010, 5, 3)), Some(2010)),
            (Some(date(2010, 5, 3)), false)
        );
        assert_eq!(birth_date(None, None), (None, false));
    }

    #[test]
    fn ages_and_majority() {
        assert_eq!(age_on(date(2010, 5, 3), date(2026, 5, 2)), 15);
        assert_eq!(age_on(date(2010, 5, 3), date(2026, 5, 3)), 16);
        assert_eq!(adult_on(date(2010, 5, 3)), Some(date(2028, 5, 3)));
        assert_eq!(adult_on(date(2008, 2, 29)), Some(date(2026, 3, 1)));
    }
}
