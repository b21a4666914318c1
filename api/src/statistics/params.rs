//! The parameters of a statistics request, parsed and checked against the vocabulary (pure).
//! Every value that reaches the SQL text is a vocabulary code, a date or a territory code of
//! the reference tables: nothing a caller types goes into a query as it is.
use chrono::{Datelike, NaiveDate};
use madar_openapi::cases::{CaseStage, RiskLevel};
use madar_openapi::reports::{ConcernType, ReportSource, Sex};
use madar_openapi::statistics::{
    AgeBand, ConcernFamily, Dimension, Measure, PeriodUnit, TerritoryLevel,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codes::to_code;
use crate::error::ApiError;

/// At most this many dimensions in `group_by`.
pub const MAX_DIMENSIONS: usize = 3;
/// The longest span of days a request may cover.
pub const MAX_YEARS: i32 = 20;
/// Risk level of a case with no completed assessment.
pub const UNASSESSED: &str = "unassessed";

/// The code filters (each a list of codes: any of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub concern: Vec<String>,
    pub concern_family: Vec<String>,
    pub sex: Vec<String>,
    pub age_band: Vec<String>,
    pub source: Vec<String>,
    pub risk_level: Vec<String>,
    pub stage: Vec<String>,
}

/// A checked `GET /api/v1/statistics` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub measure: Measure,
    pub group_by: Vec<Dimension>,
    pub period: PeriodUnit,
    pub territory_level: TerritoryLevel,
    /// The first and last days counted (both included).
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// A territory code, not yet looked up.
    pub territory: Option<String>,
    pub filters: Filters,
}

/// A checked indicator request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRequest {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub territory: Option<String>,
}

const STATISTICS_PARAMS: [&str; 14] = [
    "measure",
    "group_by",
    "period",
    "territory_level",
    "from",
    "to",
    "territory",
    "concern",
    "concern_family",
    "sex",
    "age_band",
    "source",
    "risk_level",
    "stage",
];

fn invalid(field: &str, code: &str, message: &str) -> ApiError {
    ApiError::validation(field, code, message)
}

/// The query string as (name, value) pairs; a repeated or unknown name is refused.
fn pairs(query: &str, known: &[&str]) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| ApiError::bad_request("bad_query", "The query string is malformed."))?;
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in &pairs {
        if !known.contains(&name.as_str()) {
            return Err(invalid(
                name,
                "unknown_parameter",
                "is not a parameter here",
            ));
        }
        if seen.contains(&name.as_str()) {
            return Err(invalid(name, "repeated", "is given more than once"));
        }
        seen.push(name);
    }
    Ok(pairs)
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// One code of `T`'s vocabulary, in its canonical spelling.
fn code_of<T: DeserializeOwned + Serialize>(field: &str, raw: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_string())).map_err(|_| {
        invalid(
            field,
            "unknown_code",
            &format!("{raw:?} is not a code here"),
        )
    })
}

/// A comma-separated list of codes of `T` (canonical spellings), plus the `extra` codes.
fn codes<T: DeserializeOwned + Serialize>(
    field: &str,
    raw: Option<&str>,
    extra: &[&str],
) -> Result<Vec<String>, ApiError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in raw.split(',').map(str::trim) {
        let code = if extra.contains(&item) {
            item.to_string()
        } else {
            to_code(&code_of::<T>(field, item)?)
        };
        if !out.contains(&code) {
            out.push(code);
        }
    }
    if out.len() > 30 {
        return Err(invalid(field, "too_many", "lists at most 30 codes"));
    }
    Ok(out)
}

fn date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    raw.map(|r| {
        NaiveDate::parse_from_str(r, "%Y-%m-%d")
            .map_err(|_| invalid(field, "invalid_date", "is not a date (YYYY-MM-DD)"))
    })
    .transpose()
}

/// A territory code as the reference tables spell them (letters, digits, dashes).
fn territory(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw {
        None => Ok(None),
        Some(code)
            if code.len() <= 20 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Ok(Some(code.to_string()))
        }
        Some(_) => Err(invalid(
            "territory",
            "unknown_territory",
            "is not a territory code",
        )),
    }
}

