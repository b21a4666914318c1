//! Rules of child records that need no database: what a record must hold, how it is merged with
//! changes, how it is seen by the matching engine, and how a name search becomes key ranges.
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use madar_openapi::children::{CivilStatus, CreateChild, UpdateChild};
use madar_openapi::reports::{ConcernType, Sex};

use super::matching::{self, Birth, Identity, Territory};
use crate::codes::{from_code, to_code};
use crate::error::ApiError;
use crate::reports::domain::{normalized_concerns, EARLIEST_BIRTH_YEAR};

/// A child's record as written: the contract's create body once checked, or a stored record with
/// changes applied. Valid on construction (`checked`).
#[derive(Debug, Clone)]
pub struct ChildRecord(CreateChild);

impl ChildRecord {
    /// Checks what the contract cannot: at least one name; a birth neither in the future nor
    /// before 1990, its year agreeing with its date. Normalises nationality and situation.
    pub fn checked(mut child: CreateChild, now: DateTime<Utc>) -> Result<ChildRecord, ApiError> {
        if !child.has_a_name() {
            return Err(ApiError::validation(
                "names",
                "name_required",
                "needs at least one name, in Arabic or Latin script",
            ));
        }
        check_birth(child.date_of_birth, child.estimated_birth_year, now)?;
        child.nationality = child.nationality.map(|n| n.to_ascii_uppercase());
        child.situation = normalized_concerns(&child.situation);
        Ok(ChildRecord(child))
    }

    /// The record with `changes` applied (fields sent replace the stored ones, `null` clears an
    /// optional one), checked again.
    pub fn changed(
        &self,
        changes: UpdateChild,
        now: DateTime<Utc>,
    ) -> Result<ChildRecord, ApiError> {
        let c = self.0.clone();
        let merged = CreateChild {
            given_name_ar: changes.given_name_ar.unwrap_or(c.given_name_ar),
            family_name_ar: changes.family_name_ar.unwrap_or(c.family_name_ar),
            given_name_latin: changes.given_name_latin.unwrap_or(c.given_name_latin),
            family_name_latin: changes.family_name_latin.unwrap_or(c.family_name_latin),
            aliases: changes.aliases.unwrap_or(c.aliases),
            sex: changes.sex.unwrap_or(c.sex),
            // A new date of birth or estimate replaces the other, which may no longer agree.
            date_of_birth: match (changes.date_of_birth, changes.estimated_birth_year) {
                (None, Some(_)) => None,
                (date, _) => date.or(c.date_of_birth),
            },
            estimated_birth_year: match (changes.date_of_birth, changes.estimated_birth_year) {
                (Some(_), None) => None,
                (_, year) => year.or(c.estimated_birth_year),
            },
            nationality: changes.nationality.unwrap_or(c.nationality),
            civil_status: changes.civil_status.unwrap_or(c.civil_status),
            territory: changes.territory.unwrap_or(c.territory),
            situation: changes.situation.unwrap_or(c.situation),
            family_situation: changes.family_situation.unwrap_or(c.family_situation),
            schooling: changes.schooling.unwrap_or(c.schooling),
        };
        ChildRecord::checked(merged, now)
    }

    pub fn get(&self) -> &CreateChild {
        &self.0
    }

    /// The identity the matching engine compares and keys.
    pub fn identity(&self) -> Result<Identity, ApiError> {
        self.identity_in(Territory::parse(&self.0.territory).ok())
    }

    /// The identity with its territory's ancestors (`path`, the territory's materialized
    /// path), as stored children are compared: to match a new record against them.
    pub fn identity_at(&self, path: &str) -> Result<Identity, ApiError> {
        self.identity_in(Territory::with_path(&self.0.territory, path).ok())
    }

    fn identity_in(&self, territory: Option<Territory>) -> Result<Identity, ApiError> {
        let c = &self.0;
        identity_of(
            [&c.given_name_ar, &c.given_name_latin],
            [&c.family_name_ar, &c.family_name_latin],
            &c.aliases,
            c.sex,
            birth_of(c.date_of_birth, c.estimated_birth_year),
            territory,
        )
    }
}

