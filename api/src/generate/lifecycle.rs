//! A child's history over time, without a database: the reports made about them, how each was
//! screened, and the cases they opened, each case walking the pathway's stages with plausible
//! durations. Only states the server allows: planning is entered after a completed
//! assessment, implementation after an active plan, a case closes with a reason, and a child
//! has at most one open case at a time (a later case opens after the previous one closed).
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;

pub const STAGES: [&str; 6] = [
    "identification",
    "assessment",
    "planning",
    "implementation",
    "follow_up",
    "closed",
];

/// Days a case stays in each open stage (min, max).
const STAY: [(i64, i64); 5] = [(1, 20), (5, 45), (5, 30), (60, 400), (30, 240)];
/// The chance a case closes on leaving each open stage (follow-up always closes).
const EARLY_CLOSE: [f64; 5] = [0.08, 0.06, 0.03, 0.06, 1.0];

/// One case's course.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseCourse {
    pub opened: NaiveDateTime,
    /// Stage changes after opening (to, at), in order; the last `to` is the case's stage.
    pub steps: Vec<(&'static str, NaiveDateTime)>,
    /// When a completed risk assessment was recorded.
    pub assessed: Option<NaiveDateTime>,
    /// When the (active) plan was made.
    pub planned: Option<NaiveDateTime>,
    /// Whether it closed after carrying out its plan (which closure reasons fit).
    pub completed: bool,
}

impl CaseCourse {
    pub fn stage(&self) -> &'static str {
        self.steps.last().map_or(STAGES[0], |(s, _)| s)
    }

    pub fn closed_at(&self) -> Option<NaiveDateTime> {
        self.steps
            .last()
            .filter(|(s, _)| *s == "closed")
            .map(|(_, at)| *at)
    }

    /// The last moment of the case's open life (its closing, or `now`).
    pub fn end(&self, now: NaiveDateTime) -> NaiveDateTime {
        self.closed_at().unwrap_or(now)
    }

    /// Whether the case reached `stage` at some point.
    pub fn reached(&self, stage: &str) -> bool {
        self.steps.iter().any(|(s, _)| *s == stage)
    }
}

fn days<R: Rng>(rng: &mut R, (lo, hi): (i64, i64)) -> TimeDelta {
    TimeDelta::seconds(rng.gen_range(lo * 86_400..=hi * 86_400))
}

/// A moment in `[from, to]` (`from` when the span is empty).
pub fn between<R: Rng>(rng: &mut R, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
    let span = (to - from).num_seconds();
    if span <= 0 {
        return from;
    }
    from + TimeDelta::seconds(rng.gen_range(0..=span))
}

/// Walks a case opened at `opened` through the stages until it closes or reaches `now`.
pub fn course<R: Rng>(rng: &mut R, opened: NaiveDateTime, now: NaiveDateTime) -> CaseCourse {
    let mut case = CaseCourse {
        opened,
        steps: Vec::new(),
        assessed: None,
        planned: None,
        completed: false,
    };
    let mut at = opened;
    for (i, stay) in STAY.iter().enumerate() {
        let next = at + days(rng, *stay);
        if next > now {
            // Still in stage i: a case in planning may already hold its plan.
            if STAGES[i] == "planning" && rng.gen_bool(0.5) {
                case.planned = Some(between(rng, at, now));
            }
            return case;
        }
        if rng.gen_bool(EARLY_CLOSE[i]) {
            case.completed = i >= 3;
            case.steps.push(("closed", next));
            return case;
        }
        let to = STAGES[i + 1];
        // What entering the next stage needs, done while in this one.
        let prepared = between(rng, at + (next - at) / 2, next);
        match to {
            "planning" => case.assessed = Some(prepared),
            "implementation" if case.planned.is_none() => case.planned = Some(prepared),
            _ => {}
        }
        case.steps.push((to, next));
        at = next;
    }
    case
}

/// A report in a child's history.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPlan {
    pub received: NaiveDateTime,
    /// When screened; `None`: still waiting.
    pub screened: Option<NaiveDateTime>,
    /// The case it opened or was attached to (index in `History::cases`), when accepted.
    pub case: Option<usize>,
    /// Whether it opened that case.
    pub opens: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct History {
    pub cases: Vec<CaseCourse>,
    pub reports: Vec<ReportPlan>,
}

/// How many cases a child is meant to have over the decade (before time runs out).
const CASES_WANTED: [f64; 4] = [0.05, 0.60, 0.25, 0.10];
/// Reports attached to a case besides the one that opened it.
const ATTACHED: [f64; 3] = [0.88, 0.10, 0.02];

