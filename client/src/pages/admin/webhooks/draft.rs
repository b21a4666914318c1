//! The webhook form as typed, made into a `CreateWebhook` (host-tested).
use madar_openapi::webhooks::{CreateWebhook, WebhookEventType};

use super::super::logic::{blanks, checked, FieldErrors};

/// The webhook form as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookDraft {
    pub url: String,
    pub events: Vec<WebhookEventType>,
}

impl WebhookDraft {
    /// Ticks or unticks an event type, keeping the contract's order.
    pub fn toggle(&mut self, kind: WebhookEventType, on: bool) {
        self.events.retain(|e| *e != kind);
        if on {
            self.events.push(kind);
        }
        self.events
            .sort_by_key(|e| WebhookEventType::ALL.iter().position(|a| a == e));
    }

    pub fn to_create(&self) -> Result<CreateWebhook, FieldErrors> {
        let mut errors = FieldErrors::new();
        let url = self.url.trim();
        blanks(&mut errors, &[("url", url)]);
        let scheme = url
            .get(..8)
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if !url.is_empty() && !scheme.starts_with("https://") && !scheme.starts_with("http://") {
            errors.push(("url".into(), "invalid".into()));
        }
        if self.events.is_empty() {
            errors.push(("events".into(), "required".into()));
        }
        let request = CreateWebhook {
            url: url.to_owned(),
            events: self.events.clone(),
        };
        checked(request, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::admin::logic::error_on;

    #[test]
    fn a_webhook_needs_an_http_address_and_at_least_one_event() {
        let errors = WebhookDraft::default().to_create().expect_err("refused");
        assert_eq!(error_on(&errors, "url"), Some("required"));
        assert_eq!(error_on(&errors, "events"), Some("required"));
        let mut draft = WebhookDraft {
            url: " ftp://partner.example/hook ".into(),
            events: vec![],
        };
        draft.toggle(WebhookEventType::AlertCreated, true);
        draft.toggle(WebhookEventType::ReferralCreated, true);
        assert_eq!(
            error_on(&draft.to_create().expect_err("ftp"), "url"),
            Some("invalid")
        );
        draft.url = " HTTPS://partner.example/hook ".into();
        let request = draft.to_create().expect("accepted");
        assert_eq!(request.url, "HTTPS://partner.example/hook");
        assert_eq!(
            request.events,
            [
                WebhookEventType::ReferralCreated,
                WebhookEventType::AlertCreated
            ]
        );
        draft.toggle(WebhookEventType::ReferralCreated, false);
        assert_eq!(draft.events, [WebhookEventType::AlertCreated]);
        draft.url = format!("https://{}", "a".repeat(2000));
        assert!(error_on(&draft.to_create().expect_err("too long"), "url").is_some());
    }
}
