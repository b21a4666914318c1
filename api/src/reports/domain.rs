//! Rules of reports that need no database: references, routing, what a caller may see.
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use madar_openapi::reports::{ConcernType, CreateReport};

use crate::error::ApiError;

mod screening;
pub use screening::*;

/// `RPT-<territory>-<year>-<sequence>`, the sequence on six digits.
pub fn reference(territory: &str, year: i32, sequence: i32) -> String {
    format!("RPT-{territory}-{year}-{sequence:06}")
}

/// Which of the case-owning organizations receive a child's report: those serving the child's
/// territory or an ancestor of it, the nearest level first. `served` holds (organization id,
/// territory path) pairs; paths end with `/`. Empty: no one serves it, the national
/// coordinators take it.
pub fn route(child_path: &str, served: &[(String, String)]) -> Vec<String> {
    let depth = |path: &str| path.matches('/').count();
    let covering: Vec<&(String, String)> = served
        .iter()
        .filter(|(_, path)| child_path.starts_with(path.as_str()))
        .collect();
    let Some(nearest) = covering.iter().map(|(_, path)| depth(path)).max() else {
        return Vec::new();
    };
    let mut orgs: Vec<String> = covering
        .iter()
        .filter(|(_, p)| depth(p) == nearest)
        .map(|(o, _)| o.clone())
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

/// How far ahead of the server's clock a `received_at` may be (the sender's clock may run a
/// little fast).
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);
/// The earliest birth year of a child Madar follows (care leavers are accompanied past 18).
pub const EARLIEST_BIRTH_YEAR: i32 = 1990;

/// Checks what the contract cannot: every child has a name; no birth date or year in the
/// future or before 1990, and the year agrees with the date when both are given; the report
/// was not received in the future.
pub fn check(report: &CreateReport, now: DateTime<Utc>) -> Result<(), ApiError> {
    let today = now.date_naive();
    for (i, child) in report.children.iter().enumerate() {
        if !child.has_a_name() {
            return Err(ApiError::validation(
                &format!("children[{i}]"),
                "name_required",
                "needs at least one name, in Arabic or Latin script",
            ));
        }
        if let Some(born) = child.date_of_birth {
            if born > today {
                return Err(ApiError::validation(
                    &format!("children[{i}].date_of_birth"),
                    "in_future",
                    "is in the future",
                ));
            }
            if born.year() < EARLIEST_BIRTH_YEAR {
                return Err(ApiError::validation(
                    &format!("children[{i}].date_of_birth"),
                    "range",
                    "is before 1990",
                ));
            }
            if child.estimated_birth_year.is_some_and(|y| y != born.year()) {
                return Err(ApiError::validation(
                    &format!("children[{i}].estimated_birth_year"),
                    "inconsistent",
                    "differs from the date of birth",
                ));
            }
        }
        if child.estimated_birth_year.is_some_and(|y| y > today.year()) {
            return Err(ApiError::validation(
                &format!("children[{i}].estimated_birth_year"),
                "in_future",
                "is in the future",
            ));
        }
    }
    if report.received_at > now + CLOCK_SKEW {
        return Err(ApiError::validation(
            "received_at",
            "in_future",
            "is in the future",
        ));
    }
    Ok(())
}

/// The territory a report is numbered under: its first child's.
pub fn numbering_territory(report: &CreateReport) -> Result<&str, ApiError> {
    report
        .children
        .first()
        .map(|c| c.territory.as_str())
        .ok_or_else(|| ApiError::validation("children", "length", "needs at least one child"))
}

/// Concerns without duplicates, in the vocabulary's order.
pub fn normalized_concerns(concerns: &[ConcernType]) -> Vec<ConcernType> {
    let mut concerns = concerns.to_vec();
    concerns.sort();
    concerns.dedup();
    concerns
}

/// The inbox's cursor: the sort key (priority, id) of the last report of a page.
pub fn cursor(priority: i32, id: &str) -> String {
    format!("{priority}:{id}")
}

