//! The rules of a provincial action plan, pure: what a plan's contents must satisfy before they
//! are stored, and how its measures' state and indicators' values are read from the progress.
use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use madar_openapi::plans::{
    ActionPlanIndicator, ActionPlanObjective, ActionPlanStatus, PlanMeasureState,
    PlanMeasureStatus, PlanProgressResponse, RecordPlanProgress,
};
use madar_openapi::FieldError;

/// Parameters a bound statistics query may not set: the plan's territory and period apply, and
/// a bound value is one total.
pub const FIXED_PARAMS: [&str; 4] = ["territory", "from", "to", "group_by"];

fn problem(field: String, code: &str, message: &str) -> FieldError {
    FieldError {
        field,
        code: code.into(),
        message: message.into(),
    }
}

/// The problems of a period (`ends_on` before `starts_on`).
pub fn period_problems(starts_on: NaiveDate, ends_on: NaiveDate) -> Vec<FieldError> {
    if ends_on < starts_on {
        vec![problem(
            "ends_on".into(),
            "before_from",
            "the plan ends before it starts",
        )]
    } else {
        Vec::new()
    }
}

/// The problems of a plan's contents: keys repeated (objectives and measures within the plan,
/// indicators within their measure), a measure ending before it starts, an indicator bound
/// twice or bound to a query that sets the plan's own parameters. Codes of organizations and
/// the queries' own parameters are checked by the caller (they need the database and the
/// statistics parser).
pub fn content_problems(objectives: &[ActionPlanObjective]) -> Vec<FieldError> {
    let mut out = Vec::new();
    let mut objective_keys = HashSet::new();
    let mut measure_keys = HashSet::new();
    for (i, objective) in objectives.iter().enumerate() {
        let at = format!("objectives[{i}]");
        if !objective_keys.insert(objective.key.as_str()) {
            out.push(problem(
                format!("{at}.key"),
                "repeated",
                "two objectives share this key",
            ));
        }
        for (j, measure) in objective.measures.iter().enumerate() {
            let at = format!("{at}.measures[{j}]");
            if !measure_keys.insert(measure.key.as_str()) {
                out.push(problem(
                    format!("{at}.key"),
                    "repeated",
                    "two measures share this key",
                ));
            }
            if let (Some(s), Some(e)) = (measure.starts_on, measure.ends_on) {
                if e < s {
                    out.push(problem(
                        format!("{at}.ends_on"),
                        "before_from",
                        "the measure ends before it starts",
                    ));
                }
            }
            let mut indicator_keys = HashSet::new();
            for (k, indicator) in measure.indicators.iter().enumerate() {
                let at = format!("{at}.indicators[{k}]");
                if !indicator_keys.insert(indicator.key.as_str()) {
                    out.push(problem(
                        format!("{at}.key"),
                        "repeated",
                        "two indicators of this measure share this key",
                    ));
                }
                out.extend(binding_problems(&at, indicator));
            }
        }
    }
    out
}

/// The plan's own parameters a bound query sets.
pub fn fixed_params_set(query: &str) -> Vec<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    pairs
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| FIXED_PARAMS.contains(&name.as_str()))
        .collect()
}

fn binding_problems(at: &str, indicator: &ActionPlanIndicator) -> Vec<FieldError> {
    let mut out = Vec::new();
    if indicator.statistics_query.is_some() && indicator.ministry_indicator.is_some() {
        out.push(problem(
            format!("{at}.ministry_indicator"),
            "inconsistent",
            "an indicator is bound to a statistics query or to a ministry indicator, not both",
        ));
    }
    if let Some(query) = &indicator.statistics_query {
        for name in fixed_params_set(query) {
            out.push(problem(
                format!("{at}.statistics_query"),
                "not_allowed",
                &format!("`{name}` is the plan's own (its territory and period apply)"),
            ));
        }
    }
    out
}

/// Every measure of the plan, with the key of its objective.
pub fn measures(
    objectives: &[ActionPlanObjective],
) -> Vec<(&str, &madar_openapi::plans::ActionPlanMeasure)> {
    objectives
        .iter()
        .flat_map(|o| o.measures.iter().map(move |m| (o.key.as_str(), m)))
        .collect()
}

