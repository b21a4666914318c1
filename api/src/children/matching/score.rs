//! Scoring a candidate against a query: names first, then birth, sex and territory.
//!
//! The name score is a weighted geometric mean of the given-name and family-name
//! similarities (a sibling shares the family name but not the given name, so one poor part
//! must pull the whole down). Birth, sex and territory then adjust it. `Likely` needs more
//! than a high score: both names must match on their own, the sexes must agree and the birth
//! years must be compatible, because a likely match is announced across organizations.

use super::distance::similarity;
use super::identity::{Birth, Identity};
use std::sync::Arc;

use super::name::NameForm;
use super::phonetic::skeleton;
use super::territory::Proximity;
use super::{Decision, Match, ReasonCode};

/// Score from which a match is `Likely` (when the other conditions hold).
pub const LIKELY_THRESHOLD: f64 = 0.80;
/// Score from which a match is `Possible`.
pub const POSSIBLE_THRESHOLD: f64 = 0.50;
/// Each name part must reach this similarity for a `Likely` decision.
const NAME_PART_FLOOR: f64 = 0.85;

#[derive(Clone, Copy, Debug, Default)]
struct PartMatch {
    sim: f64,
    exact: bool,
    cross: bool,
    partial: bool,
    typo: bool,
}

fn compare_forms(x: &NameForm, y: &NameForm) -> PartMatch {
    let (sx, sy) = (x.script, y.script);
    let cross = sx != sy;
    let exact = !cross && x.spelling == y.spelling;
    if exact {
        return PartMatch {
            sim: 1.0,
            exact,
            cross,
            ..PartMatch::default()
        };
    }
    let mut sim = similarity(&x.full, sx, &y.full, sy);
    let mut partial = false;
    // "Ben Ali" ~ "Ali", but not "Ben Ali" ~ "Ait Ali": only when one side has no particle.
    if x.core.is_some() != y.core.is_some() {
        let xc = x.core.as_deref().unwrap_or(&x.full);
        let yc = y.core.as_deref().unwrap_or(&y.full);
        let s = 0.92 * similarity(xc, sx, yc, sy);
        if s > sim {
            (sim, partial) = (s, true);
        }
    }
    if x.words.len() != y.words.len() && !x.words.is_empty() && !y.words.is_empty() {
        let ((short, ss), (long, sl)) = if x.words.len() < y.words.len() {
            ((&x.words, sx), (&y.words, sy))
        } else {
            ((&y.words, sy), (&x.words, sx))
        };
        let total: f64 = short
            .iter()
            .map(|w| {
                long.iter()
                    .map(|l| similarity(w, ss, l, sl))
                    .fold(0.0, f64::max)
            })
            .sum();
        let s = 0.85 * total / short.len() as f64;
        if s > sim {
            (sim, partial) = (s, true);
        }
    }
    let typo = !partial && sim >= 0.7 && skeleton(&x.full) != skeleton(&y.full);
    PartMatch {
        sim,
        exact,
        cross,
        partial,
        typo,
    }
}

/// The best comparison over every pair of spellings (Arabic and Latin on each side).
fn compare(a: &[Arc<NameForm>], b: &[Arc<NameForm>]) -> Option<PartMatch> {
    let mut best: Option<PartMatch> = None;
    for x in a {
        for y in b {
            let m = compare_forms(x, y);
            let better = best.is_none_or(|b| {
                m.sim > b.sim + 1e-9 || ((m.sim - b.sim).abs() <= 1e-9 && b.cross && !m.cross)
            });
            if better {
                best = Some(m);
            }
        }
    }
    best
}

fn name_reasons(m: &PartMatch, codes: [ReasonCode; 3], reasons: &mut Vec<ReasonCode>) {
    let [exact, phonetic, partial] = codes;
    if m.exact {
        reasons.push(exact);
    } else if m.sim >= NAME_PART_FLOOR {
        reasons.push(if m.partial { partial } else { phonetic });
    }
}

