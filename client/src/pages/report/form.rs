//! The screening form's rules, without the browser: what to ask the matching engine for each
//! reported child (and for a child record's possible duplicates), how the suggestions of both scripts are merged, and the request built from
//! the choices (checked before it is sent).
use std::collections::HashMap;

use chrono::NaiveDate;
use madar_openapi::children::{ChildMatch, MatchDecision};
use madar_openapi::reports::{
    ClosingReason, ReportedChildResponse, ScreenReport, ScreenedChild, ScreeningDecision, Sex,
};
use validator::Validate;

/// How many candidates to show per reported child.
pub const SUGGESTIONS: usize = 5;

/// What becomes of one reported child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Choice {
    #[default]
    Undecided,
    /// Link to the suggestion at this position (one in scope).
    Link(usize),
    /// Create a new child record.
    Create,
}

/// The screening form as the person fills it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Form {
    pub decision: Option<ScreeningDecision>,
    /// Per reported child.
    pub choices: Vec<Choice>,
    /// Per reported child: create although likely matches exist.
    pub confirm_new: Vec<bool>,
    pub closing_reason: Option<ClosingReason>,
}

impl Form {
    pub fn for_children(n: usize) -> Form {
        Form {
            choices: vec![Choice::Undecided; n],
            confirm_new: vec![false; n],
            ..Form::default()
        }
    }
}

/// Why the form cannot be sent yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// No decision, or a child without a choice.
    ChooseEachChild,
    ChooseReason,
    /// The child at this position has a likely match in scope and is to be created unconfirmed.
    ConfirmNeeded(usize),
    /// The contract's validation refused the request.
    Invalid,
}

/// The request for the form, or why it cannot be sent; `suggestions[i]` are the candidates
/// shown for reported child `i`.
pub fn request(form: &Form, suggestions: &[Vec<ChildMatch>]) -> Result<ScreenReport, FormError> {
    let request = match form.decision {
        None => return Err(FormError::ChooseEachChild),
        Some(ScreeningDecision::Close) => ScreenReport {
            decision: ScreeningDecision::Close,
            children: None,
            closing_reason: Some(form.closing_reason.ok_or(FormError::ChooseReason)?),
        },
        Some(ScreeningDecision::Accept) => {
            let mut children = Vec::with_capacity(form.choices.len());
            for (index, choice) in form.choices.iter().enumerate() {
                let candidates = suggestions.get(index).map(Vec::as_slice).unwrap_or(&[]);
                let confirmed = form.confirm_new.get(index).copied().unwrap_or(false);
                let mut screened = ScreenedChild {
                    index: index as i32,
                    child_id: None,
                    create: false,
                    confirm_new: false,
                };
                match choice {
                    Choice::Undecided => return Err(FormError::ChooseEachChild),
                    Choice::Link(at) => {
                        let child = candidates.get(*at).and_then(|m| m.child.as_ref());
                        screened.child_id = Some(child.ok_or(FormError::ChooseEachChild)?.id);
                    }
                    Choice::Create => {
                        if has_likely(candidates) && !confirmed {
                            return Err(FormError::ConfirmNeeded(index));
                        }
                        screened.create = true;
                        screened.confirm_new = confirmed;
                    }
                }
                children.push(screened);
            }
            if children.is_empty() {
                return Err(FormError::ChooseEachChild);
            }
            ScreenReport {
                decision: ScreeningDecision::Accept,
                children: Some(children),
                closing_reason: None,
            }
        }
    };
    request.validate().map_err(|_| FormError::Invalid)?;
    Ok(request)
}

/// Whether a likely match is among the candidates (in scope or announced by its owner).
pub fn has_likely(candidates: &[ChildMatch]) -> bool {
    candidates
        .iter()
        .any(|m| m.decision == MatchDecision::Likely)
}

/// What the matching engine is asked about a child (reported, or a record): its names in each
/// script, sex, birth and territory.
pub struct Identity<'a> {
    /// (given, family) in Arabic script, then in Latin script.
    pub names: [(&'a Option<String>, &'a Option<String>); 2],
    pub sex: Sex,
    pub date_of_birth: Option<NaiveDate>,
    pub estimated_birth_year: Option<i32>,
    pub territory: &'a str,
}

