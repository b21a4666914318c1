//! Folding a raw name and cutting it into words: the script-specific spelling rules that come
//! before the phonetic coding of [`super::phonetic`].
//!
//! Folding removes what never distinguishes two children: case, Latin accents, Arabic
//! diacritics (harakat, shadda, sukun), tatweel, the hamza and madda carried by an alef, alef
//! wasla, apostrophes. Tokenising then removes the definite article (ال, el-, al-, and the
//! assimilated et-/es-/ech-/ez-/en-/er-/ed- before a sun letter, glued or not), recognises the
//! particles ben/bent/ould/ait (kept, but marked so they can also be ignored), and joins the
//! "Abd + article + name" compounds into one word whatever their spacing.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The script a name is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// Arabic letters.
    Arabic,
    /// Latin letters (French or English transliteration).
    Latin,
}

/// Which part of the name a string is; a few rules apply to family names only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Part {
    Given,
    Family,
}

/// One word of a name after tokenising.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A name word, folded, article removed.
    Word(String),
    /// A particle (ben, bent, ould, ait) given by its canonical word.
    Particle(&'static str),
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}')
}

/// The script of a raw name: Arabic as soon as it holds an Arabic letter.
pub(crate) fn detect_script(raw: &str) -> Option<Script> {
    let mut latin = false;
    for c in raw.nfkd() {
        if is_arabic_letter(c) {
            return Some(Script::Arabic);
        }
        latin |= c.is_ascii_alphabetic();
    }
    latin.then_some(Script::Latin)
}

/// Stands for an alef that carried a hamza or madda (أ إ آ) until the article is removed: such
/// an alef starts a word (إلياس, إلهام), never the article ال.
const HAMZA_ALEF: char = '\u{0672}';

/// Folds a raw name: see the module documentation. Arabic alefs that carried a hamza are
/// kept as [`HAMZA_ALEF`] until [`tokenize`] has removed the article.
pub(crate) fn fold(raw: &str, script: Script) -> String {
    let mut out = String::with_capacity(raw.len());
    let marked = raw.chars().map(|c| match c {
        'أ' | 'إ' | 'آ' if script == Script::Arabic => HAMZA_ALEF,
        c => c,
    });
    for c in marked
        .collect::<String>()
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
    {
        let mapped = match script {
            Script::Arabic => fold_arabic(c),
            Script::Latin => fold_latin(c),
        };
        match mapped {
            Some(' ') if out.ends_with(' ') || out.is_empty() => {}
            Some(m) => out.push(m),
            None => {}
        }
    }
    out.trim_end().to_owned()
}

fn fold_arabic(c: char) -> Option<char> {
    match c {
        'ٱ' | 'أ' | 'إ' | 'آ' => Some('ا'),
        HAMZA_ALEF => Some(HAMZA_ALEF),
        'ی' => Some('ي'),
        'ک' => Some('ك'),
        'ۀ' => Some('ه'),
        'ـ' | '\u{200C}'..='\u{200F}' => None,
        c if is_arabic_letter(c) => Some(c),
        _ => Some(' '),
    }
}

fn fold_latin(c: char) -> Option<char> {
    match c {
        '\'' | '’' | '‘' | '`' | '´' | 'ʼ' | 'ʿ' | 'ʾ' => None,
        c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
        // Arabizi digits stand for letters: 3 = ع, 7 = ح, 9 = ق, 5 = خ, 2 = ء.
        '2' | '3' | '5' | '7' | '9' => Some(c),
        'æ' => Some('a'),
        'œ' => Some('e'),
        _ => Some(' '),
    }
}

/// Cuts a folded name into tokens.
pub(crate) fn tokenize(folded: &str, script: Script, part: Part) -> Vec<Token> {
    let words: Vec<&str> = folded.split_whitespace().collect();
    match script {
        Script::Arabic => tokenize_arabic(&words)
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => Token::Word(unmark(&w)),
                particle => particle,
            })
            .collect(),
        Script::Latin => tokenize_latin(&words, part),
    }
}

/// Turns the hamza-alef marker back into a plain alef.
pub(crate) fn unmark(folded: &str) -> String {
    folded.replace(HAMZA_ALEF, "ا")
}

fn arabic_particle(word: &str) -> Option<&'static str> {
    match unmark(word).as_str() {
        "بن" | "ابن" => Some("بن"),
        "بنت" => Some("بنت"),
        "ولد" | "اولاد" => Some("ولد"),
        "ايت" => Some("ايت"),
        _ => None,
    }
}

fn strip_arabic_article(word: &str) -> &str {
    match word.strip_prefix("ال") {
        Some(rest) if rest.chars().count() >= 2 => rest,
        _ => word,
    }
}

