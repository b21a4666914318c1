//! A stored referral as a response: the sealed texts opened, and the sending side's fields
//! (case, consent, plan action, override reason) shown only to the sending side
//! (`policy::sends_referral`).
use madar_openapi::referrals::{ReferralResponse, ReferralSnapshot};

use super::store::Referral;
use crate::auth::policy::sends_referral;
use crate::auth::Actor;
use crate::cases::rows::{open, uuid};
use crate::codes::from_code;
use crate::crypto::Keyring;
use crate::error::ApiError;

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

impl Referral {
    fn text(
        &self,
        keys: &Keyring,
        column: &str,
        stored: Option<&str>,
    ) -> Result<Option<String>, ApiError> {
        open(keys, ("referrals", column, &self.row.id), stored)
    }

    /// The snapshot as sent.
    pub fn snapshot(&self, keys: &Keyring) -> Result<ReferralSnapshot, ApiError> {
        let json = self
            .text(keys, "snapshot", Some(&self.row.snapshot_sealed))?
            .unwrap_or_default();
        serde_json::from_str(&json).map_err(internal)
    }

    /// The referral as `actor` sees it, with its snapshot when `with_snapshot`.
    pub fn response(
        &self,
        keys: &Keyring,
        actor: &Actor,
        with_snapshot: bool,
    ) -> Result<ReferralResponse, ApiError> {
        let r = &self.row;
        let sender = sends_referral(actor, &r.from_org, &self.case_path);
        let sender_only = |v: Option<uuid::Uuid>| if sender { v } else { None };
        let override_reason = match sender {
            true => self.text(keys, "override_reason", r.override_reason_sealed.as_deref())?,
            false => None,
        };
        Ok(ReferralResponse {
            id: uuid(&r.id)?,
            case_id: sender_only(Some(uuid(&r.case_id)?)),
            case_reference: sender.then(|| self.case_reference.clone()),
            from_organization: self.from_code.clone(),
            to_organization: self.to_code.clone(),
            service_id: r.service_id.as_deref().map(uuid).transpose()?,
            service_type: from_code(&r.service_type)?,
            domain: from_code(&r.domain)?,
            status: from_code(&r.status)?,
            urgency: from_code(&r.urgency)?,
            reason: self
                .text(keys, "reason", Some(&r.reason_sealed))?
                .unwrap_or_default(),
            due_by: r.due_by.and_utc(),
            respond_by: r.respond_by.and_utc(),
            field_groups: serde_json::from_str(&r.field_groups).map_err(internal)?,
            consent_id: sender_only(r.consent_id.as_deref().map(uuid).transpose()?),
            plan_action_id: sender_only(r.plan_action_id.as_deref().map(uuid).transpose()?),
            consent_overridden: r.override_reason_sealed.is_some(),
            override_reason,
            decline_reason: self.text(
                keys,
                "decline_reason",
                r.decline_reason_sealed.as_deref(),
            )?,
            outcome: r.outcome.as_deref().map(from_code).transpose()?,
            feedback: self.text(keys, "feedback", r.feedback_sealed.as_deref())?,
            cancel_reason: self.text(keys, "cancel_reason", r.cancel_reason_sealed.as_deref())?,
            sent_by: uuid(&r.sent_by_id)?,
            sent_at: r.sent_at.and_utc(),
            answered_at: r.answered_at.map(|t| t.and_utc()),
            started_at: r.started_at.map(|t| t.and_utc()),
            closed_at: r.closed_at.map(|t| t.and_utc()),
            updated_at: r.updated_at.and_utc(),
            snapshot: with_snapshot.then(|| self.snapshot(keys)).transpose()?,
        })
    }
}
