//! The plan forms as typed, made into the contract's requests (host-tested): a new plan, an
//! objective and a measure added to a plan's contents, and progress on a measure. Keys of new
//! objectives, measures and indicators are made here (`o1`, `m3`, `i2`...), the smallest
//! unused in the plan, since progress records name them.
use chrono::NaiveDate;
use madar_openapi::plans::{
    ActionPlanIndicator, ActionPlanMeasure, ActionPlanObjective, CreateActionPlan,
    PlanMeasureStatus, PlanRecordedValue, RecordPlanProgress,
};
use validator::Validate;

/// A field's path and an error code.
pub type Errors = Vec<(&'static str, &'static str)>;

fn date(text: &str) -> Option<NaiveDate> {
    text.trim().parse().ok()
}

/// A number as typed (a comma as the decimal mark, as in French); `Err` when typed but not a
/// number.
pub(crate) fn number(text: &str) -> Result<Option<f64>, ()> {
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        _ => Err(()),
    }
}

/// `prefix` and the smallest number not yet used with it among `taken`.
pub fn next_key<'a>(prefix: &str, taken: impl Iterator<Item = &'a str>) -> String {
    let taken: Vec<&str> = taken.collect();
    (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|k| !taken.contains(&k.as_str()))
        .unwrap_or_default()
}

fn all_measures(objectives: &[ActionPlanObjective]) -> impl Iterator<Item = &ActionPlanMeasure> {
    objectives.iter().flat_map(|o| &o.measures)
}

/// A new plan (a draft, without objectives yet) for `territory`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanDraft {
    pub title: String,
    pub starts_on: String,
    pub ends_on: String,
}

impl PlanDraft {
    pub fn to_create(&self, territory: &str) -> Result<CreateActionPlan, Errors> {
        let mut errors = Errors::new();
        if self.title.trim().is_empty() {
            errors.push(("title", "required"));
        }
        let (starts, ends) = (date(&self.starts_on), date(&self.ends_on));
        if starts.is_none() {
            errors.push(("starts_on", "invalid_date"));
        }
        if ends.is_none() {
            errors.push(("ends_on", "invalid_date"));
        }
        if let (Some(s), Some(e)) = (starts, ends) {
            if e < s {
                errors.push(("ends_on", "invalid_range"));
            }
        }
        let (Some(starts_on), Some(ends_on), true) = (starts, ends, errors.is_empty()) else {
            return Err(errors);
        };
        let plan = CreateActionPlan {
            territory: territory.to_owned(),
            title: self.title.trim().to_owned(),
            starts_on,
            ends_on,
            objectives: Vec::new(),
        };
        plan.validate()
            .map_err(|_| vec![("title", "invalid_value")])?;
        Ok(plan)
    }
}

/// The plan's objectives with one more, titled `title`.
pub fn add_objective(
    objectives: &[ActionPlanObjective],
    title: &str,
) -> Result<Vec<ActionPlanObjective>, Errors> {
    let objective = ActionPlanObjective {
        key: next_key("o", objectives.iter().map(|o| o.key.as_str())),
        title: title.trim().to_owned(),
        measures: Vec::new(),
    };
    if objective.validate().is_err() {
        return Err(vec![("objective_title", "required")]);
    }
    let mut next = objectives.to_vec();
    next.push(objective);
    Ok(next)
}

/// A new measure as typed, with at most one indicator (its values recorded with progress).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasureDraft {
    pub title: String,
    pub budget: String,
    pub starts_on: String,
    pub ends_on: String,
    pub expected: String,
    pub indicator: String,
    pub baseline: String,
    pub target: String,
}

