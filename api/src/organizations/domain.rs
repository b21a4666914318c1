//! Rules of an organization that hold whatever the storage.
use madar_openapi::organizations::{OrganizationType, Sector};

use crate::error::ApiError;

/// A public service names its sector; no other organization has one.
pub fn check_sector(type_: OrganizationType, sector: Option<Sector>) -> Result<(), ApiError> {
    match (type_, sector) {
        (OrganizationType::PublicService, None) => Err(ApiError::validation(
            "sector",
            "required",
            "a public service needs its sector",
        )),
        (OrganizationType::PublicService, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(ApiError::validation(
            "sector",
            "not_allowed",
            "only a public service has a sector",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_services_have_a_sector() {
        assert!(check_sector(OrganizationType::PublicService, Some(Sector::Health)).is_ok());
        assert!(check_sector(OrganizationType::PublicService, None).is_err());
        assert!(check_sector(OrganizationType::SupportCentre, None).is_ok());
        assert!(check_sector(OrganizationType::Ngo, Some(Sector::Health)).is_err());
    }
}