/// The problems of a progress record on a plan: the plan must be active, the measure one of
/// its own, the values those of the measure's typed indicators, the day within the plan.
pub fn progress_problems(
    status: ActionPlanStatus,
    objectives: &[ActionPlanObjective],
    starts_on: NaiveDate,
    progress: &RecordPlanProgress,
) -> Result<Vec<FieldError>, &'static str> {
    if status != ActionPlanStatus::Active {
        return Err("plan_not_active");
    }
    let mut out = Vec::new();
    let Some((_, measure)) = measures(objectives)
        .into_iter()
        .find(|(_, m)| m.key == progress.measure)
    else {
        return Ok(vec![problem(
            "measure".into(),
            "unknown_item",
            "names no measure of this plan",
        )]);
    };
    if progress.as_of < starts_on {
        out.push(problem(
            "as_of".into(),
            "before_date",
            "before the plan's start",
        ));
    }
    let mut seen = HashSet::new();
    for (i, value) in progress.values.iter().enumerate() {
        let typed = measure.indicators.iter().find(|x| x.key == value.indicator);
        match typed {
            None => out.push(problem(
                format!("values[{i}].indicator"),
                "unknown_item",
                "names no indicator of this measure",
            )),
            Some(x) if x.statistics_query.is_some() || x.ministry_indicator.is_some() => {
                out.push(problem(
                    format!("values[{i}].indicator"),
                    "not_allowed",
                    "a bound indicator is computed, not recorded",
                ))
            }
            Some(_) if !seen.insert(value.indicator.as_str()) => out.push(problem(
                format!("values[{i}].indicator"),
                "repeated",
                "this indicator is given twice",
            )),
            Some(_) if !value.value.is_finite() => out.push(problem(
                format!("values[{i}].value"),
                "invalid_value",
                "not a number",
            )),
            Some(_) => {}
        }
    }
    Ok(out)
}

/// Each measure's state: its last progress record (by day, then by record), else planned.
/// `history` is in recording order.
pub fn measure_states(
    objectives: &[ActionPlanObjective],
    history: &[PlanProgressResponse],
) -> Vec<PlanMeasureState> {
    let mut last: HashMap<&str, &PlanProgressResponse> = HashMap::new();
    for p in history {
        match last.get(p.measure.as_str()) {
            Some(q) if q.as_of > p.as_of => {}
            _ => {
                last.insert(p.measure.as_str(), p);
            }
        }
    }
    measures(objectives)
        .into_iter()
        .map(|(objective, m)| match last.get(m.key.as_str()) {
            Some(p) => PlanMeasureState {
                measure: m.key.clone(),
                objective: objective.to_string(),
                status: p.status,
                percent_done: p.percent_done,
                as_of: Some(p.as_of),
            },
            None => PlanMeasureState {
                measure: m.key.clone(),
                objective: objective.to_string(),
                status: PlanMeasureStatus::Planned,
                percent_done: 0,
                as_of: None,
            },
        })
        .collect()
}

/// The last recorded value of a typed indicator (`None`: never recorded).
pub fn last_recorded(
    history: &[PlanProgressResponse],
    measure: &str,
    indicator: &str,
) -> Option<f64> {
    let mut best: Option<(NaiveDate, f64)> = None;
    for p in history.iter().filter(|p| p.measure == measure) {
        for v in p.values.iter().filter(|v| v.indicator == indicator) {
            if best.is_none_or(|(day, _)| p.as_of >= day) {
                best = Some((p.as_of, v.value));
            }
        }
    }
    best.map(|(_, v)| v)
}