/// `from` and `to` with their defaults (1 January of `to`'s year; today), checked.
fn span(pairs: &[(String, String)], today: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let to = date("to", get(pairs, "to"))?.unwrap_or(today);
    let from = match date("from", get(pairs, "from"))? {
        Some(from) => from,
        None => NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to),
    };
    if from > to {
        return Err(invalid("from", "after_to", "is after `to`"));
    }
    if to.year() - from.year() > MAX_YEARS || from.year() < 1900 || to.year() > 9000 {
        return Err(invalid("to", "span_too_long", "spans at most 20 years"));
    }
    Ok((from, to))
}

/// Whether a dimension (or the filter of the same name) applies to a measure.
pub fn applies(dimension: Dimension, measure: Measure) -> bool {
    use Dimension as D;
    use Measure as M;
    match dimension {
        D::Source => matches!(measure, M::Reports | M::Children),
        D::RiskLevel | D::Stage => matches!(measure, M::CasesOpened | M::CasesClosed),
        D::ClosureReason => measure == M::CasesClosed,
        _ => true,
    }
}

/// Parses and checks the query string of `GET /api/v1/statistics`.
pub fn parse(query: &str, today: NaiveDate) -> Result<Request, ApiError> {
    let pairs = pairs(query, &STATISTICS_PARAMS)?;
    let measure: Measure = match get(&pairs, "measure") {
        Some(m) => code_of("measure", m)?,
        None => return Err(invalid("measure", "required", "is required")),
    };
    let mut group_by = Vec::new();
    if let Some(raw) = get(&pairs, "group_by") {
        for item in raw.split(',') {
            let d: Dimension = code_of("group_by", item)?;
            if group_by.contains(&d) {
                return Err(invalid("group_by", "repeated", "names a dimension twice"));
            }
            if !applies(d, measure) {
                return Err(invalid(
                    "group_by",
                    "not_applicable",
                    &format!("{} does not apply to {}", to_code(&d), to_code(&measure)),
                ));
            }
            group_by.push(d);
        }
    }
    if group_by.len() > MAX_DIMENSIONS {
        return Err(invalid(
            "group_by",
            "too_many",
            "names at most 3 dimensions",
        ));
    }
    let period = match get(&pairs, "period") {
        Some(p) => code_of("period", p)?,
        None => PeriodUnit::Month,
    };
    let territory_level = match get(&pairs, "territory_level") {
        Some(l) => code_of("territory_level", l)?,
        None => TerritoryLevel::Province,
    };
    let (from, to) = span(&pairs, today)?;
    let filters = Filters {
        concern: codes::<ConcernType>("concern", get(&pairs, "concern"), &[])?,
        concern_family: codes::<ConcernFamily>(
            "concern_family",
            get(&pairs, "concern_family"),
            &[],
        )?,
        sex: codes::<Sex>("sex", get(&pairs, "sex"), &[])?,
        age_band: codes::<AgeBand>("age_band", get(&pairs, "age_band"), &[])?,
        source: codes::<ReportSource>("source", get(&pairs, "source"), &[])?,
        risk_level: codes::<RiskLevel>("risk_level", get(&pairs, "risk_level"), &[UNASSESSED])?,
        stage: codes::<CaseStage>("stage", get(&pairs, "stage"), &[])?,
    };
    for (name, dimension, set) in [
        ("source", Dimension::Source, !filters.source.is_empty()),
        (
            "risk_level",
            Dimension::RiskLevel,
            !filters.risk_level.is_empty(),
        ),
        ("stage", Dimension::Stage, !filters.stage.is_empty()),
    ] {
        if set && !applies(dimension, measure) {
            return Err(invalid(
                name,
                "not_applicable",
                &format!("does not apply to {}", to_code(&measure)),
            ));
        }
    }
    Ok(Request {
        measure,
        group_by,
        period,
        territory_level,
        from,
        to,
        territory: territory(get(&pairs, "territory"))?,
        filters,
    })
}

/// Parses and checks the query string of an indicator.
pub fn parse_indicator(query: &str, today: NaiveDate) -> Result<IndicatorRequest, ApiError> {
    let pairs = pairs(query, &["from", "to", "territory"])?;
    let (from, to) = span(&pairs, today)?;
    Ok(IndicatorRequest {
        from,
        to,
        territory: territory(get(&pairs, "territory"))?,
    })
}