fn tokenize_arabic(words: &[&str]) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        i += 1;
        let has_next = i < words.len();
        if word == "عبد" && has_next {
            tokens.push(Token::Word(format!(
                "عبد{}",
                strip_arabic_article(words[i])
            )));
            i += 1;
        } else if let Some(rest) = word
            .strip_prefix("عبدال")
            .filter(|r| r.chars().count() >= 2)
        {
            tokens.push(Token::Word(format!("عبد{rest}")));
        } else if let Some(p) = arabic_particle(word).filter(|_| has_next) {
            tokens.push(Token::Particle(p));
        } else if word == "ال" && has_next {
            // A detached article: skip it.
        } else {
            tokens.push(Token::Word(strip_arabic_article(word).to_owned()));
        }
    }
    tokens
}

const LATIN_ARTICLES: &[&str] = &[
    "el", "al", "l", "ul", "le", "et", "es", "ech", "ez", "ed", "en", "er", "eth", "edh", "esh",
    "at", "as", "ach", "az", "ad", "an", "ar", "ash",
];
/// Sun letters as they are spelled in Latin: the article assimilates to these.
const SUN: &[&str] = &["ch", "sh", "th", "dh", "t", "d", "r", "z", "s", "n"];

fn latin_particle(word: &str) -> Option<&'static str> {
    match word {
        "ben" | "bin" | "ibn" | "ebn" => Some("ben"),
        "bent" | "bint" => Some("bent"),
        "ould" | "ouled" | "oulad" | "wald" | "ouild" => Some("ould"),
        "ait" | "aith" | "ayt" => Some("ait"),
        _ => None,
    }
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Removes an article glued to `word`: `elidrissi`, `ettazi`, `echcherkaoui`, `lhoussaine`.
fn strip_glued_article(word: &str, part: Part) -> &str {
    let b = word.as_bytes();
    if b.len() >= 6 && word.starts_with("el") {
        return &word[2..];
    }
    let doubled_from = |at: usize| {
        SUN.iter()
            .find(|s| word[at..].starts_with(*s) && word[at + s.len()..].starts_with(*s))
            .filter(|s| word.len() >= at + 2 * s.len() + 2)
            .map(|s| &word[at + s.len()..])
    };
    // "e" + doubled sun letter is always an article; "a" + doubled only in family names
    // (Assia, Ammar are given names).
    if b.first() == Some(&b'e') || (b.first() == Some(&b'a') && part == Part::Family) {
        if let Some(rest) = doubled_from(1) {
            return rest;
        }
    }
    if b.len() >= 4 && b[0] == b'l' {
        if b[1] == b'h' && is_vowel(b[2]) {
            return &word[1..];
        }
        if part == Part::Given && b[1] == b'a' && b[2] == b'h' && !is_vowel(b[3]) {
            return &word[2..];
        }
        if !is_vowel(b[1]) && !matches!(b[1], b'h' | b'l' | b'w') {
            return &word[1..];
        }
    }
    word
}

/// The name after "abd" in a glued compound: `elkarim` → `karim`, `errahim` → `rahim`.
fn abd_rest(rest: &str) -> &str {
    for article in ["oul", "el", "al", "ul", "il"] {
        if let Some(r) = rest.strip_prefix(article).filter(|r| r.len() >= 2) {
            return r;
        }
    }
    let b = rest.as_bytes();
    if b.len() >= 3 && is_vowel(b[0]) && b[0] != b'o' {
        let after = &rest[1..];
        if let Some(s) = SUN.iter().find(|s| after.starts_with(*s)) {
            let doubled = &after[s.len()..];
            return if doubled.starts_with(*s) {
                doubled
            } else {
                after
            };
        }
    }
    rest
}

fn is_abd_head(word: &str) -> bool {
    word.strip_prefix("abd")
        .is_some_and(|rest| rest.is_empty() || LATIN_ARTICLES.contains(&rest) || rest == "oul")
}

