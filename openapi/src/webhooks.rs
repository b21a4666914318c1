//! Webhooks: partner and hotline organizations register HTTPS endpoints that receive thin
//! events (a type and an id), signed per Standard Webhooks (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The type of a webhook event (the body's `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum WebhookEventType {
    /// A referral addressed to the organization. `data.id`: the referral.
    #[serde(rename = "referral.created")]
    ReferralCreated,
    /// A referral sent from or to the organization changed status. `data.id`: the referral.
    #[serde(rename = "referral.updated")]
    ReferralUpdated,
    /// A report the organization filed was screened (its status changed). `data.id`: the
    /// report.
    #[serde(rename = "report.status_changed")]
    ReportStatusChanged,
    /// A protocol action on a report the organization filed fell overdue (its screening, for
    /// an immediate-danger report within 2 hours): an alert. `data.id`: the report.
    #[serde(rename = "alert.created")]
    AlertCreated,
}

impl WebhookEventType {
    pub const ALL: [WebhookEventType; 4] = [
        WebhookEventType::ReferralCreated,
        WebhookEventType::ReferralUpdated,
        WebhookEventType::ReportStatusChanged,
        WebhookEventType::AlertCreated,
    ];

    /// The stored and sent code.
    pub fn code(self) -> &'static str {
        match self {
            WebhookEventType::ReferralCreated => "referral.created",
            WebhookEventType::ReferralUpdated => "referral.updated",
            WebhookEventType::ReportStatusChanged => "report.status_changed",
            WebhookEventType::AlertCreated => "alert.created",
        }
    }

    pub fn parse(code: &str) -> Option<WebhookEventType> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// Registers an endpoint. Its URL must be http or https and not resolve to a private,
/// loopback or link-local address (422 `webhook_url_not_allowed`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// The event types the endpoint receives.
    #[validate(length(min = 1, max = 4))]
    #[schema(min_items = 1, max_items = 4)]
    pub events: Vec<WebhookEventType>,
}

/// The state of an endpoint: `disabled` after it answered 410 Gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    Active,
    Disabled,
}

/// An endpoint, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookResponse {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<WebhookEventType>,
    pub status: WebhookStatus,
    /// Until when the previous secret still signs (both signatures are sent), after a
    /// rotation.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// An endpoint with its signing secret, shown once (on creation and rotation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookResponse,
    /// `whsec_` then the base64 of the key: verify `webhook-signature` with it.
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Retried for three days without success.
    Failed,
    /// The endpoint answered 410 Gone (and was disabled), or was disabled before.
    Stopped,
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookAttempt {
    pub attempted_at: DateTime<Utc>,
    /// The endpoint's HTTP status; absent when it was not reached.
    pub status_code: Option<i32>,
    /// Why it was not reached (timeout, connection refused...).
    pub error: Option<String>,
}

/// One event sent to one endpoint; `id` is its `webhook-id` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: String,
    #[serde(rename = "type")]
    pub type_: WebhookEventType,
    pub resource_id: String,
    pub status: WebhookDeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub attempts: Vec<WebhookAttempt>,
}