fn weighted<R: Rng>(rng: &mut R, weights: &[f64]) -> usize {
    let mut u: f64 = rng.gen::<f64>() * weights.iter().sum::<f64>();
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

/// A child's reports and cases between `start` and `now`, first reported at `first`.
pub fn history<R: Rng>(rng: &mut R, first: NaiveDateTime, now: NaiveDateTime) -> History {
    let hours =
        |rng: &mut R, lo: i64, hi: i64| TimeDelta::seconds(rng.gen_range(lo * 3600..=hi * 3600));
    let mut h = History {
        cases: Vec::new(),
        reports: Vec::new(),
    };
    let wanted = weighted(rng, &CASES_WANTED);
    if wanted == 0 {
        let screened = first + hours(rng, 2, 96);
        h.reports.push(ReportPlan {
            received: first,
            screened: (screened < now && rng.gen_bool(0.97)).then_some(screened),
            case: None,
            opens: false,
        });
        return h;
    }
    let mut received = first;
    for _ in 0..wanted {
        let opened = received + hours(rng, 1, 72);
        if opened >= now {
            // Not screened yet.
            h.reports.push(ReportPlan {
                received,
                screened: None,
                case: None,
                opens: false,
            });
            break;
        }
        let case = course(rng, opened, now);
        let index = h.cases.len();
        h.reports.push(ReportPlan {
            received,
            screened: Some(opened),
            case: Some(index),
            opens: true,
        });
        let end = case.end(now);
        for _ in 0..weighted(rng, &ATTACHED) {
            let other = between(rng, opened, end);
            let attached = (other + hours(rng, 1, 48)).min(end);
            h.reports.push(ReportPlan {
                received: other.min(attached),
                screened: Some(attached),
                case: Some(index),
                opens: false,
            });
        }
        let closed = case.closed_at();
        h.cases.push(case);
        match closed {
            Some(at) => received = at + days(rng, (30, 900)),
            None => break,
        }
        if received >= now {
            break;
        }
    }
    if rng.gen_bool(0.07) {
        let other = between(rng, first, now);
        let screened = other + hours(rng, 2, 96);
        h.reports.push(ReportPlan {
            received: other,
            screened: (screened < now).then_some(screened),
            case: None,
            opens: false,
        });
    }
    h.reports.sort_by_key(|r| r.received);
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::stages::{check, Facts, Given};
    use crate::codes::from_code;
    use madar_openapi::cases::CaseStage;
    use rand::SeedableRng;

    fn now() -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap()
    }

    /// Replays a course through the server's own stage rules.
    fn replay(case: &CaseCourse) {
        let mut from = CaseStage::Identification;
        for (to, at) in &case.steps {
            let to: CaseStage = from_code(to).unwrap();
            let facts = Facts {
                assessment_completed: case.assessed.is_some_and(|a| a <= *at),
                plan_active: case.planned.is_some_and(|p| p <= *at),
            };
            let closing = to == CaseStage::Closed;
            let given = Given {
                closure_reason: closing,
                outcome_note: closing,
            };
            check(from, to, facts, given).unwrap_or_else(|r| panic!("{case:?}: {r:?}"));
            from = to;
        }
    }

    #[test]
    fn every_course_is_a_legal_walk() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let start = now() - TimeDelta::days(3650);
        let mut stages = std::collections::HashMap::new();
        for _ in 0..20_000 {
            let opened = between(&mut rng, start, now());
            let case = course(&mut rng, opened, now());
            replay(&case);
            if case.reached("planning") {
                assert!(case.assessed.is_some());
            }
            if case.reached("implementation") {
                assert!(case.planned.is_some());
            }
            assert!(case.steps.windows(2).all(|w| w[0].1 <= w[1].1));
            assert!(case
                .steps
                .iter()
                .all(|(_, at)| *at <= now() && *at >= opened));
            *stages.entry(case.stage()).or_insert(0) += 1;
        }
        // Over a decade most cases have closed, and every open stage is represented.
        assert!(stages["closed"] > 10_000, "{stages:?}");
        for s in &STAGES[..5] {
            assert!(stages.get(s).copied().unwrap_or(0) > 30, "{stages:?}");
        }
    }

    #[test]
    fn a_child_has_one_open_case_at_a_time_and_about_1_5_reports() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let start = now() - TimeDelta::days(3650);
        let (mut cases, mut reports) = (0usize, 0usize);
        let n = 20_000;
        for _ in 0..n {
            let first = between(&mut rng, start, now());
            let h = history(&mut rng, first, now());
            cases += h.cases.len();
            reports += h.reports.len();
            assert!(h.cases.iter().filter(|c| c.closed_at().is_none()).count() <= 1);
            for w in h.cases.windows(2) {
                assert!(w[0].closed_at().is_some_and(|c| c < w[1].opened));
            }
            for r in &h.reports {
                assert!(r.received <= now());
                if let Some(i) = r.case {
                    let c = &h.cases[i];
                    let at = r.screened.unwrap();
                    assert!(at >= c.opened && at <= c.end(now()) && r.received <= at);
                }
            }
            assert_eq!(h.reports.iter().filter(|r| r.opens).count(), h.cases.len());
        }
        let (cases, reports) = (cases as f64 / n as f64, reports as f64 / n as f64);
        eprintln!("cases {cases} reports {reports}");
        assert!((1.0..1.4).contains(&cases), "{cases}");
        assert!((1.3..1.7).contains(&reports), "{reports}");
    }
}
