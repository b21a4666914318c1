//! Rules of placements that need no database: the dates of a stay, the one-placement-at-a-time
//! rule, and the care leaver's coming of age.
//!
//! A placement runs from `from` (the day the child arrived) to `to` (the day the child left,
//! exclusive: the next placement may start that same day); an open placement has no `to`.
//! Neither date may lie after today: a placement is recorded once the child is there, and
//! ended once the child has left.
use chrono::{Days, Months, NaiveDate};

use crate::error::ApiError;

/// The dates of a stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Period {
    /// A period whose dates are valid on `today`: `from` not after today (`in_future`), `to`
    /// not before `from` (`before_from`) nor after today (`in_future`).
    pub fn parse(
        from: NaiveDate,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Period, ApiError> {
        if from > today {
            return Err(ApiError::validation(
                "from",
                "in_future",
                "may not lie after today",
            ));
        }
        if let Some(to) = to {
            if to < from {
                return Err(ApiError::validation(
                    "to",
                    "before_from",
                    "comes before `from`",
                ));
            }
            if to > today {
                return Err(ApiError::validation(
                    "to",
                    "in_future",
                    "may not lie after today",
                ));
            }
        }
        Ok(Period { from, to })
    }

    /// The first day after the stay (a stay of one day, `to == from`, covers that day).
    fn end(self) -> Option<NaiveDate> {
        self.to.map(|to| {
            if to == self.from {
                to.checked_add_days(Days::new(1)).unwrap_or(to)
            } else {
                to
            }
        })
    }

    /// Whether two stays share a day.
    pub fn overlaps(self, other: Period) -> bool {
        let before_end = |day: NaiveDate, p: Period| p.end().is_none_or(|end| day < end);
        before_end(self.from, other) && before_end(other.from, self)
    }

    /// Whether the child is in this placement now: it is still open.
    pub fn current(self) -> bool {
        self.to.is_none()
    }
}

/// A child is in one placement at a time: a new or changed stay may share no day with the
/// child's other placements (409 `placement_open`).
pub fn check_alone(period: Period, others: &[Period]) -> Result<(), ApiError> {
    if others.iter().any(|o| o.overlaps(period)) {
        return Err(ApiError::conflict(
            "placement_open",
            "The child is in another placement during this period: end it first.",
        ));
    }
    Ok(())
}

/// Whether a child who turns 18 on `adult_on` does so between `today` and six months later:
/// the start of a care leaver's post-18 accompaniment.
pub fn turns_18_within_6_months(adult_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    let Some(limit) = today.checked_add_months(Months::new(6)) else {
        return false;
    };
    adult_on.is_some_and(|day| today <= day && day <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn p(from: NaiveDate, to: Option<NaiveDate>) -> Period {
        Period { from, to }
    }

    #[test]
    fn dates_are_checked_against_today_and_each_other() {
        let today = d(6, 1);
        assert!(Period::parse(d(5, 1), None, today).is_ok());
        assert!(Period::parse(d(5, 1), Some(d(5, 1)), today).is_ok());
        assert!(Period::parse(today, Some(today), today).is_ok());
        for (from, to) in [
            (d(6, 2), None),
            (d(5, 1), Some(d(4, 30))),
            (d(5, 1), Some(d(6, 2))),
        ] {
            assert!(Period::parse(from, to, today).is_err(), "{from} {to:?}");
        }
    }

    #[test]
    fn an_open_placement_overlaps_any_later_stay() {
        let open = p(d(1, 1), None);
        assert!(open.overlaps(p(d(3, 1), None)));
        assert!(open.overlaps(p(d(3, 1), Some(d(4, 1)))));
        assert!(p(d(3, 1), None).overlaps(open));
        // A stay that ended before the open one began does not.
        let december = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        assert!(!open.overlaps(p(december, Some(d(1, 1)))));
        assert!(check_alone(p(d(3, 1), None), &[open]).is_err());
    }

    #[test]
    fn the_next_placement_may_start_the_day_the_last_one_ended() {
        let ended = p(d(1, 1), Some(d(3, 1)));
        assert!(!ended.overlaps(p(d(3, 1), None)));
        assert!(ended.overlaps(p(d(2, 28), None)));
        assert!(check_alone(p(d(3, 1), None), &[ended]).is_ok());
        // A one-day stay covers its day.
        let day = p(d(5, 5), Some(d(5, 5)));
        assert!(day.overlaps(p(d(5, 5), None)));
        assert!(!day.overlaps(p(d(5, 6), None)));
        assert!(p(d(5, 1), None).current());
        assert!(!ended.current());
    }

    #[test]
    fn turning_18_within_six_months_counts_from_today() {
        let today = d(1, 15);
        assert!(turns_18_within_6_months(Some(today), today));
        assert!(turns_18_within_6_months(Some(d(7, 15)), today));
        assert!(!turns_18_within_6_months(Some(d(7, 16)), today));
        assert!(!turns_18_within_6_months(Some(d(1, 14)), today));
        assert!(!turns_18_within_6_months(None, today));
    }
}
