//! The organization form as typed, made into a `CreateOrganization` or the
//! `UpdateOrganization` of what changed (host-tested).
use madar_openapi::common::Labels;
use madar_openapi::organizations::{
    CreateOrganization, OrganizationResponse, OrganizationType, Sector, UpdateOrganization,
};

use super::super::logic::{blanks, checked, FieldErrors};
use crate::pages::new_report::form::code;
use crate::state::Vocabulary;

/// The organization form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationDraft {
    pub code: String,
    pub name: String,
    pub label_ar: String,
    pub label_fr: String,
    pub label_en: String,
    pub type_: String,
    pub sector: String,
    pub territories: Vec<String>,
}

impl OrganizationDraft {
    pub fn of(org: &OrganizationResponse) -> OrganizationDraft {
        let labels = org.labels.clone();
        OrganizationDraft {
            code: org.code.clone(),
            name: org.name.clone(),
            label_ar: labels.as_ref().map(|l| l.ar.clone()).unwrap_or_default(),
            label_fr: labels.as_ref().map(|l| l.fr.clone()).unwrap_or_default(),
            label_en: labels.map(|l| l.en).unwrap_or_default(),
            type_: Vocabulary::code_of(&org.type_),
            sector: org
                .sector
                .map(|s| Vocabulary::code_of(&s))
                .unwrap_or_default(),
            territories: org.territories.clone(),
        }
    }

    /// Whether the type chosen is a public service (the only type with a sector).
    pub fn is_public_service(&self) -> bool {
        self.type_ == "public_service"
    }

    /// The labels: all three or none (a blank one is an error when another is given).
    fn labels(&self, errors: &mut FieldErrors) -> Option<Labels> {
        let all = [
            ("labels.ar", &self.label_ar),
            ("labels.fr", &self.label_fr),
            ("labels.en", &self.label_en),
        ];
        if all.iter().all(|(_, v)| v.trim().is_empty()) {
            return None;
        }
        for (path, value) in all {
            if value.trim().is_empty() {
                errors.push((path.into(), "required".into()));
            }
        }
        Some(Labels {
            ar: self.label_ar.trim().to_owned(),
            fr: self.label_fr.trim().to_owned(),
            en: self.label_en.trim().to_owned(),
        })
    }

    /// The sector, required for a public service and left out for the others.
    fn sector(&self, errors: &mut FieldErrors) -> Option<Sector> {
        if !self.is_public_service() {
            return None;
        }
        let sector = code(&self.sector);
        if sector.is_none() {
            errors.push(("sector".into(), "required".into()));
        }
        sector
    }

    fn territories_given(&self, errors: &mut FieldErrors) {
        if self.territories.is_empty() {
            errors.push(("territories".into(), "required".into()));
        }
    }

    pub fn to_create(&self) -> Result<CreateOrganization, FieldErrors> {
        let mut errors = FieldErrors::new();
        blanks(&mut errors, &[("code", &self.code), ("name", &self.name)]);
        let type_: Option<OrganizationType> = code(&self.type_);
        if type_.is_none() {
            errors.push(("type".into(), "required".into()));
        }
        let labels = self.labels(&mut errors);
        let sector = self.sector(&mut errors);
        self.territories_given(&mut errors);
        let request = CreateOrganization {
            code: self.code.trim().to_owned(),
            name: self.name.trim().to_owned(),
            labels,
            type_: type_.unwrap_or(OrganizationType::Ngo),
            sector,
            territories: self.territories.clone(),
        };
        checked(request, errors)
    }

    /// The changes from `before`; `Ok(None)` when nothing changed. Labels once given cannot be
    /// taken away (the API has no way to), so emptying them all is an error.
    pub fn changes(
        &self,
        before: &OrganizationResponse,
    ) -> Result<Option<UpdateOrganization>, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim();
        blanks(&mut errors, &[("name", name)]);
        let labels = self.labels(&mut errors);
        if labels.is_none() && before.labels.is_some() {
            errors.push(("labels.ar".into(), "required".into()));
        }
        let sector = self
            .sector(&mut errors)
            .filter(|s| Some(*s) != before.sector);
        self.territories_given(&mut errors);
        let mut now = self.territories.clone();
        let mut then = before.territories.clone();
        now.sort();
        then.sort();
        let changes = UpdateOrganization {
            name: (name != before.name).then(|| name.to_owned()),
            labels: labels.filter(|l| Some(l) != before.labels.as_ref()),
            sector,
            territories: (now != then).then(|| self.territories.clone()),
            active: None,
        };
        let unchanged = changes.name.is_none()
            && changes.labels.is_none()
            && changes.sector.is_none()
            && changes.territories.is_none();
        if unchanged && errors.is_empty() {
            return Ok(None);
        }
        checked(changes, errors).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::admin::logic::error_on;

    fn org() -> OrganizationResponse {
        serde_json::from_value(serde_json::json!({
            "code": "ngo-rabat", "name": "Association Rabat", "labels": null, "type": "ngo",
            "sector": null, "territories": ["421", "441"], "active": true,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .expect("an organization")
    }

    #[test]
    fn organizations_have_all_three_labels_or_none() {
        let mut draft = OrganizationDraft {
            code: "ngo-sale".into(),
            name: "Association Salé".into(),
            type_: "ngo".into(),
            territories: vec!["441".into()],
            ..OrganizationDraft::default()
        };
        assert_eq!(draft.to_create().expect("valid").labels, None);
        draft.label_ar = "جمعية سلا".into();
        let errors = draft.to_create().expect_err("refused");
        assert_eq!(error_on(&errors, "labels.fr"), Some("required"));
        assert_eq!(error_on(&errors, "labels.en"), Some("required"));
        assert_eq!(error_on(&errors, "labels.ar"), None);
    }

    #[test]
    fn only_a_public_service_has_a_sector_and_every_organization_a_territory() {
        let draft = OrganizationDraft {
            code: "x".into(),
            name: "Hôpital".into(),
            type_: "public_service".into(),
            sector: "health".into(),
            ..OrganizationDraft::default()
        };
        let errors = draft.to_create().expect_err("refused");
        assert_eq!(error_on(&errors, "territories"), Some("required"));
        assert_eq!(error_on(&errors, "code"), Some("length"));
        let ngo = OrganizationDraft {
            code: "ngo-x".into(),
            name: "NGO".into(),
            type_: "ngo".into(),
            sector: "health".into(),
            territories: vec!["421".into()],
            ..OrganizationDraft::default()
        };
        assert_eq!(ngo.to_create().expect("valid").sector, None);
    }

    #[test]
    fn an_organization_edit_sends_only_what_changed() {
        let before = org();
        assert!(matches!(
            OrganizationDraft::of(&before).changes(&before),
            Ok(None)
        ));
        let mut draft = OrganizationDraft::of(&before);
        draft.territories = vec!["441".into(), "421".into()];
        assert!(matches!(draft.changes(&before), Ok(None)), "the same set");
        draft.territories.push("MA-06".into());
        let changes = draft.changes(&before).expect("valid").expect("changed");
        assert_eq!(changes.territories.map(|t| t.len()), Some(3));
        assert_eq!(changes.name, None);
        draft.territories.clear();
        assert!(draft.changes(&before).is_err());
    }
}
