//! Interface strings in Arabic (the default), French and English, and the texts of the codes
//! the API sends that no reference list labels (problem codes, alert kinds). Plain Rust with no browser code, so its tests run on
//! the host.
//!
//! The texts live in `client/locales/` (`ui/<area>.toml` for the interface, `codes/<table>.toml`
//! for codes); `build.rs` compiles them into [`Key`] and [`CodeTable`], and fails the build when
//! a language is missing. The tests below fail when a key is never used. In the browser only
//! Arabic is compiled in (the first load's weight): French and English come from the files
//! `build.rs` writes beside it, fetched when chosen and put in place with [`install`].
use madar_openapi::Language;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// The app's name, the same in every language.
pub const APP_NAME: &str = "مدار / Madar";

/// The client's own codes, for failures that carry no problem from the server.
pub const NETWORK_ERROR: &str = "network_error";
pub const UNEXPECTED_ERROR: &str = "unexpected_error";

/// French and English texts fetched at run time (in the browser, where only Arabic is compiled
/// in): each key's text in `Key` order, each code table's texts in the order of its codes.
#[derive(Debug, serde::Deserialize)]
struct LocaleFile {
    keys: Vec<String>,
    codes: Vec<Vec<String>>,
}

/// A language installed from its file (its strings live as long as the page).
struct Installed {
    keys: Vec<&'static str>,
    codes: Vec<Vec<&'static str>>,
}

thread_local! {
    /// French (0) and English (1), once installed; `Err(())` when fetching failed (Arabic is
    /// shown instead, rather than nothing).
    static INSTALLED: std::cell::RefCell<[Option<Result<Installed, ()>>; 2]> =
        const { std::cell::RefCell::new([None, None]) };
}

/// The slot of a language other than Arabic.
fn slot(lang: Language) -> Option<usize> {
    match lang {
        Language::Ar => None,
        Language::Fr => Some(0),
        Language::En => Some(1),
    }
}

/// Installs a language from the text of its `locale-<code>.json`; whether it fitted this
/// build (as many keys and codes as compiled in).
pub fn install(lang: Language, json: &str) -> bool {
    let Some(i) = slot(lang) else {
        return true;
    };
    let file: Option<LocaleFile> = crate::json::from_str(json);
    let fits = |f: &LocaleFile| {
        f.keys.len() == Key::ALL.len()
            && f.codes.len() == CodeTable::ALL.len()
            && CodeTable::ALL
                .iter()
                .zip(&f.codes)
                .all(|(t, c)| t.arabic().len() == c.len())
    };
    let Some(file) = file.filter(fits) else {
        unavailable(lang);
        return false;
    };
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let installed = Installed {
        keys: file.keys.into_iter().map(leak).collect(),
        codes: file
            .codes
            .into_iter()
            .map(|c| c.into_iter().map(leak).collect())
            .collect(),
    };
    INSTALLED.with(|s| s.borrow_mut()[i] = Some(Ok(installed)));
    true
}

/// Marks a language as not available (its file could not be fetched): Arabic stands in.
pub fn unavailable(lang: Language) {
    if let Some(i) = slot(lang) {
        INSTALLED.with(|s| s.borrow_mut()[i] = Some(Err(())));
    }
}

/// Whether `lang` can be shown now: Arabic always; French and English once installed (or
/// found unavailable) in the browser, always on the host.
pub fn ready(lang: Language) -> bool {
    match slot(lang) {
        None => true,
        Some(_) if cfg!(not(target_arch = "wasm32")) => true,
        Some(i) => INSTALLED.with(|s| s.borrow()[i].is_some()),
    }
}

/// The installed text at (`key`, `table`) of a language other than Arabic, if any.
fn installed(i: usize, at: impl Fn(&Installed) -> Option<&'static str>) -> Option<&'static str> {
    INSTALLED.with(|s| match &s.borrow()[i] {
        Some(Ok(installed)) => at(installed),
        _ => None,
    })
}

/// The text of `key` in `lang`.
pub fn t(lang: Language, key: Key) -> &'static str {
    let n = key as usize;
    let arabic = KEY_AR[n];
    let Some(i) = slot(lang) else {
        return arabic;
    };
    if let Some(text) = installed(i, |l| l.keys.get(n).copied()) {
        return text;
    }
    #[cfg(not(target_arch = "wasm32"))]
    return KEY_OTHER[n][i];
    #[cfg(target_arch = "wasm32")]
    arabic
}

