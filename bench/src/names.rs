//! Misspellings of a known child's names, of the kinds the matching corpus
//! (tests/data/matching-corpus.tsv) labels as the same child: Arabic diacritics, tatweel and
//! hamza/ta-marbuta/ya variants, a dropped article; Latin transliteration variants (ou/u, e/a,
//! i/y, doubled letters, a dropped `El`), typos; and a query in the other script than the record.
use rand::seq::SliceRandom;
use rand::Rng;

use crate::sample::KnownChild;

/// Arabic variant: each rule applied at random.
pub fn arabic_variant(name: &str, rng: &mut impl Rng) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for ch in name.chars() {
        let ch = match ch {
            'أ' | 'إ' | 'آ' if rng.gen_bool(0.5) => 'ا',
            'ة' if rng.gen_bool(0.5) => 'ه',
            'ى' if rng.gen_bool(0.5) => 'ي',
            other => other,
        };
        out.push(ch);
        if ('\u{0621}'..='\u{064A}').contains(&ch) {
            if rng.gen_bool(0.08) {
                out.push(
                    *['\u{064E}', '\u{064F}', '\u{0650}', '\u{0651}']
                        .choose(rng)
                        .unwrap_or(&'\u{064E}'),
                );
            } else if rng.gen_bool(0.03) {
                out.push('ـ');
            }
        }
    }
    if rng.gen_bool(0.3) {
        if let Some(rest) = out.strip_prefix("ال") {
            return rest.to_string();
        }
    }
    out
}

const LATIN_SWAPS: [(&str, &str); 12] = [
    ("ou", "u"),
    ("u", "ou"),
    ("ch", "sh"),
    ("a", "e"),
    ("e", "a"),
    ("i", "y"),
    ("y", "i"),
    ("ll", "l"),
    ("l", "ll"),
    ("ss", "s"),
    ("kh", "k"),
    ("dj", "j"),
];

/// Latin variant: one transliteration swap, sometimes a typo, sometimes no `El`.
pub fn latin_variant(name: &str, rng: &mut impl Rng) -> String {
    let mut out = name.to_string();
    for _ in 0..3 {
        let (from, to) = LATIN_SWAPS.choose(rng).copied().unwrap_or(("a", "e"));
        if let Some(at) = out.to_lowercase().find(from) {
            if out.is_char_boundary(at) && out.is_char_boundary(at + from.len()) {
                out.replace_range(at..at + from.len(), to);
                break;
            }
        }
    }
    if rng.gen_bool(0.2) && out.chars().count() > 4 {
        let at = rng.gen_range(1..out.chars().count() - 1);
        out = out
            .chars()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, c)| c)
            .collect();
    }
    for article in ["El ", "Al ", "Es ", "Ez "] {
        if rng.gen_bool(0.4) {
            if let Some(rest) = out.strip_prefix(article) {
                return rest.to_string();
            }
        }
    }
    out
}

/// The query parameters of a duplicate search for a misspelled `child` (the territory, birth
/// year and sex as a worker would enter them, sometimes left out).
pub fn match_query(child: &KnownChild, rng: &mut impl Rng) -> Vec<(&'static str, String)> {
    let mut query = Vec::with_capacity(5);
    if let Some(given) = misspell(&child.given_ar, &child.given_latin, rng) {
        query.push(("given_name", given));
    }
    if let Some(family) = misspell(&child.family_ar, &child.family_latin, rng) {
        query.push(("family_name", family));
    }
    if query.is_empty() {
        query.push(("given_name", "Mohamed".into()));
    }
    if let Some(year) = child.birth_year.filter(|_| rng.gen_bool(0.8)) {
        query.push((
            "birth_year",
            (year + rng.gen_range(-1..=1)).clamp(1990, 2100).to_string(),
        ));
    }
    if rng.gen_bool(0.9) && child.sex != "unknown" {
        query.push(("sex", child.sex.clone()));
    }
    if rng.gen_bool(0.8) {
        query.push(("territory", child.territory.clone()));
    }
    query
}

/// A misspelling of one name, in either script the record has.
fn misspell(ar: &Option<String>, latin: &Option<String>, rng: &mut impl Rng) -> Option<String> {
    match (ar, latin) {
        (Some(_), Some(l)) if rng.gen_bool(0.5) => Some(latin_variant(l, rng)),
        (Some(a), _) => Some(arabic_variant(a, rng)),
        (None, Some(l)) => Some(latin_variant(l, rng)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_stay_close_to_the_name() {
        let mut rng = rand::thread_rng();
        for _ in 0..200 {
            let v = latin_variant("El Idrissi", &mut rng);
            assert!(!v.is_empty() && v.len() <= 12, "{v}");
            let a = arabic_variant("الإدريسي", &mut rng);
            assert!(a.chars().count() >= 6, "{a}");
        }
    }
}