/// The `/children/matches` queries for a reported child: one per script its names are in.
pub fn match_paths(child: &ReportedChildResponse) -> Vec<String> {
    let identity = Identity {
        names: [
            (&child.given_name_ar, &child.family_name_ar),
            (&child.given_name_latin, &child.family_name_latin),
        ],
        sex: child.sex,
        date_of_birth: child.date_of_birth,
        estimated_birth_year: child.estimated_birth_year,
        territory: &child.territory,
    };
    identity_paths(&identity, SUGGESTIONS)
}

/// The `/children/matches` queries for an identity, `limit` candidates each: one per script
/// its names are in.
pub fn identity_paths(child: &Identity, limit: usize) -> Vec<String> {
    let mut common = String::new();
    if let Some(sex) = serde_json::to_value(child.sex)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
    {
        common.push_str(&format!("&sex={sex}"));
    }
    common.push_str(&format!("&territory={}", encode(child.territory)));
    let year = child
        .date_of_birth
        .map(|d| chrono::Datelike::year(&d))
        .or(child.estimated_birth_year);
    if let Some(year) = year {
        common.push_str(&format!("&birth_year={year}"));
    }
    if let Some(date) = child.date_of_birth {
        common.push_str(&format!("&date_of_birth={date}"));
    }
    child
        .names
        .into_iter()
        .filter(|(given, family)| given.is_some() || family.is_some())
        .map(|(given, family)| {
            let mut path = format!("/children/matches?limit={limit}");
            if let Some(given) = given {
                path.push_str(&format!("&given_name={}", encode(given)));
            }
            if let Some(family) = family {
                path.push_str(&format!("&family_name={}", encode(family)));
            }
            path + &common
        })
        .collect()
}

/// The candidates of several queries as one list: each child (or owner) once with its best
/// score, best first, at most [`SUGGESTIONS`].
pub fn merge(lists: Vec<Vec<ChildMatch>>) -> Vec<ChildMatch> {
    let mut best: HashMap<String, ChildMatch> = HashMap::new();
    for candidate in lists.into_iter().flatten() {
        let key = match (&candidate.child, &candidate.owner) {
            (Some(child), _) => child.id.to_string(),
            (None, Some(owner)) => format!("{}/{}", owner.organization, owner.territory),
            (None, None) => continue,
        };
        match best.get(&key) {
            Some(kept) if kept.score >= candidate.score => {}
            _ => {
                best.insert(key, candidate);
            }
        }
    }
    let mut merged: Vec<ChildMatch> = best.into_values().collect();
    merged.sort_by(|a, b| b.score.total_cmp(&a.score));
    merged.truncate(SUGGESTIONS);
    merged
}

/// Percent-encodes a query value (UTF-8; unreserved characters kept).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A score in 0..=1 as a whole percentage.
pub fn percent(score: f64) -> i64 {
    (score.clamp(0.0, 1.0) * 100.0).round() as i64
}