/// The text of `key` with each `{name}` replaced by its value.
pub fn tf(lang: Language, key: Key, values: &[(&str, &str)]) -> String {
    let mut text = t(lang, key).to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// A count of hours, `shown` being `n` as the page writes numbers: Arabic agrees the noun
/// with the number (ساعة واحدة، ساعتان، 3 إلى 10 ساعات، 11 ساعة فأكثر, by the last two digits).
pub fn hours(lang: Language, n: i64, shown: &str) -> String {
    let key = match (n, n.rem_euclid(100)) {
        (1, _) => Key::HoursOne,
        (2, _) => Key::HoursTwo,
        (_, 3..=10) => Key::HoursFew,
        _ => Key::HoursMany,
    };
    tf(lang, key, &[("n", shown)])
}

/// The text of `code` in `table`, if the table has it.
pub fn code(lang: Language, table: CodeTable, code: &str) -> Option<&'static str> {
    let arabic = table.arabic();
    let n = arabic.binary_search_by(|(c, _)| (*c).cmp(code)).ok()?;
    let Some(i) = slot(lang) else {
        return Some(arabic[n].1);
    };
    let t = table as usize;
    if let Some(text) = installed(i, |l| l.codes.get(t).and_then(|c| c.get(n)).copied()) {
        return Some(text);
    }
    #[cfg(not(target_arch = "wasm32"))]
    return Some(table.other()[n][i]);
    #[cfg(target_arch = "wasm32")]
    Some(arabic[n].1)
}

/// The message for a problem `code` in `lang`; unknown codes get the generic message.
pub fn problem(lang: Language, problem: &str) -> &'static str {
    code(lang, CodeTable::Problems, problem)
        .or_else(|| code(lang, CodeTable::Problems, UNEXPECTED_ERROR))
        .unwrap_or("?")
}

/// The message for the `code` of a field error (of a 422).
pub fn field_problem(lang: Language, field: &str) -> &'static str {
    code(lang, CodeTable::FieldCodes, field)
        .or_else(|| code(lang, CodeTable::FieldCodes, "invalid_value"))
        .unwrap_or("?")
}

/// The code to show when an error answer has no readable problem body.
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        412 | 428 => "precondition_failed",
        422 => "validation_failed",
        429 => "rate_limited",
        502..=504 => "service_unavailable",
        500..=599 => "internal_error",
        _ => UNEXPECTED_ERROR,
    }
}

/// A text split around its `{name}` placeholder, so the name can be isolated (`<bdi>`) in the
/// page.
pub fn split(lang: Language, key: Key, name: &str) -> (&'static str, &'static str) {
    let text = t(lang, key);
    text.split_once(&format!("{{{name}}}"))
        .unwrap_or((text, ""))
}

/// The language's own name, as shown on its switcher button.
pub fn language_name(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "العربية",
        Language::Fr => "Français",
        Language::En => "English",
    }
}

