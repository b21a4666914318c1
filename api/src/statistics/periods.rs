//! Calendar periods (pure): the buckets of a period grouping, the previous period of equal
//! length and the same period a year earlier.
use chrono::{Datelike, Duration, Months, NaiveDate};
use madar_openapi::statistics::PeriodUnit;

/// A day a year earlier (29 February becomes 28 February).
pub fn year_before(day: NaiveDate) -> NaiveDate {
    day.with_year(day.year() - 1)
        .or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, day.month(), 28))
        .unwrap_or(day)
}

/// The last day of the month of `day`.
fn month_end(day: NaiveDate) -> NaiveDate {
    let next = day
        .with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)));
    next.and_then(|d| d.pred_opt()).unwrap_or(day)
}

/// Whether `[from, to]` is made of whole calendar months.
fn whole_months(from: NaiveDate, to: NaiveDate) -> bool {
    from.day() == 1 && month_end(to) == to
}

/// The period just before `[from, to]` (days included): as many whole months before, when it is
/// made of whole months (a year's is the year before, a quarter's the quarter before); else the
/// window of equal length.
pub fn previous_window(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    if whole_months(from, to) {
        let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
        if let Some(start) = from.checked_sub_months(Months::new(months as u32)) {
            return (start, from - Duration::days(1));
        }
    }
    let days = (to - from).num_days() + 1;
    (from - Duration::days(days), from - Duration::days(1))
}

/// The same period a year earlier: each end a year before, the last day of a month staying the
/// last day of its month (a window ending 28 February 2025 compares with one ending 29 February
/// 2024).
pub fn year_before_window(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let end = year_before(to);
    let end = if month_end(to) == to {
        month_end(end)
    } else {
        end
    };
    (year_before(from), end)
}

/// A bucket: its year and its month (1–12), quarter (1–4) or 1 for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    pub unit: PeriodUnit,
    pub year: i32,
    pub index: u32,
}

impl Bucket {
    fn per_year(unit: PeriodUnit) -> u32 {
        match unit {
            PeriodUnit::Month => 12,
            PeriodUnit::Quarter => 4,
            PeriodUnit::Year => 1,
        }
    }

    /// Its place in time, for comparisons between buckets of one unit.
    pub fn rank(self) -> (i32, u32) {
        (self.year, self.index)
    }

    pub fn of(day: NaiveDate, unit: PeriodUnit) -> Bucket {
        let index = match unit {
            PeriodUnit::Month => day.month(),
            PeriodUnit::Quarter => day.month().div_ceil(3),
            PeriodUnit::Year => 1,
        };
        Bucket {
            unit,
            year: day.year(),
            index,
        }
    }

    /// Parses a key as the database spells it (`2026-03`, `2026-Q1`, `2026`).
    pub fn parse(key: &str, unit: PeriodUnit) -> Option<Bucket> {
        let year: i32 = key.get(0..4)?.parse().ok()?;
        let index = match unit {
            PeriodUnit::Month => key.get(5..)?.parse().ok()?,
            PeriodUnit::Quarter => key.get(6..)?.parse().ok()?,
            PeriodUnit::Year => 1,
        };
        Some(Bucket { unit, year, index })
    }

    pub fn key(self) -> String {
        match self.unit {
            PeriodUnit::Month => format!("{:04}-{:02}", self.year, self.index),
            PeriodUnit::Quarter => format!("{:04}-Q{}", self.year, self.index),
            PeriodUnit::Year => format!("{:04}", self.year),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        let month = match self.unit {
            PeriodUnit::Month => self.index,
            PeriodUnit::Quarter => (self.index - 1) * 3 + 1,
            PeriodUnit::Year => 1,
        };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }

    pub fn next(self) -> Bucket {
        if self.index >= Self::per_year(self.unit) {
            Bucket {
                year: self.year + 1,
                index: 1,
                ..self
            }
        } else {
            Bucket {
                index: self.index + 1,
                ..self
            }
        }
    }

    pub fn previous(self) -> Bucket {
        if self.index <= 1 {
            Bucket {
                year: self.year - 1,
                index: Self::per_year(self.unit),
                ..self
            }
        } else {
            Bucket {
                index: self.index - 1,
                ..self
            }
        }
    }

    pub fn next_year(self) -> Bucket {
        Bucket {
            year: self.year + 1,
            ..self
        }
    }

    pub fn year_before(self) -> Bucket {
        Bucket {
            year: self.year - 1,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn buckets_step_across_years() {
        let jan = Bucket::of(d(2026, 1, 15), PeriodUnit::Month);
        assert_eq!(jan.key(), "2026-01");
        assert_eq!(jan.previous().key(), "2025-12");
        assert_eq!(jan.year_before().key(), "2025-01");
        let q1 = Bucket::of(d(2026, 2, 1), PeriodUnit::Quarter);
        assert_eq!(q1.key(), "2026-Q1");
        assert_eq!(q1.previous().key(), "2025-Q4");
        assert_eq!(q1.last_day(), d(2026, 3, 31));
        assert_eq!(
            Bucket::parse("2026-Q3", PeriodUnit::Quarter).map(|b| b.first_day()),
            Some(d(2026, 7, 1))
        );
        assert_eq!(
            Bucket::parse("2026-02", PeriodUnit::Month).map(|b| b.last_day()),
            Some(d(2026, 2, 28))
        );
        let y = Bucket::of(d(2026, 6, 1), PeriodUnit::Year);
        assert_eq!(
            (y.key(), y.previous().key()),
            ("2026".into(), "2025".into())
        );
    }

    #[test]
    fn comparison_windows() {
        assert_eq!(
            previous_window(d(2026, 3, 1), d(2026, 3, 31)),
            (d(2026, 2, 1), d(2026, 2, 28))
        );
        assert_eq!(
            previous_window(d(2025, 1, 1), d(2025, 12, 31)),
            (d(2024, 1, 1), d(2024, 12, 31)),
            "a leap year before"
        );
        assert_eq!(
            previous_window(d(2026, 3, 10), d(2026, 3, 19)),
            (d(2026, 2, 28), d(2026, 3, 9))
        );
        assert_eq!(
            year_before_window(d(2025, 2, 1), d(2025, 2, 28)),
            (d(2024, 2, 1), d(2024, 2, 29))
        );
        assert_eq!(
            year_before_window(d(2024, 2, 1), d(2024, 2, 29)),
            (d(2023, 2, 1), d(2023, 2, 28))
        );
        assert_eq!(year_before(d(2024, 2, 29)), d(2023, 2, 28));
    }
}
