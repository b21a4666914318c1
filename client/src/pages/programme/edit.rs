//! An admin's change of the programme as typed, made into the whole programme the `PUT`
//! replaces (host-tested): a measure's status, an indicator's value for a year, a new
//! sub-objective, a new measure. Each change names the element it makes or changes by its
//! contract path (`objectives[1].sub_objectives[0].measures[2]`), so that the errors of the
//! contract's checks and of a 422 land beside the form's own fields. Keys of new elements are
//! made here, the smallest unused (`so2-1`, `m3`, `i1`).
use madar_openapi::plans::PlanMeasureStatus;
use madar_openapi::programme::{
    ProgrammeIndicator, ProgrammeMeasure, ReplaceProgramme, StrategicObjective, SubObjective,
    YearValue,
};
use validator::Validate;

use crate::pages::admin::logic::{blanks, FieldErrors};
use crate::pages::new_report::form::flatten;
use crate::pages::plans::draft::{next_key, number};

/// A new measure as typed, with at most one indicator (its yearly values recorded later).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeasureDraft {
    pub title: String,
    pub sector: String,
    /// Separated by commas (Latin or Arabic).
    pub partners: String,
    pub starts_year: String,
    pub ends_year: String,
    pub indicator: String,
    pub baseline: String,
    pub target: String,
}

/// One change, as typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Status {
        measure: String,
        status: PlanMeasureStatus,
    },
    /// The value of `indicator` for `year` (replacing the one the year has).
    YearValue {
        measure: String,
        indicator: String,
        year: String,
        value: String,
    },
    SubObjective {
        objective: String,
        title: String,
    },
    Measure {
        sub_objective: String,
        draft: MeasureDraft,
    },
}

/// The programme with the change made, and the path of the element changed.
#[derive(Debug, Clone)]
pub struct Applied {
    pub body: ReplaceProgramme,
    pub at: String,
}

/// The errors under `at`, with paths relative to it (`title`, `indicators[0].name`); `None`
/// when one of them lies elsewhere (the form cannot show it beside a field of its own).
pub fn within(errors: &[(String, String)], at: &str) -> Option<FieldErrors> {
    let prefix = format!("{at}.");
    errors
        .iter()
        .map(|(path, code)| Some((path.strip_prefix(&prefix)?.to_owned(), code.clone())))
        .collect()
}

fn not_found(what: &str) -> FieldErrors {
    vec![(what.to_owned(), "not_found".to_owned())]
}

/// A year as typed: blank is `None`; not a whole number, an error on `path`.
fn year(text: &str, path: &str, errors: &mut FieldErrors) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let parsed = text.parse().ok();
    if parsed.is_none() {
        errors.push((path.to_owned(), "invalid_value".to_owned()));
    }
    parsed
}

/// The measure `key` and its path.
fn measure<'a>(
    objectives: &'a mut [StrategicObjective],
    key: &str,
) -> Option<(String, &'a mut ProgrammeMeasure)> {
    objectives.iter_mut().enumerate().find_map(|(i, o)| {
        o.sub_objectives.iter_mut().enumerate().find_map(|(j, s)| {
            let (k, m) = s
                .measures
                .iter_mut()
                .enumerate()
                .find(|(_, m)| m.key == key)?;
            Some((
                format!("objectives[{i}].sub_objectives[{j}].measures[{k}]"),
                m,
            ))
        })
    })
}