fn check_birth(
    date: Option<NaiveDate>,
    year: Option<i32>,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let today = now.date_naive();
    if let Some(born) = date {
        if born > today {
            return Err(ApiError::validation(
                "date_of_birth",
                "in_future",
                "is in the future",
            ));
        }
        if born.year() < EARLIEST_BIRTH_YEAR {
            return Err(ApiError::validation(
                "date_of_birth",
                "range",
                "is before 1990",
            ));
        }
        if year.is_some_and(|y| y != born.year()) {
            return Err(ApiError::validation(
                "estimated_birth_year",
                "inconsistent",
                "differs from the date of birth",
            ));
        }
    }
    if year.is_some_and(|y| y > today.year()) {
        return Err(ApiError::validation(
            "estimated_birth_year",
            "in_future",
            "is in the future",
        ));
    }
    Ok(())
}

/// The birth the matching engine sees: the date when known, else the estimated year.
pub fn birth_of(date: Option<NaiveDate>, year: Option<i32>) -> Option<Birth> {
    date.map(Birth::date)
        .or_else(|| year.and_then(|y| Birth::estimated_year(y).ok()))
}

/// Builds a matching identity; names in either script (the engine reads the script from the
/// letters). Aliases count as given names.
pub fn identity_of(
    given: [&Option<String>; 2],
    family: [&Option<String>; 2],
    aliases: &[String],
    sex: Sex,
    birth: Option<Birth>,
    territory: Option<Territory>,
) -> Result<Identity, ApiError> {
    let mut builder = Identity::builder()
        .sex(matching::Sex::parse(&to_code(&sex)))
        .birth(birth)
        .territory(territory);
    for name in given.into_iter().flatten() {
        builder = builder.given_name_latin(name);
    }
    for name in family.into_iter().flatten() {
        builder = builder.family_name_latin(name);
    }
    for alias in aliases {
        builder = builder.given_name_latin(alias);
    }
    builder
        .build()
        .map_err(|e| ApiError::validation("names", e.code(), "needs a name with letters"))
}

/// Key lookups: keys to find exactly, and `[low, high)` ranges of keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookups {
    pub exact: Vec<String>,
    pub ranges: Vec<(String, String)>,
}

/// The key lookups that find a query's candidates: its own blocking keys, exactly, and the
/// prefixes (`(low, high)` ranges, which both backends serve from the key index) that reach
/// children keyed on more than the query knows: a query with a given name only meets the
/// children who also have a family name or a birth year, and the other way round.
pub fn lookups(identity: &Identity) -> Lookups {
    let keys = matching::blocking_keys(identity);
    let mut exact = keys.clone();
    let mut ranges = Vec::new();
    for key in &keys {
        let mut parts = key.splitn(3, ':');
        match (parts.next(), parts.next()) {
            (Some("g"), Some(g)) => ranges.extend([prefix("gf", g), prefix("gy", g)]),
            (Some("f"), Some(f)) => ranges.extend([prefix("fg", f), prefix("fy", f)]),
            (Some("gf" | "gy"), Some(g)) => exact.push(format!("g:{g}")),
            (Some("fg" | "fy"), Some(f)) => exact.push(format!("f:{f}")),
            _ => {}
        }
    }
    exact.sort();
    exact.dedup();
    ranges.sort();
    ranges.dedup();
    Lookups { exact, ranges }
}

/// Every key `kind:skeleton:…`: from `kind:skeleton:` up to, not including, `kind:skeleton;`.
fn prefix(kind: &str, skeleton: &str) -> (String, String) {
    (format!("{kind}:{skeleton}:"), format!("{kind}:{skeleton};"))
}

/// The key lookups one word of a name search makes: the word's skeleton as a given or a
/// family name, whatever else the child is keyed on. `None` for a word with no letters left
/// once normalised, which the search then ignores.
pub fn word_lookups(word: &str) -> Option<Lookups> {
    let as_given = Identity::builder().given_name_latin(word).build().ok()?;
    let mut found = lookups(&as_given);
    if let Ok(as_family) = Identity::builder().family_name_latin(word).build() {
        let more = lookups(&as_family);
        found.exact.extend(more.exact);
        found.ranges.extend(more.ranges);
    }
    Some(found)
}

/// Whether `key` is reached by lookups.
#[cfg(test)]
fn reaches(lookups: &Lookups, key: &str) -> bool {
    lookups.exact.iter().any(|k| k == key)
        || lookups
            .ranges
            .iter()
            .any(|(lo, hi)| key >= lo.as_str() && key < hi.as_str())
}

