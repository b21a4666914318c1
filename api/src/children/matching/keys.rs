//! Blocking keys: a few short strings per child, stored in an indexed column (one row per
//! key in a side table `child_match_keys(key, child_id)`) at write time, so that finding the
//! candidates for a query is an indexed lookup of the query's own keys, not a scan.
//!
//! Keys are built from consonant skeletons (the phonetic code without vowels, so محمد,
//! Mohamed, Mohammed and Mhamed all give `MHMD`), which removes most spelling variation:
//! - `gf:<given>:<f>`: given-name skeleton + first consonant class of the family name.
//!   Survives any variation of the family name that keeps its first consonant.
//! - `fg:<family>:<g>`: family-name skeleton + first class of the given name. Survives a
//!   typo or a variant in the given name, and a given name with or without a second part.
//! - `gy:<given>:<bucket>` (twice): given-name skeleton + a two-year birth bucket, stored for
//!   two overlapping buckets so that years one apart always share one. Finds a child whose
//!   family name is missing or badly mangled on one side.
//! - `fy:<family>:<bucket>` (twice) when there is no given name, `g:<given>` / `f:<family>`
//!   when nothing else is known.
//! - For a given name of several words, `gf:` is also stored for each word, so that
//!   "Fatima Zahra" and "Zahra" meet.
//!
//! No key is a bare common name: even `gf:MHMD:L` (every Mohamed whose family name starts with
//! L) or `gy:MHMD:1006` holds well under 1% of a million children. A query with a given name
//! only (no family, no birth) can search by prefix (`gf:MHMD:%`) on the same index.
//! Both spellings of a child (Arabic and Latin) add their keys; duplicates are removed, so a
//! child usually has 4 keys and rarely more than 10.

use super::identity::Identity;
use std::sync::Arc;

use super::name::NameForm;
use super::phonetic::skeleton;

fn skeletons(forms: &[Arc<NameForm>]) -> Vec<String> {
    let mut out: Vec<String> = forms
        .iter()
        .map(|f| skeleton(&f.full))
        .map(|s| if s.is_empty() { "~".to_owned() } else { s })
        .collect();
    out.sort();
    out.dedup();
    out
}

fn word_skeletons(forms: &[Arc<NameForm>]) -> Vec<String> {
    let mut out: Vec<String> = forms
        .iter()
        .filter(|f| f.words.len() > 1)
        .flat_map(|f| f.words.iter().take(3).map(|w| skeleton(w)))
        .filter(|s| !s.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn initial(skeleton: &str) -> &str {
    skeleton.get(..1).unwrap_or("~")
}

/// The blocking keys of an identity; see the module documentation for what each key is for.
pub fn blocking_keys(identity: &Identity) -> Vec<String> {
    let given = skeletons(&identity.given);
    let family = skeletons(&identity.family);
    let buckets = identity
        .birth
        .map(|b| [b.year().div_euclid(2), (b.year() + 1).div_euclid(2)]);
    let mut keys = Vec::new();
    for g in &given {
        for f in &family {
            keys.push(format!("gf:{g}:{}", initial(f)));
            keys.push(format!("fg:{f}:{}", initial(g)));
        }
        for bucket in buckets.iter().flatten() {
            keys.push(format!("gy:{g}:{bucket}"));
        }
        if family.is_empty() && buckets.is_none() {
            keys.push(format!("g:{g}"));
        }
    }
    for w in word_skeletons(&identity.given) {
        for f in &family {
            keys.push(format!("gf:{w}:{}", initial(f)));
        }
    }
    if given.is_empty() {
        for f in &family {
            match buckets {
                Some(bs) => keys.extend(bs.iter().map(|b| format!("fy:{f}:{b}"))),
                None => keys.push(format!("f:{f}")),
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::super::identity::Birth;
    use super::*;

    fn keys(given: &str, family: &str, year: i32) -> Vec<String> {
        let identity = Identity::builder()
            .given_name_latin(given)
            .family_name_latin(family)
            .birth(Birth::estimated_year(year).ok())
            .build()
            .unwrap();
        blocking_keys(&identity)
    }

    #[test]
    fn a_child_has_a_few_short_keys() {
        let k = keys("Mohamed", "El Idrissi", 2012);
        assert_eq!(k, ["fg:DRS:M", "gf:MHMD:D", "gy:MHMD:1006"]);
        assert!(k.len() <= 4);
    }

    #[test]
    fn spellings_across_scripts_share_keys() {
        let latin = keys("Mohammed", "Drissi", 2012);
        let arabic = Identity::builder()
            .given_name_ar("محمد")
            .family_name_ar("الإدريسي")
            .birth(Birth::estimated_year(2013).ok())
            .build()
            .unwrap();
        let arabic = blocking_keys(&arabic);
        assert_eq!(latin.iter().filter(|k| arabic.contains(k)).count(), 3);
    }

    #[test]
    fn years_one_apart_share_a_bucket() {
        for year in 2000..2020 {
            let a = keys("Amine", "", year);
            let b = keys("Amine", "", year + 1);
            assert!(a.iter().any(|k| b.contains(k)), "{year}");
        }
    }

    #[test]
    fn a_second_given_name_still_meets_the_first() {
        let both = keys("Fatima Zahra", "Alaoui", 2011);
        let one = keys("Zahra", "Alaoui", 2015);
        assert!(both.iter().any(|k| one.contains(k)));
    }
}
