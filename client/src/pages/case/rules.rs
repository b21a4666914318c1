//! The case page's rules, without a browser: the pathway's stages and the moves between them
//! (as the API's `stages` module states them), what changed between two copies of a case (an
//! ETag conflict), and the level a risk-assessment instrument gives for some answers.
use std::collections::BTreeMap;

use madar_openapi::cases::{AssessmentInstrument, CaseResponse, CaseStage, RiskLevel};

/// The stages in pathway order, for the stepper.
pub const STAGES: [CaseStage; 6] = [
    CaseStage::Identification,
    CaseStage::Assessment,
    CaseStage::Planning,
    CaseStage::Implementation,
    CaseStage::FollowUp,
    CaseStage::Closed,
];

/// The stages a case may move to from `stage`: forward first, then back, then closing.
pub fn next_stages(stage: CaseStage) -> Vec<CaseStage> {
    use CaseStage as S;
    match stage {
        S::Identification => vec![S::Assessment, S::Closed],
        S::Assessment => vec![S::Planning, S::Closed],
        S::Planning => vec![S::Implementation, S::Assessment, S::Closed],
        S::Implementation => vec![S::FollowUp, S::Planning, S::Assessment, S::Closed],
        S::FollowUp => vec![S::Implementation, S::Assessment, S::Closed],
        S::Closed => vec![S::FollowUp, S::Assessment],
    }
}

/// A case's fields a person can see change, by name.
pub const CASE_FIELDS: [&str; 8] = [
    "stage",
    "urgency",
    "risk_level",
    "concerns",
    "assigned_to",
    "closure_reason",
    "outcome_note",
    "organization",
];

/// The fields of [`CASE_FIELDS`] that differ between what the person saw and a fresh copy.
pub fn changed_fields(seen: &CaseResponse, fresh: &CaseResponse) -> Vec<&'static str> {
    let (Ok(a), Ok(b)) = (serde_json::to_value(seen), serde_json::to_value(fresh)) else {
        return Vec::new();
    };
    CASE_FIELDS
        .into_iter()
        .filter(|f| a.get(*f) != b.get(*f))
        .collect()
}

/// The score and level `instrument` gives for `answers` (item → option), and whether every
/// item is answered. A critical answer makes the level `immediate_danger`.
pub fn compute_level(
    instrument: &AssessmentInstrument,
    answers: &BTreeMap<String, String>,
) -> (i32, RiskLevel, bool) {
    let mut score = 0;
    let mut critical = false;
    let mut complete = true;
    for item in instrument.domains.iter().flat_map(|d| d.items.iter()) {
        let chosen = answers
            .get(&item.code)
            .and_then(|code| item.options.iter().find(|o| &o.code == code));
        match chosen {
            Some(option) => {
                score += option.weight;
                critical |= option.critical;
            }
            None => complete = false,
        }
    }
    let mut level = RiskLevel::Low;
    for threshold in &instrument.thresholds {
        if score >= threshold.min_score {
            level = threshold.level;
        }
    }
    if critical {
        level = RiskLevel::ImmediateDanger;
    }
    (score, level, complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instrument() -> AssessmentInstrument {
        serde_json::from_value(serde_json::json!({
            "code": "t", "version": 1, "labels": {"ar": "ت", "fr": "t", "en": "t"},
            "domains": [{"code": "d", "labels": {"ar": "د", "fr": "d", "en": "d"}, "items": [
                {"code": "a", "labels": {"ar": "أ", "fr": "a", "en": "a"}, "options": [
                    {"code": "no", "labels": {"ar": "لا", "fr": "non", "en": "no"}, "weight": 0, "critical": false},
                    {"code": "some", "labels": {"ar": "ب", "fr": "b", "en": "b"}, "weight": 7, "critical": false},
                    {"code": "yes", "labels": {"ar": "نعم", "fr": "oui", "en": "yes"}, "weight": 1, "critical": true}]},
                {"code": "b", "labels": {"ar": "ب", "fr": "b", "en": "b"}, "options": [
                    {"code": "x", "labels": {"ar": "س", "fr": "x", "en": "x"}, "weight": 10, "critical": false},
                    {"code": "y", "labels": {"ar": "ص", "fr": "y", "en": "y"}, "weight": 0, "critical": false}]}]}],
            "thresholds": [{"level": "low", "min_score": 0}, {"level": "medium", "min_score": 6},
                {"level": "high", "min_score": 15}, {"level": "immediate_danger", "min_score": 30}]
        }))
        .expect("an instrument")
    }

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_level_follows_the_thresholds_and_a_critical_answer() {
        let i = instrument();
        assert_eq!(
            compute_level(&i, &answers(&[("a", "no"), ("b", "y")])),
            (0, RiskLevel::Low, true)
        );
        assert_eq!(
            compute_level(&i, &answers(&[("a", "some"), ("b", "y")])),
            (7, RiskLevel::Medium, true)
        );
        assert_eq!(
            compute_level(&i, &answers(&[("a", "some"), ("b", "x")])),
            (17, RiskLevel::High, true)
        );
        assert_eq!(
            compute_level(&i, &answers(&[("a", "yes")])),
            (1, RiskLevel::ImmediateDanger, false)
        );
    }

    #[test]
    fn stages_move_as_the_api_allows() {
        assert_eq!(
            next_stages(CaseStage::Identification),
            vec![CaseStage::Assessment, CaseStage::Closed]
        );
        assert!(next_stages(CaseStage::Closed).contains(&CaseStage::FollowUp));
        assert!(!next_stages(CaseStage::Assessment).contains(&CaseStage::Implementation));
    }

    #[test]
    fn a_conflict_names_the_fields_that_changed() {
        let case = serde_json::json!({
            "id": "01a22bb8-3f27-7223-9fad-10acb7f42e8a", "reference": "CASE-421-2026-000001",
            "child": {"id": "01a22bb8-3f27-7223-9fad-10acb7f42e8b", "given_name_ar": null,
                "family_name_ar": null, "given_name_latin": "Amine", "family_name_latin": null,
                "sex": "male", "birth_date": null, "birth_date_estimated": false, "age": null,
                "adult_on": null},
            "territory": "421", "organization": "cape-rabat", "stage": "assessment",
            "urgency": "medium", "risk_level": null, "concerns": ["neglect"], "assigned_to": [],
            "reports": [], "closure_reason": null, "outcome_note": null,
            "opened_at": "2026-01-01T00:00:00Z", "closed_at": null,
            "updated_at": "2026-01-01T00:00:00Z"
        });
        let seen: CaseResponse = serde_json::from_value(case.clone()).expect("a case");
        let mut other = case;
        other["stage"] = serde_json::json!("planning");
        other["urgency"] = serde_json::json!("high");
        other["updated_at"] = serde_json::json!("2026-01-02T00:00:00Z");
        let fresh: CaseResponse = serde_json::from_value(other).expect("a case");
        assert_eq!(changed_fields(&seen, &fresh), vec!["stage", "urgency"]);
        assert!(changed_fields(&seen, &seen).is_empty());
    }
}