/// Reads a stored JSON list of concern codes.
pub fn situation_of(stored: &str) -> Result<Vec<ConcernType>, ApiError> {
    serde_json::from_str(stored).map_err(|e| ApiError::Internal(e.into()))
}

pub fn civil_status_of(stored: &str) -> Result<CivilStatus, ApiError> {
    from_code(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(extra: serde_json::Value) -> CreateChild {
        let mut body = serde_json::json!({
            "given_name_ar": "محمد", "family_name_ar": "الإدريسي", "sex": "male",
            "estimated_birth_year": 2014, "civil_status": "registered", "territory": "421"
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        serde_json::from_value(body).unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-06-15T10:00:00Z".parse().unwrap()
    }

    fn field_of(result: Result<ChildRecord, ApiError>) -> Option<(String, String)> {
        match result {
            Err(ApiError::Validation(errors)) => {
                Some((errors[0].field.clone(), errors[0].code.clone()))
            }
            _ => None,
        }
    }

    #[test]
    fn a_record_needs_a_name_and_a_plausible_birth() {
        assert!(ChildRecord::checked(child(serde_json::json!({})), now()).is_ok());
        let unnamed = serde_json::json!({"given_name_ar": null, "family_name_ar": null});
        assert_eq!(
            field_of(ChildRecord::checked(child(unnamed), now())),
            Some(("names".into(), "name_required".into()))
        );
        let future = serde_json::json!({"estimated_birth_year": 2027});
        assert_eq!(
            field_of(ChildRecord::checked(child(future), now())),
            Some(("estimated_birth_year".into(), "in_future".into()))
        );
        let both = serde_json::json!({"date_of_birth": "2015-02-01"});
        assert_eq!(
            field_of(ChildRecord::checked(child(both), now())),
            Some(("estimated_birth_year".into(), "inconsistent".into()))
        );
    }

    #[test]
    fn a_new_date_of_birth_replaces_the_estimate() {
        let record = ChildRecord::checked(child(serde_json::json!({})), now()).unwrap();
        let changes = UpdateChild {
            date_of_birth: "2015-02-01".parse().ok(),
            nationality: Some(Some("ma".into())),
            ..UpdateChild::default()
        };
        let changed = record.changed(changes, now()).unwrap();
        assert_eq!(changed.get().estimated_birth_year, None);
        assert_eq!(changed.get().nationality.as_deref(), Some("MA"));
        assert_eq!(changed.get().given_name_ar.as_deref(), Some("محمد"));
    }

    #[test]
    fn null_clears_an_optional_field_but_a_child_keeps_a_name() {
        let record = ChildRecord::checked(child(serde_json::json!({})), now()).unwrap();
        let clear: UpdateChild =
            serde_json::from_value(serde_json::json!({"given_name_ar": null})).unwrap();
        assert_eq!(clear.given_name_ar, Some(None));
        assert_eq!(clear.family_name_ar, None);
        let changed = record.changed(clear, now()).unwrap();
        assert_eq!(changed.get().given_name_ar, None);
        let every_name: UpdateChild = serde_json::from_value(serde_json::json!({
            "given_name_ar": null, "family_name_ar": null,
            "given_name_latin": null, "family_name_latin": null
        }))
        .unwrap();
        assert!(record.changed(every_name, now()).is_err());
    }

    #[test]
    fn a_given_name_alone_reaches_children_keyed_with_a_family_name() {
        let query = Identity::builder()
            .given_name_latin("Mohamed")
            .build()
            .unwrap();
        let found = lookups(&query);
        assert_eq!(found.exact, ["g:MHMD"]);
        assert!(found
            .ranges
            .contains(&("gf:MHMD:".into(), "gf:MHMD;".into())));
        let stored = ChildRecord::checked(child(serde_json::json!({})), now()).unwrap();
        let keys = matching::blocking_keys(&stored.identity().unwrap());
        assert!(keys.iter().any(|k| reaches(&found, k)));
    }

    #[test]
    fn a_search_word_reaches_the_child_in_either_script() {
        let stored = ChildRecord::checked(child(serde_json::json!({})), now()).unwrap();
        let keys = matching::blocking_keys(&stored.identity().unwrap());
        for word in ["Mohammed", "Idrissi", "محمد"] {
            let found = word_lookups(word).unwrap();
            assert!(
                keys.iter().any(|k| reaches(&found, k)),
                "{word}: {keys:?} {found:?}"
            );
        }
    }
}
