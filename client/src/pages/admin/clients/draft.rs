//! The API client form as typed, made into a `CreateClient` (host-tested).
use madar_openapi::clients::{ClientRole, CreateClient};

use super::super::logic::{blanks, checked, FieldErrors};
use crate::pages::new_report::form::code;

/// The API client form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientDraft {
    pub name: String,
    pub organization: String,
    pub role: String,
}

impl ClientDraft {
    pub fn to_create(&self) -> Result<CreateClient, FieldErrors> {
        let mut errors = FieldErrors::new();
        blanks(&mut errors, &[("name", &self.name)]);
        let role = code(&self.role);
        if role.is_none() {
            errors.push(("role".into(), "required".into()));
        }
        if self.organization.is_empty() {
            errors.push(("organization".into(), "required".into()));
        }
        let request = CreateClient {
            name: self.name.trim().to_owned(),
            organization: self.organization.clone(),
            role: role.unwrap_or(ClientRole::Partner),
        };
        checked(request, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::admin::logic::error_on;

    #[test]
    fn a_client_needs_a_name_an_organization_and_a_role() {
        let errors = ClientDraft::default().to_create().expect_err("refused");
        assert_eq!(error_on(&errors, "name"), Some("required"));
        assert_eq!(error_on(&errors, "role"), Some("required"));
        assert_eq!(error_on(&errors, "organization"), Some("required"));
        let draft = ClientDraft {
            name: "Système 2511".into(),
            organization: "hotline-2511".into(),
            role: "hotline".into(),
        };
        assert!(draft.to_create().is_ok());
    }
}