/// `objectives` with `change` made, checked by the contract's rules and the server's own
/// (a measure ending before it starts); errors relative to the element changed.
pub fn apply(objectives: &[StrategicObjective], change: &Change) -> Result<Applied, FieldErrors> {
    let mut next = objectives.to_vec();
    let mut errors = FieldErrors::new();
    let at = match change {
        Change::Status {
            measure: key,
            status,
        } => {
            let (at, m) = measure(&mut next, key).ok_or_else(|| not_found("measure"))?;
            m.status = *status;
            at
        }
        Change::YearValue {
            measure: key,
            indicator,
            year: typed_year,
            value,
        } => {
            let (at, m) = measure(&mut next, key).ok_or_else(|| not_found("measure"))?;
            let (n, x) = (m.indicators.iter_mut().enumerate())
                .find(|(_, x)| x.key == *indicator)
                .ok_or_else(|| not_found("indicator"))?;
            blanks(&mut errors, &[("year", typed_year), ("value", value)]);
            let year = year(typed_year, "year", &mut errors);
            let value = match number(value) {
                Ok(v) => v,
                Err(()) => {
                    errors.push(("value".into(), "invalid_value".into()));
                    None
                }
            };
            let (Some(year), Some(value)) = (year, value) else {
                return Err(errors);
            };
            x.yearly.retain(|v| v.year != year);
            x.yearly.push(YearValue { year, value });
            x.yearly.sort_by_key(|v| v.year);
            let y = x.yearly.iter().position(|v| v.year == year).unwrap_or(0);
            format!("{at}.indicators[{n}].yearly[{y}]")
        }
        Change::SubObjective { objective, title } => {
            let key = {
                let taken = objectives.iter().flat_map(|o| &o.sub_objectives);
                next_key(&format!("{objective}-"), taken.map(|s| s.key.as_str()))
            };
            let (i, o) = (next.iter_mut().enumerate())
                .find(|(_, o)| o.code == *objective)
                .ok_or_else(|| not_found("objective"))?;
            blanks(&mut errors, &[("title", title)]);
            o.sub_objectives.push(SubObjective {
                key,
                title: title.trim().to_owned(),
                measures: Vec::new(),
            });
            format!(
                "objectives[{i}].sub_objectives[{}]",
                o.sub_objectives.len() - 1
            )
        }
        Change::Measure {
            sub_objective,
            draft,
        } => {
            let key = {
                let taken = objectives.iter().flat_map(|o| &o.sub_objectives);
                let taken = taken.flat_map(|s| &s.measures);
                next_key("m", taken.map(|m| m.key.as_str()))
            };
            let measure = new_measure(key, draft, &mut errors);
            let (i, j, s) = next
                .iter_mut()
                .enumerate()
                .find_map(|(i, o)| {
                    let (j, s) = (o.sub_objectives.iter_mut().enumerate())
                        .find(|(_, s)| s.key == *sub_objective)?;
                    Some((i, j, s))
                })
                .ok_or_else(|| not_found("sub_objective"))?;
            s.measures.push(measure);
            format!(
                "objectives[{i}].sub_objectives[{j}].measures[{}]",
                s.measures.len() - 1
            )
        }
    };
    let body = ReplaceProgramme { objectives: next };
    if let Err(found) = body.validate() {
        let mut all = Vec::new();
        flatten(&found, "", &mut all);
        let prefix = format!("{at}.");
        errors.extend(
            all.into_iter()
                .map(|(p, c)| (p.strip_prefix(&prefix).map(str::to_owned).unwrap_or(p), c)),
        );
    }
    if errors.is_empty() {
        Ok(Applied { body, at })
    } else {
        Err(errors)
    }
}