/// Birth factor, whether the births are compatible with one child, and the reason.
/// An unknown birth is compatible only close to home: a common name alone is not enough.
fn birth(q: Option<Birth>, c: Option<Birth>, close: bool) -> (f64, bool, Option<ReasonCode>) {
    let (Some(q), Some(c)) = (q, c) else {
        return (0.85, close, None);
    };
    if let (Some(dq), Some(dc)) = (q.known_date(), c.known_date()) {
        let days = (dq - dc).num_days().abs();
        return match days {
            0 => (1.0, true, Some(ReasonCode::BirthDateExact)),
            1..=400 => (0.9, true, Some(ReasonCode::BirthYearClose)),
            401..=800 => (0.7, false, Some(ReasonCode::BirthYearClose)),
            801..=1200 => (0.45, false, Some(ReasonCode::BirthYearFar)),
            _ => (0.25, false, Some(ReasonCode::BirthYearFar)),
        };
    }
    match (q.year() - c.year()).abs() {
        0 => (0.97, true, Some(ReasonCode::BirthYearClose)),
        1 => (0.92, true, Some(ReasonCode::BirthYearClose)),
        2 => (0.75, true, Some(ReasonCode::BirthYearClose)),
        3 => (0.5, false, Some(ReasonCode::BirthYearFar)),
        _ => (0.25, false, Some(ReasonCode::BirthYearFar)),
    }
}

/// Compares a query with one candidate.
pub fn score(query: &Identity, candidate: &Identity) -> Match {
    let mut reasons = Vec::new();
    let given = compare(&query.given, &candidate.given);
    let family = compare(&query.family, &candidate.family);
    use ReasonCode as R;
    if let Some(g) = &given {
        name_reasons(
            g,
            [R::GivenNameExact, R::GivenNamePhonetic, R::GivenNamePartial],
            &mut reasons,
        );
    }
    match &family {
        Some(f) => name_reasons(
            f,
            [
                R::FamilyNameExact,
                R::FamilyNamePhonetic,
                R::FamilyNamePartial,
            ],
            &mut reasons,
        ),
        None => reasons.push(R::FamilyNameMissing),
    }
    let parts = [given, family];
    if parts
        .iter()
        .flatten()
        .any(|p| p.cross && p.sim >= NAME_PART_FLOOR)
    {
        reasons.push(R::CrossScript);
    }
    if parts.iter().flatten().any(|p| p.typo) {
        reasons.push(R::Typo);
    }
    let (name, names_agree) = match (given, family) {
        (Some(g), Some(f)) => (
            g.sim.powf(0.55) * f.sim.powf(0.45),
            g.sim >= NAME_PART_FLOOR && f.sim >= NAME_PART_FLOOR,
        ),
        (Some(g), None) => (0.8 * g.sim, false),
        (None, Some(f)) => (0.6 * f.sim, false),
        (None, None) => (0.0, false),
    };
    let proximity = match (&query.territory, &candidate.territory) {
        (Some(a), Some(b)) => a.proximity(b),
        _ => Proximity::Far,
    };
    let close = proximity != Proximity::Far;
    let (birth_factor, birth_ok, birth_reason) = birth(query.birth, candidate.birth, close);
    reasons.extend(birth_reason);
    let sex_mismatch = matches!((query.sex, candidate.sex), (Some(a), Some(b)) if a != b);
    if sex_mismatch {
        reasons.push(R::SexMismatch);
    }
    let bonus = match proximity {
        Proximity::Same => (0.04, Some(R::SameTerritory)),
        Proximity::Nearby => (0.02, Some(R::NearbyTerritory)),
        Proximity::Far => (0.0, None),
    };
    reasons.extend(bonus.1);
    let sex_factor = if sex_mismatch { 0.4 } else { 1.0 };
    let score = (name * birth_factor * sex_factor + bonus.0).clamp(0.0, 1.0);
    let decision = if score >= LIKELY_THRESHOLD && names_agree && birth_ok && !sex_mismatch {
        Some(Decision::Likely)
    } else if score >= POSSIBLE_THRESHOLD {
        Some(Decision::Possible)
    } else {
        None
    };
    Match {
        score,
        decision,
        reasons,
    }
}

/// Scores every candidate and returns the best `limit` (index into `candidates`, match),
/// best first, leaving out those below [`POSSIBLE_THRESHOLD`].
pub fn rank<'a, I>(query: &Identity, candidates: I, limit: usize) -> Vec<(usize, Match)>
where
    I: IntoIterator<Item = &'a Identity>,
{
    let mut scored: Vec<(usize, Match)> = candidates
        .into_iter()
        .enumerate()
        .map(|(i, c)| (i, score(query, c)))
        .filter(|(_, m)| m.decision.is_some())
        .collect();
    scored.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
    scored.truncate(limit);
    scored
}
