//! API clients: the hotline's and partners' systems, authenticating with OAuth 2 client
//! credentials.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

/// The roles an API client may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientRole {
    Hotline,
    Partner,
}

/// A new API client.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    #[validate(
        length(min = 1, max = 120),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub organization: String,
    pub role: ClientRole,
}

/// Changes to an API client.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateClient {
    #[validate(
        length(min = 1, max = 120),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    pub active: Option<bool>,
}

/// An API client (never its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientResponse {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub organization: String,
    pub role: ClientRole,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A client just created: the secret is shown here once and never again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedClient {
    #[serde(flatten)]
    pub client: ClientResponse,
    pub client_secret: String,
}