/// Reads back a `cursor`; anything else is a 422 naming `cursor`.
pub fn parse_cursor(cursor: &str) -> Result<(i32, String), ApiError> {
    cursor
        .split_once(':')
        .and_then(|(p, id)| Some((p.parse().ok().filter(|p| (0..=1).contains(p))?, id)))
        .filter(|(_, id)| uuid::Uuid::parse_str(id).is_ok())
        .map(|(p, id)| (p, id.to_string()))
        .ok_or_else(|| {
            ApiError::validation("cursor", "invalid_cursor", "is not a cursor this list gave")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn served() -> Vec<(String, String)> {
        [
            ("cape-rabat", "MA/MA-04/421/"),
            ("region-unit", "MA/MA-04/"),
            ("cape-sale", "MA/MA-04/441/"),
            ("upe-sale", "MA/MA-04/441/"),
            ("samu-casa", "MA/MA-06/141/141-01/"),
        ]
        .iter()
        .map(|(o, p)| (o.to_string(), p.to_string()))
        .collect()
    }

    #[test]
    fn references_have_six_digit_sequences() {
        assert_eq!(reference("421", 2026, 123), "RPT-421-2026-000123");
        assert_eq!(reference("141-01", 2026, 45), "RPT-141-01-2026-000045");
    }

    #[test]
    fn a_report_goes_to_the_nearest_level_that_has_case_owning_organizations() {
        assert_eq!(route("MA/MA-04/421/", &served()), vec!["cape-rabat"]);
        assert_eq!(
            route("MA/MA-04/441/", &served()),
            vec!["cape-sale", "upe-sale"]
        );
        // Kénitra has no centre of its own: the region's unit takes it.
        assert_eq!(route("MA/MA-04/281/", &served()), vec!["region-unit"]);
        // A sibling prefecture of arrondissements is not an ancestor.
        assert!(route("MA/MA-06/141/141-02/", &served()).is_empty());
        assert!(route("MA/MA-01/051/", &served()).is_empty());
    }

    fn a_report(children: serde_json::Value, received_at: &str) -> CreateReport {
        serde_json::from_value(serde_json::json!({
            "source": "hotline_2511", "received_at": received_at,
            "reporter": {"type": "anonymous"}, "children": children,
            "concerns": ["neglect"], "immediate_danger": false
        }))
        .unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-06-15T10:00:00Z".parse().unwrap()
    }

    fn field_of(result: Result<(), ApiError>) -> Option<(String, String)> {
        match result {
            Err(ApiError::Validation(errors)) => {
                Some((errors[0].field.clone(), errors[0].code.clone()))
            }
            _ => None,
        }
    }

    #[test]
    fn a_plausible_report_passes() {
        let children = serde_json::json!([
            {"given_name_ar": "محمد", "sex": "male", "date_of_birth": "2015-03-01", "estimated_birth_year": 2015, "territory": "421"},
            {"family_name_latin": "Idrissi", "sex": "unknown", "estimated_birth_year": 2026, "territory": "441"}
        ]);
        // Received within the allowed skew of the server's clock.
        assert!(check(&a_report(children, "2026-06-15T10:04:00Z"), now()).is_ok());
    }

    #[test]
    fn a_child_without_any_name_is_named_by_its_position() {
        let children = serde_json::json!([
            {"given_name_latin": "Amina", "sex": "female", "territory": "421"},
            {"sex": "female", "territory": "421"}
        ]);
        assert_eq!(
            field_of(check(&a_report(children, "2026-06-15T09:00:00Z"), now())),
            Some(("children[1]".into(), "name_required".into()))
        );
    }

    #[test]
    fn births_and_receipts_in_the_future_are_refused() {
        let child = |extra: serde_json::Value| {
            let mut c = serde_json::json!({"given_name_latin": "Amina", "sex": "female", "territory": "421"});
            c.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            serde_json::json!([c])
        };
        let at = "2026-06-15T09:00:00Z";
        let cases = [
            (
                child(serde_json::json!({"date_of_birth": "2026-06-16"})),
                "children[0].date_of_birth",
                "in_future",
            ),
            (
                child(serde_json::json!({"date_of_birth": "1985-01-01"})),
                "children[0].date_of_birth",
                "range",
            ),
            (
                child(serde_json::json!({"estimated_birth_year": 2027})),
                "children[0].estimated_birth_year",
                "in_future",
            ),
            (
                child(
                    serde_json::json!({"date_of_birth": "2015-01-01", "estimated_birth_year": 2014}),
                ),
                "children[0].estimated_birth_year",
                "inconsistent",
            ),
        ];
        for (children, field, code) in cases {
            assert_eq!(
                field_of(check(&a_report(children, at), now())),
                Some((field.into(), code.into()))
            );
        }
        let ok = child(serde_json::json!({}));
        assert_eq!(
            field_of(check(&a_report(ok, "2026-06-15T10:06:00Z"), now())),
            Some(("received_at".into(), "in_future".into()))
        );
    }

    #[test]
    fn concerns_are_deduplicated_in_the_vocabulary_order() {
        use ConcernType as C;
        assert_eq!(
            normalized_concerns(&[C::Neglect, C::PhysicalViolence, C::Neglect]),
            vec![C::PhysicalViolence, C::Neglect]
        );
    }

    #[test]
    fn cursors_read_back_and_foreign_ones_are_refused() {
        let id = "01a22bb8-3f27-7223-9fad-10acb7f42e8a";
        assert_eq!(parse_cursor(&cursor(0, id)).ok(), Some((0, id.to_string())));
        for bad in [
            "",
            "x",
            "1:",
            "2:01a22bb8-3f27-7223-9fad-10acb7f42e8a",
            "a:b",
            "1:not-an-id",
        ] {
            assert!(parse_cursor(bad).is_err(), "{bad}");
        }
    }
}