impl MeasureDraft {
    /// The plan's objectives with this measure added to `objective`.
    pub fn add_to(
        &self,
        objectives: &[ActionPlanObjective],
        objective: &str,
    ) -> Result<Vec<ActionPlanObjective>, Errors> {
        let mut errors = Errors::new();
        if self.title.trim().is_empty() {
            errors.push(("title", "required"));
        }
        let budget = match number(&self.budget) {
            Ok(Some(v)) if v >= 0.0 && v.fract() == 0.0 => Some(v as i64),
            Ok(None) => None,
            _ => {
                errors.push(("budget", "invalid_value"));
                None
            }
        };
        let dates = [("starts_on", &self.starts_on), ("ends_on", &self.ends_on)].map(
            |(path, text)| match (text.trim().is_empty(), date(text)) {
                (true, _) => None,
                (false, Some(d)) => Some(d),
                (false, None) => {
                    errors.push((path, "invalid_date"));
                    None
                }
            },
        );
        let (baseline, target) = (number(&self.baseline), number(&self.target));
        if baseline.is_err() {
            errors.push(("baseline", "invalid_value"));
        }
        if target.is_err() {
            errors.push(("target", "invalid_value"));
        }
        let named = !self.indicator.trim().is_empty();
        if !named && (matches!(baseline, Ok(Some(_))) || matches!(target, Ok(Some(_)))) {
            errors.push(("indicator", "required"));
        }
        let indicators = if named {
            let taken: Vec<&str> = all_measures(objectives)
                .flat_map(|m| &m.indicators)
                .map(|i| i.key.as_str())
                .collect();
            vec![ActionPlanIndicator {
                key: next_key("i", taken.into_iter()),
                name: self.indicator.trim().to_owned(),
                baseline: baseline.ok().flatten(),
                target: target.ok().flatten(),
                statistics_query: None,
                ministry_indicator: None,
            }]
        } else {
            Vec::new()
        };
        let measure = ActionPlanMeasure {
            key: next_key("m", all_measures(objectives).map(|m| m.key.as_str())),
            title: self.title.trim().to_owned(),
            domain: None,
            responsible: Vec::new(),
            budget_mad: budget,
            starts_on: dates[0],
            ends_on: dates[1],
            expected_results: Some(self.expected.trim().to_owned()).filter(|e| !e.is_empty()),
            indicators,
        };
        if errors.is_empty() && measure.validate().is_err() {
            errors.push(("title", "invalid_value"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut next = objectives.to_vec();
        let Some(target) = next.iter_mut().find(|o| o.key == objective) else {
            return Err(vec![("objective", "not_found")]);
        };
        target.measures.push(measure);
        Ok(next)
    }
}

/// Progress on a measure as typed: its state, percent done, day, note, and a value for each of
/// its recorded indicators (`values`: indicator key and text; blank ones are left out).
#[derive(Debug, Clone, PartialEq)]
pub struct ProgressDraft {
    pub status: PlanMeasureStatus,
    pub percent: String,
    pub as_of: String,
    pub note: String,
    pub values: Vec<(String, String)>,
}

impl ProgressDraft {
    pub fn to_record(&self, measure: &str) -> Result<RecordPlanProgress, Errors> {
        let mut errors = Errors::new();
        let percent = self
            .percent
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|p| (0..=100).contains(p));
        if percent.is_none() {
            errors.push(("percent_done", "invalid_range"));
        }
        let as_of = date(&self.as_of);
        if as_of.is_none() {
            errors.push(("as_of", "invalid_date"));
        }
        let mut values = Vec::new();
        for (indicator, text) in &self.values {
            match number(text) {
                Ok(Some(value)) => values.push(PlanRecordedValue {
                    indicator: indicator.clone(),
                    value,
                }),
                Ok(None) => {}
                Err(()) => errors.push(("values", "invalid_value")),
            }
        }
        let (Some(percent_done), Some(as_of), true) = (percent, as_of, errors.is_empty()) else {
            return Err(errors);
        };
        let record = RecordPlanProgress {
            measure: measure.to_owned(),
            status: self.status,
            percent_done,
            as_of,
            note: Some(self.note.trim().to_owned()).filter(|n| !n.is_empty()),
            values,
        };
        record
            .validate()
            .map_err(|_| vec![("note", "invalid_value")])?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_smallest_unused() {
        assert_eq!(next_key("o", [].into_iter()), "o1");
        assert_eq!(next_key("m", ["m1", "m3"].into_iter()), "m2");
    }

    #[test]
    fn a_plan_needs_a_title_and_an_ordered_period() {
        let errors = PlanDraft::default().to_create("421").expect_err("empty");
        assert!(errors.contains(&("title", "required")));
        assert!(errors.contains(&("starts_on", "invalid_date")));
        let draft = PlanDraft {
            title: " Plan 2027 ".into(),
            starts_on: "2027-12-31".into(),
            ends_on: "2027-01-01".into(),
        };
        assert_eq!(
            draft.to_create("421").expect_err("reversed"),
            [("ends_on", "invalid_range")]
        );
        let plan = PlanDraft {
            ends_on: "2028-12-31".into(),
            ..draft
        }
        .to_create("421")
        .expect("ok");
        assert_eq!(
            (plan.title.as_str(), plan.territory.as_str()),
            ("Plan 2027", "421")
        );
    }

    #[test]
    fn objectives_and_measures_get_keys_and_checked_numbers() {
        let objectives = add_objective(&[], "Prévenir la violence").expect("one");
        assert!(add_objective(&objectives, "  ").is_err());
        let objectives = add_objective(&objectives, "Réinsérer").expect("two");
        assert_eq!(objectives[1].key, "o2");
        let measure = MeasureDraft {
            title: "Campagne dans les écoles".into(),
            budget: "150000".into(),
            starts_on: "2027-02-01".into(),
            indicator: "Écoles touchées".into(),
            baseline: "0".into(),
            target: "12,5".into(),
            ..MeasureDraft::default()
        };
        let with = measure.add_to(&objectives, "o2").expect("added");
        let added = &with[1].measures[0];
        assert_eq!(
            (added.key.as_str(), added.budget_mad),
            ("m1", Some(150_000))
        );
        assert_eq!(added.indicators[0].key, "i1");
        assert_eq!(added.indicators[0].target, Some(12.5));
        let again = measure.add_to(&with, "o1").expect("second");
        assert_eq!(again[0].measures[0].key, "m2");
        assert_eq!(again[0].measures[0].indicators[0].key, "i2");
        let bad = MeasureDraft {
            budget: "-3".into(),
            baseline: "x".into(),
            indicator: String::new(),
            ..measure.clone()
        };
        let errors = bad.add_to(&objectives, "o1").expect_err("refused");
        assert!(
            errors.contains(&("budget", "invalid_value"))
                && errors.contains(&("baseline", "invalid_value"))
        );
        let no_name = MeasureDraft {
            indicator: String::new(),
            ..measure
        };
        assert_eq!(
            no_name.add_to(&objectives, "o1").expect_err("unnamed"),
            [("indicator", "required")]
        );
    }

    #[test]
    fn progress_needs_a_percent_a_day_and_numbers() {
        let mut draft = ProgressDraft {
            status: PlanMeasureStatus::InProgress,
            percent: "140".into(),
            as_of: "2027-03-01".into(),
            note: " ".into(),
            values: vec![("i1".into(), "4".into()), ("i2".into(), String::new())],
        };
        assert_eq!(
            draft.to_record("m1").expect_err("percent"),
            [("percent_done", "invalid_range")]
        );
        draft.percent = "40".into();
        let record = draft.to_record("m1").expect("ok");
        assert_eq!(record.values.len(), 1);
        assert_eq!(record.note, None);
        draft.values[1].1 = "beaucoup".into();
        assert_eq!(
            draft.to_record("m1").expect_err("value"),
            [("values", "invalid_value")]
        );
    }
}
