//! Rules about users that need no database.
use madar_openapi::users::Role;

use crate::error::ApiError;

/// An email as Madar keys it: trimmed and lower-cased, so lockouts and uniqueness do not
/// depend on how someone typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Email {
        Email(text.trim().to_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Roles that hold child data work inside a territory; the others may be national.
pub fn check_role_territory(role: Role, territory_level_is_nation: bool) -> Result<(), ApiError> {
    match role {
        Role::CaseWorker if territory_level_is_nation => Err(ApiError::validation(
            "territory",
            "territory_too_wide",
            "a case worker works in a region, province or prefecture, not nationally",
        )),
        _ => Ok(()),
    }
}

/// A user works inside the territories their organization serves: their territory's path lies
/// in the subtree of one of the organization's.
pub fn check_within_organization(user_path: &str, served_paths: &[String]) -> Result<(), ApiError> {
    if served_paths
        .iter()
        .any(|p| user_path.starts_with(p.as_str()))
    {
        Ok(())
    } else {
        Err(ApiError::validation(
            "territory",
            "outside_organization",
            "lies outside the territories the organization serves",
        ))
    }
}

/// No one deactivates their own account or takes away their own admin role: the last admin
/// could otherwise lock everyone out.
pub fn check_self_change(is_self: bool, removes_access: bool) -> Result<(), ApiError> {
    if is_self && removes_access {
        Err(ApiError::conflict(
            "cannot_change_own_access",
            "You cannot deactivate yourself or remove your own admin role.",
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_keyed_lower_case_and_trimmed() {
        assert_eq!(
            Email::parse("  Amina@Example.MA ").as_str(),
            "amina@example.ma"
        );
    }

    #[test]
    fn users_work_inside_their_organizations_territories() {
        let served = vec!["MA/MA-04/".to_string(), "MA/MA-06/141/141-01/".to_string()];
        assert!(check_within_organization("MA/MA-04/421/", &served).is_ok());
        assert!(check_within_organization("MA/MA-04/", &served).is_ok());
        assert!(check_within_organization("MA/MA-06/141/141-01/", &served).is_ok());
        assert!(check_within_organization("MA/MA-06/141/", &served).is_err());
        assert!(check_within_organization("MA/", &served).is_err());
    }

    #[test]
    fn no_one_removes_their_own_access() {
        assert!(check_self_change(true, true).is_err());
        assert!(check_self_change(true, false).is_ok());
        assert!(check_self_change(false, true).is_ok());
    }

    #[test]
    fn case_workers_are_not_national() {
        assert!(check_role_territory(Role::CaseWorker, true).is_err());
        assert!(check_role_territory(Role::CaseWorker, false).is_ok());
        assert!(check_role_territory(Role::Coordinator, true).is_ok());
    }
}