/// The value of the `dir` attribute for `lang`.
pub fn dir(lang: Language) -> &'static str {
    if lang.is_rtl() {
        "rtl"
    } else {
        "ltr"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    fn has_arabic_letters(s: &str) -> bool {
        s.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    }

    /// Every `.rs` file under `dir`, concatenated.
    fn sources(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn a_count_of_hours_agrees_with_its_number_in_arabic() {
        let ar = |n: i64| hours(Language::Ar, n, &n.to_string());
        assert_eq!(ar(1), "ساعة واحدة");
        assert_eq!(ar(2), "ساعتان");
        assert_eq!(ar(4), "4 ساعات");
        assert_eq!(ar(10), "10 ساعات");
        assert_eq!(ar(24), "24 ساعة");
        assert_eq!(ar(72), "72 ساعة");
        assert_eq!(ar(104), "104 ساعات");
        assert_eq!(hours(Language::Fr, 24, "24"), "24 heures");
        assert_eq!(hours(Language::En, 1, "1"), "one hour");
    }

    #[test]
    fn arabic_texts_are_arabic_and_the_others_are_not() {
        for key in Key::ALL {
            assert!(has_arabic_letters(t(Language::Ar, key)), "{} ar", key.id());
            assert!(!has_arabic_letters(t(Language::Fr, key)), "{} fr", key.id());
            assert!(!has_arabic_letters(t(Language::En, key)), "{} en", key.id());
        }
        for table in CodeTable::ALL {
            for c in table.codes() {
                assert!(
                    has_arabic_letters(code(Language::Ar, table, c).unwrap()),
                    "{c}"
                );
                assert!(
                    !has_arabic_letters(code(Language::Fr, table, c).unwrap()),
                    "{c}"
                );
            }
        }
    }

    #[test]
    fn the_french_and_english_files_the_browser_fetches_hold_the_compiled_texts() {
        let files = [
            (
                Language::Fr,
                include_str!(concat!(env!("OUT_DIR"), "/locale-fr.json")),
            ),
            (
                Language::En,
                include_str!(concat!(env!("OUT_DIR"), "/locale-en.json")),
            ),
        ];
        // The compiled texts first (this thread has installed nothing yet).
        let compiled = |lang| -> Vec<&str> { Key::ALL.iter().map(|k| t(lang, *k)).collect() };
        let compiled_codes = |lang| -> Vec<Option<&str>> {
            CodeTable::ALL
                .iter()
                .flat_map(|table| table.codes().iter().map(move |c| code(lang, *table, c)))
                .collect()
        };
        for (lang, json) in files {
            let (keys, codes) = (compiled(lang), compiled_codes(lang));
            assert!(install(lang, json), "{lang:?} fits this build");
            assert!(ready(lang));
            assert_eq!(compiled(lang), keys, "{lang:?}");
            assert_eq!(compiled_codes(lang), codes, "{lang:?}");
        }
        // A file of another build (a key fewer) is refused; Arabic is never fetched.
        let mut file: serde_json::Value = serde_json::from_str(files[0].1).unwrap();
        file["keys"].as_array_mut().unwrap().pop();
        assert!(!install(Language::Fr, &file.to_string()));
        assert!(!install(Language::En, "not json"));
        assert!(install(Language::Ar, ""));
        assert_eq!(t(Language::Ar, Key::Loading), KEY_AR[Key::Loading as usize]);
    }

    #[test]
    fn every_key_is_used_in_the_sources() {
        let mut all = String::new();
        sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
        let used = |name: &str| {
            all.match_indices(name).any(|(at, _)| {
                !all[at + name.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        };
        let unused: Vec<&str> = Key::ALL
            .into_iter()
            .filter(|key| !used(&format!("Key::{key:?}")))
            .map(Key::id)
            .collect();
        assert!(unused.is_empty(), "locale keys never used: {unused:?}");
    }

    #[test]
    fn placeholders_are_the_same_in_every_language() {
        let names = |s: &str| -> Vec<String> {
            let mut v: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            v.sort();
            v
        };
        for key in Key::ALL {
            let ar = names(t(Language::Ar, key));
            assert_eq!(ar, names(t(Language::Fr, key)), "{}", key.id());
            assert_eq!(ar, names(t(Language::En, key)), "{}", key.id());
        }
    }

    #[test]
    fn the_codes_the_client_makes_are_translated() {
        let mut statuses: HashSet<&str> = (100..600).map(code_for_status).collect();
        statuses.insert(NETWORK_ERROR);
        statuses.insert(UNEXPECTED_ERROR);
        for c in statuses {
            assert!(code(Language::Ar, CodeTable::Problems, c).is_some(), "{c}");
        }
    }

    #[test]
    fn every_code_of_the_contract_is_translated() {
        for c in madar_openapi::problem::PROBLEM_CODES {
            assert!(
                code(Language::Ar, CodeTable::Problems, c).is_some(),
                "problem {c}"
            );
        }
        for c in madar_openapi::problem::FIELD_CODES {
            assert!(
                code(Language::Ar, CodeTable::FieldCodes, c).is_some(),
                "field code {c}"
            );
        }
        assert_eq!(
            field_problem(Language::Fr, "no_such_code"),
            "Valeur invalide."
        );
    }

    #[test]
    fn unknown_codes_fall_back_to_the_generic_message() {
        for lang in Language::ALL {
            assert_eq!(
                problem(lang, "no_such_code"),
                problem(lang, UNEXPECTED_ERROR)
            );
        }
        assert_eq!(
            problem(Language::En, "invalid_credentials"),
            "Incorrect email or password."
        );
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            tf(Language::En, Key::Welcome, &[("name", "Salma")]),
            "Welcome, Salma"
        );
        for lang in Language::ALL {
            let (before, after) = split(lang, Key::Welcome, "name");
            assert!(!format!("{before}{after}").contains("{name}"));
        }
    }

    #[test]
    fn arabic_is_right_to_left_and_the_others_left_to_right() {
        assert_eq!(dir(Language::Ar), "rtl");
        assert_eq!(dir(Language::Fr), "ltr");
        assert_eq!(dir(Language::En), "ltr");
        assert_eq!(Language::default(), Language::Ar);
        let names: HashSet<&str> = Language::ALL.into_iter().map(language_name).collect();
        assert_eq!(names.len(), 3);
    }
}
