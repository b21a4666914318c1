//! Rules of screening that need no database: a decision carries its own field, every reported
//! child is covered once, a created child takes the report's data.
use madar_openapi::children::{CivilStatus, CreateChild};
use madar_openapi::reports::{
    ClosingReason, ReportStatus, ReportedChild, ScreenReport, ScreenedChild, ScreeningDecision,
};

use crate::error::ApiError;

/// A screening once checked: accepted with one entry per reported child, or closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screening {
    Accept(Vec<ScreenedChild>),
    Close(ClosingReason),
}

/// Checks that a screening carries the field of its decision and not the other's.
pub fn screening(body: ScreenReport) -> Result<Screening, ApiError> {
    let not_allowed = |field: &str, decision: &str| {
        ApiError::validation(
            field,
            "not_allowed",
            &format!("applies only to decision {decision}"),
        )
    };
    let required = |field: &str| ApiError::validation(field, "required", "is required");
    match (body.decision, body.children, body.closing_reason) {
        (ScreeningDecision::Accept, _, Some(_)) => Err(not_allowed("closing_reason", "close")),
        (ScreeningDecision::Accept, Some(children), None) => Ok(Screening::Accept(children)),
        (ScreeningDecision::Accept, None, None) => Err(required("children")),
        (ScreeningDecision::Close, Some(_), _) => Err(not_allowed("children", "accept")),
        (ScreeningDecision::Close, None, Some(reason)) => Ok(Screening::Close(reason)),
        (ScreeningDecision::Close, None, None) => Err(required("closing_reason")),
    }
}

/// The status a screening moves a report to from `received`: an accepted report has its cases
/// (`case_opened`); a closed one is `closed`.
pub fn screened_status(screening: &Screening) -> ReportStatus {
    match screening {
        Screening::Accept(_) => ReportStatus::CaseOpened,
        Screening::Close(_) => ReportStatus::Closed,
    }
}

/// What screening does with one reported child (`index` in the report); `entry` is the position
/// of its entry in the body's `children`, which errors name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChildPlan {
    Link {
        entry: usize,
        index: usize,
        child_id: String,
    },
    Create {
        entry: usize,
        index: usize,
        confirm_new: bool,
    },
}

/// Checks an accepted screening against the report's `reported` children: each entry links or
/// creates (one of the two), names a reported child, links a child no other entry links, and
/// every reported child is covered exactly once. The plans come in the report's order.
pub fn screening_plan(
    entries: &[ScreenedChild],
    reported: usize,
) -> Result<Vec<ChildPlan>, ApiError> {
    let mut plans: Vec<Option<ChildPlan>> = vec![None; reported];
    let mut linked = std::collections::HashSet::new();
    for (entry, child) in entries.iter().enumerate() {
        let field = |name: &str| format!("children[{entry}]{name}");
        if child.child_id.is_some_and(|id| !linked.insert(id)) {
            return Err(ApiError::validation(
                &field(".child_id"),
                "duplicate",
                "links a child another entry already links",
            ));
        }
        let index = usize::try_from(child.index)
            .ok()
            .filter(|i| *i < reported)
            .ok_or_else(|| {
                ApiError::validation(
                    &field(".index"),
                    "out_of_range",
                    "names no child of the report",
                )
            })?;
        let plan = match (child.child_id, child.create) {
            (Some(id), false) if !child.confirm_new => ChildPlan::Link {
                entry,
                index,
                child_id: id.to_string(),
            },
            (Some(_), false) => {
                return Err(ApiError::validation(
                    &field(".confirm_new"),
                    "create_only",
                    "applies only to a child being created",
                ))
            }
            (None, true) => ChildPlan::Create {
                entry,
                index,
                confirm_new: child.confirm_new,
            },
            _ => {
                return Err(ApiError::validation(
                    &field(""),
                    "link_or_create",
                    "needs either child_id or create: true",
                ))
            }
        };
        if plans[index].replace(plan).is_some() {
            return Err(ApiError::validation(
                &field(".index"),
                "duplicate",
                "names a child another entry already covers",
            ));
        }
    }
    plans
        .into_iter()
        .enumerate()
        .map(|(i, plan)| {
            plan.ok_or_else(|| {
                ApiError::validation(
                    "children",
                    "missing_child",
                    &format!("has no entry for the report's child {i}"),
                )
            })
        })
        .collect()
}

