//! The rules of the national programme, pure: what a replacement must keep and satisfy, and each
//! objective's progress.
use std::collections::HashSet;

use madar_openapi::plans::PlanMeasureStatus;
use madar_openapi::programme::{
    ObjectiveProgress, ProgrammeIndicator, StatusCount, StrategicObjective,
};
use madar_openapi::FieldError;

/// The policy's five strategic objectives: a replacement keeps them.
pub const SHIPPED: [&str; 5] = ["so1", "so2", "so3", "so4", "so5"];

fn problem(field: String, code: &str, message: String) -> FieldError {
    FieldError {
        field,
        code: code.into(),
        message,
    }
}

/// The problems of a replacement: a shipped objective dropped, codes or keys repeated
/// (objectives; sub-objectives and measures across the programme; indicators within their
/// measure; years within their indicator), a measure ending before it starts.
pub fn problems(objectives: &[StrategicObjective]) -> Vec<FieldError> {
    let mut out = Vec::new();
    for code in SHIPPED {
        if !objectives.iter().any(|o| o.code == code) {
            out.push(problem(
                "objectives".into(),
                "required",
                format!("the policy's strategic objective `{code}` stays"),
            ));
        }
    }
    let (mut codes, mut subs, mut measures) = (HashSet::new(), HashSet::new(), HashSet::new());
    for (i, o) in objectives.iter().enumerate() {
        let at = format!("objectives[{i}]");
        if !codes.insert(o.code.as_str()) {
            out.push(problem(
                format!("{at}.code"),
                "repeated",
                "two objectives share this code".into(),
            ));
        }
        for (j, s) in o.sub_objectives.iter().enumerate() {
            let at = format!("{at}.sub_objectives[{j}]");
            if !subs.insert(s.key.as_str()) {
                out.push(problem(
                    format!("{at}.key"),
                    "repeated",
                    "two sub-objectives share this key".into(),
                ));
            }
            for (k, m) in s.measures.iter().enumerate() {
                let at = format!("{at}.measures[{k}]");
                if !measures.insert(m.key.as_str()) {
                    out.push(problem(
                        format!("{at}.key"),
                        "repeated",
                        "two measures share this key".into(),
                    ));
                }
                if let (Some(s), Some(e)) = (m.starts_year, m.ends_year) {
                    if e < s {
                        out.push(problem(
                            format!("{at}.ends_year"),
                            "before_from",
                            "the measure ends before it starts".into(),
                        ));
                    }
                }
                let mut keys = HashSet::new();
                for (n, x) in m.indicators.iter().enumerate() {
                    let at = format!("{at}.indicators[{n}]");
                    if !keys.insert(x.key.as_str()) {
                        out.push(problem(
                            format!("{at}.key"),
                            "repeated",
                            "two indicators of this measure share this key".into(),
                        ));
                    }
                    let mut years = HashSet::new();
                    for (y, v) in x.yearly.iter().enumerate() {
                        if !years.insert(v.year) {
                            out.push(problem(
                                format!("{at}.yearly[{y}].year"),
                                "repeated",
                                "this year is given twice".into(),
                            ));
                        } else if !v.value.is_finite() {
                            out.push(problem(
                                format!("{at}.yearly[{y}].value"),
                                "invalid_value",
                                "not a number".into(),
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Whether an indicator's latest yearly value reached its target (downwards when the target is
/// below the baseline).
pub fn on_target(x: &ProgrammeIndicator) -> bool {
    let (Some(target), Some(latest)) = (x.target, x.yearly.iter().max_by_key(|v| v.year)) else {
        return false;
    };
    match x.baseline {
        Some(b) if target < b => latest.value <= target,
        _ => latest.value >= target,
    }
}

/// An objective's progress.
pub fn progress(o: &StrategicObjective) -> ObjectiveProgress {
    let measures: Vec<_> = o.sub_objectives.iter().flat_map(|s| &s.measures).collect();
    let count = |status| measures.iter().filter(|m| m.status == status).count() as i64;
    let by_status = PlanMeasureStatus::ALL
        .iter()
        .map(|&status| StatusCount {
            status,
            measures: count(status),
        })
        .collect();
    let live = measures.len() as i64 - count(PlanMeasureStatus::Cancelled);
    let indicators: Vec<_> = measures.iter().flat_map(|m| &m.indicators).collect();
    ObjectiveProgress {
        objective: o.code.clone(),
        sub_objectives: o.sub_objectives.len() as i64,
        measures: measures.len() as i64,
        by_status,
        share_done: (live > 0).then(|| count(PlanMeasureStatus::Done) as f64 / live as f64),
        indicators: indicators.len() as i64,
        indicators_on_target: indicators.iter().filter(|x| on_target(x)).count() as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madar_openapi::programme::{ProgrammeMeasure, SubObjective, YearValue};
    use madar_openapi::Labels;

    fn indicator(
        baseline: Option<f64>,
        target: Option<f64>,
        yearly: &[(i32, f64)],
    ) -> ProgrammeIndicator {
        ProgrammeIndicator {
            key: "i".into(),
            name: "Indicateur".into(),
            baseline,
            target,
            yearly: yearly
                .iter()
                .map(|&(year, value)| YearValue { year, value })
                .collect(),
        }
    }

    fn measure(
        key: &str,
        status: PlanMeasureStatus,
        indicators: Vec<ProgrammeIndicator>,
    ) -> ProgrammeMeasure {
        ProgrammeMeasure {
            key: key.into(),
            title: "Mesure".into(),
            sector: "Ministère".into(),
            partners: vec![],
            starts_year: None,
            ends_year: None,
            status,
            indicators,
        }
    }

    fn objective(code: &str, measures: Vec<ProgrammeMeasure>) -> StrategicObjective {
        let label = "Objectif".to_string();
        StrategicObjective {
            code: code.into(),
            title: Labels {
                ar: label.clone(),
                fr: label.clone(),
                en: label,
            },
            sub_objectives: vec![SubObjective {
                key: format!("{code}-1"),
                title: "Sous-objectif".into(),
                measures,
            }],
        }
    }

    #[test]
    fn targets_are_reached_up_or_down_by_the_latest_year() {
        assert!(on_target(&indicator(
            Some(10.0),
            Some(50.0),
            &[(2026, 55.0), (2024, 5.0)]
        )));
        assert!(!on_target(&indicator(
            Some(10.0),
            Some(50.0),
            &[(2024, 55.0), (2026, 40.0)]
        )));
        // A rate to bring down: reached at or below the target.
        assert!(on_target(&indicator(
            Some(30.0),
            Some(10.0),
            &[(2026, 9.0)]
        )));
        assert!(!on_target(&indicator(None, Some(10.0), &[])));
    }

    #[test]
    fn progress_counts_measures_by_status_and_leaves_cancelled_ones_out_of_the_share() {
        let o = objective(
            "so5",
            vec![
                measure(
                    "a",
                    PlanMeasureStatus::Done,
                    vec![indicator(None, Some(1.0), &[(2026, 1.0)])],
                ),
                measure("b", PlanMeasureStatus::InProgress, vec![]),
                measure("c", PlanMeasureStatus::Cancelled, vec![]),
            ],
        );
        let p = progress(&o);
        assert_eq!(
            (p.measures, p.indicators, p.indicators_on_target),
            (3, 1, 1)
        );
        assert_eq!(p.share_done, Some(0.5));
        assert_eq!(p.by_status.iter().map(|s| s.measures).sum::<i64>(), 3);
        assert_eq!(progress(&objective("so1", vec![])).share_done, None);
    }

    #[test]
    fn a_replacement_keeps_the_five_and_repeats_nothing() {
        let mut all: Vec<_> = SHIPPED.iter().map(|c| objective(c, vec![])).collect();
        assert!(problems(&all).is_empty());
        all[1] = objective("so1", vec![]);
        let codes: Vec<(String, String)> = problems(&all)
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect();
        assert!(
            codes.contains(&("objectives".into(), "required".into())),
            "{codes:?}"
        );
        assert!(
            codes.contains(&("objectives[1].code".into(), "repeated".into())),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(
                "objectives[1].sub_objectives[0].key".into(),
                "repeated".into()
            )),
            "{codes:?}"
        );
    }
}
