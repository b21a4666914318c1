//! Rules of consents that need no database: what a new consent must hold, where a consent
//! stands at a given time, and whether the consents of a child let a recipient see a group of
//! its data (`covers`, which referrals call before sharing anything).
use chrono::{DateTime, Utc};
use madar_openapi::consents::{ConsentStatus, CreateConsent, FieldGroup};
use madar_openapi::organizations::OrganizationType;

use crate::codes::to_code;
use crate::error::ApiError;

/// What `covers` and `status` need of a stored consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// Organization codes and organization types (vocabulary codes).
    pub recipients: Vec<String>,
    pub field_groups: Vec<FieldGroup>,
    pub given_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Where a consent stands at `now`: withdrawn once withdrawn, expired from `expires_at` on,
/// active otherwise.
pub fn status(
    expires_at: Option<DateTime<Utc>>,
    withdrawn_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ConsentStatus {
    if withdrawn_at.is_some_and(|w| w <= now) {
        ConsentStatus::Withdrawn
    } else if expires_at.is_some_and(|e| e <= now) {
        ConsentStatus::Expired
    } else {
        ConsentStatus::Active
    }
}

impl Consent {
    pub fn status(&self, now: DateTime<Utc>) -> ConsentStatus {
        status(self.expires_at, self.withdrawn_at, now)
    }
}

/// Whether one of `consents` is active at `now` (given, not withdrawn, not expired) and lets
/// the recipient (an organization, by its code and its type) see `field_group`. A consent names
/// a recipient by its code or by its type.
pub fn covers(
    consents: &[Consent],
    recipient_org_code: &str,
    recipient_org_type: OrganizationType,
    field_group: FieldGroup,
    now: DateTime<Utc>,
) -> bool {
    let org_type = to_code(&recipient_org_type);
    consents.iter().any(|c| {
        c.given_at <= now
            && c.status(now) == ConsentStatus::Active
            && c.field_groups.contains(&field_group)
            && c.recipients
                .iter()
                .any(|r| r == recipient_org_code || *r == org_type)
    })
}

/// The organization type a recipient names, if it names a type rather than an organization.
pub fn recipient_type(recipient: &str) -> Option<OrganizationType> {
    serde_json::from_value(serde_json::Value::String(recipient.to_string())).ok()
}

/// Checks what the contract cannot: `given_at` not in the future, `expires_at` after it.
/// Drops duplicate recipients (keeping the first) and orders the field groups.
pub fn checked(mut consent: CreateConsent, now: DateTime<Utc>) -> Result<CreateConsent, ApiError> {
    if consent.given_at > now {
        return Err(ApiError::validation(
            "given_at",
            "in_future",
            "is in the future",
        ));
    }
    if consent.expires_at.is_some_and(|e| e <= consent.given_at) {
        return Err(ApiError::validation(
            "expires_at",
            "before_given_at",
            "is not after given_at",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    consent.recipients.retain(|r| seen.insert(r.clone()));
    consent.field_groups.sort();
    consent.field_groups.dedup();
    Ok(consent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn consent(recipients: &[&str], groups: &[FieldGroup]) -> Consent {
        Consent {
            recipients: recipients.iter().map(|r| r.to_string()).collect(),
            field_groups: groups.to_vec(),
            given_at: at("2026-01-01T00:00:00Z"),
            expires_at: Some(at("2026-07-01T00:00:00Z")),
            withdrawn_at: None,
        }
    }

    const NOW: &str = "2026-03-01T00:00:00Z";

    #[test]
    fn an_active_consent_covers_its_recipient_and_groups() {
        let c = [consent(&["cape-sale"], &[FieldGroup::Identity])];
        let now = at(NOW);
        assert!(covers(
            &c,
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            now
        ));
        // Another group, another organization.
        assert!(!covers(
            &c,
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Health,
            now
        ));
        assert!(!covers(
            &c,
            "cape-rabat",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            now
        ));
        assert!(!covers(
            &[],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            now
        ));
    }

    #[test]
    fn a_type_names_every_organization_of_that_type() {
        let c = [consent(
            &["ngo"],
            &[FieldGroup::Health, FieldGroup::Education],
        )];
        let now = at(NOW);
        assert!(covers(
            &c,
            "any-ngo",
            OrganizationType::Ngo,
            FieldGroup::Health,
            now
        ));
        assert!(!covers(
            &c,
            "any-ngo",
            OrganizationType::PublicService,
            FieldGroup::Health,
            now
        ));
        assert_eq!(recipient_type("ngo"), Some(OrganizationType::Ngo));
        assert_eq!(recipient_type("cape-sale"), None);
    }

    #[test]
    fn an_expired_or_withdrawn_consent_covers_nothing() {
        let mut c = consent(&["cape-sale"], &[FieldGroup::Identity]);
        let expiry = c.expires_at.unwrap();
        let just_before = expiry - TimeDelta::seconds(1);
        assert!(covers(
            &[c.clone()],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            just_before
        ));
        assert_eq!(c.status(expiry), ConsentStatus::Expired);
        assert!(!covers(
            &[c.clone()],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            expiry
        ));
        c.withdrawn_at = Some(at("2026-02-01T00:00:00Z"));
        assert_eq!(c.status(at(NOW)), ConsentStatus::Withdrawn);
        assert!(!covers(
            &[c.clone()],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            at(NOW)
        ));
        // Withdrawn wins over expired; one other active consent is enough.
        assert_eq!(c.status(expiry), ConsentStatus::Withdrawn);
        let other = consent(&["support_centre"], &[FieldGroup::Identity]);
        assert!(covers(
            &[c, other],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            at(NOW)
        ));
    }

    #[test]
    fn a_consent_not_yet_given_covers_nothing_and_one_without_expiry_lasts() {
        let mut c = consent(&["cape-sale"], &[FieldGroup::Identity]);
        c.expires_at = None;
        let before = at("2025-12-31T00:00:00Z");
        assert!(!covers(
            &[c.clone()],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            before
        ));
        let later = at("2040-01-01T00:00:00Z");
        assert!(covers(
            &[c],
            "cape-sale",
            OrganizationType::SupportCentre,
            FieldGroup::Identity,
            later
        ));
    }

    fn body(extra: serde_json::Value) -> CreateConsent {
        let mut body = serde_json::json!({
            "given_by": "The mother", "relationship": "parent", "given_at": "2026-02-01T00:00:00Z",
            "recipients": ["cape-sale", "ngo", "cape-sale"], "field_groups": ["health", "identity", "health"],
            "purpose": "Follow-up."
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        serde_json::from_value(body).unwrap()
    }

    fn field_of(result: Result<CreateConsent, ApiError>) -> Option<(String, String)> {
        match result {
            Err(ApiError::Validation(errors)) => {
                Some((errors[0].field.clone(), errors[0].code.clone()))
            }
            _ => None,
        }
    }

    #[test]
    fn a_new_consent_is_given_in_the_past_and_expires_after() {
        let ok = checked(body(serde_json::json!({})), at(NOW)).unwrap();
        assert_eq!(ok.recipients, ["cape-sale", "ngo"]);
        assert_eq!(ok.field_groups, [FieldGroup::Identity, FieldGroup::Health]);
        let future = serde_json::json!({"given_at": "2026-04-01T00:00:00Z"});
        assert_eq!(
            field_of(checked(body(future), at(NOW))),
            Some(("given_at".into(), "in_future".into()))
        );
        let early = serde_json::json!({"expires_at": "2026-01-01T00:00:00Z"});
        assert_eq!(
            field_of(checked(body(early), at(NOW))),
            Some(("expires_at".into(), "before_given_at".into()))
        );
    }
}
