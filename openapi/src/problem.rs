//! RFC 9457 problem details, the body of every error response.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error, as `application/problem+json` (RFC 9457). `code` is stable and machine-readable
/// (snake_case): clients translate it, they never parse `title` or `detail`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code, such as `validation_failed` or `not_found`.
    pub code: String,
    /// The request id, to quote when reporting the problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Field errors of a 422.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// RFC 6749 error code, on the token endpoint's errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// RFC 6749 error description, on the token endpoint's errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// One invalid field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field's path, such as `email` or `labels.ar`.
    pub field: String,
    /// Stable code: `length`, `email`, `forbidden_character`, `unknown_field`, `invalid_value`...
    pub code: String,
    pub message: String,
}

/// Every `code` a problem can carry, so clients can translate each one. A test of the server
/// (`error::tests::every_code_the_server_sends_is_in_the_contract`) fails when the server
/// sends a code missing here.
pub const PROBLEM_CODES: &[&str] = &[
    "account_locked",
    "already_exists",
    "already_linked",
    "approval_already_decided",
    "approval_pending",
    "assessment_required",
    "bad_query",
    "bad_request",
    "cannot_change_own_access",
    "case_changed",
    "case_closed",
    "child_changed",
    "child_merged",
    "closure_fields_not_allowed",
    "closure_reason_required",
    "consent_already_withdrawn",
    "content_mismatch",
    "cors_rejected",
    "email_taken",
    "forbidden",
    "grant_active",
    "idempotency_key_in_flight",
    "idempotency_key_required",
    "idempotency_key_reused",
    "internal_error",
    "invalid_credentials",
    "invalid_idempotency_key",
    "invalid_refresh_token",
    "invalid_ticket",
    "invalid_token",
    "likely_duplicate",
    "malformed_body",
    "malformed_json",
    "merge_already_undone",
    "method_not_allowed",
    "not_acceptable",
    "not_found",
    "organization_code_taken",
    "outcome_note_required",
    "payload_too_large",
    "placement_open",
    "plan_closed",
    "plan_not_active",
    "plan_required",
    "precondition_failed",
    "precondition_required",
    "protocol_action_closed",
    "protocol_not_draft",
    "rate_limited",
    "referral_transition_not_allowed",
    "refresh_token_reused",
    "report_already_screened",
    "request_timeout",
    "service_unavailable",
    "token_expired",
    "transfer_already_decided",
    "transfer_pending",
    "transition_not_allowed",
    "unauthorized",
    "unsupported_media_type",
    "uri_too_long",
    "validation_failed",
    "webhook_url_not_allowed",
];

/// Every `code` a [`FieldError`] can carry (the field errors of a 422 `validation_failed`).
pub const FIELD_CODES: &[&str] = &[
    "after_to",
    "age_range",
    "answer_required",
    "bad_query",
    "before_case_opened",
    "before_date",
    "before_from",
    "before_given_at",
    "blank",
    "consent_required",
    "create_only",
    "disabled_in_national",
    "duplicate",
    "duplicate_key",
    "email",
    "forbidden_character",
    "in_future",
    "in_past",
    "in_scope",
    "inconsistent",
    "invalid",
    "invalid_code",
    "invalid_country_code",
    "invalid_cursor",
    "invalid_date",
    "invalid_deadline",
    "invalid_language",
    "invalid_phone",
    "invalid_range",
    "invalid_value",
    "invalid_year",
    "justification_required",
    "length",
    "link_or_create",
    "missing_child",
    "name_required",
    "no_case_owner",
    "not_allowed",
    "not_an_institution",
    "not_applicable",
    "not_configurable",
    "not_served",
    "out_of_range",
    "outside_organization",
    "path",
    "range",
    "repeated",
    "required",
    "same_child",
    "same_organization",
    "span_too_long",
    "target_required",
    "territory_outside_scope",
    "territory_too_wide",
    "too_many",
    "unknown_action",
    "unknown_base_rule",
    "unknown_case",
    "unknown_child",
    "unknown_code",
    "unknown_concern",
    "unknown_consent",
    "unknown_event",
    "unknown_field",
    "unknown_instrument",
    "unknown_item",
    "unknown_language",
    "unknown_option",
    "unknown_organization",
    "unknown_parameter",
    "unknown_plan_action",
    "unknown_protocol_action",
    "unknown_responsible",
    "unknown_risk_level",
    "unknown_service",
    "unknown_service_type",
    "unknown_stage",
    "unknown_territory",
    "unknown_user",
    "unknown_version",
];
