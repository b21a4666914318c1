//! People who use Madar, and their roles.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::common::Language;

/// What a user or API client may reach (design.md, "Identity and access").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Coordinator,
    CaseWorker,
    Partner,
    Hotline,
    Analyst,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Coordinator,
        Role::CaseWorker,
        Role::Partner,
        Role::Hotline,
        Role::Analyst,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Coordinator => "coordinator",
            Role::CaseWorker => "case_worker",
            Role::Partner => "partner",
            Role::Hotline => "hotline",
            Role::Analyst => "analyst",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// A new user. The password has at least 12 characters.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[validate(
        length(min = 1, max = 120),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: String,
    #[validate(
        length(min = 12, max = 256),
        custom(function = "crate::validate::password")
    )]
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: String,
    pub role: Role,
    /// The code of the user's organization.
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub organization: String,
    /// The territory the user's scope covers (its whole subtree). Defaults to the
    /// organization's territory when it serves exactly one.
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: Option<String>,
    pub language: Option<Language>,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[validate(
        length(min = 1, max = 120),
        custom(function = "crate::validate::safe_line")
    )]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: Option<String>,
    #[validate(
        length(min = 12, max = 256),
        custom(function = "crate::validate::password")
    )]
    #[schema(min_length = 12, max_length = 256, format = Password)]
    pub password: Option<String>,
    pub role: Option<Role>,
    #[validate(length(min = 1, max = 64), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 64)]
    pub organization: Option<String>,
    #[validate(length(min = 1, max = 16), custom(function = "crate::validate::code"))]
    #[schema(min_length = 1, max_length = 16)]
    pub territory: Option<String>,
    pub language: Option<Language>,
    pub active: Option<bool>,
}

/// What a user may change about themselves.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    pub language: Language,
}

/// A user as Madar knows them (never their password).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UserResponse {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization: String,
    pub territory: String,
    pub language: Language,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
