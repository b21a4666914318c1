//! The pure rules of a risk assessment: answers checked against the instrument, the score and
//! the computed level, and when a worker may retain another level.
use std::collections::BTreeMap;

use madar_openapi::cases::{AssessmentInstrument, RiskLevel};
use madar_openapi::FieldError;

use crate::error::ApiError;

/// The outcome of a set of answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    pub score: i32,
    pub computed_level: RiskLevel,
}

/// Checks the answers against the instrument (every item answered once with one of its
/// options; 422 on `answers.<item>` naming each problem) and scores them: the weights'
/// sum, the level of the highest threshold reached, `immediate_danger` on a critical answer.
pub fn score(
    instrument: &AssessmentInstrument,
    answers: &BTreeMap<String, String>,
) -> Result<Scored, ApiError> {
    let mut errors = Vec::new();
    let mut score = 0;
    let mut critical = false;
    let items: Vec<_> = instrument.domains.iter().flat_map(|d| &d.items).collect();
    for code in answers.keys() {
        if !items.iter().any(|i| &i.code == code) {
            errors.push(field(code, "unknown_item", "is no item of this instrument"));
        }
    }
    for item in &items {
        let Some(answer) = answers.get(&item.code) else {
            errors.push(field(&item.code, "answer_required", "needs an answer"));
            continue;
        };
        match item.options.iter().find(|o| &o.code == answer) {
            Some(option) => {
                score += option.weight;
                critical |= option.critical;
            }
            None => errors.push(field(
                &item.code,
                "unknown_option",
                "is no option of this item",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let reached = instrument
        .thresholds
        .iter()
        .filter(|t| t.min_score <= score)
        .map(|t| t.level)
        .max()
        .unwrap_or(RiskLevel::Low);
    let computed_level = if critical {
        RiskLevel::ImmediateDanger
    } else {
        reached
    };
    Ok(Scored {
        score,
        computed_level,
    })
}

fn field(item: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: format!("answers.{item}"),
        code: code.into(),
        message: message.into(),
    }
}

/// The level retained and whether it overrides the computed one: a requested level that
/// differs needs a justification (422 `justification_required`).
pub fn retained(
    computed: RiskLevel,
    requested: Option<RiskLevel>,
    justification: Option<&str>,
) -> Result<(RiskLevel, bool), ApiError> {
    match requested {
        Some(level) if level != computed => {
            if justification.is_none() {
                return Err(ApiError::validation(
                    "override_justification",
                    "justification_required",
                    "is required to retain a level other than the computed one",
                ));
            }
            Ok((level, true))
        }
        _ => Ok((computed, false)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::instrument::find;
    use super::*;

    fn madar_risk() -> &'static AssessmentInstrument {
        find("madar_risk", 1).expect("the instrument")
    }

    /// Every item answered with its first (lowest) option, then some changed.
    fn answers(changes: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut answers: BTreeMap<String, String> = madar_risk()
            .domains
            .iter()
            .flat_map(|d| &d.items)
            .map(|i| (i.code.clone(), i.options[0].code.clone()))
            .collect();
        for (item, option) in changes {
            answers.insert((*item).into(), (*option).into());
        }
        answers
    }

    fn fields(e: ApiError) -> Vec<(String, String)> {
        match e {
            ApiError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn the_lowest_answers_score_zero_and_low() {
        let scored = score(madar_risk(), &answers(&[])).expect("scored");
        assert_eq!(
            scored,
            Scored {
                score: 0,
                computed_level: RiskLevel::Low
            }
        );
    }

    #[test]
    fn thresholds_map_the_score_to_a_level() {
        let medium = answers(&[("housing", "none"), ("food", "insufficient")]);
        assert_eq!(
            score(madar_risk(), &medium).unwrap(),
            Scored {
                score: 7,
                computed_level: RiskLevel::Medium
            }
        );
        let high = answers(&[
            ("housing", "none"),
            ("caregiver", "absent"),
            ("street_situation", "lives_on_street"),
        ]);
        assert_eq!(
            score(madar_risk(), &high).unwrap().computed_level,
            RiskLevel::High
        );
    }

    #[test]
    fn a_critical_answer_is_immediate_danger_whatever_the_score() {
        let scored = score(
            madar_risk(),
            &answers(&[("immediate_physical_danger", "yes")]),
        )
        .unwrap();
        assert_eq!(
            scored,
            Scored {
                score: 10,
                computed_level: RiskLevel::ImmediateDanger
            }
        );
    }

    #[test]
    fn unknown_and_missing_answers_name_their_item() {
        let mut wrong = answers(&[("housing", "castle"), ("pets", "none")]);
        wrong.remove("food");
        let mut got = fields(score(madar_risk(), &wrong).unwrap_err());
        got.sort();
        assert_eq!(
            got,
            [
                ("answers.food".to_string(), "answer_required".to_string()),
                ("answers.housing".into(), "unknown_option".into()),
                ("answers.pets".into(), "unknown_item".into()),
            ]
        );
    }

    #[test]
    fn an_override_needs_a_justification_unless_it_agrees() {
        use RiskLevel as L;
        assert_eq!(retained(L::Low, None, None).unwrap(), (L::Low, false));
        assert_eq!(
            retained(L::Low, Some(L::Low), None).unwrap(),
            (L::Low, false)
        );
        let refused = fields(retained(L::Low, Some(L::High), None).unwrap_err());
        assert_eq!(
            refused[0],
            (
                "override_justification".into(),
                "justification_required".into()
            )
        );
        assert_eq!(
            retained(L::High, Some(L::Medium), Some("why")).unwrap(),
            (L::Medium, true)
        );
    }
}