/// The child record screening creates from a reported child: names, sex, birth, territory and
/// situation as the report gave them; the rest unknown until a worker completes the record.
pub fn child_from_report(reported: &ReportedChild) -> CreateChild {
    CreateChild {
        given_name_ar: reported.given_name_ar.clone(),
        family_name_ar: reported.family_name_ar.clone(),
        given_name_latin: reported.given_name_latin.clone(),
        family_name_latin: reported.family_name_latin.clone(),
        aliases: Vec::new(),
        sex: reported.sex,
        date_of_birth: reported.date_of_birth,
        estimated_birth_year: reported.estimated_birth_year,
        nationality: None,
        civil_status: CivilStatus::Unknown,
        territory: reported.territory.clone(),
        situation: reported.situation.clone(),
        family_situation: None,
        schooling: None,
    }
}

/// An error about a child record, its fields named within the body's entry `entry`.
pub fn within_entry(entry: usize, error: ApiError) -> ApiError {
    match error {
        ApiError::Validation(mut errors) => {
            for e in &mut errors {
                e.field = format!("children[{entry}].{}", e.field);
            }
            ApiError::Validation(errors)
        }
        other => other,
    }
}

/// 409 when a child to create has likely matches among the children the screener sees.
pub fn likely_duplicate(entry: usize, count: usize) -> ApiError {
    let matches = if count == 1 { "match" } else { "matches" };
    ApiError::conflict(
        "likely_duplicate",
        format!(
            "children[{entry}]: {count} likely {matches} among the children you see; \
             link one with child_id, or send confirm_new: true to create the child anyway."
        ),
    )
}