/// The language of the printable report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ar,
    Fr,
}

fn year(raw: Option<&str>, today: NaiveDate) -> Result<i32, ApiError> {
    match raw {
        None => Ok(today.year()),
        Some(y) => y
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9000).contains(y))
            .ok_or_else(|| invalid("year", "invalid_year", "is not a year (YYYY)")),
    }
}

/// Parses the query string of the dashboard: the territory (not yet looked up) and the year.
pub fn parse_dashboard(query: &str, today: NaiveDate) -> Result<(Option<String>, i32), ApiError> {
    let pairs = pairs(query, &["territory", "year"])?;
    Ok((
        territory(get(&pairs, "territory"))?,
        year(get(&pairs, "year"), today)?,
    ))
}

/// Parses the query string of a provincial report: the year and the page's language.
pub fn parse_report(query: &str, today: NaiveDate) -> Result<(i32, Lang), ApiError> {
    let pairs = pairs(query, &["year", "lang"])?;
    let lang = match get(&pairs, "lang") {
        None | Some("ar") => Lang::Ar,
        Some("fr") => Lang::Fr,
        Some(_) => return Err(invalid("lang", "unknown_language", "is `ar` or `fr`")),
    };
    Ok((year(get(&pairs, "year"), today)?, lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default()
    }

    fn field_of(e: ApiError) -> String {
        match e {
            ApiError::Validation(errors) => errors[0].field.clone(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn a_full_request_parses() {
        let r = parse(
            "measure=reports&group_by=period,concern&period=quarter&from=2026-01-01&to=2026-06-30\
             &territory=MA-07&concern=sexual_violence,neglect&sex=female&age_band=12_14",
            today(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(r.measure, Measure::Reports);
        assert_eq!(r.group_by, vec![Dimension::Period, Dimension::Concern]);
        assert_eq!(r.period, PeriodUnit::Quarter);
        assert_eq!(r.territory.as_deref(), Some("MA-07"));
        assert_eq!(r.filters.concern, vec!["sexual_violence", "neglect"]);
        assert_eq!(r.filters.age_band, vec!["12_14"]);
    }

    #[test]
    fn defaults_cover_the_year_to_date() {
        let r = parse("measure=cases_opened", today()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            r.from,
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
        );
        assert_eq!(r.to, today());
        assert!(r.group_by.is_empty());
    }

    #[test]
    fn bad_parameters_are_named() {
        for (query, field) in [
            ("group_by=sex", "measure"),
            ("measure=everything", "measure"),
            ("measure=reports&group_by=stage", "group_by"),
            ("measure=reports&group_by=sex,sex", "group_by"),
            (
                "measure=reports&group_by=sex,age_band,concern,period",
                "group_by",
            ),
            ("measure=reports&from=2026-13-01", "from"),
            ("measure=reports&from=2026-05-01&to=2026-04-01", "from"),
            ("measure=reports&concern=bad", "concern"),
            ("measure=cases_opened&source=police", "source"),
            ("measure=reports&colour=red", "colour"),
            ("measure=reports&territory=MA'--", "territory"),
            ("measure=reports&period=week", "period"),
        ] {
            let Err(e) = parse(query, today()) else {
                panic!("{query} accepted");
            };
            assert_eq!(field_of(e), field, "{query}");
        }
        assert!(parse("measure=cases_opened&risk_level=unassessed,high", today()).is_ok());
    }

    #[test]
    fn dashboard_and_report_parameters() {
        assert_eq!(parse_dashboard("", today()).ok(), Some((None, 2026)));
        assert_eq!(
            parse_dashboard("territory=MA-04&year=2025", today()).ok(),
            Some((Some("MA-04".into()), 2025))
        );
        assert_eq!(
            parse_report("lang=fr", today()).ok(),
            Some((2026, Lang::Fr))
        );
        for (query, field) in [("year=26x", "year"), ("lang=en", "lang"), ("q=1", "q")] {
            let Err(e) = parse_report(query, today()) else {
                panic!("{query} accepted");
            };
            assert_eq!(field_of(e), field, "{query}");
        }
    }
}
