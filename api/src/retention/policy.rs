//! How long each type of record is kept. Law 09-08 asks that personal data be kept no longer
//! than its purpose needs; design.md gives no periods, so the defaults below are conservative
//! and each is set by its own variable (README, "Configuration"; parsed in `config`).
use chrono::{Datelike, NaiveDate, TimeDelta};

/// A person is of age at 18 (Moroccan family code).
pub const AGE_OF_MAJORITY: u32 = 18;

/// The retention period of each type of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Years after a case's closure (and not before its child is of age) before the case's
    /// free text is erased (`MADAR_RETENTION_CASE_YEARS`).
    pub case_years: u32,
    /// Years after a report was received before its free text and the children as reported
    /// are erased, once it is screened and every case of its children is past its own period
    /// (`MADAR_RETENTION_REPORT_YEARS`).
    pub report_years: u32,
    /// Years after a child came of age before the child is anonymised, once every case of the
    /// child is past its period (`MADAR_RETENTION_CHILD_YEARS`).
    pub child_years: u32,
    /// Days an Idempotency-Key and its stored response are remembered; design.md asks for at
    /// least 7 (`MADAR_RETENTION_IDEMPOTENCY_DAYS`).
    pub idempotency_days: u32,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            case_years: 10,
            report_years: 5,
            child_years: 10,
            idempotency_days: 7,
        }
    }
}

impl Policy {
    /// How long an Idempotency-Key is remembered.
    pub fn idempotency(&self) -> TimeDelta {
        TimeDelta::days(i64::from(self.idempotency_days))
    }
}

/// `date`, `years` years earlier (29 February becomes the 28th in a common year).
pub fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    let year = date.year() - i32::try_from(years).unwrap_or(i32::MAX / 2);
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(NaiveDate::MIN)
}

/// The day a child comes of age: the 18th birthday, or the last day of the year the child
/// turns 18 when only an estimated birth year is known; `None` when neither is.
pub fn majority(
    date_of_birth: Option<NaiveDate>,
    estimated_year: Option<i32>,
) -> Option<NaiveDate> {
    let of_age = i32::try_from(AGE_OF_MAJORITY).ok()?;
    match (date_of_birth, estimated_year) {
        (Some(born), _) => NaiveDate::from_ymd_opt(born.year() + of_age, born.month(), born.day())
            // Born on 29 February: of age on the first of March of a common year.
            .or_else(|| NaiveDate::from_ymd_opt(born.year() + of_age, 3, 1)),
        (None, Some(year)) => NaiveDate::from_ymd_opt(year + of_age, 12, 31),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn a_child_comes_of_age_at_eighteen() {
        assert_eq!(majority(Some(d(2000, 5, 17)), None), Some(d(2018, 5, 17)));
        assert_eq!(majority(None, Some(2000)), Some(d(2018, 12, 31)));
        assert_eq!(majority(Some(d(2004, 2, 29)), None), Some(d(2022, 3, 1)));
        assert_eq!(
            majority(Some(d(2004, 2, 29)), Some(1990)),
            Some(d(2022, 3, 1))
        );
        assert_eq!(majority(None, None), None);
    }

    #[test]
    fn periods_count_back_whole_years() {
        assert_eq!(years_before(d(2026, 12, 1), 10), d(2016, 12, 1));
        assert_eq!(years_before(d(2028, 2, 29), 1), d(2027, 2, 28));
    }

    #[test]
    fn the_defaults_keep_idempotency_keys_a_week() {
        assert_eq!(Policy::default().idempotency(), TimeDelta::days(7));
    }
}
