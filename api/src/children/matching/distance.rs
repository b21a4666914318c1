//! A weighted edit distance between two phonetic codes, aware of the scripts they came from.
//!
//! Consonants carry the identity of a name, so changing one costs a full edit. Vowels are
//! cheap, and how cheap depends on the scripts: Arabic does not write short vowels, so a Latin
//! short vowel facing Arabic costs little, while an Arabic long vowel (ا و ي) that the Latin
//! spelling lacks costs more (that is what separates محمود from Mohamed). Close consonants
//! (k/g, s/z) cost half, and two adjacent swapped letters count as one typo.

use super::normalize::Script;
use super::phonetic::is_vowel_sym;

/// Similarity in `0..=1` between two codes: 1 minus the distance over the longer code's weight.
pub(crate) fn similarity(a: &[u8], sa: Script, b: &[u8], sb: Script) -> f64 {
    let norm = weight(a).max(weight(b));
    if norm == 0.0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    let penalty = if feminine_ending(a) != feminine_ending(b) {
        0.6
    } else {
        0.0
    };
    (1.0 - (distance(a, sa, b, sb) + penalty) / norm).clamp(0.0, 1.0)
}

/// Ends in `a` after a consonant (ة, Karima): the vowel that makes a name feminine, so one
/// cheap vowel is all that separates Karim from Karima, Amin from Amina.
fn feminine_ending(code: &[u8]) -> bool {
    matches!(code, [.., c, b'a'] if !is_vowel_sym(*c))
}

fn weight(code: &[u8]) -> f64 {
    code.iter()
        .map(|s| if is_vowel_sym(*s) { 0.3 } else { 1.0 })
        .sum()
}

/// Cost of a symbol of script `own` that has no counterpart in a code of script `other`.
fn indel(sym: u8, own: Script, other: Script) -> f64 {
    if !is_vowel_sym(sym) {
        return if sym == b'H' { 0.6 } else { 1.0 };
    }
    match (own, other) {
        (Script::Latin, Script::Arabic) => match sym {
            b'a' | b'o' => 0.15,
            b'i' => 0.25,
            b'u' => 0.3,
            _ => 0.6,
        },
        (Script::Arabic, Script::Latin) => 0.5,
        (Script::Latin, Script::Latin) => 0.4,
        (Script::Arabic, Script::Arabic) => 0.9,
    }
}

fn vowel_class(sym: u8) -> u8 {
    match sym {
        b'o' | b'U' => b'u',
        b'I' => b'i',
        s => s,
    }
}

fn substitute(x: u8, y: u8, cross: bool) -> f64 {
    if x == y {
        return 0.0;
    }
    match (is_vowel_sym(x), is_vowel_sym(y)) {
        (true, true) if vowel_class(x) == vowel_class(y) => 0.1,
        (true, true) if cross || matches!(x, b'I' | b'U') || matches!(y, b'I' | b'U') => 0.6,
        (true, true) if vowel_class(x) == b'u' || vowel_class(y) == b'u' => 0.5,
        (true, true) => 0.35,
        (false, false) => match (x.min(y), x.max(y)) {
            (b'G', b'K') | (b'S', b'Z') => 0.5,
            (b'S', b'X') | (b'J', b'Z') => 0.6,
            (b'D', b'T') => 0.7,
            _ => 1.0,
        },
        _ => match (x.min(y), x.max(y)) {
            (b'W', b'u') | (b'Y', b'i') => 0.3,
            _ => 1.0,
        },
    }
}

thread_local! {
    /// The distance matrix, reused: a match compares hundreds of name pairs per request.
    static MATRIX: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Weighted optimal-string-alignment distance.
pub(crate) fn distance(a: &[u8], sa: Script, b: &[u8], sb: Script) -> f64 {
    MATRIX.with(|matrix| match matrix.try_borrow_mut() {
        Ok(mut d) => distance_in(&mut d, a, sa, b, sb),
        Err(_) => distance_in(&mut Vec::new(), a, sa, b, sb),
    })
}

fn distance_in(d: &mut Vec<f64>, a: &[u8], sa: Script, b: &[u8], sb: Script) -> f64 {
    let cross = sa != sb;
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    d.clear();
    d.resize((n + 1) * width, 0.0);
    for i in 1..=n {
        d[i * width] = d[(i - 1) * width] + indel(a[i - 1], sa, sb);
    }
    for j in 1..=m {
        d[j] = d[j - 1] + indel(b[j - 1], sb, sa);
    }
    for i in 1..=n {
        for j in 1..=m {
            let del = d[(i - 1) * width + j] + indel(a[i - 1], sa, sb);
            let ins = d[i * width + j - 1] + indel(b[j - 1], sb, sa);
            let sub = d[(i - 1) * width + j - 1] + substitute(a[i - 1], b[j - 1], cross);
            let mut best = del.min(ins).min(sub);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && !cross {
                best = best.min(d[(i - 2) * width + j - 2] + 0.6);
            }
            d[i * width + j] = best;
        }
    }
    d[n * width + m]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Script::{Arabic, Latin};

    #[test]
    fn identical_codes_are_fully_similar() {
        assert_eq!(similarity(b"MuHaMaD", Latin, b"MuHaMaD", Latin), 1.0);
    }

    #[test]
    fn latin_short_vowels_are_cheap_against_arabic() {
        let mohamed_ar = similarity(b"MoHaMaD", Latin, b"MHMD", Arabic);
        let mahmoud_ar = similarity(b"MoHaMaD", Latin, b"MHMuD", Arabic);
        assert!(mohamed_ar > 0.9, "{mohamed_ar}");
        assert!(mahmoud_ar < 0.85, "{mahmoud_ar}");
    }

    #[test]
    fn a_consonant_change_costs_more_than_a_vowel_change() {
        let vowel = similarity(b"MoHaMaD", Latin, b"MHaMaD", Latin);
        let consonant = similarity(b"MoHaMaD", Latin, b"MoHaNaD", Latin);
        assert!(vowel > consonant);
    }

    #[test]
    fn a_feminine_ending_separates_names() {
        assert!(similarity(b"KaRiM", Latin, b"KRiMa", Arabic) < 0.85);
        assert!(similarity(b"FaTiMa", Latin, b"FaTMa", Arabic) > 0.9);
    }

    #[test]
    fn a_swap_of_two_letters_is_one_typo() {
        assert!(distance(b"KaRiM", Latin, b"KaiRM", Latin) < 1.0);
    }
}