/// The days a bound indicator counts: the plan's period, up to today.
pub fn counted_days(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    today: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    let to = ends_on.min(today);
    (to >= starts_on).then_some((starts_on, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use madar_openapi::plans::{ActionPlanMeasure, PlanRecordedValue};

    fn indicator(key: &str, query: Option<&str>) -> ActionPlanIndicator {
        ActionPlanIndicator {
            key: key.into(),
            name: "Indicateur".into(),
            baseline: None,
            target: None,
            statistics_query: query.map(str::to_string),
            ministry_indicator: None,
        }
    }

    fn measure(key: &str, indicators: Vec<ActionPlanIndicator>) -> ActionPlanMeasure {
        ActionPlanMeasure {
            key: key.into(),
            title: "Mesure".into(),
            domain: None,
            responsible: vec![],
            budget_mad: None,
            starts_on: None,
            ends_on: None,
            expected_results: None,
            indicators,
        }
    }

    fn plan(measures: Vec<ActionPlanMeasure>) -> Vec<ActionPlanObjective> {
        vec![ActionPlanObjective {
            key: "o1".into(),
            title: "Objectif".into(),
            measures,
        }]
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap_or_default()
    }

    #[test]
    fn repeated_keys_and_fixed_parameters_are_named() {
        let objectives = plan(vec![
            measure("m1", vec![indicator("i", None), indicator("i", None)]),
            measure(
                "m1",
                vec![indicator("j", Some("measure=cases_opened&territory=421"))],
            ),
        ]);
        let fields: Vec<(String, String)> = content_problems(&objectives)
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect();
        assert!(fields.contains(&(
            "objectives[0].measures[0].indicators[1].key".into(),
            "repeated".into()
        )));
        assert!(fields.contains(&("objectives[0].measures[1].key".into(), "repeated".into())));
        assert!(fields.contains(&(
            "objectives[0].measures[1].indicators[0].statistics_query".into(),
            "not_allowed".into()
        )));
        assert_eq!(fields.len(), 3);
    }

    #[test]
    fn progress_needs_an_active_plan_and_its_own_typed_indicators() {
        let objectives = plan(vec![measure(
            "m1",
            vec![
                indicator("typed", None),
                indicator("bound", Some("measure=reports")),
            ],
        )]);
        let mut p = RecordPlanProgress {
            measure: "m1".into(),
            status: PlanMeasureStatus::InProgress,
            percent_done: 40,
            as_of: day("2026-03-01"),
            note: None,
            values: vec![PlanRecordedValue {
                indicator: "typed".into(),
                value: 12.0,
            }],
        };
        let start = day("2026-01-01");
        assert_eq!(
            progress_problems(ActionPlanStatus::Draft, &objectives, start, &p),
            Err("plan_not_active")
        );
        assert_eq!(
            progress_problems(ActionPlanStatus::Active, &objectives, start, &p),
            Ok(vec![])
        );
        p.values[0].indicator = "bound".into();
        let problems =
            progress_problems(ActionPlanStatus::Active, &objectives, start, &p).unwrap_or_default();
        assert_eq!(problems[0].code, "not_allowed");
        p.measure = "m9".into();
        let problems =
            progress_problems(ActionPlanStatus::Active, &objectives, start, &p).unwrap_or_default();
        assert_eq!(problems[0].field, "measure");
    }

    #[test]
    fn a_measure_takes_the_state_of_its_latest_day() {
        let objectives = plan(vec![measure("m1", vec![]), measure("m2", vec![])]);
        let record = |as_of: &str, status, percent_done| PlanProgressResponse {
            id: uuid::Uuid::nil(),
            measure: "m1".into(),
            status,
            percent_done,
            as_of: day(as_of),
            note: None,
            values: vec![PlanRecordedValue {
                indicator: "i".into(),
                value: f64::from(percent_done),
            }],
            recorded_at: chrono::DateTime::default(),
        };
        // A late correction of an earlier day does not replace the latest day's state.
        let history = vec![
            record("2026-05-01", PlanMeasureStatus::InProgress, 50),
            record("2026-02-01", PlanMeasureStatus::Delayed, 10),
        ];
        let states = measure_states(&objectives, &history);
        assert_eq!(states[0].status, PlanMeasureStatus::InProgress);
        assert_eq!(states[0].percent_done, 50);
        assert_eq!(states[1].status, PlanMeasureStatus::Planned);
        assert_eq!(last_recorded(&history, "m1", "i"), Some(50.0));
        assert_eq!(last_recorded(&history, "m2", "i"), None);
    }

    #[test]
    fn bound_values_count_the_period_up_to_today() {
        let (s, e) = (day("2026-01-01"), day("2027-12-31"));
        assert_eq!(
            counted_days(s, e, day("2026-11-30")),
            Some((s, day("2026-11-30")))
        );
        assert_eq!(counted_days(s, e, day("2025-06-01")), None);
        assert_eq!(period_problems(e, s)[0].code, "before_from");
    }
}