fn tokenize_latin(words: &[&str], part: Part) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        i += 1;
        let has_next = i < words.len();
        if is_abd_head(word) && has_next {
            let mut next = words[i];
            i += 1;
            if LATIN_ARTICLES.contains(&next) && i < words.len() {
                next = words[i];
                i += 1;
            }
            let name = strip_glued_article(next, Part::Family);
            tokens.push(Token::Word(format!("abd{name}")));
        } else if word.len() > 5 && word.starts_with("abd") {
            tokens.push(Token::Word(format!("abd{}", abd_rest(&word[3..]))));
        } else if LATIN_ARTICLES.contains(&word) && has_next {
            // A detached article ("El Idrissi", "Ech-Cherkaoui"): skip it.
        } else if let Some(p) = latin_particle(word).filter(|_| has_next) {
            tokens.push(Token::Particle(p));
        } else {
            tokens.push(Token::Word(strip_glued_article(word, part).to_owned()));
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(raw: &str, part: Part) -> Vec<String> {
        let script = detect_script(raw).unwrap();
        tokenize(&fold(raw, script), script, part)
            .into_iter()
            .map(|t| match t {
                Token::Word(w) => w,
                Token::Particle(p) => format!("<{p}>"),
            })
            .collect()
    }

    #[test]
    fn alef_forms_tatweel_and_diacritics_fold_away() {
        assert_eq!(words("أحمد", Part::Given), ["احمد"]);
        assert_eq!(words("إدريس", Part::Given), ["ادريس"]);
        assert_eq!(words("آدم", Part::Given), ["ادم"]);
        assert_eq!(fold("ٱلله", Script::Arabic), "الله");
        assert_eq!(fold("مُحَمَّـــد", Script::Arabic), "محمد");
        assert_eq!(fold("فَاطِمَةُ", Script::Arabic), "فاطمة");
    }

    #[test]
    fn latin_accents_case_and_apostrophes_fold_away() {
        assert_eq!(fold("Aïcha", Script::Latin), "aicha");
        assert_eq!(fold("M'Hamed  SAÏD", Script::Latin), "mhamed said");
        assert_eq!(fold("Ech-Cherkaoui", Script::Latin), "ech cherkaoui");
    }

    #[test]
    fn script_is_detected() {
        assert_eq!(detect_script("محمد"), Some(Script::Arabic));
        assert_eq!(detect_script("Mohamed"), Some(Script::Latin));
        assert_eq!(detect_script(" - "), None);
    }

    #[test]
    fn arabic_article_is_removed() {
        assert_eq!(words("الإدريسي", Part::Family), ["ادريسي"]);
        assert_eq!(words("فاطمة الزهراء", Part::Given), ["فاطمة", "زهراء"]);
        assert_eq!(words("إلياس", Part::Given), ["الياس"]);
        assert_eq!(words("إلهام", Part::Given), ["الهام"]);
    }

    #[test]
    fn latin_article_is_removed_detached_or_glued() {
        assert_eq!(words("El Idrissi", Part::Family), ["idrissi"]);
        assert_eq!(words("Elidrissi", Part::Family), ["idrissi"]);
        assert_eq!(words("Al Fassi", Part::Family), ["fassi"]);
        assert_eq!(words("Alaoui", Part::Family), ["alaoui"]);
    }

    #[test]
    fn sun_letter_assimilation_is_undone() {
        assert_eq!(words("Ettazi", Part::Family), ["tazi"]);
        assert_eq!(words("Es-Seddiki", Part::Family), ["seddiki"]);
        assert_eq!(words("Echcherkaoui", Part::Family), ["cherkaoui"]);
        assert_eq!(words("Ezziani", Part::Family), ["ziani"]);
        assert_eq!(words("Ennaciri", Part::Family), ["naciri"]);
        assert_eq!(words("Fatima Ezzahra", Part::Given), ["fatima", "zahra"]);
        assert_eq!(words("Assia", Part::Given), ["assia"]);
    }

    #[test]
    fn glued_l_article_is_removed() {
        assert_eq!(words("Lhoussaine", Part::Given), ["houssaine"]);
        assert_eq!(words("Lahcen", Part::Given), ["hcen"]);
        assert_eq!(words("Lmrabet", Part::Family), ["mrabet"]);
        assert_eq!(words("Lahlou", Part::Family), ["lahlou"]);
    }

    #[test]
    fn particles_are_marked_in_both_scripts() {
        assert_eq!(words("Ben Ali", Part::Family), ["<ben>", "ali"]);
        assert_eq!(words("Bent Ahmed", Part::Family), ["<bent>", "ahmed"]);
        assert_eq!(words("Ould Cheikh", Part::Family), ["<ould>", "cheikh"]);
        assert_eq!(words("Aït Ali", Part::Family), ["<ait>", "ali"]);
        assert_eq!(words("بن علي", Part::Family), ["<بن>", "علي"]);
        assert_eq!(words("ولد الشيخ", Part::Family), ["<ولد>", "شيخ"]);
        assert_eq!(words("آيت علي", Part::Family), ["<ايت>", "علي"]);
    }

    #[test]
    fn abd_compounds_become_one_word() {
        for raw in [
            "Abdelkarim",
            "Abdel Karim",
            "Abd El Karim",
            "Abd-el-Karim",
            "abd karim",
        ] {
            assert_eq!(words(raw, Part::Given), ["abdkarim"], "{raw}");
        }
        for raw in [
            "Abderrahim",
            "Abder Rahim",
            "Abd Errahim",
            "Abderahim",
            "Abdurrahim",
        ] {
            assert_eq!(words(raw, Part::Given), ["abdrahim"], "{raw}");
        }
        assert_eq!(words("Abdellah", Part::Given), ["abdlah"]);
        assert_eq!(words("عبد الكريم", Part::Given), ["عبدكريم"]);
        assert_eq!(words("عبدالرحيم", Part::Given), ["عبدرحيم"]);
        assert_eq!(words("Abdou", Part::Given), ["abdou"]);
    }
}
