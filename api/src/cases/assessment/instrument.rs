//! Risk-assessment instruments as versioned data (`api/data/assessment-instruments`, embedded
//! in the binary, parsed and checked once): an assessment names the code and version it used.
use std::collections::HashSet;
use std::sync::OnceLock;

use madar_openapi::cases::AssessmentInstrument;

use crate::error::ApiError;

/// The instruments' data files, one per (code, version); never edited once published.
const SOURCES: [&str; 1] = [include_str!(
    "../../../data/assessment-instruments/madar_risk.v1.json"
)];

fn parsed() -> Result<Vec<AssessmentInstrument>, String> {
    let mut instruments = Vec::new();
    for source in SOURCES {
        let instrument: AssessmentInstrument =
            serde_json::from_str(source).map_err(|e| e.to_string())?;
        consistent(&instrument)?;
        instruments.push(instrument);
    }
    Ok(instruments)
}

/// Every instrument, in the order of the data files (checked once).
pub fn all() -> Result<&'static [AssessmentInstrument], ApiError> {
    static INSTRUMENTS: OnceLock<Result<Vec<AssessmentInstrument>, String>> = OnceLock::new();
    INSTRUMENTS
        .get_or_init(parsed)
        .as_deref()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("assessment instruments: {e}")))
}

/// One version of an instrument (422 on `instrument` or `version` when unknown).
pub fn find(code: &str, version: i32) -> Result<&'static AssessmentInstrument, ApiError> {
    let instruments = all()?;
    if !instruments.iter().any(|i| i.code == code) {
        return Err(ApiError::validation(
            "instrument",
            "unknown_instrument",
            "is no assessment instrument",
        ));
    }
    instruments
        .iter()
        .find(|i| i.code == code && i.version == version)
        .ok_or_else(|| {
            ApiError::validation(
                "version",
                "unknown_version",
                "is no version of the instrument",
            )
        })
}

/// What an instrument's data must hold: unique domain, item and option codes, non-negative
/// weights, thresholds starting at 0 and strictly increasing in score and level.
pub fn consistent(i: &AssessmentInstrument) -> Result<(), String> {
    let mut domains = HashSet::new();
    let mut items = HashSet::new();
    for domain in &i.domains {
        if !domains.insert(domain.code.as_str()) || domain.items.is_empty() {
            return Err(format!("domain {} repeated or empty", domain.code));
        }
        for item in &domain.items {
            let mut options = HashSet::new();
            if !items.insert(item.code.as_str()) || item.options.len() < 2 {
                return Err(format!(
                    "item {} repeated or with fewer than 2 options",
                    item.code
                ));
            }
            for option in &item.options {
                if !options.insert(option.code.as_str()) || option.weight < 0 {
                    return Err(format!(
                        "option {}.{} repeated or negative",
                        item.code, option.code
                    ));
                }
            }
        }
    }
    let first = i.thresholds.first().map(|t| t.min_score);
    let ordered = i
        .thresholds
        .windows(2)
        .all(|w| w[0].min_score < w[1].min_score && w[0].level < w[1].level);
    if first != Some(0) || !ordered {
        return Err("thresholds must start at 0 and increase".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use madar_openapi::cases::RiskLevel;

    use super::*;

    fn madar_risk() -> &'static AssessmentInstrument {
        find("madar_risk", 1).expect("the instrument")
    }

    fn fields(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn the_instruments_parse_and_are_consistent() {
        let all = all().expect("instruments");
        assert!(!all.is_empty());
        let domains: Vec<&str> = madar_risk()
            .domains
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        for expected in [
            "safety",
            "health",
            "family_environment",
            "education",
            "exploitation",
            "online_risks",
        ] {
            assert!(domains.contains(&expected), "{expected}");
        }
        let mut versions = HashSet::new();
        for i in all {
            assert!(
                versions.insert((i.code.as_str(), i.version)),
                "{} {}",
                i.code,
                i.version
            );
            assert_eq!(
                i.thresholds.last().map(|t| t.level),
                Some(RiskLevel::ImmediateDanger)
            );
        }
    }

    #[test]
    fn inconsistent_data_is_refused() {
        let mut i = madar_risk().clone();
        i.thresholds.swap(1, 2);
        assert!(consistent(&i).is_err());
        let mut i = madar_risk().clone();
        let item = i.domains[0].items[0].clone();
        i.domains[1].items.push(item);
        assert!(consistent(&i).is_err());
    }

    #[test]
    fn unknown_instruments_and_versions_are_refused() {
        assert_eq!(
            fields(find("other", 1).unwrap_err())[0].1,
            "unknown_instrument"
        );
        assert_eq!(
            fields(find("madar_risk", 99).unwrap_err())[0].1,
            "unknown_version"
        );
    }
}