/// A closing reason from its vocabulary code.
pub fn closing_reason(code: &str) -> Option<ClosingReason> {
    crate::json::code(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn candidate(id: &str, score: f64, decision: &str) -> ChildMatch {
        serde_json::from_value(json!({
            "child": {
                "id": id, "given_name_ar": "ياسين", "family_name_ar": null,
                "given_name_latin": null, "family_name_latin": null, "aliases": [],
                "sex": "male", "date_of_birth": null, "estimated_birth_year": 2014,
                "nationality": null, "civil_status": "unknown", "territory": "421",
                "situation": [], "family_situation": null, "schooling": null,
                "organization": "cape-rabat", "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z"
            },
            "score": score, "decision": decision, "reasons": []
        }))
        .unwrap()
    }

    fn owner(org: &str, score: f64) -> ChildMatch {
        serde_json::from_value(json!({
            "owner": {"organization": org, "territory": "141"},
            "score": score, "decision": "likely", "reasons": []
        }))
        .unwrap()
    }

    const A: &str = "0190b6a0-0000-7000-8000-000000000001";
    const B: &str = "0190b6a0-0000-7000-8000-000000000002";

    fn reported(json: serde_json::Value) -> ReportedChildResponse {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn one_query_per_script_with_the_names_encoded() {
        let child = reported(json!({
            "given_name_ar": "ياسين", "family_name_ar": "العلوي", "given_name_latin": "Yassine",
            "family_name_latin": null, "sex": "male", "date_of_birth": null,
            "estimated_birth_year": 2014, "territory": "421", "address_text": null,
            "situation": []
        }));
        let paths = match_paths(&child);
        assert_eq!(paths.len(), 2);
        assert!(paths[0].starts_with("/children/matches?limit=5&given_name=%D9%8A"));
        assert!(paths[0].contains("&family_name=%D8%A7"));
        assert!(paths[0].ends_with("&sex=male&territory=421&birth_year=2014"));
        assert_eq!(
            paths[1],
            "/children/matches?limit=5&given_name=Yassine&sex=male&territory=421&birth_year=2014"
        );
        let nameless = reported(json!({
            "given_name_ar": null, "family_name_ar": null, "given_name_latin": null,
            "family_name_latin": null, "sex": "unknown", "date_of_birth": "2015-03-02",
            "estimated_birth_year": null, "territory": "421", "address_text": null,
            "situation": []
        }));
        assert!(match_paths(&nameless).is_empty());
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn merged_suggestions_keep_each_child_once_with_its_best_score() {
        let merged = merge(vec![
            vec![candidate(A, 0.7, "possible"), owner("cape-tanger", 0.9)],
            vec![candidate(A, 0.95, "likely"), candidate(B, 0.6, "possible")],
        ]);
        let scores: Vec<i64> = merged.iter().map(|m| percent(m.score)).collect();
        assert_eq!(scores, vec![95, 90, 60]);
        assert_eq!(merged[0].decision, MatchDecision::Likely);
    }

    #[test]
    fn the_request_follows_the_choices() {
        let suggestions = vec![vec![candidate(A, 0.95, "likely")], vec![]];
        let mut form = Form::for_children(2);
        assert_eq!(
            request(&form, &suggestions),
            Err(FormError::ChooseEachChild)
        );
        form.decision = Some(ScreeningDecision::Accept);
        form.choices = vec![Choice::Link(0), Choice::Undecided];
        assert_eq!(
            request(&form, &suggestions),
            Err(FormError::ChooseEachChild)
        );
        form.choices = vec![Choice::Create, Choice::Create];
        assert_eq!(
            request(&form, &suggestions),
            Err(FormError::ConfirmNeeded(0))
        );
        form.confirm_new[0] = true;
        let sent = serde_json::to_value(request(&form, &suggestions).unwrap()).unwrap();
        assert_eq!(
            sent,
            json!({"decision": "accept", "children": [
                {"index": 0, "create": true, "confirm_new": true},
                {"index": 1, "create": true}]})
        );
        form.choices = vec![Choice::Link(0), Choice::Create];
        let sent = serde_json::to_value(request(&form, &suggestions).unwrap()).unwrap();
        assert_eq!(sent["children"][0], json!({"index": 0, "child_id": A}));
        // A link to a candidate that is not shown, or shown by its owner only, is refused.
        form.choices = vec![Choice::Link(3), Choice::Create];
        assert_eq!(
            request(&form, &suggestions),
            Err(FormError::ChooseEachChild)
        );
        let hidden = vec![vec![owner("cape-tanger", 0.9)], vec![]];
        form.choices = vec![Choice::Link(0), Choice::Create];
        assert_eq!(request(&form, &hidden), Err(FormError::ChooseEachChild));

        form.decision = Some(ScreeningDecision::Close);
        assert_eq!(request(&form, &suggestions), Err(FormError::ChooseReason));
        form.closing_reason = closing_reason("duplicate");
        let sent = serde_json::to_value(request(&form, &suggestions).unwrap()).unwrap();
        assert_eq!(
            sent,
            json!({"decision": "close", "closing_reason": "duplicate"})
        );
        assert_eq!(closing_reason("bored"), None);
    }
}