fn new_measure(key: String, d: &MeasureDraft, errors: &mut FieldErrors) -> ProgrammeMeasure {
    blanks(errors, &[("title", &d.title), ("sector", &d.sector)]);
    let starts_year = year(&d.starts_year, "starts_year", errors);
    let ends_year = year(&d.ends_year, "ends_year", errors);
    if let (Some(s), Some(e)) = (starts_year, ends_year) {
        if e < s {
            errors.push(("ends_year".into(), "before_from".into()));
        }
    }
    let [baseline, target] = [("baseline", &d.baseline), ("target", &d.target)].map(|(f, t)| {
        number(t).unwrap_or_else(|()| {
            errors.push((format!("indicators[0].{f}"), "invalid_value".into()));
            None
        })
    });
    let named = !d.indicator.trim().is_empty();
    if !named && (baseline.is_some() || target.is_some()) {
        errors.push(("indicators[0].name".into(), "required".into()));
    }
    let indicators = named.then(|| ProgrammeIndicator {
        key: "i1".into(),
        name: d.indicator.trim().to_owned(),
        baseline,
        target,
        yearly: Vec::new(),
    });
    ProgrammeMeasure {
        key,
        title: d.title.trim().to_owned(),
        sector: d.sector.trim().to_owned(),
        partners: d
            .partners
            .split([',', '،', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        starts_year,
        ends_year,
        status: PlanMeasureStatus::Planned,
        indicators: indicators.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use madar_openapi::common::Labels;

    fn programme() -> Vec<StrategicObjective> {
        ["so1", "so2"]
            .map(|code| StrategicObjective {
                code: code.into(),
                title: Labels {
                    ar: "هدف".into(),
                    fr: "Objectif".into(),
                    en: "Objective".into(),
                },
                sub_objectives: Vec::new(),
            })
            .to_vec()
    }

    fn draft() -> MeasureDraft {
        MeasureDraft {
            title: "Cellules de protection dans chaque province".into(),
            sector: "Ministère de la Solidarité".into(),
            partners: "UNICEF، Entraide nationale, ".into(),
            starts_year: "2025".into(),
            ends_year: "2027".into(),
            indicator: "Provinces couvertes".into(),
            baseline: "12".into(),
            target: "75".into(),
        }
    }

    /// The programme with a sub-objective of `so2` and the measure of [`draft`] in it.
    fn with_measure() -> Vec<StrategicObjective> {
        let sub = Change::SubObjective {
            objective: "so2".into(),
            title: " Dispositifs provinciaux ".into(),
        };
        let applied = apply(&programme(), &sub).expect("sub-objective");
        assert_eq!(applied.at, "objectives[1].sub_objectives[0]");
        let objectives = applied.body.objectives;
        assert_eq!(objectives[1].sub_objectives[0].key, "so2-1");
        assert_eq!(
            objectives[1].sub_objectives[0].title,
            "Dispositifs provinciaux"
        );
        let measure = Change::Measure {
            sub_objective: "so2-1".into(),
            draft: draft(),
        };
        let applied = apply(&objectives, &measure).expect("measure");
        assert_eq!(applied.at, "objectives[1].sub_objectives[0].measures[0]");
        applied.body.objectives
    }

    #[test]
    fn a_new_measure_gets_a_key_its_partners_and_its_indicator() {
        let objectives = with_measure();
        let m = &objectives[1].sub_objectives[0].measures[0];
        assert_eq!(
            (m.key.as_str(), m.status),
            ("m1", PlanMeasureStatus::Planned)
        );
        assert_eq!(m.partners, ["UNICEF", "Entraide nationale"]);
        assert_eq!((m.starts_year, m.ends_year), (Some(2025), Some(2027)));
        assert_eq!(m.indicators[0].key, "i1");
        assert_eq!(m.indicators[0].target, Some(75.0));
        let again = Change::Measure {
            sub_objective: "so2-1".into(),
            draft: draft(),
        };
        let next = apply(&objectives, &again).expect("a second");
        assert_eq!(
            next.body.objectives[1].sub_objectives[0].measures[1].key,
            "m2"
        );
    }

    #[test]
    fn a_new_measure_is_checked_field_by_field() {
        let objectives = with_measure();
        let bad = MeasureDraft {
            title: " ".into(),
            ends_year: "2024".into(),
            indicator: String::new(),
            baseline: "beaucoup".into(),
            ..draft()
        };
        let change = Change::Measure {
            sub_objective: "so2-1".into(),
            draft: bad,
        };
        let errors = apply(&objectives, &change).expect_err("refused");
        for expected in [
            ("title", "required"),
            ("ends_year", "before_from"),
            ("indicators[0].baseline", "invalid_value"),
            ("indicators[0].name", "required"),
        ] {
            assert!(
                errors.contains(&(expected.0.into(), expected.1.into())),
                "{expected:?} in {errors:?}"
            );
        }
        // The contract's range, relative to the measure too.
        let change = Change::Measure {
            sub_objective: "so2-1".into(),
            draft: MeasureDraft {
                starts_year: "1990".into(),
                ..draft()
            },
        };
        let errors = apply(&objectives, &change).expect_err("range");
        assert_eq!(errors, [("starts_year".to_owned(), "range".to_owned())]);
        let nowhere = Change::Measure {
            sub_objective: "so9-1".into(),
            draft: draft(),
        };
        assert_eq!(
            apply(&objectives, &nowhere).expect_err("gone"),
            not_found("sub_objective")
        );
    }

    #[test]
    fn a_status_and_a_yearly_value_change_in_place() {
        let objectives = with_measure();
        let status = Change::Status {
            measure: "m1".into(),
            status: PlanMeasureStatus::Delayed,
        };
        let applied = apply(&objectives, &status).expect("status");
        let objectives = applied.body.objectives;
        assert_eq!(
            objectives[1].sub_objectives[0].measures[0].status,
            PlanMeasureStatus::Delayed
        );
        let value = |year: &str, value: &str| Change::YearValue {
            measure: "m1".into(),
            indicator: "i1".into(),
            year: year.into(),
            value: value.into(),
        };
        let objectives = apply(&objectives, &value("2027", "40"))
            .expect("2027")
            .body
            .objectives;
        let applied = apply(&objectives, &value(" 2026 ", "31,5")).expect("2026");
        assert_eq!(
            applied.at,
            "objectives[1].sub_objectives[0].measures[0].indicators[0].yearly[0]"
        );
        let applied = apply(&applied.body.objectives, &value("2027", "44")).expect("again");
        let yearly = &applied.body.objectives[1].sub_objectives[0].measures[0].indicators[0].yearly;
        assert_eq!(
            yearly,
            &[
                YearValue {
                    year: 2026,
                    value: 31.5
                },
                YearValue {
                    year: 2027,
                    value: 44.0
                }
            ]
        );
        let errors = apply(&objectives, &value("deux mille", "")).expect_err("refused");
        assert!(errors.contains(&("year".into(), "invalid_value".into())));
        assert!(errors.contains(&("value".into(), "required".into())));
        let errors = apply(&objectives, &value("1999", "3")).expect_err("range");
        assert_eq!(errors, [("year".to_owned(), "range".to_owned())]);
    }

    #[test]
    fn errors_of_a_refusal_are_shown_beside_the_fields_they_name() {
        let at = "objectives[1].sub_objectives[0].measures[0]";
        let mine = vec![(format!("{at}.ends_year"), "before_from".to_owned())];
        assert_eq!(
            within(&mine, at),
            Some(vec![("ends_year".to_owned(), "before_from".to_owned())])
        );
        let elsewhere = vec![("objectives".to_owned(), "required".to_owned())];
        assert_eq!(within(&elsewhere, at), None);
    }
}