/// 409 when the report was screened before (its status is no longer `received`).
pub fn already_screened() -> ApiError {
    ApiError::conflict(
        "report_already_screened",
        "The report was screened already.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use madar_openapi::reports::ConcernType;

    fn field_of(result: Result<(), ApiError>) -> Option<(String, String)> {
        match result {
            Err(ApiError::Validation(errors)) => {
                Some((errors[0].field.clone(), errors[0].code.clone()))
            }
            _ => None,
        }
    }

    fn entries(value: serde_json::Value) -> Vec<ScreenedChild> {
        serde_json::from_value(value).unwrap()
    }

    fn plan_error(value: serde_json::Value, reported: usize) -> Option<(String, String)> {
        field_of(screening_plan(&entries(value), reported).map(|_| ()))
    }

    fn screening_of(body: serde_json::Value) -> Result<Screening, ApiError> {
        screening(serde_json::from_value(body).unwrap())
    }

    #[test]
    fn a_screening_covers_every_reported_child_once_in_the_reports_order() {
        let id = "01a22bb8-3f27-7223-9fad-10acb7f42e8a";
        let plans = screening_plan(
            &entries(serde_json::json!([
                {"index": 1, "child_id": id},
                {"index": 0, "create": true, "confirm_new": true}
            ])),
            2,
        )
        .unwrap();
        assert_eq!(
            plans,
            vec![
                ChildPlan::Create {
                    entry: 1,
                    index: 0,
                    confirm_new: true
                },
                ChildPlan::Link {
                    entry: 0,
                    index: 1,
                    child_id: id.into()
                },
            ]
        );
    }

    #[test]
    fn a_screening_that_misses_repeats_or_misnames_a_child_is_refused() {
        let id = "01a22bb8-3f27-7223-9fad-10acb7f42e8a";
        let cases = [
            (
                serde_json::json!([{"index": 0, "create": true}]),
                ("children", "missing_child"),
            ),
            (
                serde_json::json!([{"index": 0, "create": true}, {"index": 2, "create": true}]),
                ("children[1].index", "out_of_range"),
            ),
            (
                serde_json::json!([{"index": 0, "create": true}, {"index": 0, "child_id": id}]),
                ("children[1].index", "duplicate"),
            ),
            (
                serde_json::json!([{"index": 0}, {"index": 1, "create": true}]),
                ("children[0]", "link_or_create"),
            ),
            (
                serde_json::json!([{"index": 0, "create": true, "child_id": id}, {"index": 1, "create": true}]),
                ("children[0]", "link_or_create"),
            ),
            (
                serde_json::json!([{"index": 0, "child_id": id, "confirm_new": true}, {"index": 1, "create": true}]),
                ("children[0].confirm_new", "create_only"),
            ),
            (
                serde_json::json!([{"index": 0, "child_id": id}, {"index": 1, "child_id": id}]),
                ("children[1].child_id", "duplicate"),
            ),
        ];
        for (body, (field, code)) in cases {
            assert_eq!(
                plan_error(body.clone(), 2),
                Some((field.into(), code.into())),
                "{body}"
            );
        }
    }

    #[test]
    fn an_accepted_report_has_its_cases_and_a_closed_one_is_closed() {
        let accept = screening_of(
            serde_json::json!({"decision": "accept", "children": [{"index": 0, "create": true}]}),
        )
        .unwrap();
        assert_eq!(screened_status(&accept), ReportStatus::CaseOpened);
        let close = screening_of(
            serde_json::json!({"decision": "close", "closing_reason": "out_of_scope"}),
        )
        .unwrap();
        assert_eq!(close, Screening::Close(ClosingReason::OutOfScope));
        assert_eq!(screened_status(&close), ReportStatus::Closed);
    }

    #[test]
    fn a_screening_carries_the_field_of_its_decision_only() {
        let children = serde_json::json!([{"index": 0, "create": true}]);
        let cases = [
            (
                serde_json::json!({"decision": "accept"}),
                ("children", "required"),
            ),
            (
                serde_json::json!({"decision": "accept", "children": children, "closing_reason": "duplicate"}),
                ("closing_reason", "not_allowed"),
            ),
            (
                serde_json::json!({"decision": "close"}),
                ("closing_reason", "required"),
            ),
            (
                serde_json::json!({"decision": "close", "children": children, "closing_reason": "duplicate"}),
                ("children", "not_allowed"),
            ),
        ];
        for (body, (field, code)) in cases {
            let result = screening_of(body.clone()).map(|_| ());
            assert_eq!(
                field_of(result),
                Some((field.into(), code.into())),
                "{body}"
            );
        }
    }

    #[test]
    fn a_created_child_takes_the_reports_data_and_errors_name_the_entry() {
        let reported: ReportedChild = serde_json::from_value(serde_json::json!({
            "given_name_latin": "Amina", "sex": "female", "estimated_birth_year": 2015,
            "territory": "421", "situation": ["street_situation"], "address_text": "Hay Riad"
        }))
        .unwrap();
        let child = child_from_report(&reported);
        assert_eq!(child.given_name_latin.as_deref(), Some("Amina"));
        assert_eq!(child.estimated_birth_year, Some(2015));
        assert_eq!(child.territory, "421");
        assert_eq!(child.situation, vec![ConcernType::StreetSituation]);
        assert_eq!(child.civil_status, CivilStatus::Unknown);
        let named = within_entry(3, ApiError::validation("territory", "x", "y"));
        assert_eq!(
            field_of(Err(named)),
            Some(("children[3].territory".into(), "x".into()))
        );
        assert!(matches!(
            likely_duplicate(0, 2),
            ApiError::Conflict { code: "likely_duplicate", detail } if detail.contains("2 likely matches")
        ));
    }
}
