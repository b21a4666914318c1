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
    fn case_workers_are_not_national() {
        assert!(check_role_territory(Role::CaseWorker, true).is_err());
        assert!(check_role_territory(Role::CaseWorker, false).is_ok());
        assert!(check_role_territory(Role::Coordinator, true).is_ok());
    }
}
