//! The pure rules of a transfer: which organization may receive a case, and which territory
//! the case moves to.
use crate::error::ApiError;

/// Organization types that may own cases (vocabulary: organizations).
pub const CASE_OWNING: [&str; 3] = ["support_centre", "protection_unit", "mobile_unit"];

/// The organization a transfer names, as stored.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub code: String,
    pub org_type: String,
    pub active: bool,
    /// The territories it serves: (code, path), ordered by code.
    pub served: Vec<(String, String)>,
}

/// Checks the receiving organization: an active case-owning organization (422
/// `unknown_organization` on `to_organization` otherwise) other than the case's owner (422
/// `same_organization`).
pub fn check_target(target: Option<&Target>, owner_id: &str) -> Result<(), ApiError> {
    let Some(t) = target.filter(|t| t.active && CASE_OWNING.contains(&t.org_type.as_str())) else {
        return Err(ApiError::validation(
            "to_organization",
            "unknown_organization",
            "is not an active support centre, protection unit or mobile unit",
        ));
    };
    if t.id == owner_id {
        return Err(ApiError::validation(
            "to_organization",
            "same_organization",
            "already owns the case",
        ));
    }
    Ok(())
}

/// The territory the case moves to: the one asked for (`asked`: its code and path), which must
/// lie within a territory the organization serves (422 `not_served` on `territory`), or else the
/// first territory it serves (422 `not_served` on `to_organization` when it serves none).
pub fn target_territory(target: &Target, asked: Option<(&str, &str)>) -> Result<String, ApiError> {
    match asked {
        Some((code, path)) => {
            if target
                .served
                .iter()
                .any(|(_, p)| path.starts_with(p.as_str()))
            {
                Ok(code.to_string())
            } else {
                Err(ApiError::validation(
                    "territory",
                    "not_served",
                    "is not served by the receiving organization",
                ))
            }
        }
        None => target
            .served
            .first()
            .map(|(code, _)| code.clone())
            .ok_or_else(|| {
                ApiError::validation("to_organization", "not_served", "serves no territory")
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::actor::{Actor, Scope};
    use crate::auth::policy::{decides_transfer, sees_transfer_reason};
    use crate::auth::tokens::Subject;
    use madar_openapi::users::Role;

    fn target(org_type: &str, active: bool) -> Target {
        Target {
            id: "sale".into(),
            code: "cape-sale".into(),
            org_type: org_type.into(),
            active,
            served: vec![("441".into(), "MA/MA-04/441/".into())],
        }
    }

    fn field(r: Result<impl std::fmt::Debug, ApiError>) -> (String, String) {
        match r {
            Err(ApiError::Validation(e)) => (e[0].field.clone(), e[0].code.clone()),
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn only_another_active_case_owning_organization_receives_a_case() {
        assert!(check_target(Some(&target("support_centre", true)), "rabat").is_ok());
        assert!(check_target(Some(&target("mobile_unit", true)), "rabat").is_ok());
        for bad in [
            None,
            Some(target("ngo", true)),
            Some(target("protection_unit", false)),
        ] {
            assert_eq!(
                field(check_target(bad.as_ref(), "rabat")),
                ("to_organization".into(), "unknown_organization".into())
            );
        }
        assert_eq!(
            field(check_target(Some(&target("support_centre", true)), "sale")),
            ("to_organization".into(), "same_organization".into())
        );
    }

    #[test]
    fn the_case_moves_to_a_territory_the_receiver_serves() {
        let t = target("support_centre", true);
        assert_eq!(target_territory(&t, None).ok(), Some("441".into()));
        let deeper = Some(("441-01", "MA/MA-04/441/441-01/"));
        assert_eq!(target_territory(&t, deeper).ok(), Some("441-01".into()));
        assert_eq!(
            field(target_territory(&t, Some(("421", "MA/MA-04/421/")))),
            ("territory".into(), "not_served".into())
        );
        let none = Target {
            served: vec![],
            ..t
        };
        assert_eq!(
            field(target_territory(&none, None)),
            ("to_organization".into(), "not_served".into())
        );
    }

    fn coordinator(path: &str) -> Actor {
        Actor {
            kind: Subject::User,
            id: "c".into(),
            role: Role::Coordinator,
            organization_id: "o".into(),
            organization_code: "cape".into(),
            territory: Some(Scope {
                code: "x".into(),
                path: path.into(),
            }),
            grants: Vec::new(),
        }
    }

    #[test]
    fn the_receiving_coordinators_decide() {
        let target = "MA/MA-04/441/";
        assert!(decides_transfer(&coordinator("MA/MA-04/441/"), target));
        assert!(decides_transfer(&coordinator("MA/MA-04/"), target));
        assert!(decides_transfer(&coordinator("MA/"), target));
        assert!(!decides_transfer(&coordinator("MA/MA-04/421/"), target));
        let worker = Actor {
            role: Role::CaseWorker,
            ..coordinator("MA/")
        };
        assert!(!decides_transfer(&worker, target));
        assert!(sees_transfer_reason(&coordinator("MA/MA-04/421/"), "w"));
        assert!(sees_transfer_reason(&worker, "c"));
        assert!(!sees_transfer_reason(&worker, "w"));
    }
}
